/// Forward and inverse discrete Fourier transforms of real sequences on contiguous `Double` buffers:
/// the composition engine of ``PLDAccountant``.
///
/// A real sequence of even length n is read as a complex one of length m = n/2 (even samples real, odd
/// samples imaginary), transformed, and unpacked into the n/2 + 1 non-redundant bins. The complex
/// transform is a mixed-radix decimation in time for m = 3^b·2^a (b ≤ 2): radix-3 splits on top of
/// an iterative radix-2 FFT. Those lengths waste less padding than powers of two alone (the
/// composition window is rarely a power of two). Twiddle factors come from a table computed directly
/// with cos/sin (no recurrences), so rounding errors stay at a few ulps times log₂ n.
struct RealFFT {
    /// The real length n.
    let count: Int
    /// n/2: the complex length, and the index of the last (Nyquist) bin.
    let half: Int
    /// The power-of-two length of the radix-2 blocks.
    private let radix2Length: Int
    /// cos(2πk/n) and −sin(2πk/n) for k < n/2: e^{−2πik/n}.
    private let twiddleReal: [Double]
    private let twiddleImaginary: [Double]
    /// Bit-reversal permutation of the radix-2 block length.
    private let bitReversed: [Int32]

    /// The smallest length 2^a, 3·2^a or 9·2^a (≥ 2) that is at least `minimum`.
    static func length(atLeast minimum: Int) -> Int {
        var best = Int.max
        for factor in [2, 6, 18] {
            var length = factor
            while length < minimum { length *= 2 }
            best = Swift.min(best, length)
        }
        return best
    }

    init(count: Int) {
        precondition(count >= 2 && count % 2 == 0, "the FFT length must be even")
        var remainder = count / 2
        while remainder % 3 == 0 { remainder /= 3 }
        precondition(remainder & (remainder - 1) == 0 && count / 2 / remainder <= 9, "the FFT length must be 2^a, 3·2^a or 9·2^a")
        self.count = count
        self.half = count / 2
        self.radix2Length = remainder
        (twiddleReal, twiddleImaginary) = Self.twiddles(count)
        var bits = 0
        while 1 << bits < remainder { bits += 1 }
        bitReversed = (0..<remainder).map { index in
            var reversed = 0, value = index
            for _ in 0..<bits {
                reversed = reversed << 1 | value & 1
                value >>= 1
            }
            return Int32(reversed)
        }
    }

    /// cos(2πk/n) and −sin(2πk/n) for k < n/2, computing only the first eighth of the circle (when n
    /// is a multiple of 8) and filling the rest by exact symmetries.
    private static func twiddles(_ n: Int) -> ([Double], [Double]) {
        let angle = 2 * Double.pi / Double(n)
        var cosines = [Double](repeating: 0, count: n / 2), sines = cosines
        guard n % 8 == 0 else {
            for k in 0..<(n / 2) {
                cosines[k] = Math.cos(angle * Double(k))
                sines[k] = Math.sin(angle * Double(k))
            }
            return (cosines, sines.map { -$0 })
        }
        let eighth = n / 8, quarter = n / 4
        for k in 0...eighth {
            cosines[k] = Math.cos(angle * Double(k))
            sines[k] = Math.sin(angle * Double(k))
        }
        for k in (eighth + 1)...quarter {  // θ = π/2 − θ'
            cosines[k] = sines[quarter - k]
            sines[k] = cosines[quarter - k]
        }
        for k in (quarter + 1)..<(n / 2) {  // θ = π − θ'
            cosines[k] = -cosines[n / 2 - k]
            sines[k] = sines[n / 2 - k]
        }
        for k in 0..<(n / 2) { sines[k] = -sines[k] }
        return (cosines, sines)
    }

