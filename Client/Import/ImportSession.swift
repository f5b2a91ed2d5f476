import Foundation

/// One run of an import: importers hand it candidate measurements, rejections and skips; it
/// validates, removes exact duplicates, batches accepted measurements into the sink, writes
/// rejections to the quarantine and keeps the report.
///
/// ```swift
/// var session = ImportSession(sink: InMemoryMeasurementSink(), quarantine: try QuarantineWriter(url: url))
/// try AppleHealthImporter().read(exportURL, into: &session)
/// let report = try session.finish()
/// ```
///
/// ``Importer/run(_:into:validator:quarantineURL:)`` does the same in one call.
public struct ImportSession {
    /// Tuning of a session.
    public struct Configuration: Sendable {
        /// Measurements handed to the sink at a time.
        public var batchSize: Int
        /// Keys per duplicate-filter generation and quantity (see the session's duplicate handling):
        /// every duplicate within this many measurements of its quantity is caught.
        public var duplicateWindow: Int

        /// Creates a configuration.
        public init(batchSize: Int = 4096, duplicateWindow: Int = 1 << 17) {
            self.batchSize = batchSize
            self.duplicateWindow = duplicateWindow
        }
    }

    /// The sink accepted measurements went to (hand it back to its owner after ``finish()``).
    public private(set) var sink: any MeasurementSink
    /// The validator applied to every measurement.
    public let validator: MeasurementValidator
    private let quarantine: QuarantineWriter?
    private var duplicateFilter: DuplicateFilter
    private var batch: [Measurement] = []
    private let batchSize: Int
    private var seriesCounts: [Int]
    private var counts = ImportReport()

    /// Creates a session writing accepted measurements to `sink` and rejections to `quarantine`
    /// (when `nil`, rejections are only counted).
    public init(
        sink: some MeasurementSink, validator: MeasurementValidator = MeasurementValidator(),
        quarantine: QuarantineWriter? = nil, configuration: Configuration = Configuration()
    ) {
        self.sink = sink
        self.validator = validator
        self.quarantine = quarantine
        self.batchSize = max(1, configuration.batchSize)
        self.duplicateFilter = DuplicateFilter(generationSize: configuration.duplicateWindow)
        self.seriesCounts = Array(repeating: 0, count: Quantity.allCases.count)
        batch.reserveCapacity(self.batchSize)
        counts.quarantinePath = quarantine?.url.path
    }

    /// Offers one candidate measurement: validated, de-duplicated, then batched for the sink or
    /// quarantined with `location`, which is only evaluated for a rejection.
    @inline(__always)
    public mutating func offer(_ measurement: Measurement, at location: @autoclosure () -> RecordLocation) throws {
        if let problem = validator.problem(with: measurement) {
            try reject(
                Rejection(
                    location: location(), reason: problem.reason, quantity: measurement.quantity,
                    detail: problem.detail))
            return
        }
        if duplicateFilter.isDuplicate(measurement) {
            counts.duplicates += 1
            return
        }
        batch.append(measurement)
        seriesCounts[measurement.quantity.index] += 1
        if batch.count >= batchSize { try flushBatch() }
    }

    /// Quarantines and counts a rejected record or value.
    public mutating func reject(_ rejection: Rejection) throws {
        counts.rejected += 1
        counts.rejectedByReason[rejection.reason, default: 0] += 1
        try quarantine?.write(rejection)
    }

    /// Quarantines and counts a rejection built from its parts.
    public mutating func reject(
        _ reason: Rejection.Reason, at location: RecordLocation, quantity: Quantity? = nil,
        detail: String
    ) throws {
        try reject(Rejection(location: location, reason: reason, quantity: quantity, detail: detail))
    }

    /// Counts records or files deliberately not imported.
    public mutating func skip(_ reason: ImportReport.SkipReason, count: Int = 1) {
        guard count > 0 else { return }
        counts.skipped[reason, default: 0] += count
    }

    /// Adds a remark about a whole file.
    public mutating func note(_ note: ImportReport.Note) {
        counts.notes.append(note)
    }

    /// Counts one source record examined (for throughput figures).
    @inline(__always)
    public mutating func countRecord(_ count: Int = 1) { counts.recordsRead += count }

    /// Counts a file opened and the bytes read from it.
    public mutating func countFile(bytes: Int) {
        counts.filesRead += 1
        counts.bytesRead += bytes
    }

    /// Hands the last batch to the sink, lets it finish, closes the quarantine and returns the report.
    public mutating func finish() throws -> ImportReport {
        try flushBatch()
        do {
            try sink.finish()
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError.sinkFailure("the sink could not finish the import: \(error)")
        }
        try quarantine?.close()
        return report
    }

    /// The report so far (``finish()`` returns the final one); counts include the pending batch.
    public var report: ImportReport {
        var result = counts
        result.accepted = seriesCounts.reduce(0, +)
        result.series = [:]
        for quantity in Quantity.allCases where seriesCounts[quantity.index] > 0 {
            result.series[quantity] = seriesCounts[quantity.index]
        }
        return result
    }

    private mutating func flushBatch() throws {
        guard !batch.isEmpty else { return }
        do {
            try sink.append(batch)
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError.sinkFailure("the sink refused \(batch.count) measurements: \(error)")
        }
        batch.removeAll(keepingCapacity: true)
    }
}
