/// A sink that keeps every accepted measurement in memory, for tests and small imports.
public struct InMemoryMeasurementSink: MeasurementSink, Sendable {
    /// Every measurement appended, in order.
    public private(set) var measurements: [Measurement] = []
    /// How many batches were appended.
    public private(set) var batches = 0
    /// Whether ``finish()`` was called.
    public private(set) var isFinished = false

    /// Creates an empty sink.
    public init() {}

    /// Appends a batch.
    public mutating func append(_ batch: [Measurement]) throws {
        measurements += batch
        batches += 1
    }

    /// Records that the import finished.
    public mutating func finish() throws { isFinished = true }

    /// The measurements of one quantity, in order.
    public func measurements(of quantity: Quantity) -> [Measurement] {
        measurements.filter { $0.quantity == quantity }
    }
}
