/// Finds and corrects missed, extra and misplaced beats in a run of beat times, after Lipponen &
/// Tarvainen (2019), "A robust algorithm for heart rate variability time series artefact
/// correction using novel beat classification", J. Med. Eng. Technol. 43(3):173–181 — the Kubios
/// method, as neurokit2 implements it in `signal_fixpeaks(method="kubios")`.
///
/// Each interval is described by its difference from the previous one (dRR) and its deviation
/// from the median of the 11 surrounding intervals (mRR, negative deviations doubled), both
/// divided by a time-varying threshold, `α = 5.2` times the quartile deviation of their magnitude
/// over the 91 surrounding beats. Beats whose normalised dRR leaves ±1 are classified, from where
/// dRR and its neighbours fall in two subspaces (`c1 = 0.13`, `c2 = 0.17`), as ectopic, long,
/// short, missed (a long interval about twice the median) or extra (a short interval that with
/// its successor makes about one median interval). Extra beats are deleted, a beat is inserted
/// halfway through a missed one, and ectopic, long and short beats are moved halfway between their
/// neighbours. Detection and correction repeat while the number of artefacts decreases.
///
/// Two deliberate differences from neurokit2: times stay in seconds (neurokit2 rounds corrected
/// beats to whole samples), and each threshold is at least ``minimumThreshold``, so a perfectly
/// regular rhythm (quartile deviation zero) is not flagged beat after beat.
public enum BeatArtefactCorrection {
    /// The smallest threshold, seconds: an interval change below it is never an artefact.
    public static let minimumThreshold = 0.02

    /// How many beats of each kind one pass found.
    public struct Artefacts: Sendable, Hashable {
        /// Ectopic beats (a short–long or long–short pair).
        public var ectopic: [Int] = []
        /// Beats ending a long or short interval that is not a missed or extra beat.
        public var longOrShort: [Int] = []
        /// Beats after which a beat was missed.
        public var missed: [Int] = []
        /// Spurious beats.
        public var extra: [Int] = []

        /// The number of artefacts of all kinds.
        public var count: Int { ectopic.count + longOrShort.count + missed.count + extra.count }
    }

    /// The corrected beat times of one uninterrupted run (ascending), and the artefacts found
    /// by the first pass. Runs shorter than 4 beats are returned unchanged.
    public static func corrected(_ beats: [Double], maximumPasses: Int = 10) -> (beats: [Double], artefacts: Artefacts) {
        guard beats.count >= 4 else { return (beats, Artefacts()) }
        let first = find(in: beats)
        var current = correct(beats, first)
        var previousCount = first.count
        var passes = 1
        while previousCount > 0 && passes < maximumPasses && current.count >= 4 {
            let artefacts = find(in: current)
            guard artefacts.count < previousCount else { break }
            current = correct(current, artefacts)
            previousCount = artefacts.count
            passes += 1
        }
        return (current, first)
    }

    /// The intervals of one uninterrupted run of beat times with artefacts removed rather than
    /// repaired: spurious (extra) beats are deleted, which restores the true interval (repeated
    /// up to `maximumPasses` times), and the intervals at the remaining artefacts are dropped —
    /// the interval of a missed, long or short beat, and the three intervals around an ectopic one.
    public static func rejected(_ beats: [Double], maximumPasses: Int = 3) -> InterBeatIntervals {
        var current = beats
        var artefacts = current.count >= 4 ? find(in: current) : Artefacts()
        var passes = 1
        while !artefacts.extra.isEmpty && passes < maximumPasses {
            let extra = Set(artefacts.extra)
            current = current.indices.filter { !extra.contains($0) }.map { current[$0] }
            artefacts = current.count >= 4 ? find(in: current) : Artefacts()
            passes += 1
        }
        // Interval j ends at beat j. An ectopic classification at j marks either the short
        // interval ending at the premature beat or the long one after it, so both neighbours go
        // too; a remaining extra beat spoils the interval after it as well.
        var dropped = Set<Int>()
        for j in artefacts.missed + artefacts.longOrShort { dropped.insert(j) }
        for j in artefacts.ectopic { dropped.formUnion([j - 1, j, j + 1]) }
        for j in artefacts.extra { dropped.formUnion([j, j + 1]) }
        var result = InterBeatIntervals(unchecked: [], intervals: [])
        guard current.count >= 2 else { return result }
        for j in 1..<current.count where !dropped.contains(j) {
            result.times.append(current[j])
            result.intervals.append(current[j] - current[j - 1])
        }
        return result
    }

