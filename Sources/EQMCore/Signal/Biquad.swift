/// One second-order IIR section, normalised so that `a0 = 1`:
///
///     y[n] = b0·x[n] + b1·x[n−1] + b2·x[n−2] − a1·y[n−1] − a2·y[n−2]
///
/// A first-order section is a biquad with `b2 = a2 = 0`. Sections are designed by
/// ``ButterworthFilter`` and run in Direct Form II transposed with the state in `Double`, which is
/// well conditioned for the low corner frequencies of physiological signals (0.05 Hz at 4 Hz).
struct Biquad: Sendable, Hashable {
    var b0: Double, b1: Double, b2: Double, a1: Double, a2: Double

    /// The gain at zero frequency, `H(1)`; zero for high- and band-pass sections.
    var directCurrentGain: Double {
        let denominator = 1 + a1 + a2
        return denominator == 0 ? 0 : (b0 + b1 + b2) / denominator
    }

    /// The complex response `H(z)` at a point of the unit circle, `z = e^{iω}`.
    func response(at z: Complex) -> Complex {
        let inverse = Complex(real: 1, imaginary: 0) / z
        let inverseSquared = inverse * inverse
        let numerator = Complex(real: b0, imaginary: 0) + inverse * b1 + inverseSquared * b2
        let denominator = Complex(real: 1, imaginary: 0) + inverse * a1 + inverseSquared * a2
        return numerator / denominator
    }

    /// The Direct Form II transposed state that a constant input `input` has settled into, and
    /// the constant output it produces (scipy's `lfilter_zi` scaled by the input).
    func steadyState(input: Double) -> (z1: Double, z2: Double, output: Double) {
        let output = directCurrentGain * input
        let z2 = b2 * input - a2 * output
        let z1 = output - b0 * input
        return (z1, z2, output)
    }

    /// Filters `buffer` in place, forwards (`reverse == false`) or backwards, from the state `(z1, z2)`.
    @inline(__always)
    func run(_ buffer: UnsafeMutableBufferPointer<Double>, z1 initialZ1: Double, z2 initialZ2: Double, reverse: Bool) {
        var z1 = initialZ1, z2 = initialZ2
        let b0 = b0, b1 = b1, b2 = b2, a1 = a1, a2 = a2
        if reverse {
            var i = buffer.count - 1
            while i >= 0 {
                let x = buffer[i]
                let y = b0 * x + z1
                z1 = b1 * x - a1 * y + z2
                z2 = b2 * x - a2 * y
                buffer[i] = y
                i -= 1
            }
        } else {
            for i in 0..<buffer.count {
                let x = buffer[i]
                let y = b0 * x + z1
                z1 = b1 * x - a1 * y + z2
                z2 = b2 * x - a2 * y
                buffer[i] = y
            }
        }
    }
}

extension Biquad {
    /// Runs two sections in cascade over `buffer` in one sweep (first, then second, per sample),
    /// from the given states. The two recursions are independent chains, so the processor
    /// overlaps them: about twice as fast as two sweeps.
    @inline(__always)
    static func runPair(
        _ first: Biquad, _ second: Biquad, _ buffer: UnsafeMutableBufferPointer<Double>,
        states: (Double, Double, Double, Double), reverse: Bool
    ) {
        var (p1, p2, q1, q2) = states
        let (b0, b1, b2, a1, a2) = (first.b0, first.b1, first.b2, first.a1, first.a2)
        let (c0, c1, c2, d1, d2) = (second.b0, second.b1, second.b2, second.a1, second.a2)
        @inline(__always) func step(_ x: Double) -> Double {
            let u = b0 * x + p1
            p1 = b1 * x - a1 * u + p2
            p2 = b2 * x - a2 * u
            let y = c0 * u + q1
            q1 = c1 * u - d1 * y + q2
            q2 = c2 * u - d2 * y
            return y
        }
        if reverse {
            var i = buffer.count - 1
            while i >= 0 {
                buffer[i] = step(buffer[i])
                i -= 1
            }
        } else {
            for i in 0..<buffer.count { buffer[i] = step(buffer[i]) }
        }
    }
}

/// The little complex arithmetic the filter design needs (no Foundation, no dependency).
struct Complex: Sendable, Hashable {
    var real: Double
    var imaginary: Double

    var conjugate: Complex { Complex(real: real, imaginary: -imaginary) }
    var magnitude: Double { (real * real + imaginary * imaginary).squareRoot() }

    static func + (lhs: Complex, rhs: Complex) -> Complex {
        Complex(real: lhs.real + rhs.real, imaginary: lhs.imaginary + rhs.imaginary)
    }
    static func - (lhs: Complex, rhs: Complex) -> Complex {
        Complex(real: lhs.real - rhs.real, imaginary: lhs.imaginary - rhs.imaginary)
    }
    static func * (lhs: Complex, rhs: Complex) -> Complex {
        Complex(
            real: lhs.real * rhs.real - lhs.imaginary * rhs.imaginary,
            imaginary: lhs.real * rhs.imaginary + lhs.imaginary * rhs.real)
    }
    static func * (lhs: Complex, rhs: Double) -> Complex {
        Complex(real: lhs.real * rhs, imaginary: lhs.imaginary * rhs)
    }
    static func / (lhs: Complex, rhs: Complex) -> Complex {
        let denominator = rhs.real * rhs.real + rhs.imaginary * rhs.imaginary
        return Complex(
            real: (lhs.real * rhs.real + lhs.imaginary * rhs.imaginary) / denominator,
            imaginary: (lhs.imaginary * rhs.real - lhs.real * rhs.imaginary) / denominator)
    }

    /// The principal square root.
    var squareRoot: Complex {
        let modulus = magnitude
        let real = ((modulus + self.real) / 2).squareRoot()
        let imaginary = ((modulus - self.real) / 2).squareRoot()
        return Complex(real: real, imaginary: self.imaginary < 0 ? -imaginary : imaginary)
    }
}
