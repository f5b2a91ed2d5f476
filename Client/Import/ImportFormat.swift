public import Foundation

/// The supported input formats, with their command-line names.
public enum ImportFormat: String, CaseIterable, Sendable {
    /// Apple Health `export.xml` (``AppleHealthImporter``).
    case appleHealth = "apple-health"
    /// Fitbit data in a Google Takeout folder (``FitbitImporter``).
    case fitbit
    /// Oura API v2 JSON documents (``OuraImporter``).
    case oura
    /// Samsung Health "download personal data" CSV files (``SamsungHealthImporter``).
    case samsung
    /// Empatica E4 session folders (``EmpaticaE4Importer``).
    case e4
    /// Generic JSON lines (``JSONLinesImporter``).
    case jsonl

    /// The importer for this format. `timeZone` applies to times that carry no offset (Fitbit, and
    /// zone-less ISO times in Apple exports written by third parties); `nil` keeps each importer's default.
    public func makeImporter(timeZone: TimeZone? = nil) -> any Importer {
        switch self {
        case .appleHealth: AppleHealthImporter(timeZone: timeZone)
        case .fitbit: FitbitImporter(timeZone: timeZone)
        case .oura: OuraImporter()
        case .samsung: SamsungHealthImporter()
        case .e4: EmpaticaE4Importer()
        case .jsonl: JSONLinesImporter()
        }
    }
}
