/// Resampling between sampling schemes: irregular timestamped samples onto a uniform grid, and
/// a uniform signal to another rate with anti-alias filtering.
///
/// Missing data stays missing: grid points that no pair of neighbouring samples brackets closely
/// enough are `NaN`, never extrapolated or invented.
public enum Resampling {
    /// How values between two samples are estimated.
    public enum Interpolation: Sendable, Hashable {
        /// Straight lines between neighbouring samples.
        case linear
        /// A natural cubic spline through the samples of each gap-free stretch (the usual choice
        /// for inter-beat intervals, as in Kubios; a line between two samples only): unlike
        /// lines it does not attenuate oscillations approaching the beat rate, such as
        /// respiratory sinus arrhythmia at 0.25 Hz, which linear interpolation between beats
        /// about 0.8 s apart weakens by a fifth in power.
        case cubicSpline
    }

    /// The order of the anti-alias low-pass used when lowering a rate.
    public static let antiAliasOrder = 8
    /// The anti-alias corner as a fraction of the new Nyquist frequency (scipy's `decimate` uses 0.8).
    public static let antiAliasFraction = 0.8

    /// Interpolates timestamped samples linearly onto the grid `start + k / rate`, `k = 0..<count`.
    ///
    /// A grid point between two consecutive valid samples more than `maximumGap` seconds apart,
    /// or outside the span of the samples, is `NaN`; a point on a sample takes its value.
    /// Samples with a non-finite time or value are skipped. `method` chooses lines or a natural
    /// cubic spline per gap-free stretch.
    ///
    /// - Throws: ``EQMCoreError`` (`invalidData`) when the times of valid samples decrease, or
    ///   (`invalidShape`) when `times` and `values` differ in length; (`invalidConfiguration`)
    ///   when `rate` is not positive or `count` is negative.
    public static func interpolate(
        times: [Double],
        values: [Double],
        start: Double,
        rate: Double,
        count: Int,
        maximumGap: Double = .infinity,
        method: Interpolation = .linear
    ) throws(EQMCoreError) -> [Double] {
        guard times.count == values.count else {
            throw .invalidShape("expected as many times as values, found \(times.count) and \(values.count)")
        }
        guard rate > 0 && rate.isFinite && count >= 0 && start.isFinite else {
            throw .invalidConfiguration("expected a positive rate and a non-negative count, found \(rate) and \(count)")
        }
        var previous = -Double.infinity
        for (time, value) in zip(times, values) where time.isFinite && value.isFinite {
            guard time >= previous else { throw .invalidData("expected ascending sample times") }
            previous = time
        }
        var output = [Double](repeating: .nan, count: count)
        times.withUnsafeBufferPointer { times in
            values.withUnsafeBufferPointer { values in
                output.withUnsafeMutableBufferPointer { output in
                    interpolate(
                        times: times, values: values, start: start, rate: rate, maximumGap: maximumGap, method: method,
                        into: output)
                }
            }
        }
        return output
    }

    /// Interpolates timestamped samples onto a uniform signal of `count` samples at `rate` from
    /// `start` (see ``interpolate(times:values:start:rate:count:maximumGap:)``).
    ///
    /// - Throws: as ``interpolate(times:values:start:rate:count:maximumGap:)``.
    public static func interpolate(
        times: [Double],
        values: [Float],
        start: Double,
        rate: Double,
        count: Int,
        maximumGap: Double = .infinity
    ) throws(EQMCoreError) -> SampledSignal {
        let uniform = try interpolate(
            times: times, values: values.map(Double.init), start: start, rate: rate, count: count, maximumGap: maximumGap)
        return SampledSignal(startTime: start, sampleRate: rate, values: uniform.map(Float.init))
    }

