extension DiscretePrivacyLoss {
    /// The distribution of the total loss of `parts[k].loss` composed `parts[k].times` times, for all k,
    /// by FFT: each distribution is folded onto a cyclic grid, transformed once, raised to its power
    /// bin by bin (binary exponentiation), the spectra multiplied and transformed back.
    ///
    /// The cyclic grid covers a window [L, U] of total loss outside which a Chernoff bound puts at most
    /// `tailMass`/2 on each side (P(S ≥ U) ≤ e^{K(s) − sU} with K the exact log-moment-generating
    /// function of the composed discrete distribution, minimised over a ladder of s). Mass beyond U
    /// wraps around to low losses, so `tailMass`/2 is added to the infinite loss; mass below L wraps to
    /// high losses, which only overestimates δ. The result therefore still dominates the true composition,
    /// up to floating-point rounding of the FFT (≈ 1e-16 relative to the largest probability).
    static func composition(of parts: [(loss: DiscretePrivacyLoss, times: Int)], tailMass: Double) -> DiscretePrivacyLoss {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.times >= 1 })
        let interval = parts[0].loss.interval
        let trimmed = parts.map { (loss: $0.loss.trimmed(), times: $0.times) }
        if trimmed.count == 1 && trimmed[0].times == 1 { return trimmed[0].loss }

        let window = chernoffWindow(trimmed, tailMass: tailMass)
        let size = RealFFT.length(atLeast: window.upper - window.lower + 1)
        let transform = RealFFT(count: size)
        let bins = size / 2 + 1

        var accumulatedReal = [Double](repeating: 1, count: bins)
        var accumulatedImaginary = [Double](repeating: 0, count: bins)
        var samples = [Double](repeating: 0, count: size)
        var real = [Double](repeating: 0, count: bins), imaginary = [Double](repeating: 0, count: bins)
        for part in trimmed {
            for index in samples.indices { samples[index] = 0 }
            for (offset, probability) in part.loss.probabilities.enumerated() {
                samples[cyclic(part.loss.lowerIndex + offset, size)] += probability
            }
            samples.withUnsafeBufferPointer { input in
                real.withUnsafeMutableBufferPointer { re in
                    imaginary.withUnsafeMutableBufferPointer { im in
                        transform.forward(input, real: re, imaginary: im)
                        raise(real: re, imaginary: im, to: part.times)
                        accumulatedReal.withUnsafeMutableBufferPointer { ar in
                            accumulatedImaginary.withUnsafeMutableBufferPointer { ai in
                                for k in 0..<bins {
                                    let xr = ar[k], xi = ai[k]
                                    ar[k] = xr * re[k] - xi * im[k]
                                    ai[k] = xr * im[k] + xi * re[k]
                                }
                            }
                        }
                    }
                }
            }
        }
        accumulatedReal.withUnsafeMutableBufferPointer { re in
            accumulatedImaginary.withUnsafeMutableBufferPointer { im in
                samples.withUnsafeMutableBufferPointer { output in
                    transform.inverse(real: re, imaginary: im, output: output)
                }
            }
        }
        var probabilities = [Double](repeating: 0, count: size)
        for offset in 0..<size {
            probabilities[offset] = Swift.max(0, samples[cyclic(window.lower + offset, size)])
        }
        var logFinite = 0.0
        for part in trimmed { logFinite += Double(part.times) * Math.log1p(-part.loss.infinityMass) }
        let infinityMass = Swift.min(1, -Math.expm1(logFinite) + tailMass / 2)
        return DiscretePrivacyLoss(
            interval: interval, lowerIndex: window.lower, probabilities: probabilities,
            infinityMass: infinityMass)
    }

    /// The grid-index window [lower, upper] outside which the composed finite mass is at most
    /// `tailMass`/2 on each side (Chernoff), within the composition's support.
    ///
    /// The bound (K(s) + log(2/tailMass))/s is unimodal in s; it is minimised over a ladder of slopes
    /// 2^{k/2} per nat from 2⁻⁸ to 2¹⁵, which covers both the Gaussian bulk of many small losses (large
    /// s) and the heavy right tail of subsampling (s of order 1), within a factor √2 of the optimum.
    static func chernoffWindow(_ parts: [(loss: DiscretePrivacyLoss, times: Int)], tailMass: Double) -> (lower: Int, upper: Int) {
        var support = (lower: 0, upper: 0)
        for part in parts {
            support.lower += part.times * part.loss.lowerIndex
            support.upper += part.times * part.loss.upperIndex
        }
        let interval = parts[0].loss.interval
        let slopes = (-16...30).map { Math.exp(Double($0) * 0.34657359027997264) * interval }  // per grid step
        var positive = [Double](repeating: 0, count: slopes.count)
        var negative = [Double](repeating: 0, count: slopes.count)
        for part in parts {
            let (plus, minus) = part.loss.logMomentGeneratingFunctions(indexSlopes: slopes)
            for index in slopes.indices {
                positive[index] += Double(part.times) * plus[index]
                negative[index] += Double(part.times) * minus[index]
            }
        }
        let logTwoOverTail = Math.log(2 / tailMass)
        var upper = support.upper, lower = support.lower
        for (index, s) in slopes.enumerated() {
            let upperBound = (positive[index] + logTwoOverTail) / s
            let lowerBound = -(negative[index] + logTwoOverTail) / s
            if upperBound.isFinite, upperBound < Double(upper) { upper = Int(Math.ceil(upperBound)) }
            if lowerBound.isFinite, lowerBound > Double(lower) { lower = Int(Math.floor(lowerBound)) }
        }
        upper = Swift.min(Swift.max(upper, support.lower), support.upper)
        lower = Swift.max(Swift.min(lower, upper), support.lower)
        return (lower, upper)
    }

    /// log Σ p_i e^{±s·(lowerIndex + i)} for each slope s > 0, by Horner's rule in the direction where
    /// the factor e^{−s} shrinks (no overflow, one multiply-add per probability and slope), four
    /// slopes per pass so the independent chains overlap.
    func logMomentGeneratingFunctions(indexSlopes slopes: [Double]) -> (plus: [Double], minus: [Double]) {
        var plus = [Double](repeating: 0, count: slopes.count), minus = plus
        probabilities.withUnsafeBufferPointer { p in
            let count = p.count
            var first = 0
            while first < slopes.count {
                var factors = SIMD4<Double>(repeating: 0)
                for lane in 0..<4 where first + lane < slopes.count { factors[lane] = Math.exp(-slopes[first + lane]) }
                var ascending = SIMD4<Double>(repeating: 0), descending = SIMD4<Double>(repeating: 0)
                for i in 0..<count {
                    ascending = ascending * factors + SIMD4(repeating: p[i])
                    descending = descending * factors + SIMD4(repeating: p[count - 1 - i])
                }
                for lane in 0..<4 where first + lane < slopes.count {
                    let s = slopes[first + lane]
                    plus[first + lane] = s * Double(upperIndex) + Math.log(ascending[lane])
                    minus[first + lane] = -s * Double(lowerIndex) + Math.log(descending[lane])
                }
                first += 4
            }
        }
        return (plus, minus)
    }

    /// The same distribution without zero probabilities at either end.
    func trimmed() -> DiscretePrivacyLoss {
        guard let first = probabilities.firstIndex(where: { $0 > 0 }),
            let last = probabilities.lastIndex(where: { $0 > 0 })
        else {
            return DiscretePrivacyLoss(
                interval: interval, lowerIndex: lowerIndex, probabilities: [0],
                infinityMass: infinityMass)
        }
        return DiscretePrivacyLoss(
            interval: interval, lowerIndex: lowerIndex + first,
            probabilities: Array(probabilities[first...last]), infinityMass: infinityMass)
    }
}

