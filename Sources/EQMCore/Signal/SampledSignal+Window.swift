extension SampledSignal {
    /// The indices of the samples in `[start, end)`, for any times, however far outside the
    /// signal or non-finite (``indices(from:to:)`` traps for times far before the start).
    func window(from start: Double, to end: Double) -> Range<Int> {
        guard !values.isEmpty, !start.isNaN, !end.isNaN, end > start else { return 0..<0 }
        // Clamp to one sample beyond each end, where the arithmetic is exact enough.
        let first = startTime - 1 / sampleRate, last = endTime + 1 / sampleRate
        return indices(from: Swift.min(Swift.max(start, first), last), to: Swift.min(Swift.max(end, first), last))
    }
}
