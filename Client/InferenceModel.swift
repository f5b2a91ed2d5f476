public import EQMCompliance
public import EQMCore
import Foundation

/// A trained model loaded for inference, as a developer or a node uses it.
///
/// Pull a signed version with ``CoordinatorClient/verifiedModel(campaign:version:trusting:)``
/// (signature, digest and file checked against the key you trust) and load it with
/// ``init(verified:)``; or load a model file. ``predict(_:normalizer:)`` turns a recording's
/// samples into one prediction per 64 s window, as the node does.
public struct InferenceModel {
    /// The model.
    public let model: SequentialModel
    /// The file header (architecture, metadata).
    public let header: ModelFile.Header
    /// The signed card, when the model came from a coordinator.
    public let card: ModelCard?

    /// Loads and verifies (checksum, format) a model file.
    public init(contentsOf path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        (model, header) = try ModelFile.decode(Array(data))
        card = nil
    }

    /// Loads and verifies (checksum, format) the bytes of a model file.
    public init(modelFile bytes: [UInt8]) throws {
        (model, header) = try ModelFile.decode(bytes)
        card = nil
    }

    /// A model pulled from a coordinator and already verified against the trusted key.
    public init(verified signed: SignedModel) throws {
        (model, header) = try ModelFile.decode(signed.model)
        card = signed.card
    }

    /// Predicts the state for one model input (48 features, or a `[steps × 6]` sequence).
    public func predict(_ example: [Float]) throws -> Prediction {
        try model.predict(example)
    }

    /// One window of a recording and what the model says about it.
    public struct WindowPrediction: Sendable {
        /// Unix seconds.
        public var start: Double
        public var end: Double
        /// Nil when the window lacked data (see `problem`).
        public var prediction: Prediction?
        public var problem: String?
    }

    /// Predicts every 64 s window (every 32 s) of the samples, in time order. Inputs are
    /// standardised with `normalizer` (the wearer's own, e.g. from
    /// ``LiveWindower/fitNormalizer(spec:data:)`` on their stored data) or, without one, with the
    /// statistics of these samples themselves, as training standardises each user.
    public func predict(_ measurements: [Measurement], normalizer: FeatureNormalizer? = nil) throws -> [WindowPrediction] {
        let sorted = measurements.sorted { $0.start < $1.start }
        var series = [Quantity: [StoredSample]]()
        for measurement in sorted {
            series[measurement.quantity, default: []].append(StoredSample(start: measurement.start, value: measurement.value))
        }
        let standardisation =
            try normalizer
            ?? LiveWindower.fitNormalizer(spec: model.spec, data: NodeData.Snapshot(series: series, labels: []))
        var windower = try LiveWindower(spec: model.spec, normalizer: standardisation)
        var result: [WindowPrediction] = []
        // Fed in slices, as a stream arrives: the windower keeps about one window of data.
        for start in stride(from: 0, to: sorted.count, by: 256) {
            // A recording may be from any time: no check against this machine's clock.
            for window in try windower.append(Array(sorted[start..<min(start + 256, sorted.count)]), now: .infinity) {
                result.append(
                    WindowPrediction(
                        start: window.start, end: window.end, prediction: try window.input.map { try model.predict($0) },
                        problem: window.problem))
            }
        }
        return result
    }
}
