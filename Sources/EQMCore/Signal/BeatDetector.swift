/// Finds systolic peaks in a photoplethysmographic blood-volume-pulse signal and turns them into
/// artefact-corrected inter-beat intervals.
///
/// Peaks: Elgendi et al.'s two-moving-average detector (PLoS ONE 2013), as neurokit2's
/// `ppg_clean`/`ppg_findpeaks(method="elgendi")`: a zero-phase Butterworth band-pass of order 3
/// (0.5–8 Hz) removes baseline wander and noise; the positive part is squared; a short moving
/// average (one systolic wave, 111 ms) is compared with a long one (one beat, 667 ms) plus an
/// offset of 2 % of the mean squared signal, which makes the threshold follow the local pulse
/// amplitude; each block where the short average is above the threshold and at least as wide as a
/// systolic wave holds one peak; of two peaks closer than the refractory period (300 ms) the larger
/// stays. Peak times are refined by parabolic interpolation, so they are not quantised to samples.
/// Runs of missing (`NaN`) samples split the signal; each finite run of at least 2 s is processed on its own.
///
/// Intervals (``intervals(in:from:to:)``): within each run, ``BeatArtefactCorrection``
/// (Lipponen & Tarvainen 2019, the Kubios rules) classifies the beats; by default spurious beats
/// are deleted and the intervals at the other artefacts are dropped rather than repaired
/// (``ArtefactHandling/reject``). Intervals outside ``intervalRange`` are then dropped, and so are
/// residual outliers more than ``maximumMedianDeviation`` (20 %) from the median of the 11
/// surrounding intervals. Intervals never span a gap.
///
/// Why reject rather than repair: repairing invents beats halfway between neighbours, which is
/// right for an isolated ectopic beat in an ECG but not for wrist PPG, where motion corrupts
/// several beats in a row and the invented ones add variability of their own. On 300 one-minute
/// windows of the synthetic cohort (10 users, motion artefacts on), the 95th percentile of
/// detected/true RMSSD is 1.17 with rejection and the 20 % rule, 1.62 with Kubios repair and the
/// same rule, 1.48 with the 20 % rule alone and 4.8 with no handling; the median ratio is 1.01.
/// RMSSD and pNN50 only use pairs of intervals that share a beat, so dropping never creates a
/// false successive difference.
public struct BeatDetector: Sendable, Hashable {
    /// What to do with the artefacts found by ``BeatArtefactCorrection``.
    public enum ArtefactHandling: Sendable, Hashable {
        /// Repair them as Kubios and neurokit2 do (move, insert and delete beats).
        case correct
        /// Delete spurious beats and drop the intervals at the other artefacts.
        case reject
        /// Keep every detected beat.
        case none
    }

    /// The band-pass corner frequencies, Hz.
    public var passband: ClosedRange<Double>
    /// The order of the band-pass prototype (neurokit2 uses 3).
    public var filterOrder: Int
    /// The short (systolic-wave) moving-average window, seconds.
    public var peakWindow: Double
    /// The long (beat) moving-average window, seconds.
    public var beatWindow: Double
    /// The threshold offset, as a fraction of the mean squared signal.
    public var offset: Double
    /// The shortest time between two beats, seconds.
    public var refractoryPeriod: Double
    /// What is done with the beat artefacts ``BeatArtefactCorrection`` finds.
    public var artefactHandling: ArtefactHandling
    /// The physiologically plausible intervals, seconds (default 30–220 bpm).
    public var intervalRange: ClosedRange<Double>
    /// The largest relative deviation of an interval from its local median before it is dropped
    /// (`nil` keeps every corrected interval in range).
    public var maximumMedianDeviation: Double?

    /// Creates a detector; the defaults are Elgendi's values for wrist and finger PPG.
    public init(
        passband: ClosedRange<Double> = 0.5...8,
        filterOrder: Int = 3,
        peakWindow: Double = 0.111,
        beatWindow: Double = 0.667,
        offset: Double = 0.02,
        refractoryPeriod: Double = 0.3,
        artefactHandling: ArtefactHandling = .reject,
        intervalRange: ClosedRange<Double> = (60.0 / 220)...(60.0 / 30),
        maximumMedianDeviation: Double? = 0.2
    ) {
        self.passband = passband
        self.filterOrder = filterOrder
        self.peakWindow = peakWindow
        self.beatWindow = beatWindow
        self.offset = offset
        self.refractoryPeriod = refractoryPeriod
        self.artefactHandling = artefactHandling
        self.intervalRange = intervalRange
        self.maximumMedianDeviation = maximumMedianDeviation
    }

