/// A digital Butterworth low-, high- or band-pass filter of any order, as a cascade of
/// second-order sections, applied causally or with zero phase (forward–backward).
///
/// The design is the classic one (as `scipy.signal.butter(order, …, output="sos")`): the analog
/// prototype's poles `−sin θₖ + i cos θₖ`, `θₖ = (2k + 1)π / 2N`, are scaled to the corner (low-
/// pass), inverted (high-pass) or split by the low-pass → band-pass transformation
/// `s → (s² + Ω₀²) / (B s)`; corners are pre-warped (`Ω = tan(π f / fs)`) so that the bilinear
/// transform `s = (z − 1)/(z + 1)` puts the −3 dB points exactly at the requested frequencies.
/// Each pair of conjugate poles becomes one section (a real pole, for odd orders, a first-order
/// section), with its zeros at `z = −1` (low-pass), `z = 1` (high-pass) or both (band-pass), and
/// unit gain at zero frequency, the Nyquist frequency or the band's centre `Ω₀ = √(Ω_low Ω_high)`.
/// As in scipy, a band-pass of order `N` has `2N` poles (`N` sections).
///
/// ``applyZeroPhase(_:)`` is `scipy.signal.sosfiltfilt` with odd-reflection padding and
/// steady-state initial conditions: the magnitude response is squared (−6 dB at a corner) and the
/// phase is zero, so filtered waves keep their timing. The pad is scipy's (three samples per
/// coefficient) or one period of the lowest corner frequency, whichever is longer, because the
/// 0.05 Hz split of skin conductance has transients far longer than scipy's few samples.
/// Runs of non-finite samples (gaps) split the signal: each finite run is filtered on its own and
/// gaps stay `NaN`, so a gap never smears into its neighbours.
public struct ButterworthFilter: Sendable, Hashable {
    /// Which frequencies the filter passes.
    public enum Response: Sendable, Hashable {
        /// Frequencies below `cutoff` hertz.
        case lowPass(cutoff: Double)
        /// Frequencies above `cutoff` hertz.
        case highPass(cutoff: Double)
        /// Frequencies between `low` and `high` hertz.
        case bandPass(low: Double, high: Double)
    }

    /// The response the filter was designed for.
    public let response: Response
    /// The order of the analog prototype (a band-pass has twice as many poles).
    public let order: Int
    /// The sampling rate the filter runs at, Hz.
    public let sampleRate: Double
    /// The second-order sections, applied in order.
    let sections: [Biquad]
    /// The number of samples reflected at each end by ``applyZeroPhase(_:)``.
    public let padLength: Int

    /// Designs a filter.
    ///
    /// - Throws: ``EQMCoreError`` (`invalidConfiguration`) when the order is not in 1...32, the
    ///   rate is not positive, or a corner is not strictly between 0 and the Nyquist frequency
    ///   (band edges ascending).
    public init(_ response: Response, order: Int, sampleRate: Double) throws(EQMCoreError) {
        guard (1...32).contains(order) else {
            throw .invalidConfiguration("filter order must be in 1...32, found \(order)")
        }
        guard sampleRate > 0 && sampleRate.isFinite else {
            throw .invalidConfiguration("sample rate must be positive, found \(sampleRate)")
        }
        let nyquist = sampleRate / 2
        func valid(_ frequency: Double) -> Bool { frequency > 0 && frequency < nyquist }
        let lowestCorner: Double
        switch response {
        case .lowPass(let cutoff), .highPass(let cutoff):
            guard valid(cutoff) else {
                throw .invalidConfiguration("cut-off must be in (0, \(nyquist)) Hz at \(sampleRate) Hz, found \(cutoff)")
            }
            lowestCorner = cutoff
        case .bandPass(let low, let high):
            guard valid(low) && valid(high) && low < high else {
                throw .invalidConfiguration(
                    "band edges must be ascending in (0, \(nyquist)) Hz at \(sampleRate) Hz, found \(low) and \(high)")
            }
            lowestCorner = low
        }
        self.response = response
        self.order = order
        self.sampleRate = sampleRate
        sections = Self.design(response, order: order, sampleRate: sampleRate)
        let scipyPad = 3 * (2 * sections.count + 1)
        padLength = Swift.max(scipyPad, Int((sampleRate / lowestCorner).rounded(.up)))
    }

