/// A fast, seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64) for
/// reproducible runs: weight initialisation, shuffling, dropout masks and synthetic cohorts.
///
/// **Not for privacy.** Differential-privacy noise and Poisson sampling in normal mode come from
/// libsodium (``NoiseSource/secure``); this generator is used for them only in the explicitly
/// named test mode ``NoiseSource/seededForTesting(_:)``.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Creates a generator whose sequence is fully determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = next(); s1 = next(); s2 = next(); s3 = next()
    }

    /// The next 64 pseudo-random bits.
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Derives an independent generator for a sub-task (a user, a layer), so that adding a
    /// consumer does not shift every other consumer's sequence.
    public func derived(_ stream: UInt64) -> SeededGenerator {
        var copy = self
        return SeededGenerator(seed: copy.next() ^ (stream &* 0xD1B5_4A32_D192_ED03))
    }
}

extension RandomNumberGenerator {
    /// A uniform Double in the open interval (0, 1), with 53 random bits.
    @inline(__always)
    public mutating func nextUnitInterval() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }

    /// A standard normal sample (Box–Muller in double precision).
    public mutating func nextGaussian() -> Double {
        let u1 = nextUnitInterval()
        let u2 = nextUnitInterval()
        return (-2 * Math.log(u1)).squareRoot() * Math.cos(2 * Double.pi * u2)
    }
}