    // MARK: Detection

    /// Classifies the beats of a run (indices into `beats`; interval `j` ends at beat `j`).
    static func find(in beats: [Double], c1: Double = 0.13, c2: Double = 0.17) -> Artefacts {
        let n = beats.count
        var artefacts = Artefacts()
        guard n >= 4 else { return artefacts }
        // Intervals aligned with beats; the first (undefined) is the mean of the others.
        var rr = [Double](repeating: 0, count: n)
        for j in 1..<n { rr[j] = beats[j] - beats[j - 1] }
        rr[0] = (beats[n - 1] - beats[0]) / Double(n - 1)
        var drrs = [Double](repeating: 0, count: n)
        for j in 1..<n { drrs[j] = rr[j] - rr[j - 1] }
        drrs[0] = (rr[n - 1] - rr[0]) / Double(n - 1)
        let threshold1 = threshold(drrs)
        for j in 0..<n { drrs[j] /= threshold1[j] }

        // Subspaces S12 and S22 over the series padded by reflection (numpy's "reflect").
        func padded(_ index: Int) -> Double {
            var i = index
            if i < 0 { i = -i }
            if i >= n { i = 2 * (n - 1) - i }
            return drrs[Swift.max(0, Swift.min(n - 1, i))]
        }
        var s12 = [Double](repeating: 0, count: n)
        var s22 = [Double](repeating: 0, count: n)
        for j in 0..<n {
            if drrs[j] > 0 {
                s12[j] = Swift.max(padded(j - 1), padded(j + 1))
            } else if drrs[j] < 0 {
                s12[j] = Swift.min(padded(j - 1), padded(j + 1))
            }
            s22[j] =
                drrs[j] >= 0
                ? Swift.min(padded(j + 1), padded(j + 2)) : Swift.max(padded(j + 1), padded(j + 2))
        }

        let medians = rollingMedian(rr, width: 11)
        var mrrs = [Double](repeating: 0, count: n)
        for j in 0..<n {
            let deviation = rr[j] - medians[j]
            mrrs[j] = deviation < 0 ? 2 * deviation : deviation
        }
        let threshold2 = threshold(mrrs)
        for j in 0..<n { mrrs[j] /= threshold2[j] }

        var i = 0
        while i < n - 2 {
            guard abs(drrs[i]) > 1 else {
                i += 1
                continue
            }
            let ectopicLong = drrs[i] > 1 && s12[i] < -c1 * drrs[i] - c2
            let ectopicShort = drrs[i] < -1 && s12[i] > -c1 * drrs[i] + c2
            if ectopicLong || ectopicShort {
                artefacts.ectopic.append(i)
                i += 1
                continue
            }
            var candidates = [i]
            if abs(drrs[i + 1]) < abs(drrs[i + 2]) { candidates.append(i + 1) }
            for j in candidates {
                let long = drrs[j] > 1 && s22[j] < -1
                let farFromMedian = abs(mrrs[j]) > 3
                let short = drrs[j] < -1 && s22[j] > 1
                // As in neurokit2, every candidate examined advances the scan by one beat.
                i += 1
                guard long || farFromMedian || short else { continue }
                let missed = abs(rr[j] / 2 - medians[j]) < threshold2[j]
                let extra = j + 1 < n && abs(rr[j] + rr[j + 1] - medians[j]) < threshold2[j]
                if short && extra {
                    artefacts.extra.append(j)
                } else if long && missed {
                    artefacts.missed.append(j)
                } else {
                    artefacts.longOrShort.append(j)
                }
            }
        }
        return artefacts
    }

