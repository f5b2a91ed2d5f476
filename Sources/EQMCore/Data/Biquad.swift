/// A second-order IIR section (RBJ audio-cookbook Butterworth designs), applied forward and
/// backward for zero phase shift.
struct Biquad: Sendable {
    var b0: Double, b1: Double, b2: Double, a1: Double, a2: Double

    static func butterworthLowPass(cutoff: Double, sampleRate: Double) -> Biquad {
        let omega = 2 * Double.pi * cutoff / sampleRate
        let cosine = Math.cos(omega)
        let alpha = Math.sin(omega) / (2 * 0.5.squareRoot())
        let a0 = 1 + alpha
        return Biquad(
            b0: (1 - cosine) / 2 / a0, b1: (1 - cosine) / a0, b2: (1 - cosine) / 2 / a0,
            a1: -2 * cosine / a0, a2: (1 - alpha) / a0
        )
    }

    static func butterworthHighPass(cutoff: Double, sampleRate: Double) -> Biquad {
        let omega = 2 * Double.pi * cutoff / sampleRate
        let cosine = Math.cos(omega)
        let alpha = Math.sin(omega) / (2 * 0.5.squareRoot())
        let a0 = 1 + alpha
        return Biquad(
            b0: (1 + cosine) / 2 / a0, b1: -(1 + cosine) / a0, b2: (1 + cosine) / 2 / a0,
            a1: -2 * cosine / a0, a2: (1 - alpha) / a0
        )
    }

    /// Filters in place, forward then backward (Direct Form II transposed, zero initial state).
    func filterForwardBackward(_ buffer: UnsafeMutableBufferPointer<Float>) {
        var z1 = 0.0, z2 = 0.0
        for i in buffer.indices {
            let x = Double(buffer[i])
            let y = b0 * x + z1
            z1 = b1 * x - a1 * y + z2
            z2 = b2 * x - a2 * y
            buffer[i] = Float(y)
        }
        z1 = 0
        z2 = 0
        for i in buffer.indices.reversed() {
            let x = Double(buffer[i])
            let y = b0 * x + z1
            z1 = b1 * x - a1 * y + z2
            z2 = b2 * x - a2 * y
            buffer[i] = Float(y)
        }
    }
}