    // MARK: Design

    /// The pre-warped analog frequency of `frequency` for the bilinear transform `s = (z − 1)/(z + 1)`.
    private static func prewarp(_ frequency: Double, sampleRate: Double) -> Double {
        let angle = Double.pi * frequency / sampleRate
        return Math.sin(angle) / Math.cos(angle)
    }

    /// The digital pole of an analog pole under `z = (1 + s)/(1 − s)`.
    private static func digital(_ pole: Complex) -> Complex {
        (Complex(real: 1, imaginary: 0) + pole) / (Complex(real: 1, imaginary: 0) - pole)
    }

    /// The denominator of a section with a pole and its conjugate, or two real poles.
    private static func denominator(_ first: Complex, _ second: Complex) -> (a1: Double, a2: Double) {
        let sum = first + second, product = first * second
        return (-sum.real, product.real)
    }

    private static func design(_ response: Response, order: Int, sampleRate: Double) -> [Biquad] {
        // One prototype pole of each conjugate pair (upper half plane), plus −1 for odd orders.
        var prototype: [Complex] = []
        for k in 0..<(order / 2) {
            let angle = Double.pi * Double(2 * k + 1) / Double(2 * order)
            prototype.append(Complex(real: -Math.sin(angle), imaginary: Math.cos(angle)))
        }
        let hasRealPole = order % 2 == 1
        var sections: [Biquad] = []
        switch response {
        case .lowPass(let cutoff), .highPass(let cutoff):
            let corner = prewarp(cutoff, sampleRate: sampleRate)
            let isLowPass: Bool
            if case .lowPass = response { isLowPass = true } else { isLowPass = false }
            // Low-pass poles are Ω·p, high-pass poles Ω/p; |p| = 1 so 1/p = conj(p).
            func analog(_ pole: Complex) -> Complex { isLowPass ? pole * corner : pole.conjugate * corner }
            for pole in prototype {
                let z = digital(analog(pole))
                let (a1, a2) = denominator(z, z.conjugate)
                if isLowPass {
                    let gain = (1 + a1 + a2) / 4
                    sections.append(Biquad(b0: gain, b1: 2 * gain, b2: gain, a1: a1, a2: a2))
                } else {
                    let gain = (1 - a1 + a2) / 4
                    sections.append(Biquad(b0: gain, b1: -2 * gain, b2: gain, a1: a1, a2: a2))
                }
            }
            if hasRealPole {
                let r = digital(Complex(real: -corner, imaginary: 0)).real
                if isLowPass {
                    let gain = (1 - r) / 2
                    sections.append(Biquad(b0: gain, b1: gain, b2: 0, a1: -r, a2: 0))
                } else {
                    let gain = (1 + r) / 2
                    sections.append(Biquad(b0: gain, b1: -gain, b2: 0, a1: -r, a2: 0))
                }
            }
        case .bandPass(let low, let high):
            let lowCorner = prewarp(low, sampleRate: sampleRate), highCorner = prewarp(high, sampleRate: sampleRate)
            let bandwidth = highCorner - lowCorner
            let centreSquared = lowCorner * highCorner
            // Each prototype pole p gives the two roots of s² − pB s + Ω₀² = 0.
            func split(_ pole: Complex) -> (Complex, Complex) {
                let half = pole * (bandwidth / 2)
                let root = (half * half - Complex(real: centreSquared, imaginary: 0)).squareRoot
                return (half + root, half - root)
            }
            var denominators: [(a1: Double, a2: Double)] = []
            for pole in prototype {
                let (first, second) = split(pole)
                for analog in [first, second] {
                    let z = digital(analog)
                    denominators.append(denominator(z, z.conjugate))
                }
            }
            if hasRealPole {
                let (first, second) = split(Complex(real: -1, imaginary: 0))
                denominators.append(denominator(digital(first), digital(second)))
            }
            // Unit gain at the centre of the band, section by section.
            let centre = digital(Complex(real: 0, imaginary: centreSquared.squareRoot()))
            for (a1, a2) in denominators {
                let unscaled = Biquad(b0: 1, b1: 0, b2: -1, a1: a1, a2: a2)
                let gain = 1 / unscaled.response(at: centre).magnitude
                sections.append(Biquad(b0: gain, b1: 0, b2: -gain, a1: a1, a2: a2))
            }
        }
        return sections
    }