    /// `α` times the quartile deviation of `|values|` over a centred window of 91, floored.
    private static func threshold(_ values: [Double], alpha: Double = 5.2, width: Int = 91) -> [Double] {
        var result = [Double](repeating: minimumThreshold, count: values.count)
        slidingWindows(values.map { abs($0) }, width: width) { j, sorted in
            let spread = quantile(sorted, 0.75) - quantile(sorted, 0.25)
            result[j] = Swift.max(minimumThreshold, alpha * spread / 2)
        }
        return result
    }

    /// The centred running median (pandas `rolling(width, center=True, min_periods=1)`).
    private static func rollingMedian(_ values: [Double], width: Int) -> [Double] {
        var result = [Double](repeating: 0, count: values.count)
        slidingWindows(values, width: width) { j, sorted in result[j] = quantile(sorted, 0.5) }
        return result
    }

    /// Calls `body` with each index and the sorted values of the centred window around it
    /// (truncated at the ends), kept sorted incrementally as the window slides.
    private static func slidingWindows(_ values: [Double], width: Int, _ body: (Int, [Double]) -> Void) {
        let n = values.count
        let half = width / 2
        var sorted = Array(values[0..<Swift.min(n, half + 1)]).sorted()
        func position(of value: Double) -> Int {
            var low = 0, high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle] < value { low = middle + 1 } else { high = middle }
            }
            return low
        }
        for j in 0..<n {
            body(j, sorted)
            if j - half >= 0 { sorted.remove(at: position(of: values[j - half])) }
            if j + half + 1 < n {
                let value = values[j + half + 1]
                sorted.insert(value, at: position(of: value))
            }
        }
    }

    /// The `p`-quantile of sorted values, interpolating linearly (pandas' default).
    private static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let position = p * Double(sorted.count - 1)
        let lower = Int(position)
        let upper = Swift.min(sorted.count - 1, lower + 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }

    // MARK: Correction

    /// Applies one pass's corrections: delete extra beats, insert missed ones, move misplaced ones.
    static func correct(_ beats: [Double], _ artefacts: Artefacts) -> [Double] {
        var beats = beats
        var missed = artefacts.missed, ectopic = artefacts.ectopic, longOrShort = artefacts.longOrShort
        if !artefacts.extra.isEmpty {
            let extra = Set(artefacts.extra)
            beats = beats.indices.filter { !extra.contains($0) }.map { beats[$0] }
            missed = shifted(missed, by: artefacts.extra, step: -1)
            ectopic = shifted(ectopic, by: artefacts.extra, step: -1)
            longOrShort = shifted(longOrShort, by: artefacts.extra, step: -1)
        }
        if !missed.isEmpty {
            // Insert halfway before each missed index (indices refer to the beats before insertion).
            let valid = missed.filter { $0 > 1 && $0 < beats.count }
            var inserted: [Double] = []
            inserted.reserveCapacity(beats.count + valid.count)
            var next = 0
            for (index, beat) in beats.enumerated() {
                while next < valid.count && valid[next] == index {
                    inserted.append((beats[index - 1] + beat) / 2)
                    next += 1
                }
                inserted.append(beat)
            }
            beats = inserted
            ectopic = shifted(ectopic, by: valid, step: 1)
            longOrShort = shifted(longOrShort, by: valid, step: 1)
        }
        for misplaced in [ectopic, longOrShort] where !misplaced.isEmpty {
            let valid = misplaced.filter { $0 > 1 && $0 < beats.count - 1 }
            let moved = valid.map { (beats[$0 - 1] + beats[$0 + 1]) / 2 }
            let removed = Set(valid)
            beats = (beats.indices.filter { !removed.contains($0) }.map { beats[$0] } + moved).sorted()
        }
        return beats
    }

    /// Moves each index past a changed beat by `step` (neurokit2's `_update_indices`).
    private static func shifted(_ indices: [Int], by sources: [Int], step: Int) -> [Int] {
        var result = indices
        for source in sources {
            for k in result.indices where result[k] > source { result[k] += step }
        }
        return Array(Set(result)).sorted()
    }
}
