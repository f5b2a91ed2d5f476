/// Finds systolic peaks in a photoplethysmographic blood-volume-pulse signal.
///
/// The method is Elgendi et al.'s two-moving-average detector (PLoS ONE 2013): a zero-phase
/// Butterworth band-pass (0.5–8 Hz) removes baseline wander and noise; the positive part is
/// squared; a short moving average (one systolic wave, ~111 ms) is compared with a long one
/// (one beat, ~667 ms) plus a small offset, which makes the threshold adapt to the local pulse
/// amplitude; each block where the short average is above the threshold and at least as wide as
/// a systolic wave holds one peak; peaks closer than the refractory period keep the larger.
/// Peak times are refined by parabolic interpolation. Runs of missing (`NaN`) samples split the
/// signal; each finite run is processed on its own.
///
/// It is deliberately simple: it does not reject motion artefacts itself (callers filter the
/// resulting intervals) and a dedicated signal-processing module is expected to replace it.
public struct BeatDetector: Sendable, Hashable {
    /// The band-pass corner frequencies, Hz.
    public var passband: ClosedRange<Double>
    /// The short (systolic-wave) moving-average window, seconds.
    public var peakWindow: Double
    /// The long (beat) moving-average window, seconds.
    public var beatWindow: Double
    /// The threshold offset, as a fraction of the mean squared signal.
    public var offset: Double
    /// The shortest time between two beats, seconds.
    public var refractoryPeriod: Double

    /// Creates a detector; the defaults are Elgendi's values for wrist and finger PPG.
    public init(
        passband: ClosedRange<Double> = 0.5...8,
        peakWindow: Double = 0.111,
        beatWindow: Double = 0.667,
        offset: Double = 0.02,
        refractoryPeriod: Double = 0.3
    ) {
        self.passband = passband
        self.peakWindow = peakWindow
        self.beatWindow = beatWindow
        self.offset = offset
        self.refractoryPeriod = refractoryPeriod
    }

    /// The times of the detected systolic peaks, in seconds on the signal's clock, ascending.
    ///
    /// Finite runs shorter than 2 s are skipped, and a signal sampled too slowly for the passband
    /// (Nyquist frequency at or below its upper corner) yields no beats.
    public func beatTimes(in signal: SampledSignal) -> [Double] {
        var beats: [Double] = []
        let rate = signal.sampleRate
        guard passband.upperBound < rate / 2 else { return beats }
        let minimumRun = Int(2 * rate)
        signal.values.withUnsafeBufferPointer { values in
            var filtered = [Float](repeating: 0, count: values.count)
            var squared = [Float](repeating: 0, count: values.count)
            var runStart = 0
            while runStart < values.count {
                while runStart < values.count && !values[runStart].isFinite { runStart += 1 }
                var runEnd = runStart
                while runEnd < values.count && values[runEnd].isFinite { runEnd += 1 }
                if runEnd - runStart >= minimumRun {
                    detect(values, run: runStart..<runEnd, filtered: &filtered, squared: &squared, signal: signal, into: &beats)
                }
                runStart = runEnd
            }
        }
        return beats
    }

    private func detect(
        _ values: UnsafeBufferPointer<Float>,
        run: Range<Int>,
        filtered: inout [Float],
        squared: inout [Float],
        signal: SampledSignal,
        into beats: inout [Double]
    ) {
        let rate = signal.sampleRate
        let count = run.count
        // Remove the run's level first so the filters start near their steady state.
        let level = values[run.lowerBound]
        for i in 0..<count { filtered[i] = values[run.lowerBound + i] - level }
        filtered.withUnsafeMutableBufferPointer { buffer in
            let slice = UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
            let highPass = Biquad.butterworthHighPass(cutoff: passband.lowerBound, sampleRate: rate)
            let lowPass = Biquad.butterworthLowPass(cutoff: passband.upperBound, sampleRate: rate)
            highPass.filterForwardBackward(slice)
            lowPass.filterForwardBackward(slice)
        }
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

        // Centred moving averages from running sums over `squared[0..<count]`.
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
            beats.append(signal.time(at: run.lowerBound) + refinedPosition(best, count: count) / rate)
        }

        func refinedPosition(_ index: Int, count: Int) -> Double {
            guard index > 0 && index + 1 < count else { return Double(index) }
            let left = Double(filtered[index - 1]), centre = Double(filtered[index]), right = Double(filtered[index + 1])
            let curvature = left - 2 * centre + right
            guard curvature < 0 else { return Double(index) }
            return Double(index) + 0.5 * (left - right) / curvature
        }
    }
}
