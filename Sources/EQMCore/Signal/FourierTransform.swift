/// An in-place iterative radix-2 fast Fourier transform of a fixed power-of-two size, with its
/// twiddle factors and bit-reversal permutation computed once.
///
/// Forward transform, no scaling: `X[k] = Σₙ x[n] e^{−2πi kn/N}`.
struct FourierTransform: Sendable {
    /// The transform size, a power of two.
    let size: Int
    private let cosines: [Double]
    private let sines: [Double]
    private let reversed: [Int]

    /// Prepares a transform of `size` points.
    ///
    /// - Precondition: `size` is a power of two, at least 2.
    init(size: Int) {
        precondition(size >= 2 && size & (size - 1) == 0, "FFT size must be a power of two, found \(size)")
        self.size = size
        var cosines = [Double](repeating: 0, count: size / 2)
        var sines = cosines
        for k in 0..<(size / 2) {
            let angle = -2 * Double.pi * Double(k) / Double(size)
            cosines[k] = Math.cos(angle)
            sines[k] = Math.sin(angle)
        }
        self.cosines = cosines
        self.sines = sines
        var bits = 0
        while 1 << bits < size { bits += 1 }
        reversed = (0..<size).map { index in
            var result = 0
            for bit in 0..<bits where index & (1 << bit) != 0 { result |= 1 << (bits - 1 - bit) }
            return result
        }
    }

    /// Transforms `real` + i·`imaginary` (each `size` values) in place.
    func transform(real: UnsafeMutableBufferPointer<Double>, imaginary: UnsafeMutableBufferPointer<Double>) {
        precondition(real.count >= size && imaginary.count >= size)
        reversed.withUnsafeBufferPointer { reversed in
            for i in 0..<size where i < reversed[i] {
                let j = reversed[i]
                (real[i], real[j]) = (real[j], real[i])
                (imaginary[i], imaginary[j]) = (imaginary[j], imaginary[i])
            }
        }
        cosines.withUnsafeBufferPointer { cosines in
            sines.withUnsafeBufferPointer { sines in
                var half = 1
                while half < size {
                    let stride = size / (2 * half)
                    var start = 0
                    while start < size {
                        for k in 0..<half {
                            let wr = cosines[k * stride], wi = sines[k * stride]
                            let top = start + k, bottom = top + half
                            let xr = real[bottom] * wr - imaginary[bottom] * wi
                            let xi = real[bottom] * wi + imaginary[bottom] * wr
                            real[bottom] = real[top] - xr
                            imaginary[bottom] = imaginary[top] - xi
                            real[top] += xr
                            imaginary[top] += xi
                        }
                        start += 2 * half
                    }
                    half *= 2
                }
            }
        }
    }
}
