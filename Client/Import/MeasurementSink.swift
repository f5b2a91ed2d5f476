/// Where accepted measurements go: the importers do not know whether that is memory, a counter or
/// the encrypted local store.
///
/// An ``ImportSession`` calls ``append(_:)`` with batches of validated, de-duplicated measurements
/// in input order (not sorted by time), then ``finish()`` once at the end of a successful import.
/// Errors thrown here end the import with ``ImportError/Code/sinkFailure``.
public protocol MeasurementSink {
    /// Appends a batch of accepted measurements.
    mutating func append(_ batch: [Measurement]) throws
    /// Called once after the last batch of a successful import (commit, flush). Does nothing by default.
    mutating func finish() throws
}

extension MeasurementSink {
    /// Does nothing.
    public mutating func finish() throws {}
}