    /// Writes the spectrum X_k = Σ_j x_j e^{−2πijk/n}, k = 0…n/2, of `input` (n values) into
    /// `real` and `imaginary` (n/2 + 1 values each).
    func forward(
        _ input: UnsafeBufferPointer<Double>, real: UnsafeMutableBufferPointer<Double>,
        imaginary: UnsafeMutableBufferPointer<Double>
    ) {
        precondition(input.count == count && real.count == half + 1 && imaginary.count == half + 1)
        let x = input.baseAddress!
        // Even samples as the real part, odd samples as the imaginary part: stride 2 from x and x + 1.
        transform(
            inputReal: x, inputImaginary: x + 1, stride: 2, length: half,
            outputReal: real.baseAddress!, outputImaginary: imaginary.baseAddress!, inverse: false)
        // Unpack: X_k = E_k + W^k O_k with E, O the transforms of even and odd samples.
        let z0r = real[0], z0i = imaginary[0]
        real[0] = z0r + z0i
        imaginary[0] = 0
        real[half] = z0r - z0i
        imaginary[half] = 0
        var k = 1
        while k <= half - k {
            let m = half - k
            let ar = real[k], ai = imaginary[k], br = real[m], bi = imaginary[m]
            // E_k = (Z_k + conj Z_m)/2, O_k = (Z_k − conj Z_m)/(2i)
            let er = 0.5 * (ar + br), ei = 0.5 * (ai - bi)
            let or = 0.5 * (ai + bi), oi = -0.5 * (ar - br)
            let wr = twiddleReal[k], wi = twiddleImaginary[k]
            let tr = wr * or - wi * oi, ti = wr * oi + wi * or
            real[k] = er + tr
            imaginary[k] = ei + ti
            // Bin m = n/2 − k: E_m = conj E_k, O_m = conj O_k and W^m = −conj W^k.
            let tmr = -wr * or + wi * oi, tmi = wr * oi + wi * or
            real[m] = er + tmr
            imaginary[m] = -ei + tmi
            k += 1
        }
    }

    /// Writes the real sequence (n values) whose spectrum bins 0…n/2 are `real`, `imaginary`
    /// (destroyed): the inverse transform, including the 1/n factor.
    func inverse(
        real: UnsafeMutableBufferPointer<Double>, imaginary: UnsafeMutableBufferPointer<Double>,
        output: UnsafeMutableBufferPointer<Double>
    ) {
        precondition(output.count == count && real.count == half + 1 && imaginary.count == half + 1)
        // Repack: E_k = (X_k + conj X_{n/2−k})/2, O_k = (X_k − conj X_{n/2−k})·conj(W^k)/2, Z_k = E_k + i·O_k.
        var k = 0
        while k <= half - k {
            let m = half - k
            let ar = real[k], ai = imaginary[k], br = real[m], bi = imaginary[m]
            let er = 0.5 * (ar + br), ei = 0.5 * (ai - bi)
            let dr = 0.5 * (ar - br), di = 0.5 * (ai + bi)
            let wr = k == 0 ? 1 : twiddleReal[k], wi = k == 0 ? 0 : -twiddleImaginary[k]  // conj W^k
            let or = dr * wr - di * wi, oi = dr * wi + di * wr
            real[k] = er - oi
            imaginary[k] = ei + or
            if m < half && m != k {
                // E_m = conj E_k; O_m = (X_m − conj X_k)·conj(W^m)/2 with conj W^m = −W^k.
                let dmr = -dr, dmi = di
                let omr = -(dmr * wr + dmi * wi), omi = dmr * wi - dmi * wr
                real[m] = er - omi
                imaginary[m] = -ei + omr
            }
            k += 1
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * half) { scratch in
            let scratchReal = scratch.baseAddress!, scratchImaginary = scratch.baseAddress! + half
            transform(
                inputReal: UnsafePointer(real.baseAddress!), inputImaginary: UnsafePointer(imaginary.baseAddress!),
                stride: 1, length: half, outputReal: scratchReal, outputImaginary: scratchImaginary, inverse: true)
            let scale = 1 / Double(half)
            for index in 0..<half {
                output[2 * index] = scratchReal[index] * scale
                output[2 * index + 1] = scratchImaginary[index] * scale
            }
        }
    }

    /// e^{∓2πi·index/n} for any index ≥ 0 (− forward, + inverse), from the half-length table.
    @inline(__always) private func twiddle(_ index: Int, inverse: Bool) -> (Double, Double) {
        let reduced = index % count
        var wr: Double, wi: Double
        if reduced < half {
            wr = twiddleReal[reduced]
            wi = twiddleImaginary[reduced]
        } else {
            wr = -twiddleReal[reduced - half]
            wi = -twiddleImaginary[reduced - half]
        }
        if inverse { wi = -wi }
        return (wr, wi)
    }

