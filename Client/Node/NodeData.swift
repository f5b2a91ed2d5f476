public import EQMCore
import Foundation

/// Turns what a node holds (stored series and self-reported labels) into model examples, and
/// fills a store with a synthetic user's recording for demos and tests.
///
/// The stored series carry Unix times; a recording counts seconds from its `origin`. Every
/// continuous channel is put on one grid from the origin at its canonical rate
/// (``SignalAssembler/rates``); stretches without data are `NaN`, and windows with too much
/// missing are dropped by the window builder, exactly as for the synthetic cohorts. A store's
/// history is cut into segments at silences longer than a window and at most a day long, so
/// weeks of data never become one dense grid.
public enum NodeData {
    /// The series a model input is built from (pulse, skin conductance and temperature,
    /// acceleration, SpO2).
    public static let quantities: [Quantity] = [
        .bloodVolumePulse, .electrodermalActivity, .skinTemperature, .accelerationX, .accelerationY, .accelerationZ,
        .oxygenSaturation,
    ]

    /// A recording assembled from series keyed by quantity, with labels; `nil` when no series has
    /// two samples. Times in the result count from `origin` (default: the first sample).
    public static func recording(
        series: [Quantity: [StoredSample]], labels: [LabelInterval], userID: String = "local", maximumGap: Double = 3,
        origin fixedOrigin: Double? = nil
    ) throws(EQMCoreError) -> (recording: UserRecording, origin: Double)? {
        let present = quantities.compactMap { series[$0] }.filter { $0.count >= 2 }
        guard let first = present.compactMap({ $0.map(\.start).min() }).min(),
            let end = present.compactMap({ $0.map(\.start).max() }).max()
        else { return nil }
        let origin = fixedOrigin ?? first
        guard end > origin else { return nil }
        func channel(_ quantity: Quantity) throws(EQMCoreError) -> SampledSignal {
            let rate = SignalAssembler.rates[quantity]!
            let count = Int(((end - origin) * rate).rounded(.down)) + 1
            guard Double(count) < Double(SignalAssembler.maximumGridPoints) else {
                throw .invalidData(
                    "\(quantity.rawValue) spans \(Int((end - origin) / 3600)) hours, more than one recording may hold")
            }
            guard let samples = series[quantity], samples.count >= 2 else {
                return SampledSignal(startTime: 0, sampleRate: rate, values: [Float](repeating: .nan, count: count))
            }
            let sorted = samples.sorted { $0.start < $1.start }
            let values = try Resampling.interpolate(
                times: sorted.map { $0.start - origin }, values: sorted.map(\.value), start: 0, rate: rate, count: count,
                maximumGap: maximumGap / rate)
            return SampledSignal(startTime: 0, sampleRate: rate, values: values.map(Float.init))
        }
        let episodes = labels.sorted { $0.start < $1.start }.compactMap { interval -> LabelledEpisode? in
            let start = max(0, interval.start - origin), stop = min(end - origin, interval.end - origin)
            return stop > start ? LabelledEpisode(start: start, end: stop, label: interval.label) : nil
        }
        let recording = UserRecording(
            userID: userID, bvp: try channel(.bloodVolumePulse), eda: try channel(.electrodermalActivity),
            temperature: try channel(.skinTemperature), accelerationX: try channel(.accelerationX),
            accelerationY: try channel(.accelerationY), accelerationZ: try channel(.accelerationZ),
            spo2: try channel(.oxygenSaturation), episodes: episodes)
        return (recording, origin)
    }

    /// The series of `store` that model inputs use.
    public static func series(in store: LocalStore) throws(StoreError) -> [Quantity: [StoredSample]] {
        var series = [Quantity: [StoredSample]]()
        for quantity in quantities where store.seriesCounts[quantity.rawValue] != nil {
            series[quantity] = try store.samples(series: quantity.rawValue)
        }
        return series
    }

    /// The labelled examples of the node's store for a model: one per labelled 64 s window
    /// (every 32 s), normalised per user as in training.
    public static func examples(in store: LocalStore, spec: ModelSpec) throws -> LabelledExamples {
        try Snapshot(store: store).examples(spec: spec)
    }

    /// The node's series and labels, read once: a value the daemon's tasks can share while the
    /// store stays locked by the daemon.
    public struct Snapshot: Sendable {
        public var series: [Quantity: [StoredSample]]
        public var labels: [LabelInterval]

        public init(series: [Quantity: [StoredSample]], labels: [LabelInterval]) {
            self.series = series.mapValues { $0.sorted { $0.start < $1.start } }
            self.labels = labels
        }

        public init(store: LocalStore) throws(StoreError) {
            self.init(series: try NodeData.series(in: store), labels: try store.labels())
        }

        /// The longest stretch one recording covers.
        public static let maximumSegment = 86_400.0

