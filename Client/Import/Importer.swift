public import Foundation

/// Reads one wearable export format and hands its records to an ``ImportSession``.
///
/// Importers stream: memory stays bounded whatever the input's size. They convert units and times
/// to the canonical ones of ``Measurement`` and report every record they cannot use, either as a
/// ``Rejection`` (quarantined) or as a skip (records that are not data for this project). They
/// throw only when the input cannot be read at all (``ImportError``).
public protocol Importer: Sendable {
    /// The format this importer reads.
    var format: ImportFormat { get }

    /// Reads the file or folder at `url` into `session`.
    /// - Throws: ``ImportError`` when the input is missing, unreadable or holds nothing in the format,
    ///   or when the session's sink or quarantine fails.
    func read(_ url: URL, into session: inout ImportSession) throws
}

extension Importer {
    /// Runs a whole import: reads `url`, hands accepted measurements to `sink`, writes rejections to
    /// a quarantine file at `quarantineURL` (when given) and returns the report.
    public func run<Sink: MeasurementSink>(
        _ url: URL, into sink: inout Sink,
        validator: MeasurementValidator = MeasurementValidator(),
        quarantineURL: URL? = nil,
        configuration: ImportSession.Configuration = .init()
    ) throws -> ImportReport {
        let quarantine = try quarantineURL.map { try QuarantineWriter(url: $0) }
        var session = ImportSession(sink: sink, validator: validator, quarantine: quarantine, configuration: configuration)
        defer {
            // The session owns the sink while it runs; hand it (and what it holds) back either way.
            if let owned = session.sink as? Sink { sink = owned }
        }
        try read(url, into: &session)
        return try session.finish()
    }
}
