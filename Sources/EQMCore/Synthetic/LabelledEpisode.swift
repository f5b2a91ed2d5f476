/// A span of a recording during which the wearer was in one affective state.
public struct LabelledEpisode: Sendable, Hashable, Codable {
    /// The start of the episode, in seconds from the start of the recording.
    public var start: Double
    /// The end of the episode (exclusive), in seconds from the start of the recording.
    public var end: Double
    /// The state during the episode.
    public var label: EmotionLabel

    /// Creates an episode covering `[start, end)`.
    public init(start: Double, end: Double, label: EmotionLabel) {
        self.start = start
        self.end = end
        self.label = label
    }

    /// The length of the episode, in seconds.
    public var duration: Double { end - start }

    /// Whether `time` falls in `[start, end)`.
    public func contains(_ time: Double) -> Bool { time >= start && time < end }

    /// The seconds of `[from, to)` that this episode covers.
    public func overlap(from: Double, to: Double) -> Double {
        Swift.max(0, Swift.min(end, to) - Swift.max(start, from))
    }
}