    /// The times of the detected systolic peaks, in seconds on the signal's clock, ascending.
    ///
    /// Finite runs shorter than 2 s are skipped, and a signal sampled too slowly for the passband
    /// (Nyquist frequency at or below its upper corner) yields no beats.
    public func beatTimes(in signal: SampledSignal) -> [Double] {
        beatRuns(in: signal, range: 0..<signal.count).flatMap { $0 }
    }

    /// The peaks in `[start, end)` of `signal`, found from that span alone.
    public func beatTimes(in signal: SampledSignal, from start: Double, to end: Double) -> [Double] {
        beatRuns(in: signal, range: signal.window(from: start, to: end)).flatMap { $0 }
    }

    /// The corrected inter-beat intervals of the whole signal.
    public func intervals(in signal: SampledSignal) -> InterBeatIntervals {
        intervals(fromRuns: beatRuns(in: signal, range: 0..<signal.count))
    }

    /// The corrected inter-beat intervals of `[start, end)` of `signal`, found from that span alone.
    public func intervals(in signal: SampledSignal, from start: Double, to end: Double) -> InterBeatIntervals {
        intervals(fromRuns: beatRuns(in: signal, range: signal.window(from: start, to: end)))
    }

    /// Corrects each run of beats and keeps the plausible intervals.
    func intervals(fromRuns runs: [[Double]]) -> InterBeatIntervals {
        var result = InterBeatIntervals(unchecked: [], intervals: [])
        for run in runs {
            switch artefactHandling {
            case .correct:
                result.append(beats: BeatArtefactCorrection.corrected(run).beats[...])
            case .reject:
                result.append(BeatArtefactCorrection.rejected(run))
            case .none:
                result.append(beats: run[...])
            }
        }
        return acceptedIntervals(result)
    }

    /// Drops implausible intervals and residual outliers.
    func acceptedIntervals(_ all: InterBeatIntervals) -> InterBeatIntervals {
        let inRange = all.filter { _, interval in intervalRange.contains(interval) }
        guard let limit = maximumMedianDeviation, inRange.count >= 3 else { return inRange }
        let intervals = inRange.intervals
        var neighbourhood = [Double](repeating: 0, count: 11)
        var keep = [Bool](repeating: true, count: intervals.count)
        for k in intervals.indices {
            let lower = Swift.max(0, k - 5), upper = Swift.min(intervals.count, k + 6)
            let width = upper - lower
            for j in 0..<width { neighbourhood[j] = intervals[lower + j] }
            neighbourhood[0..<width].sort()
            let median =
                width % 2 == 1
                ? neighbourhood[width / 2] : (neighbourhood[width / 2 - 1] + neighbourhood[width / 2]) / 2
            keep[k] = abs(intervals[k] - median) <= limit * median
        }
        var accepted = InterBeatIntervals(unchecked: [], intervals: [])
        for k in intervals.indices where keep[k] {
            accepted.times.append(inRange.times[k])
            accepted.intervals.append(intervals[k])
        }
        return accepted
    }

    // MARK: Peaks