    /// Out-of-place complex DFT of `length` points read with `stride`, written contiguously.
    private func transform(
        inputReal: UnsafePointer<Double>, inputImaginary: UnsafePointer<Double>, stride: Int,
        length: Int, outputReal: UnsafeMutablePointer<Double>,
        outputImaginary: UnsafeMutablePointer<Double>, inverse: Bool
    ) {
        if length % 3 == 0 {
            // Decimation in time by 3: three interleaved sub-transforms, then radix-3 butterflies.
            let third = length / 3
            for r in 0..<3 {
                transform(
                    inputReal: inputReal + r * stride, inputImaginary: inputImaginary + r * stride,
                    stride: 3 * stride, length: third, outputReal: outputReal + r * third,
                    outputImaginary: outputImaginary + r * third, inverse: inverse)
            }
            let step = count / length  // W_length^k = W_n^(k·n/length)
            let sine: Double = (inverse ? -1 : 1) * 0.8660254037844386  // √3/2
            for k in 0..<third {
                let (w1r, w1i) = twiddle(k * step, inverse: inverse)
                let (w2r, w2i) = twiddle(2 * k * step, inverse: inverse)
                let ar = outputReal[k], ai = outputImaginary[k]
                let xr = outputReal[k + third], xi = outputImaginary[k + third]
                let yr = outputReal[k + 2 * third], yi = outputImaginary[k + 2 * third]
                let br = xr * w1r - xi * w1i, bi = xr * w1i + xi * w1r
                let cr = yr * w2r - yi * w2i, ci = yr * w2i + yi * w2r
                let sr = br + cr, si = bi + ci, dr = br - cr, di = bi - ci
                let mr = ar - 0.5 * sr, mi = ai - 0.5 * si
                outputReal[k] = ar + sr
                outputImaginary[k] = ai + si
                outputReal[k + third] = mr + sine * di
                outputImaginary[k + third] = mi - sine * dr
                outputReal[k + 2 * third] = mr - sine * di
                outputImaginary[k + 2 * third] = mi + sine * dr
            }
            return
        }
        precondition(length == radix2Length)
        bitReversed.withUnsafeBufferPointer { reversed in
            for k in 0..<length {
                let source = Int(reversed[k]) * stride
                outputReal[k] = inputReal[source]
                outputImaginary[k] = inputImaginary[source]
            }
        }
        radix2(real: outputReal, imaginary: outputImaginary, length: length, inverse: inverse)
    }

    /// In-place iterative radix-2 decimation-in-time FFT on bit-reversed input.
    private func radix2(
        real: UnsafeMutablePointer<Double>, imaginary: UnsafeMutablePointer<Double>, length: Int,
        inverse: Bool
    ) {
        let sign: Double = inverse ? -1 : 1
        twiddleReal.withUnsafeBufferPointer { cosines in
            twiddleImaginary.withUnsafeBufferPointer { sines in
                // First stage: butterflies of adjacent pairs, no multiplications.
                var start = 0
                while start + 1 < length {
                    let ar = real[start], ai = imaginary[start], br = real[start + 1], bi = imaginary[start + 1]
                    real[start] = ar + br
                    imaginary[start] = ai + bi
                    real[start + 1] = ar - br
                    imaginary[start + 1] = ai - bi
                    start += 2
                }
                var span = 4
                while span <= length {
                    let halfSpan = span / 2
                    let step = count / span  // W_span^j = W_n^(j·n/span)
                    var block = 0
                    while block < length {
                        for j in 0..<halfSpan {
                            let wr = cosines[j * step], wi = sign * sines[j * step]
                            let a = block + j, b = a + halfSpan
                            let br = real[b], bi = imaginary[b]
                            let tr = br * wr - bi * wi, ti = br * wi + bi * wr
                            let ar = real[a], ai = imaginary[a]
                            real[b] = ar - tr
                            imaginary[b] = ai - ti
                            real[a] = ar + tr
                            imaginary[a] = ai + ti
                        }
                        block += span
                    }
                    span *= 2
                }
            }
        }
    }
}
