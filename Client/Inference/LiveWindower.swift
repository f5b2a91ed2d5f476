public import EQMCore
import Foundation

/// Cuts a live stream of samples into sliding windows (64 s every 32 s by default) and turns
/// each closed window into a model input, the same way training windows are built.
///
/// A window `[start, start + 64 s)` closes when a sample at or after its end arrives. Its input
/// is built from the samples buffered for it; a window with too much of a channel missing gives
/// no input (and says so) rather than a guess. Samples older than the next window are dropped,
/// so memory stays bounded by one window of data.
///
/// Inputs are normalised as in training, where each user's windows are standardised with that
/// user's own statistics: with a normaliser fitted on the node's stored data
/// (``fitNormalizer(spec:data:)``) when there is one, otherwise with running statistics of the
/// windows seen so far (the first windows are then less reliable).
public struct LiveWindower: Sendable {
    /// A closed window.
    public struct Window: Sendable {
        public var start: Double
        public var end: Double
        /// The normalised model input, or nil when the window lacks data.
        public var input: [Float]?
        /// Why there is no input.
        public var problem: String?
    }

    public let spec: ModelSpec
    public let windowSeconds: Double
    public let stepSeconds: Double
    private let representation: WindowDataset.Representation
    private var normalizer: StreamNormalizer
    private var buffer: [Quantity: [StoredSample]] = [:]
    private var nextStart: Double?
    private var latest = -Double.infinity

    public init(spec: ModelSpec, normalizer: FeatureNormalizer? = nil, windowSeconds: Double = 64, stepSeconds: Double = 32)
        throws
    {
        self.spec = spec
        self.representation = try WindowDataset.representation(for: spec)
        self.windowSeconds = windowSeconds
        self.stepSeconds = stepSeconds
        self.normalizer = StreamNormalizer(fixed: normalizer, width: spec.inputShape.last ?? 1)
    }

    /// The most samples buffered per channel (ten minutes of a 64 Hz pulse signal).
    public static let maximumBuffered = 38_400

    /// Why a message was refused; nothing of it was used.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Adds samples (any order within a message) and returns the windows they close. Refuses,
    /// whole, a message with samples more than `maximumLead` seconds after `now` (a clock glitch
    /// would otherwise push the windows past every real sample) or one that would buffer more than
    /// ``maximumBuffered`` samples of a channel.
    public mutating func append(
        _ measurements: [Measurement], now: Double? = nil, maximumLead: Double = 300
    ) throws(Refusal) -> [Window] {
        let now = now ?? Date().timeIntervalSince1970
        if let future = measurements.first(where: { $0.start > now + maximumLead }) {
            throw Refusal(
                description: "a sample is timed \(Int(future.start - now)) s in the future; this node's clock reads \(Int(now))")
        }
        var added = [Quantity: Int]()
        for measurement in measurements { added[measurement.quantity, default: 0] += 1 }
        for (quantity, count) in added where (buffer[quantity]?.count ?? 0) + count > Self.maximumBuffered {
            throw Refusal(
                description: "\(quantity.rawValue): more than \(Self.maximumBuffered) samples would wait for the open window")
        }
        return accept(measurements)
    }

    private mutating func accept(_ measurements: [Measurement]) -> [Window] {
        var earliest = Double.infinity
        for measurement in measurements where NodeData.quantities.contains(measurement.quantity) {
            buffer[measurement.quantity, default: []].append(StoredSample(start: measurement.start, value: measurement.value))
            latest = max(latest, measurement.start)
            earliest = min(earliest, measurement.start)
        }
        if nextStart == nil && earliest.isFinite { nextStart = earliest }
        guard var start = nextStart else { return [] }
        var closed: [Window] = []
        while latest >= start + windowSeconds {
            // After a silence, resume at the first window holding data instead of emitting empty ones.
            let earliest = buffer.values.compactMap { $0.lazy.map(\.start).filter { $0 >= start }.min() }.min() ?? latest
            if earliest >= start + windowSeconds {
                start += max(1, ((earliest - start - windowSeconds) / stepSeconds).rounded(.down) + 1) * stepSeconds
                continue
            }
            closed.append(window(from: start))
            start += stepSeconds
        }
        nextStart = start
        for quantity in buffer.keys { buffer[quantity]!.removeAll { $0.start < start } }
        return closed
    }

    private mutating func window(from start: Double) -> Window {
        let end = start + windowSeconds
        var series = [Quantity: [StoredSample]]()
        for (quantity, samples) in buffer {
            // One sample past the end lets every grid reach it.
            let rate = SignalAssembler.rates[quantity] ?? 1
            series[quantity] = samples.filter { $0.start >= start && $0.start <= end + 2 / rate }
        }
        var result = Window(start: start, end: end)
        do {
            // The grid starts at the window's start, whatever the first sample's time.
            guard let (recording, _) = try NodeData.recording(series: series, labels: [], origin: start) else {
                result.problem = "no samples in the window"
                return result
            }
            var labelled = recording
            labelled.episodes = [LabelledEpisode(start: 0, end: recording.duration, label: .neutral)]
            let dataset = try WindowDataset.build(
                recordings: [labelled], representation: representation, windowSeconds: windowSeconds,
                stepSeconds: windowSeconds, normalizePerUser: false)
            guard dataset.count > 0 else {
                result.problem = "too much of a channel is missing (pulse, skin conductance, temperature, motion, SpO2)"
                return result
            }
            var input = Array(dataset.inputs[0..<dataset.exampleSize])
            normalizer.normalize(&input)
            if representation == .features { SummaryFeatures.finishNormalized(&input) }
            result.input = input
        } catch {
            result.problem = "cannot build the window: \(error)"
        }
        return result
    }

    /// The wearer's own standardisation from their stored data (see
    /// ``NodeData/Snapshot/normalizer(spec:)``), which training uses too.
    public static func fitNormalizer(spec: ModelSpec, data: NodeData.Snapshot) throws -> FeatureNormalizer? {
        try data.normalizer(spec: spec)
    }
}

/// A fixed normaliser, or running per-feature statistics (Welford) over the rows seen so far.
struct StreamNormalizer: Sendable {
    let fixed: FeatureNormalizer?
    let width: Int
    private var count: [Double]
    private var mean: [Double]
    private var squares: [Double]

    init(fixed: FeatureNormalizer?, width: Int) {
        self.fixed = fixed
        self.width = width
        count = [Double](repeating: 0, count: width)
        mean = count
        squares = count
    }

    mutating func normalize(_ values: inout [Float]) {
        if let fixed {
            fixed.normalize(&values)
            return
        }
        for (index, value) in values.enumerated() where value.isFinite {
            let feature = index % width
            count[feature] += 1
            let delta = Double(value) - mean[feature]
            mean[feature] += delta / count[feature]
            squares[feature] += delta * (Double(value) - mean[feature])
        }
        for index in values.indices where values[index].isFinite {
            let feature = index % width
            let deviation = count[feature] > 1 ? (squares[feature] / count[feature]).squareRoot() : 1
            values[index] = Float((Double(values[index]) - mean[feature]) / max(deviation, 1e-3))
        }
    }
}
