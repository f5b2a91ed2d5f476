/// One wearer's multi-sensor recording, with the affective state of each span of it.
///
/// The channels follow a wrist-worn research device (Empatica E4-like rates) plus a pulse
/// oximeter: every signal starts at time 0 and covers the same duration.
public struct UserRecording: Sendable {
    /// A stable, non-identifying user identifier, such as `"synthetic-0007"`.
    public var userID: String
    /// Blood volume pulse from photoplethysmography, 64 Hz, arbitrary units.
    public var bvp: SampledSignal
    /// Electrodermal activity (skin conductance), 4 Hz, microsiemens.
    public var eda: SampledSignal
    /// Skin temperature, 4 Hz, degrees Celsius.
    public var temperature: SampledSignal
    /// Acceleration along the device's x axis, 32 Hz, in g (gravity included).
    public var accelerationX: SampledSignal
    /// Acceleration along the device's y axis, 32 Hz, in g (gravity included).
    public var accelerationY: SampledSignal
    /// Acceleration along the device's z axis, 32 Hz, in g (gravity included).
    public var accelerationZ: SampledSignal
    /// Peripheral oxygen saturation, 1 Hz, percent.
    public var spo2: SampledSignal
    /// Consecutive, non-overlapping labelled spans, in time order.
    public var episodes: [LabelledEpisode]
    /// The true systolic-peak times, in seconds, when known (synthetic data); empty otherwise.
    ///
    /// Only for testing beat detectors: real recordings have no ground truth.
    public var beatTimes: [Double]

    /// Creates a recording from its channels and labels.
    public init(
        userID: String,
        bvp: SampledSignal,
        eda: SampledSignal,
        temperature: SampledSignal,
        accelerationX: SampledSignal,
        accelerationY: SampledSignal,
        accelerationZ: SampledSignal,
        spo2: SampledSignal,
        episodes: [LabelledEpisode],
        beatTimes: [Double] = []
    ) {
        self.userID = userID
        self.bvp = bvp
        self.eda = eda
        self.temperature = temperature
        self.accelerationX = accelerationX
        self.accelerationY = accelerationY
        self.accelerationZ = accelerationZ
        self.spo2 = spo2
        self.episodes = episodes
        self.beatTimes = beatTimes
    }

    /// The time covered by the shortest channel, in seconds.
    public var duration: Double {
        [bvp, eda, temperature, accelerationX, accelerationY, accelerationZ, spo2].map(\.endTime).min() ?? 0
    }

    /// The label of the episode covering `time`, or `nil` when no episode covers it.
    public func label(at time: Double) -> EmotionLabel? {
        episodes.first { $0.contains(time) }?.label
    }

    /// The label covering the largest part of `[start, end)` and the fraction of the span it
    /// covers, or `nil` when no episode overlaps the span.
    public func majorityLabel(from start: Double, to end: Double) -> (label: EmotionLabel, share: Double)? {
        guard end > start else { return nil }
        var seconds = [Double](repeating: 0, count: EmotionLabel.count)
        for episode in episodes where episode.end > start && episode.start < end {
            seconds[episode.label.index] += episode.overlap(from: start, to: end)
        }
        guard let best = seconds.indices.max(by: { seconds[$0] < seconds[$1] }), seconds[best] > 0 else { return nil }
        return (EmotionLabel(index: best)!, seconds[best] / (end - start))
    }
}
