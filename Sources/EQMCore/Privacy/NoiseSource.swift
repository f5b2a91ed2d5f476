internal import EQMCrypto

/// Where differential-privacy randomness (Gaussian noise, Poisson sampling) comes from.
public enum NoiseSource: Sendable, Hashable, Codable {
    /// libsodium's CSPRNG: the default, and the only mode with a privacy guarantee.
    case secure
    /// A seeded pseudo-random generator, for reproducible tests only: **no privacy**.
    case seededForTesting(UInt64)
}

/// The generator behind a ``NoiseSource``, drawing Gaussian noise and Bernoulli decisions.
///
/// Gaussian samples use Box–Muller in double precision on 53-bit uniforms and are rounded to
/// Float32 when added. Floating-point noise is known to leak through the low-order bits of its
/// output in adversarial settings (Mironov 2012); the federated path (issue 4) adds discrete
/// Gaussian noise in the integer domain instead. See Docs/privacy.md.
public struct NoiseGenerator {
    // Two optionals rather than an enum with payloads, so that drawing mutates the buffered
    // generator in place instead of copying it out and back on every sample.
    private var secure: SecureRandomGenerator?
    private var seeded: SeededGenerator?
    private var spare: Double? = nil

    /// Creates the generator for a source.
    public init(_ source: NoiseSource) {
        switch source {
        case .secure: secure = SecureRandomGenerator(bufferSize: 1024)
        case .seededForTesting(let seed): seeded = SeededGenerator(seed: seed)
        }
    }

    /// Whether samples come from the cryptographically secure generator.
    public var isCryptographicallySecure: Bool { secure != nil }

    @inline(__always)
    private mutating func nextUnitInterval() -> Double {
        let bits = secure != nil ? secure!.next() : seeded!.next()
        return (Double(bits >> 11) + 0.5) * 0x1p-53
    }

    /// One standard normal sample; Box–Muller yields pairs, the second is kept for the next call.
    public mutating func nextGaussian() -> Double {
        if let value = spare {
            spare = nil
            return value
        }
        let u1 = nextUnitInterval(), u2 = nextUnitInterval()
        let radius = (-2 * Math.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spare = radius * Math.sin(angle)
        return radius * Math.cos(angle)
    }

    /// Adds independent N(0, standardDeviation²) noise to every element.
    public mutating func addGaussianNoise(to values: UnsafeMutableBufferPointer<Float>, standardDeviation: Double) {
        guard standardDeviation > 0 else { return }
        for i in values.indices { values[i] += Float(nextGaussian() * standardDeviation) }
    }

    /// A Bernoulli(p) decision (Poisson sampling includes each example independently).
    public mutating func bernoulli(_ probability: Double) -> Bool {
        nextUnitInterval() < probability
    }
}
