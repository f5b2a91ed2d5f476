public import EQMCore

/// A self-reported state over a time interval, the ground truth local training learns from.
public struct LabelInterval: Codable, Sendable, Hashable {
    /// Start, seconds since 1970-01-01 UTC.
    public var start: Double
    /// End (exclusive), seconds since 1970-01-01 UTC.
    public var end: Double
    /// The reported state.
    public var label: EmotionLabel
    /// Where it came from: "csv", "cli" or an app name.
    public var source: String

    /// Creates an interval, checking that it is non-empty and not absurdly long.
    public init(start: Double, end: Double, label: EmotionLabel, source: String) throws(LabelError) {
        guard start.isFinite, end.isFinite, end > start else {
            throw LabelError("a label interval needs an end after its start, found start \(start) and end \(end)")
        }
        guard end - start <= 7 * 86_400 else {
            throw LabelError("a label interval may span at most 7 days, found \(Int((end - start) / 3600)) hours")
        }
        self.start = start
        self.end = end
        self.label = label
        self.source = source
    }
}

/// An invalid label or label file entry.
public struct LabelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, with the valid choices where that helps.
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
