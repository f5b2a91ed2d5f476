/// A series of inter-beat (normal-to-normal) intervals, each stamped with the time of the beat
/// that ends it, as neurokit2 stamps its `RRI` series.
///
/// Intervals need not be contiguous: a gap in the pulse signal or a rejected interval leaves a
/// hole, and ``isContiguous(_:)`` tells whether an interval directly follows the previous one
/// (they share a beat), which is what successive-difference statistics (RMSSD, pNN50) need.
public struct InterBeatIntervals: Sendable, Hashable {
    /// The time of the beat ending each interval, seconds, ascending.
    public internal(set) var times: [Double]
    /// The intervals, seconds.
    public internal(set) var intervals: [Double]

    /// The number of intervals.
    public var count: Int { intervals.count }

    /// Creates a series from interval end times and lengths (such as an Empatica `IBI.csv`).
    ///
    /// - Throws: ``EQMCoreError`` (`invalidShape`) when the arrays differ in length, or
    ///   (`invalidData`) when a value is not finite, an interval is not positive, or the end
    ///   times do not ascend.
    public init(times: [Double], intervals: [Double]) throws(EQMCoreError) {
        guard times.count == intervals.count else {
            throw .invalidShape("expected as many times as intervals, found \(times.count) and \(intervals.count)")
        }
        for k in times.indices {
            guard times[k].isFinite, intervals[k].isFinite, intervals[k] > 0 else {
                throw .invalidData("expected finite times and positive intervals (interval \(k) is not)")
            }
            guard k == 0 || times[k] > times[k - 1] else {
                throw .invalidData("expected ascending interval end times (interval \(k) is not)")
            }
        }
        self.times = times
        self.intervals = intervals
    }

    /// The intervals between consecutive beats of one uninterrupted run of beat times (ascending).
    public init(beats: [Double]) {
        self.init(unchecked: [], intervals: [])
        append(beats: beats[...])
    }

    init(unchecked times: [Double], intervals: [Double]) {
        self.times = times
        self.intervals = intervals
    }

    /// Appends the intervals between consecutive beats of one run (ascending, after the last interval).
    mutating func append(beats: ArraySlice<Double>) {
        guard beats.count >= 2 else { return }
        var previous = beats[beats.startIndex]
        for beat in beats.dropFirst() {
            times.append(beat)
            intervals.append(beat - previous)
            previous = beat
        }
    }

    /// Appends another series whose intervals all end after this one's.
    mutating func append(_ other: InterBeatIntervals) {
        times.append(contentsOf: other.times)
        intervals.append(contentsOf: other.intervals)
    }

    /// Whether interval `index` starts where interval `index − 1` ends (false for the first).
    public func isContiguous(_ index: Int) -> Bool {
        guard index > 0 && index < count else { return false }
        return abs(times[index] - intervals[index] - times[index - 1]) <= 1e-6
    }

    /// The intervals lying entirely in `[start, end)` (both beats inside).
    public func window(from start: Double, to end: Double) -> InterBeatIntervals {
        var low = 0, high = times.count
        // The first interval whose start beat is at or after `start`: end times ascend and
        // intervals are short, so search by end time and then skip the few that start too early.
        while low < high {
            let middle = (low + high) / 2
            if times[middle] < start { low = middle + 1 } else { high = middle }
        }
        var first = low
        while first < count && times[first] - intervals[first] < start - 1e-9 { first += 1 }
        var last = first
        while last < count && times[last] < end { last += 1 }
        return InterBeatIntervals(unchecked: Array(times[first..<last]), intervals: Array(intervals[first..<last]))
    }

    /// Keeps the intervals for which `isIncluded` is true.
    public func filter(_ isIncluded: (_ time: Double, _ interval: Double) -> Bool) -> InterBeatIntervals {
        var kept = InterBeatIntervals(unchecked: [], intervals: [])
        kept.times.reserveCapacity(count)
        kept.intervals.reserveCapacity(count)
        for k in 0..<count where isIncluded(times[k], intervals[k]) {
            kept.times.append(times[k])
            kept.intervals.append(intervals[k])
        }
        return kept
    }
}
