/// A uniformly sampled sensor channel: the value of sample `i` was taken at
/// `startTime + Double(i) / sampleRate` seconds.
///
/// Missing samples (a dropped link, lost skin contact) are `Float.nan`; consumers interpolate
/// short runs and discard windows where too much is missing.
public struct SampledSignal: Sendable {
    /// The time of the first sample, in seconds from the start of the recording.
    public var startTime: Double
    /// Samples per second, in hertz.
    public var sampleRate: Double
    /// The samples, in the channel's unit; `Float.nan` where the sample is missing.
    public var values: [Float]

    /// Creates a signal from its first sample time, rate and samples.
    ///
    /// - Precondition: `sampleRate` is positive and finite.
    public init(startTime: Double = 0, sampleRate: Double, values: [Float]) {
        precondition(sampleRate > 0 && sampleRate.isFinite, "sample rate must be positive, found \(sampleRate)")
        self.startTime = startTime
        self.sampleRate = sampleRate
        self.values = values
    }

    /// The number of samples.
    public var count: Int { values.count }

    /// The time covered by the samples, in seconds (`count / sampleRate`).
    public var duration: Double { Double(values.count) / sampleRate }

    /// The end of the covered time span: `startTime + duration`.
    public var endTime: Double { startTime + duration }

    /// The seconds between two consecutive samples.
    public var samplePeriod: Double { 1 / sampleRate }

    /// The time of sample `index`, in seconds.
    @inline(__always)
    public func time(at index: Int) -> Double {
        startTime + Double(index) / sampleRate
    }

    /// The index of the first sample taken at or after `time` (may be `count` or beyond when
    /// `time` is past the end, and is never negative).
    public func firstIndex(atOrAfter time: Double) -> Int {
        // A small tolerance keeps a sample that falls exactly on `time` despite rounding.
        let position = ((time - startTime) * sampleRate - 1e-9).rounded(.up)
        // Clamp before converting: −∞, +∞ and NaN (from open-ended queries) must not trap.
        guard position > 0 else { return 0 }
        return Int(Swift.min(position, Double(Int.max / 2)))
    }

    /// The half-open range of sample indices whose times fall in `[start, end)`, clamped to the signal.
    public func indices(from start: Double, to end: Double) -> Range<Int> {
        let lower = Swift.min(firstIndex(atOrAfter: start), values.count)
        let upper = Swift.min(firstIndex(atOrAfter: end), values.count)
        return lower..<Swift.max(lower, upper)
    }

    /// The number of missing (`NaN`) samples.
    public var missingCount: Int {
        values.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
    }
}
