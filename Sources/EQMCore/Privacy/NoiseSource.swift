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
/// Gaussian samples use Marsaglia's polar method in double precision on 53-bit uniforms and are
/// rounded to Float32 when added. Floating-point noise is known to leak through the low-order bits of its
/// output in adversarial settings (Mironov 2012); the federated path (issue 4) adds discrete
/// Gaussian noise in the integer domain instead (README, "Privacy notes").
public struct NoiseGenerator {
    // Two optionals rather than an enum with payloads, so that drawing mutates the buffered
    // generator in place instead of copying it out and back on every sample.
    private var secure: SecureRandomGenerator?
    private var seeded: SeededGenerator?
    private var bits = [UInt64]()

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

    /// Adds independent N(0, standardDeviation²) noise to every element.
    ///
    /// Draws uniform bits for the whole vector at once (one call to the secure source), then uses
    /// Marsaglia's polar method (no trigonometry; about 21% of pairs are rejected and redrawn),
    /// in double precision.
    public mutating func addGaussianNoise(to values: UnsafeMutableBufferPointer<Float>, standardDeviation: Double) {
        guard standardDeviation > 0, !values.isEmpty else { return }
        // 2 words per attempt; 1.35 attempts per pair covers the expected 1.27 with margin, and
        // `nextWord` refills if a run of rejections exhausts it.
        let words = 2 * ((values.count + 1) / 2) * 135 / 100 + 16
        if bits.count < words { bits = [UInt64](repeating: 0, count: words) }
        refill(words)
        var position = 0
        var i = 0
        while i < values.count {
            let u = uniformSigned(nextWord(&position, words)), v = uniformSigned(nextWord(&position, words))
            let s = u * u + v * v
            guard s < 1 && s > 0 else { continue }
            let factor = (-2 * Math.log(s) / s).squareRoot() * standardDeviation
            values[i] += Float(u * factor)
            if i + 1 < values.count { values[i + 1] += Float(v * factor) }
            i += 2
        }
        // The bits became noise: do not leave them in memory.
        bits.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    private mutating func refill(_ words: Int) {
        bits.withUnsafeMutableBufferPointer { buffer in
            if secure != nil {
                SecureRandom.fill(UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[0..<(8 * words)]))
            } else {
                for index in 0..<words { buffer[index] = seeded!.next() }
            }
        }
    }

    @inline(__always)
    private mutating func nextWord(_ position: inout Int, _ words: Int) -> UInt64 {
        if position == words {
            refill(words)
            position = 0
        }
        defer { position += 1 }
        return bits[position]
    }

    /// A uniform Double in (−1, 1) from 53 bits.
    @inline(__always)
    private func uniformSigned(_ word: UInt64) -> Double {
        (Double(word >> 11) + 0.5) * 0x1p-52 - 1
    }

    /// A Bernoulli(p) decision (Poisson sampling includes each example independently).
    public mutating func bernoulli(_ probability: Double) -> Bool {
        nextUnitInterval() < probability
    }
}
