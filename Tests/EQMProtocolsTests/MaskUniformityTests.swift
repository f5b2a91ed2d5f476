import EQMCrypto
import EQMProtocols
import Testing

@Suite("Masked vectors look uniform")
struct MaskUniformityTests {
    /// χ² statistic of byte counts against the uniform distribution over 256 values.
    static func chiSquare(_ bytes: [UInt8]) -> Double {
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        let expected = Double(bytes.count) / 256
        return counts.reduce(0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    }

    // χ²(255) quantiles at 10⁻⁶ and 1 − 10⁻⁶: a fixed tolerance a uniform vector fails once in 500,000 runs.
    static let lower = 161.65, upper = 377.08

    @Test("a single masked vector of a constant input passes χ² on its high bytes and on all bytes")
    func singleMaskedVector() throws {
        let dimension = 65_536
        var round = try RoundHarness(participants: 5, neighbors: 4, threshold: 3, dimension: dimension)
        _ = try round.advertise()
        _ = try round.share()
        // The most structured input there is: every coordinate the same small value.
        let input = [UInt32](repeating: 3, count: dimension)
        let sealed = try round.clients[2].receive(try round.server.shareDelivery(for: 2), input: input)
        let masked = try round.open(sealed, as: MaskedInputMessage.self).vector
        let highBytes = masked.map { UInt8($0 >> 24) }
        let allBytes = masked.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8 & 0xFF), UInt8($0 >> 16 & 0xFF), UInt8($0 >> 24)] }
        let high = Self.chiSquare(highBytes), all = Self.chiSquare(Array(allBytes.prefix(dimension)))
        #expect(high > Self.lower && high < Self.upper, "χ² of high bytes \(high)")
        #expect(all > Self.lower && all < Self.upper, "χ² of all bytes \(all)")
        // The test can fail: the unmasked input is far from uniform.
        #expect(Self.chiSquare(input.map { UInt8($0 & 0xFF) }) > Self.upper)
        // A vector masked only by pairwise masks of a small cohort is still uniform: also check
        // that two clients' masked vectors differ everywhere but by chance.
        let other = try round.open(
            try round.clients[3].receive(try round.server.shareDelivery(for: 3), input: input),
            as: MaskedInputMessage.self
        ).vector
        #expect(zip(masked, other).filter { $0 == $1 }.count < 10)
    }
}
