/// The encrypted store's import session as the sink of an import: each batch is split by quantity
/// into the store's series, named by ``Quantity/rawValue`` (`"heart_rate"`), with values already
/// in the canonical unit. ``Measurement/source`` is not stored (a stored sample has no source).
///
/// The session's owner commits it after a successful import, with the input's fingerprint and the
/// accepted count from the ``ImportReport``; ``MeasurementSink/finish()`` does not commit, so a failed
/// import leaves the store as it was.
extension StoreImportSession: MeasurementSink {
    /// Appends a batch, one store series per quantity.
    public func append(_ batch: [Measurement]) throws {
        var bySeries: [Quantity: [StoredSample]] = [:]
        for measurement in batch {
            bySeries[measurement.quantity, default: []]
                .append(StoredSample(start: measurement.start, end: measurement.end, value: measurement.value))
        }
        for quantity in Quantity.allCases {
            guard let samples = bySeries[quantity] else { continue }
            try append(series: quantity.rawValue, samples: samples)
        }
    }
}
