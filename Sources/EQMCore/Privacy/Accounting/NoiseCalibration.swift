/// The smallest noise multiplier, on a decimal grid, that meets a target ε at δ.
public struct NoiseCalibration: Hashable, Sendable {
    /// σ: a multiple of 10^−decimalPlaces, rounded up (the next smaller grid value misses the target).
    public var noiseMultiplier: Double
    /// The guarantee at ``noiseMultiplier``: its ε is at most ``targetEpsilon``.
    public var achieved: PrivacyGuarantee
    /// The ε asked for.
    public var targetEpsilon: Double
    /// Decimal places of ``noiseMultiplier``.
    public var decimalPlaces: Int
}

extension PrivacyAccountant {
    /// The smallest σ = k·10^−`decimalPlaces` for which `steps` rounds at sampling rate `samplingRate`
    /// satisfy (`targetEpsilon`, `delta`)-DP according to this accountant.
    ///
    /// A bisection over the integer k keeps ε(σ_high) ≤ target < ε(σ_low) and stops when the two are
    /// adjacent grid values, so σ is rounded up, never to the nearest value: the returned σ meets the
    /// target and σ − 10^−`decimalPlaces` does not. About 25 accountant queries.
    public func calibrateNoise(
        targetEpsilon: Double, delta: Double, samplingRate: Double, steps: Int,
        decimalPlaces: Int = 5
    ) throws(EQMCoreError) -> NoiseCalibration {
        guard targetEpsilon > 0, targetEpsilon.isFinite else {
            throw .invalidConfiguration("target epsilon must be a positive number, found \(targetEpsilon)")
        }
        try Self.validate(delta: delta)
        guard (0...9).contains(decimalPlaces) else {
            throw .invalidConfiguration("decimal places must be in 0...9, found \(decimalPlaces)")
        }
        _ = try PoissonSubsampledGaussian(samplingRate: samplingRate, noiseMultiplier: 1, steps: steps)
        var scale = 1
        for _ in 0..<decimalPlaces { scale *= 10 }
        let largest = 10_000 * scale  // σ ≤ 10000

        func epsilon(_ k: Int) throws(EQMCoreError) -> Double {
            let event = try PrivacyEvent(samplingRate: samplingRate, noiseMultiplier: Double(k) / Double(scale), steps: steps)
            return try guarantee(for: event, delta: delta).epsilon
        }

        // Bracket: ε(low) > target ≥ ε(high), with low = 0 standing for σ = 0 (ε = ∞).
        var high = scale, low = 0
        if try epsilon(high) > targetEpsilon {
            repeat {
                low = high
                guard high < largest else {
                    throw .invalidConfiguration(
                        "target epsilon \(targetEpsilon) is not reachable with a noise multiplier up to 10000 at delta \(delta)")
                }
                high = Swift.min(2 * high, largest)
            } while try epsilon(high) > targetEpsilon
        } else {
            var candidate = high / 2
            while candidate > 0 {
                if try epsilon(candidate) > targetEpsilon {
                    low = candidate
                    break
                }
                high = candidate
                candidate /= 2
            }
        }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if try epsilon(middle) <= targetEpsilon { high = middle } else { low = middle }
        }
        let sigma = Double(high) / Double(scale)
        let achieved = try guarantee(
            for: PrivacyEvent(samplingRate: samplingRate, noiseMultiplier: sigma, steps: steps),
            delta: delta)
        return NoiseCalibration(
            noiseMultiplier: sigma, achieved: achieved, targetEpsilon: targetEpsilon,
            decimalPlaces: decimalPlaces)
    }
}
