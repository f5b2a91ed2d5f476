internal import EQMCrypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a node turns its model update into the integer vector it masks, and how the server turns
/// the unmasked sum back: L2 clipping to C, an optional bounded weight, scaling by s, stochastic
/// rounding into ℤ_2³², discrete Gaussian noise (``PrivacyMode``), and signed-centred decoding.
///
/// **Headroom.** Clipping bounds every coordinate by C, so after scaling and rounding a node's
/// coordinate lies in [−(sC + 1), sC + 1]. With at most n contributors and noise whose sum is
/// n·σᵢ²-subgaussian, a coordinate of the sum exceeds 2³¹ − 1 in magnitude only if
/// `n·(sC + 1) + z·√(n·σᵢ²) > 2³¹ − 1` fails to hold, where z = √(2 ln(2D/β)) makes the noise tail
/// over all D coordinates at most β (``overflowProbability``). ``calibrated(dimension:clipNorm:maximumContributors:privacy:noiseMultiplier:survivorFloor:overflowProbability:)``
/// picks the largest s for which it holds, so the sum of any allowed cohort cannot wrap (the noise
/// tail aside, with probability β).
///
/// **Weights.** A node multiplies its clipped update by a public-rule weight w ∈ [0, 1] (for
/// example min(examples, cap)/cap) *before* quantisation, so the weighted update still has norm
/// ≤ C and the bound above is unchanged: weighted averaging cannot overflow. The server divides
/// the decoded sum by a public normaliser (the fixed-denominator estimator of DP-FedAvg).
public struct UpdateEncoding: Codable, Sendable, Hashable {
    /// The number of model parameters D.
    public var dimension: Int
    /// The L2 clip norm C, in model units.
    public var clipNorm: Double
    /// The scale s: integer steps per model unit.
    public var scale: Double
    /// The largest number of contributions the sum may hold (the round's participants).
    public var maximumContributors: Int
    /// Where the noise is added.
    public var privacy: PrivacyMode
    /// The noise multiplier σ (0 for ``PrivacyMode/none``).
    public var noiseMultiplier: Double
    /// In distributed mode, the number of survivors whose noise together reaches σ·(sC + √D).
    public var survivorFloor: Int
    /// The discrete Gaussian variance parameter σ²ᵢ each node adds (0 without noise).
    public var nodeNoiseVariance: UInt64
    /// The probability β that the noise tail alone could wrap a coordinate of the sum.
    public var overflowProbability: Double

    /// The default bound β on a noise-induced wrap of any coordinate (10⁻¹²).
    public static let defaultOverflowProbability = 1e-12

    /// The L2 sensitivity bound s·C + √D of a node's integer vector (rounding included).
    public var sensitivity: Double { scale * clipNorm + Double(dimension).squareRoot() }

