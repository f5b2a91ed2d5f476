public import EQMCore
import Foundation

/// Turns what a node holds (stored series and self-reported labels) into model examples, and
/// fills a store with a synthetic user's recording for demos and tests.
///
/// The stored series carry Unix times; a recording counts seconds from its first sample
/// (`origin`). Every continuous channel is put on one grid from the origin at its canonical rate
/// (``SignalAssembler/rates``); stretches without data are `NaN`, and windows with too much
/// missing are dropped by the window builder, exactly as for the synthetic cohorts.
public enum NodeData {
    /// The series a model input is built from (pulse, skin conductance and temperature,
    /// acceleration, SpO2).
    public static let quantities: [Quantity] = [
        .bloodVolumePulse, .electrodermalActivity, .skinTemperature, .accelerationX, .accelerationY, .accelerationZ,
        .oxygenSaturation,
    ]

    /// A recording assembled from series keyed by quantity, with labels; `nil` when no series has
    /// two samples. Times in the result count from `origin` (the first sample).
    public static func recording(
        series: [Quantity: [StoredSample]], labels: [LabelInterval], userID: String = "local", maximumGap: Double = 3
    ) throws(EQMCoreError) -> (recording: UserRecording, origin: Double)? {
        let present = quantities.compactMap { series[$0] }.filter { $0.count >= 2 }
        guard let origin = present.compactMap({ $0.map(\.start).min() }).min(),
            let end = present.compactMap({ $0.map(\.start).max() }).max(), end > origin
        else { return nil }
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
            self.series = series
            self.labels = labels
        }

        public init(store: LocalStore) throws(StoreError) {
            self.init(series: try NodeData.series(in: store), labels: try store.labels())
        }

        /// The labelled examples for a model's input representation.
        public func examples(spec: ModelSpec) throws -> LabelledExamples {
            guard let (recording, _) = try NodeData.recording(series: series, labels: labels) else {
                throw NodeError("the store holds no wearable series to train on: import data first (`eqm node import`)")
            }
            let dataset = try WindowDataset.build(
                recordings: [recording], representation: try WindowDataset.representation(for: spec))
            guard dataset.count > 0 else {
                throw NodeError(
                    "no labelled 64 s window with enough pulse, skin and motion data: add labels (`eqm node label`) or more data"
                )
            }
            return try dataset.labelledExamples()
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