    /// The interpolation itself (unchecked: times of valid samples ascend).
    static func interpolate(
        times: UnsafeBufferPointer<Double>,
        values: UnsafeBufferPointer<Double>,
        start: Double,
        rate: Double,
        maximumGap: Double,
        method: Interpolation = .linear,
        into output: UnsafeMutableBufferPointer<Double>
    ) {
        let n = Swift.min(times.count, values.count)
        if method == .cubicSpline {
            interpolateSpline(
                times: times, values: values, start: start, rate: rate, maximumGap: maximumGap, into: output)
            return
        }
        func valid(_ i: Int) -> Bool { times[i].isFinite && values[i].isFinite }
        // `lower` is the last valid sample at or before the grid point, `upper` the next valid one.
        var lower = -1
        var upper = 0
        while upper < n && !valid(upper) { upper += 1 }
        for k in 0..<output.count {
            let t = start + Double(k) / rate
            while upper < n && times[upper] <= t {
                lower = upper
                upper += 1
                while upper < n && !valid(upper) { upper += 1 }
            }
            guard lower >= 0 else {
                output[k] = .nan
                continue
            }
            let t0 = times[lower]
            if t0 == t {
                output[k] = values[lower]
            } else if upper < n {
                let t1 = times[upper]
                output[k] =
                    t1 - t0 > maximumGap ? .nan : values[lower] + (values[upper] - values[lower]) * (t - t0) / (t1 - t0)
            } else {
                output[k] = .nan
            }
        }
    }

    /// Natural cubic splines through each gap-free stretch of valid samples (unchecked: times of
    /// valid samples ascend); grid points outside every stretch are `NaN`.
    static func interpolateSpline(
        times: UnsafeBufferPointer<Double>,
        values: UnsafeBufferPointer<Double>,
        start: Double,
        rate: Double,
        maximumGap: Double,
        into output: UnsafeMutableBufferPointer<Double>
    ) {
        for k in output.indices { output[k] = .nan }
        let n = Swift.min(times.count, values.count)
        // The valid samples, with repeated times dropped (a spline needs strictly ascending knots).
        var knots: [Double] = [], heights: [Double] = []
        knots.reserveCapacity(n)
        heights.reserveCapacity(n)
        for i in 0..<n where times[i].isFinite && values[i].isFinite {
            if let last = knots.last, times[i] <= last { continue }
            knots.append(times[i])
            heights.append(values[i])
        }
        var curvature = [Double](repeating: 0, count: knots.count)
        var scratch = [Double](repeating: 0, count: knots.count)
        var first = 0
        while first < knots.count {
            var last = first
            while last + 1 < knots.count && knots[last + 1] - knots[last] <= maximumGap { last += 1 }
            splineCurvatures(knots, heights, first...last, into: &curvature, scratch: &scratch)
            // Grid points in [knots[first], knots[last]].
            let lowest = Swift.max(0, Int(((knots[first] - start) * rate - 1e-9).rounded(.up)))
            var k = lowest
            var segment = first
            while k < output.count {
                let t = start + Double(k) / rate
                guard t <= knots[last] + 1e-12 else { break }
                while segment + 1 < last && knots[segment + 1] < t { segment += 1 }
                if first == last {
                    output[k] = heights[first]
                } else {
                    let a = knots[segment], b = knots[segment + 1], h = b - a
                    let left = b - t, right = t - a
                    output[k] =
                        (curvature[segment] * left * left * left + curvature[segment + 1] * right * right * right) / (6 * h)
                        + (heights[segment] / h - curvature[segment] * h / 6) * left
                        + (heights[segment + 1] / h - curvature[segment + 1] * h / 6) * right
                }
                k += 1
            }
            first = last + 1
        }
    }