    /// Chooses the largest scale that leaves headroom for `maximumContributors` contributions plus
    /// their noise, and the per-node noise variance for the privacy mode.
    ///
    /// - Parameters:
    ///   - survivorFloor: distributed mode: the survivor count for which the noise is sized (the
    ///     round's minimum survivors); ignored otherwise.
    /// - Throws: ``ProtocolError`` `invalidConfiguration` for out-of-range arguments, or when the
    ///   cohort and noise leave no room in 32 bits.
    public static func calibrated(
        dimension: Int, clipNorm: Double, maximumContributors: Int, privacy: PrivacyMode = .none,
        noiseMultiplier: Double = 0, survivorFloor: Int? = nil,
        overflowProbability: Double = defaultOverflowProbability
    ) throws(ProtocolError) -> UpdateEncoding {
        guard dimension >= 1, dimension <= WireProtocol.maximumVectorLength else {
            throw .invalidConfiguration("dimension must be in 1...\(WireProtocol.maximumVectorLength), found \(dimension)")
        }
        guard clipNorm > 0, clipNorm.isFinite else {
            throw .invalidConfiguration("clip norm must be positive and finite, found \(clipNorm)")
        }
        guard maximumContributors >= 1, maximumContributors <= WireProtocol.maximumParticipants else {
            throw .invalidConfiguration(
                "maximum contributors must be in 1...\(WireProtocol.maximumParticipants), found \(maximumContributors)")
        }
        guard overflowProbability > 0, overflowProbability < 1 else {
            throw .invalidConfiguration("overflow probability must be in (0, 1), found \(overflowProbability)")
        }
        let floor = privacy == .distributed ? (survivorFloor ?? maximumContributors) : 1
        guard floor >= 1, floor <= maximumContributors else {
            throw .invalidConfiguration("survivor floor must be in 1...\(maximumContributors), found \(floor)")
        }
        switch privacy {
        case .none:
            guard noiseMultiplier == 0 else {
                throw .invalidConfiguration("privacy mode none takes noise multiplier 0, found \(noiseMultiplier)")
            }
        case .distributed, .local:
            guard noiseMultiplier > 0, noiseMultiplier.isFinite else {
                throw .invalidConfiguration(
                    "privacy mode \(privacy.rawValue) needs a positive noise multiplier, found \(noiseMultiplier)")
            }
        }
        let n = Double(maximumContributors), rootD = Double(dimension).squareRoot()
        let limit = Double(Int32.max)
        let z = (2 * log(2 * Double(dimension) / overflowProbability)).squareRoot()
        // Noise standard deviation of the whole sum per unit of (sC + √D).
        let noisePerSensitivity: Double =
            switch privacy {
            case .none: 0
            case .distributed: noiseMultiplier * (n / Double(floor)).squareRoot()
            case .local: noiseMultiplier * n.squareRoot()
            }
        // n(S + 1) + z·(a(S + √D) + √n) ≤ limit, the √n covering the rounding up of σᵢ².
        var scaledClip =
            (limit - n - z * noisePerSensitivity * rootD - (privacy == .none ? 0 : z * n.squareRoot()))
            / (n + z * noisePerSensitivity)
        if privacy != .none {
            // Keep σᵢ within the exact sampler's range.
            let perNode = privacy == .distributed ? noiseMultiplier / Double(floor).squareRoot() : noiseMultiplier
            let samplerCap = Double(DiscreteGaussianSampler.maximumVariance).squareRoot() / perNode - rootD
            scaledClip = min(scaledClip, samplerCap)
        }
        scaledClip = scaledClip.rounded(.down)
        while scaledClip >= 1 {
            let variance = nodeVariance(
                privacy: privacy, noiseMultiplier: noiseMultiplier, floor: floor,
                sensitivity: scaledClip + rootD)
            let worst = n * (scaledClip + 1) + z * (n * Double(variance)).squareRoot()
            if worst <= limit && variance <= DiscreteGaussianSampler.maximumVariance {
                return UpdateEncoding(
                    dimension: dimension, clipNorm: clipNorm, scale: scaledClip / clipNorm,
                    maximumContributors: maximumContributors, privacy: privacy,
                    noiseMultiplier: noiseMultiplier, survivorFloor: floor,
                    nodeNoiseVariance: variance, overflowProbability: overflowProbability)
            }
            scaledClip = (scaledClip * 0.999).rounded(.down)
        }
        throw .invalidConfiguration(
            "\(maximumContributors) contributions with noise multiplier \(noiseMultiplier) leave no room in 32 bits for a scale of at least one step per clip norm"
        )
    }

    private static func nodeVariance(privacy: PrivacyMode, noiseMultiplier: Double, floor: Int, sensitivity: Double) -> UInt64 {
        switch privacy {
        case .none: return 0
        case .distributed:
            return UInt64((noiseMultiplier * noiseMultiplier * sensitivity * sensitivity / Double(floor)).rounded(.up))
        case .local:
            return UInt64((noiseMultiplier * noiseMultiplier * sensitivity * sensitivity).rounded(.up))
        }
    }

    /// Checks that a decoded configuration is consistent (the digest covers it, but a node should
    /// not trust a scale that could overflow).
    public func validate() throws(ProtocolError) {
        guard dimension >= 1, dimension <= WireProtocol.maximumVectorLength, clipNorm > 0, clipNorm.isFinite,
            scale > 0, scale.isFinite, maximumContributors >= 1, survivorFloor >= 1, survivorFloor <= maximumContributors,
            overflowProbability > 0, overflowProbability < 1, noiseMultiplier >= 0, noiseMultiplier.isFinite
        else {
            throw .invalidConfiguration("update encoding has an out-of-range field")
        }
        let n = Double(maximumContributors)
        let z = (2 * log(2 * Double(dimension) / overflowProbability)).squareRoot()
        let worst = n * (scale * clipNorm + 1) + z * (n * Double(nodeNoiseVariance)).squareRoot()
        guard worst <= Double(Int32.max) else {
            throw .invalidConfiguration(
                "scale \(scale) with \(maximumContributors) contributors can wrap 32 bits (worst case \(worst))")
        }
        guard nodeNoiseVariance <= DiscreteGaussianSampler.maximumVariance,
            (privacy == .none) == (nodeNoiseVariance == 0)
        else {
            throw .invalidConfiguration(
                "node noise variance \(nodeNoiseVariance) does not match privacy mode \(privacy.rawValue)")
        }
    }

