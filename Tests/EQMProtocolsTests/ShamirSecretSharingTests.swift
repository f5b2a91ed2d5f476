import EQMCrypto
import Testing

@testable import EQMProtocols

@Suite("Shamir secret sharing over 2⁶¹ − 1")
struct ShamirSecretSharingTests {
    static func bytes(_ secret: SecretBytes) -> [UInt8] { secret.withUnsafeBytes { Array($0) } }

    @Test("any t shares reconstruct the secret, in any order")
    func reconstructFromAnySubset() throws {
        let secret = SecretBytes.random(count: 32)
        let points: [UInt64] = [1, 2, 5, 9, 10, 11, 40]
        let shares = try ShamirSecretSharing.split(secret, threshold: 4, points: points)
        var generator = TestGenerator(seed: 1)
        for _ in 0..<10 {
            let subset = Array(shares.shuffled(using: &generator).prefix(4))
            #expect(Self.bytes(try ShamirSecretSharing.reconstruct(subset, threshold: 4)) == Self.bytes(secret))
        }
    }

    @Test("secrets with every byte 0xFF and 0x00 survive the 56-bit chunking")
    func extremeSecrets() throws {
        for fill in [UInt8(0), 0xFF, 0x80] {
            var raw = [UInt8](repeating: fill, count: 32)
            let secret = SecretBytes(consuming: &raw)
            let shares = try ShamirSecretSharing.split(secret, threshold: 2, points: [3, 7])
            #expect(Self.bytes(try ShamirSecretSharing.reconstruct(shares, threshold: 2)) == [UInt8](repeating: fill, count: 32))
        }
    }

    @Test("fewer than t shares are refused; t − 1 shares are consistent with any secret")
    func belowThreshold() throws {
        let secret = SecretBytes.random(count: 32)
        let shares = try ShamirSecretSharing.split(secret, threshold: 3, points: [1, 2, 3])
        expectProtocolError(.belowThreshold) { try ShamirSecretSharing.reconstruct(Array(shares.prefix(2)), threshold: 3) }
        // With two shares and a guessed third (any value), reconstruction yields *some* valid-looking
        // field value: two shares do not pin the secret down.
        let guessed = ShamirShare(point: 3, values: [UInt64](repeating: 12345, count: 5))
        var valid = false
        let other = SecretBytes(count: 32) { out in
            valid = ShamirSecretSharing.combine(
                Array(shares.prefix(2)).flatMap(\.values) + guessed.values,
                coefficients: LagrangeCache.computeCoefficients([1, 2, 3]), into: out)
        }
        #expect(!valid || Self.bytes(other) != Self.bytes(secret))
    }

    @Test("points up to 10,001: the field supports the complete graph of 10,000 participants")
    func largeCompleteGraph() throws {
        let secret = SecretBytes.random(count: 32)
        let points = (0..<10_000).map { UInt64($0 + 1) }
        let shares = try ShamirSecretSharing.split(secret, threshold: 51, points: points)
        #expect(shares.count == 10_000)
        let highest = Array(shares.suffix(51))
        #expect(Self.bytes(try ShamirSecretSharing.reconstruct(highest, threshold: 51)) == Self.bytes(secret))
        let spread = stride(from: 0, to: 10_000, by: 196).map { shares[$0] }.prefix(51)
        #expect(Self.bytes(try ShamirSecretSharing.reconstruct(Array(spread), threshold: 51)) == Self.bytes(secret))
    }

    @Test("a corrupt share changes the result; invalid points are refused")
    func corruption() throws {
        let secret = SecretBytes.random(count: 32)
        var shares = try ShamirSecretSharing.split(secret, threshold: 3, points: [1, 2, 3])
        shares[1].values[0] = (shares[1].values[0] + 1) % ShamirSecretSharing.prime
        let result = try? ShamirSecretSharing.reconstruct(shares, threshold: 3)
        #expect(result.map(Self.bytes) != Self.bytes(secret))
        expectProtocolError(.invalidInput) { try ShamirSecretSharing.split(secret, threshold: 2, points: [0, 1]) }
        expectProtocolError(.invalidInput) { try ShamirSecretSharing.split(secret, threshold: 2, points: [4, 4]) }
        expectProtocolError(.invalidInput) { try ShamirSecretSharing.split(secret, threshold: 3, points: [1, 2]) }
    }

    @Test("Lagrange coefficients are cached per holder set")
    func lagrangeCache() {
        var cache = LagrangeCache()
        let first = cache.coefficients(for: [2, 4, 6])
        let again = cache.coefficients(for: [2, 4, 6])
        _ = cache.coefficients(for: [1, 4, 6])
        #expect(first == again)
        #expect(cache.hits == 1 && cache.misses == 2)
        // Σ λⱼ = 1 (they interpolate the constant polynomial 1).
        #expect(first.reduce(0) { PrimeField.add($0, $1) } == 1)
    }

    @Test("field arithmetic: multiplication, inverse and reduction at the edges")
    func field() {
        let p = PrimeField.prime
        #expect(PrimeField.multiply(p - 1, p - 1) == 1)
        #expect(PrimeField.multiply(PrimeField.inverse(123_456_789), 123_456_789) == 1)
        #expect(PrimeField.add(p - 1, 1) == 0)
        #expect(PrimeField.subtract(0, 1) == p - 1)
    }
}