    /// The second derivatives of the natural cubic spline through `range` of the knots (Thomas
    /// algorithm on the tridiagonal system; zero at both ends).
    private static func splineCurvatures(
        _ knots: [Double], _ heights: [Double], _ range: ClosedRange<Int>,
        into curvature: inout [Double], scratch: inout [Double]
    ) {
        let first = range.lowerBound, last = range.upperBound
        curvature[first] = 0
        curvature[last] = 0
        guard last - first >= 2 else { return }
        // Forward sweep: scratch holds the modified super-diagonal, curvature the modified right side.
        var previousDiagonalFactor = 0.0
        for i in (first + 1)..<last {
            let h0 = knots[i] - knots[i - 1], h1 = knots[i + 1] - knots[i]
            let right = 6 * ((heights[i + 1] - heights[i]) / h1 - (heights[i] - heights[i - 1]) / h0)
            let lower = i - 1 > first ? h0 : 0
            let diagonal = 2 * (h0 + h1) - lower * previousDiagonalFactor
            scratch[i] = h1 / diagonal
            curvature[i] = (right - lower * (i - 1 > first ? curvature[i - 1] : 0)) / diagonal
            previousDiagonalFactor = scratch[i]
        }
        // Back substitution.
        var i = last - 2
        while i > first {
            curvature[i] -= scratch[i] * curvature[i + 1]
            i -= 1
        }
    }

    /// Keeps every `factor`-th sample after an anti-alias low-pass (Butterworth of order
    /// ``antiAliasOrder`` at ``antiAliasFraction`` of the new Nyquist frequency, zero phase).
    ///
    /// - Throws: ``EQMCoreError`` (`invalidConfiguration`) when `factor` is less than 1.
    public static func decimate(_ signal: SampledSignal, by factor: Int) throws(EQMCoreError) -> SampledSignal {
        guard factor >= 1 else { throw .invalidConfiguration("decimation factor must be at least 1, found \(factor)") }
        guard factor > 1 else { return signal }
        let rate = signal.sampleRate / Double(factor)
        let antiAlias = try ButterworthFilter(
            .lowPass(cutoff: antiAliasFraction * rate / 2), order: antiAliasOrder, sampleRate: signal.sampleRate)
        var filtered = signal.values
        antiAlias.applyZeroPhase(&filtered)
        let count = (filtered.count + factor - 1) / factor
        var values = [Float](repeating: 0, count: count)
        for k in 0..<count { values[k] = filtered[k * factor] }
        return SampledSignal(startTime: signal.startTime, sampleRate: rate, values: values)
    }

    /// Resamples a uniform signal to `rate` by linear interpolation, after an anti-alias low-pass
    /// (as in ``decimate(_:by:)``) when the rate goes down. The new samples start at the first
    /// sample and stop at the last; one next to a missing sample is `NaN`.
    ///
    /// - Throws: ``EQMCoreError`` (`invalidConfiguration`) when `rate` is not positive and finite.
    public static func resample(_ signal: SampledSignal, to rate: Double) throws(EQMCoreError) -> SampledSignal {
        guard rate > 0 && rate.isFinite else {
            throw .invalidConfiguration("sample rate must be positive, found \(rate)")
        }
        guard rate != signal.sampleRate, !signal.values.isEmpty else {
            return SampledSignal(
                startTime: signal.startTime, sampleRate: rate, values: rate == signal.sampleRate ? signal.values : [])
        }
        var source = signal.values
        if rate < signal.sampleRate {
            try ButterworthFilter(
                .lowPass(cutoff: antiAliasFraction * rate / 2), order: antiAliasOrder, sampleRate: signal.sampleRate
            ).applyZeroPhase(&source)
        }
        let ratio = signal.sampleRate / rate
        let count = Int((Double(source.count - 1) / ratio + 1e-9).rounded(.down)) + 1
        var values = [Float](repeating: .nan, count: count)
        source.withUnsafeBufferPointer { source in
            for k in 0..<count {
                let position = Double(k) * ratio
                let lower = Swift.min(source.count - 1, Int(position))
                let fraction = position - Double(lower)
                if fraction < 1e-9 {
                    values[k] = source[lower]
                } else if lower + 1 < source.count {
                    let a = source[lower], b = source[lower + 1]
                    values[k] = a.isFinite && b.isFinite ? Float(Double(a) + Double(b - a) * fraction) : .nan
                }
            }
        }
        return SampledSignal(startTime: signal.startTime, sampleRate: rate, values: values)
    }
}