/// index mod size in 0..<size.
@inline(__always) private func cyclic(_ index: Int, _ size: Int) -> Int {
    let remainder = index % size
    return remainder < 0 ? remainder + size : remainder
}

/// Raises every bin to the power `exponent` in place by binary exponentiation (2·log₂ exponent
/// vectorisable passes over the bins).
private func raise(real: UnsafeMutableBufferPointer<Double>, imaginary: UnsafeMutableBufferPointer<Double>, to exponent: Int) {
    if exponent == 1 { return }
    let count = real.count
    var baseReal = Array(real), baseImaginary = Array(imaginary)
    for k in 0..<count {
        real[k] = 1
        imaginary[k] = 0
    }
    var remaining = exponent
    baseReal.withUnsafeMutableBufferPointer { br in
        baseImaginary.withUnsafeMutableBufferPointer { bi in
            while true {
                if remaining & 1 == 1 {
                    for k in 0..<count {
                        let xr = real[k], xi = imaginary[k]
                        real[k] = xr * br[k] - xi * bi[k]
                        imaginary[k] = xr * bi[k] + xi * br[k]
                    }
                }
                remaining >>= 1
                if remaining == 0 { break }
                for k in 0..<count {
                    let xr = br[k], xi = bi[k]
                    br[k] = xr * xr - xi * xi
                    bi[k] = 2 * xr * xi
                }
            }
        }
    }
}