    /// Clips, weights, scales, rounds and noises `update` with libsodium's randomness.
    public func encode(_ update: [Float], weight: Double = 1) throws(ProtocolError) -> [UInt32] {
        var generator = SecureRandomGenerator(bufferSize: 4096)
        return try encode(update, weight: weight, using: &generator)
    }

    /// Clips, weights, scales, rounds and noises `update` with the given randomness (a seeded
    /// generator in tests only: stochastic rounding and noise need secure randomness for privacy).
    ///
    /// - Throws: ``ProtocolError`` `invalidVectorLength` for a wrong dimension, `invalidInput` for
    ///   a non-finite value or a weight outside [0, 1].
    public func encode(
        _ update: [Float], weight: Double = 1,
        using generator: inout some RandomNumberGenerator
    ) throws(ProtocolError) -> [UInt32] {
        guard update.count == dimension else { throw .invalidVectorLength(expected: dimension, found: update.count) }
        guard weight >= 0, weight <= 1 else { throw .invalidInput("weight must be in [0, 1], found \(weight)") }
        var squaredNorm = 0.0
        for value in update {
            guard value.isFinite else { throw .invalidInput("the update contains a value that is not finite") }
            squaredNorm += Double(value) * Double(value)
        }
        let norm = squaredNorm.squareRoot()
        let factor = weight * (norm > clipNorm ? clipNorm / norm : 1) * scale
        var output = [UInt32](repeating: 0, count: dimension)
        update.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                for index in 0..<dimension {
                    let scaled = Double(input[index]) * factor
                    let below = scaled.rounded(.down)
                    // Up with probability equal to the fractional part: unbiased.
                    let uniform = Double(generator.next() >> 11) * 0x1p-53
                    let rounded = below + (uniform < scaled - below ? 1 : 0)
                    out[index] = UInt32(truncatingIfNeeded: Int64(rounded))
                }
            }
        }
        if nodeNoiseVariance > 0 {
            let sampler = try DiscreteGaussianSampler(variance: nodeNoiseVariance)
            output.withUnsafeMutableBufferPointer { sampler.addNoise(to: $0, using: &generator) }
        }
        return output
    }

    /// The signed-centred sum in model units: each word read as a 32-bit two's-complement integer,
    /// divided by the scale.
    public func decode(sum: [UInt32]) throws(ProtocolError) -> [Double] {
        guard sum.count == dimension else { throw .invalidVectorLength(expected: dimension, found: sum.count) }
        let inverse = 1 / scale
        return sum.map { Double(Int32(bitPattern: $0)) * inverse }
    }

    /// The noise multiplier this round achieved with `survivors` contributions, for the DP ledger.
    public func privacyReport(survivors: Int, dropouts: Int) -> RoundPrivacyReport {
        let sensitivity = self.sensitivity
        let variance = Double(nodeNoiseVariance)
        let achieved = survivors > 0 ? (Double(survivors) * variance).squareRoot() / sensitivity : 0
        let rho: Double? =
            nodeNoiseVariance > 0 && survivors > 0
            ? RoundPrivacyReport.distributedDiscreteGaussianRho(
                summands: survivors, variance: variance,
                sensitivity: sensitivity, dimension: dimension)
            : nil
        return RoundPrivacyReport(
            mode: privacy, targetNoiseMultiplier: noiseMultiplier, achievedNoiseMultiplier: achieved,
            localNoiseMultiplier: privacy == .local ? variance.squareRoot() / sensitivity : nil,
            clipNorm: clipNorm, survivors: survivors, dropouts: dropouts, scale: scale, sensitivity: sensitivity,
            nodeNoiseVariance: nodeNoiseVariance, concentratedDPRho: rho,
            meetsTarget: achieved >= noiseMultiplier * (1 - 1e-9))
    }

    /// The fields the round digest covers.
    func appendCanonical(to writer: inout CanonicalWriter) {
        writer.append(index: dimension)
        writer.append(clipNorm)
        writer.append(scale)
        writer.append(index: maximumContributors)
        writer.append(string: privacy.rawValue)
        writer.append(noiseMultiplier)
        writer.append(index: survivorFloor)
        writer.append(nodeNoiseVariance)
        writer.append(overflowProbability)
    }
}