    // MARK: Response

    /// The magnitude of the (single-pass, causal) frequency response at `frequency` hertz; the
    /// zero-phase response is its square.
    public func magnitude(at frequency: Double) -> Double {
        let angle = 2 * Double.pi * frequency / sampleRate
        let z = Complex(real: Math.cos(angle), imaginary: Math.sin(angle))
        var product = 1.0
        for section in sections { product *= section.response(at: z).magnitude }
        return product
    }

    // MARK: Filtering

    /// Filters `values` causally (one forward pass from rest, like `scipy.signal.sosfilt`).
    /// Non-finite samples propagate; use ``applyZeroPhase(_:)`` for signals with gaps.
    public func apply(_ values: inout [Float]) {
        let count = values.count
        guard count > 0 else { return }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: count) { work in
            for i in 0..<count { work[i] = Double(values[i]) }
            for section in sections { section.run(work, z1: 0, z2: 0, reverse: false) }
            for i in 0..<count { values[i] = Float(work[i]) }
        }
    }

    /// Filters `values` in place with zero phase (forward and backward), run by finite run.
    public func applyZeroPhase(_ values: inout [Float]) {
        values.withUnsafeMutableBufferPointer { applyZeroPhase($0) }
    }

    /// Filters a buffer in place with zero phase, run by finite run; gaps stay `NaN`.
    public func applyZeroPhase(_ buffer: UnsafeMutableBufferPointer<Float>) {
        let count = buffer.count
        guard count > 0 else { return }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: count + 2 * padLength) { work in
            var start = 0
            while start < count {
                guard buffer[start].isFinite else {
                    buffer[start] = .nan
                    start += 1
                    continue
                }
                var end = start
                while end < count && buffer[end].isFinite { end += 1 }
                filterRun(UnsafeMutableBufferPointer(rebasing: buffer[start..<end]), work: work)
                start = end
            }
        }
    }

    /// Zero-phase filtering of one finite run, through `work` (at least `run.count + 2 · padLength`).
    private func filterRun(_ run: UnsafeMutableBufferPointer<Float>, work: UnsafeMutableBufferPointer<Double>) {
        let count = run.count
        guard count > 1 else {
            var gain = 1.0
            for section in sections { gain *= section.directCurrentGain }
            run[0] = Float(gain * Double(run[0]))
            return
        }
        // Odd reflection about the end samples continues the signal's level and slope.
        let pad = Swift.min(padLength, count - 1)
        let first = Double(run[0]), last = Double(run[count - 1])
        for i in 0..<pad {
            work[i] = 2 * first - Double(run[pad - i])
            work[pad + count + i] = 2 * last - Double(run[count - 2 - i])
        }
        for i in 0..<count { work[pad + i] = Double(run[i]) }
        let extended = UnsafeMutableBufferPointer(rebasing: work[0..<(count + 2 * pad)])
        for pass in 0..<2 {
            let reverse = pass == 1
            // Start each section in the state its first input would have settled into; run
            // sections two at a time.
            var input = reverse ? extended[extended.count - 1] : extended[0]
            var index = 0
            while index < sections.count {
                let first = sections[index].steadyState(input: input)
                input = first.output
                if index + 1 < sections.count {
                    let second = sections[index + 1].steadyState(input: input)
                    input = second.output
                    Biquad.runPair(
                        sections[index], sections[index + 1], extended,
                        states: (first.z1, first.z2, second.z1, second.z2), reverse: reverse)
                    index += 2
                } else {
                    sections[index].run(extended, z1: first.z1, z2: first.z2, reverse: reverse)
                    index += 1
                }
            }
        }
        for i in 0..<count { run[i] = Float(extended[pad + i]) }
    }
}