    /// The peaks of each finite run of at least 2 s within `range`.
    func beatRuns(in signal: SampledSignal, range: Range<Int>) -> [[Double]] {
        let rate = signal.sampleRate
        guard passband.upperBound < rate / 2, !range.isEmpty,
            let filter = try? ButterworthFilter(
                .bandPass(low: passband.lowerBound, high: passband.upperBound), order: filterOrder, sampleRate: rate)
        else { return [] }
        let count = range.count
        let minimumRun = Int(2 * rate)
        var runs: [[Double]] = []
        signal.values.withUnsafeBufferPointer { values in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * count) { scratch in
                let filtered = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
                let squared = UnsafeMutableBufferPointer(rebasing: scratch[count..<(2 * count)])
                for i in 0..<count { filtered[i] = values[range.lowerBound + i] }
                filter.applyZeroPhase(filtered)
                var runStart = 0
                while runStart < count {
                    while runStart < count && !filtered[runStart].isFinite { runStart += 1 }
                    var runEnd = runStart
                    while runEnd < count && filtered[runEnd].isFinite { runEnd += 1 }
                    if runEnd - runStart >= minimumRun {
                        let run = runStart..<runEnd
                        let beats = detect(
                            UnsafeMutableBufferPointer(rebasing: filtered[run]),
                            squared: UnsafeMutableBufferPointer(rebasing: squared[run]),
                            rate: rate, startTime: signal.time(at: range.lowerBound + runStart))
                        if !beats.isEmpty { runs.append(beats) }
                    }
                    runStart = runEnd
                }
            }
        }
        return runs
    }

    /// Elgendi's block detection on one band-passed finite run.
    private func detect(
        _ filtered: UnsafeMutableBufferPointer<Float>,
        squared: UnsafeMutableBufferPointer<Float>,
        rate: Double,
        startTime: Double
    ) -> [Double] {
        let count = filtered.count
        var beats: [Double] = []
        beats.reserveCapacity(Int(Double(count) / rate * 3.7) + 1)
        var sumOfSquares = 0.0
        for i in 0..<count {
            let positive = Swift.max(0, filtered[i])
            squared[i] = positive * positive
            sumOfSquares += Double(squared[i])
        }
        let threshold = offset * sumOfSquares / Double(count)
        let peakHalf = Swift.max(1, Int((peakWindow * rate / 2).rounded()))
        let beatHalf = Swift.max(peakHalf + 1, Int((beatWindow * rate / 2).rounded()))
        let minimumBlock = 2 * peakHalf + 1

        // Centred moving averages from running sums.
        var peakSum = 0.0, beatSum = 0.0
        for i in 0..<Swift.min(count, peakHalf) { peakSum += Double(squared[i]) }
        for i in 0..<Swift.min(count, beatHalf) { beatSum += Double(squared[i]) }
        var blockStart = -1
        var lastPeak = -1
        var lastPeakValue: Float = 0
        for i in 0..<count {
            if i + peakHalf < count { peakSum += Double(squared[i + peakHalf]) }
            if i - peakHalf - 1 >= 0 { peakSum -= Double(squared[i - peakHalf - 1]) }
            if i + beatHalf < count { beatSum += Double(squared[i + beatHalf]) }
            if i - beatHalf - 1 >= 0 { beatSum -= Double(squared[i - beatHalf - 1]) }
            let peakAverage = peakSum / Double(Swift.min(count, i + peakHalf + 1) - Swift.max(0, i - peakHalf))
            let beatAverage = beatSum / Double(Swift.min(count, i + beatHalf + 1) - Swift.max(0, i - beatHalf))
            let inBlock = peakAverage > beatAverage + threshold
            if inBlock && blockStart < 0 { blockStart = i }
            guard !inBlock || i == count - 1, blockStart >= 0 else { continue }
            let blockEnd = inBlock ? count : i
            defer { blockStart = -1 }
            guard blockEnd - blockStart >= minimumBlock else { continue }
            var best = blockStart
            for j in blockStart..<blockEnd where filtered[j] > filtered[best] { best = j }
            // Refractory period: of two peaks too close together, keep the larger.
            if lastPeak >= 0 && Double(best - lastPeak) < refractoryPeriod * rate {
                if filtered[best] > lastPeakValue {
                    beats.removeLast()
                } else {
                    continue
                }
            }
            lastPeak = best
            lastPeakValue = filtered[best]
            beats.append(startTime + refinedPosition(best) / rate)
        }
        return beats

        func refinedPosition(_ index: Int) -> Double {
            guard index > 0 && index + 1 < count else { return Double(index) }
            let left = Double(filtered[index - 1]), centre = Double(filtered[index]), right = Double(filtered[index + 1])
            let curvature = left - 2 * centre + right
            guard curvature < 0 else { return Double(index) }
            return Double(index) + 0.5 * (left - right) / curvature
        }
    }
}