        /// Stretches with data: split at silences longer than a window and at most a day long.
        public func segments(window: Double = 64) -> [(start: Double, end: Double)] {
            var spans: [(start: Double, end: Double)] = []
            for quantity in NodeData.quantities {
                guard let samples = series[quantity], var start = samples.first?.start else { continue }
                var last = start
                for sample in samples.dropFirst() {
                    if sample.start - last > window {
                        spans.append((start, last))
                        start = sample.start
                    }
                    last = sample.start
                }
                spans.append((start, last))
            }
            spans.sort { $0.start < $1.start }
            var merged: [(start: Double, end: Double)] = []
            for span in spans {
                if let previous = merged.last, span.start <= previous.end + window {
                    merged[merged.count - 1].end = max(previous.end, span.end)
                } else {
                    merged.append(span)
                }
            }
            return merged.flatMap { span in
                stride(from: span.start, to: span.end, by: Self.maximumSegment).map {
                    ($0, min(span.end, $0 + Self.maximumSegment))
                }
            }
        }

        /// The raw (unnormalised) windows of every segment, in time order: labelled ones only, or
        /// all of them.
        public func windows(spec: ModelSpec, labelledOnly: Bool) throws -> WindowDataset {
            let representation = try WindowDataset.representation(for: spec)
            var parts: [WindowDataset] = []
            for segment in segments() {
                var slice = [Quantity: [StoredSample]]()
                for (quantity, samples) in series {
                    let from = samples.partitioningIndex { $0.start >= segment.start }
                    let to = samples.partitioningIndex { $0.start > segment.end }
                    if to > from { slice[quantity] = Array(samples[from..<to]) }
                }
                guard var (recording, _) = try NodeData.recording(series: slice, labels: labels, origin: segment.start)
                else { continue }
                if !labelledOnly {
                    recording.episodes = [LabelledEpisode(start: 0, end: recording.duration, label: .neutral)]
                }
                parts.append(
                    try WindowDataset.build(recordings: [recording], representation: representation, normalizePerUser: false))
            }
            guard let shape = parts.first?.exampleShape else {
                return try WindowDataset(exampleShape: spec.inputShape, inputs: [], labels: [], userIDs: [], windowStarts: [])
            }
            return try WindowDataset(
                exampleShape: shape, inputs: parts.flatMap(\.inputs), labels: parts.flatMap(\.labels),
                userIDs: parts.flatMap(\.userIDs), windowStarts: parts.flatMap(\.windowStarts))
        }

        /// The wearer's own standardisation: fitted over all their windows, labelled or not. Training
        /// and live inference both use it (training on synthetic cohorts standardises each user the
        /// same way); nil without any usable window.
        public func normalizer(spec: ModelSpec) throws -> FeatureNormalizer? {
            let all = try windows(spec: spec, labelledOnly: false)
            guard all.count > 0 else { return nil }
            return try FeatureNormalizer(fitting: all.inputs, featureCount: all.exampleShape.last!)
        }

        /// The labelled examples for a model's input representation, standardised with
        /// ``normalizer(spec:)``, in time order.
        public func examples(spec: ModelSpec) throws -> LabelledExamples {
            guard !segments().isEmpty else {
                throw NodeError("the store holds no wearable series to train on: import data first (`eqm node import`)")
            }
            let labelled = try windows(spec: spec, labelledOnly: true)
            guard labelled.count > 0, let normalizer = try normalizer(spec: spec) else {
                throw NodeError(
                    "no labelled 64 s window with enough pulse, skin and motion data: add labels (`eqm node label`) or more data"
                )
            }
            var inputs = labelled.inputs
            normalizer.normalize(&inputs)
            if try WindowDataset.representation(for: spec) == .features { SummaryFeatures.finishNormalized(&inputs) }
            return try LabelledExamples(exampleShape: labelled.exampleShape, inputs: inputs, labels: labelled.labels)
        }
    }

    /// Writes synthetic user `index` of a cohort into `store` (series and labels), with times
    /// from `origin` (Unix seconds). Returns the number of samples written.
    @discardableResult
    public static func importSynthetic(
        user index: Int, cohort: CohortConfiguration, origin: Double, into store: LocalStore
    ) throws -> Int {
        let recording = try SyntheticCohort.recording(for: index, configuration: cohort)
        let channels: [(Quantity, SampledSignal)] = [
            (.bloodVolumePulse, recording.bvp), (.electrodermalActivity, recording.eda),
            (.skinTemperature, recording.temperature), (.accelerationX, recording.accelerationX),
            (.accelerationY, recording.accelerationY), (.accelerationZ, recording.accelerationZ),
            (.oxygenSaturation, recording.spo2),
        ]
        let session = store.beginImport()
        var written = 0
        for (quantity, signal) in channels {
            // Gaps in the synthetic signals are NaN: absent samples, as an importer would leave them.
            let samples = signal.values.indices.filter { signal.values[$0].isFinite }.map { index in
                StoredSample(start: origin + signal.time(at: index), value: Double(signal.values[index]))
            }
            try session.append(series: quantity.rawValue, samples: samples)
            written += samples.count
        }
        try session.commit(fingerprint: nil, format: "synthetic", accepted: written)
        let labels = try recording.episodes.map { episode throws(LabelError) in
            try LabelInterval(
                start: origin + episode.start, end: origin + episode.end, label: episode.label, source: "synthetic")
        }
        _ = try store.addLabels(labels)
        return written
    }
}

/// A node-level failure with a message for the person running it.
public struct NodeError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Array {
    /// The first index whose element satisfies `belongs`, for a predicate false then true along the array.
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
