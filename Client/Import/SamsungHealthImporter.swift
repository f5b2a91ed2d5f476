public import Foundation

/// Imports Samsung Health "Download personal data" CSV files (the export folder
/// `samsunghealth_<user>_<time>/`, or single files), streaming.
///
/// Each file starts with a metadata line (`com.samsung.shealth.tracker.heart_rate,7006011,3`: data
/// type, app version, a small integer) and then the header; a file without the metadata line is
/// recognised by its header and name. Columns are matched by suffix, since versions write them with
/// or without the `com.samsung.health.<type>.` prefix; rows may end with a trailing comma; a UTF-8
/// byte order mark is skipped.
///
/// | data type (file name) | value column | quantity | unit |
/// |---|---|---|---|
/// | `com.samsung.shealth.tracker.heart_rate` | `heart_rate` | ``Quantity/heartRate`` | bpm |
/// | `com.samsung.shealth.stress` | `score` | ``Quantity/stressScore`` | 0–100, higher is more stress |
/// | `com.samsung.shealth.tracker.oxygen_saturation` | `spo2` | ``Quantity/oxygenSaturation`` | % (0–100) |
///
/// Times: `start_time` (and `end_time` when later) as `yyyy-MM-dd HH:mm:ss.SSS` in **UTC**; the
/// `time_offset` column (`UTC+0900`) only says where the wearer was and is not needed for UTC
/// instants, so rows with an odd offset are kept. `min`, `max`, the binning data and the `jsons/`
/// folder are not read; other data types are counted as skipped files.
public struct SamsungHealthImporter: Importer {
    /// Creates an importer.
    public init() {}

    /// The format this importer reads.
    public var format: ImportFormat { .samsung }

    private enum DataType {
        case heartRate, stress, oxygenSaturation

        init?(_ name: String) {
            let lower = name.lowercased()
            if lower.contains("tracker.heart_rate") {
                self = .heartRate
            } else if lower.contains("shealth.stress") && !lower.contains("histogram") {
                self = .stress
            } else if lower.contains("oxygen_saturation") {
                self = .oxygenSaturation
            } else {
                return nil
            }
        }

        var valueColumn: String {
            switch self {
            case .heartRate: "heart_rate"
            case .stress: "score"
            case .oxygenSaturation: "spo2"
            }
        }

        var quantity: Quantity {
            switch self {
            case .heartRate: .heartRate
            case .stress: .stressScore
            case .oxygenSaturation: .oxygenSaturation
            }
        }
    }

    /// Reads a Samsung Health export folder (or one of its CSV files).
    public func read(_ url: URL, into session: inout ImportSession) throws {
        let files = try InputFiles.files(at: url).filter { !$0.pathComponents.contains("jsons") }
        let csvFiles = files.filter { $0.pathExtension.lowercased() == "csv" }
        session.skip(.unsupportedFile, count: files.count - csvFiles.count)
        var recognized = 0
        for file in csvFiles {
            let reader: ByteReader
            do {
                reader = try ByteReader(path: file.path)
                try reader.skipByteOrderMark()
            } catch let error as ImportError {
                session.note(.init(kind: .unreadable, file: file.path, message: error.message))
                continue
            }
            // The metadata line names the data type; without one, the header follows at once.
            var dataType = DataType(file.lastPathComponent)
            guard case .line(let firstLine, _, _)? = try reader.nextLine() else {
                session.skip(.unsupportedFile)
                continue
            }
            let first = String(decoding: firstLine, as: UTF8.self)
            let firstField = first.split(separator: ",", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let isMetadata = firstField.hasPrefix("com.samsung") && !first.contains("start_time")
            if isMetadata {
                dataType = DataType(firstField)
            } else {
                reader.rewind(to: firstLine)
            }
            guard let dataType else {
                session.skip(.unsupportedFile)
                continue
            }
            recognized += 1
            try readRows(reader, type: dataType, session: &session)
            session.countFile(bytes: reader.bytesRead)
        }
        guard recognized > 0 else {
            throw ImportError.unrecognizedInput(
                "expected Samsung Health CSV files (com.samsung.shealth.tracker.heart_rate, …stress, …oxygen_saturation) at \(url.path), found none"
            )
        }
    }

    private struct Columns {
        var start: Int
        var end: Int?
        var value: Int
    }

    private func readRows(_ reader: ByteReader, type: DataType, session: inout ImportSession) throws {
        var times = TimeReader(zone: TimeZone(identifier: "UTC"))
        let quantity = type.quantity
        try CSVFile.read(
            reader, session: &session,
            columns: { (header: CSVHeader) -> Result<Columns, CSVFile.HeaderProblem> in
                let missing = ["start_time", type.valueColumn].filter { header.column(suffix: $0) == nil }
                guard missing.isEmpty, let start = header.column(suffix: "start_time"),
                    let value = header.column(suffix: type.valueColumn)
                else {
                    return .failure(.missing(missing, in: "a Samsung Health \(quantity.displayName) file"))
                }
                return .success(Columns(start: start, end: header.column(suffix: "end_time"), value: value))
            },
            row: { session, columns, fields, location in
                guard
                    let start = try session.requireTime(
                        fields.field(columns.start), field: "start_time", layout: .iso, times: &times,
                        quantity: quantity, at: location.column("start_time")),
                    let value = try session.requireNumber(
                        fields.field(columns.value), field: type.valueColumn, quantity: quantity,
                        at: location.column(type.valueColumn))
                else { return }
                var end: Double?
                if let endColumn = columns.end, !fields.field(endColumn).isEmpty {
                    guard
                        let parsed = try session.requireTime(
                            fields.field(endColumn), field: "end_time", layout: .iso, times: &times,
                            quantity: quantity, at: location.column("end_time"))
                    else { return }
                    if parsed != start { end = parsed }
                }
                try session.offer(
                    Measurement(quantity: quantity, start: start, end: end, value: value, source: "Samsung Health"),
                    at: location.column(type.valueColumn))
            })
    }
}
