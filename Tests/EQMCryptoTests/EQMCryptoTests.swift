import EQMCrypto
import Testing

@Suite("libsodium wrapper")
struct EQMCryptoTests {
    @Test("libsodium initialises and reports its version")
    func version() {
        #expect(Sodium.version.hasPrefix("1."))
    }

    @Test("BLAKE2b-256 matches the published test vector for the empty input")
    func blake2b() {
        let digest = Blake2b.hash([UInt8]())
        let hex = digest.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        #expect(hex == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")
    }

    @Test("secure random bytes differ between draws and cover all byte values")
    func randomness() {
        let a = SecureRandom.bytes(count: 4096), b = SecureRandom.bytes(count: 4096)
        #expect(a != b)
        #expect(Set(a).count == 256)
        var generator = SecureRandomGenerator(bufferSize: 4)
        let values = (0..<64).map { _ in generator.next() }
        #expect(Set(values).count == 64)  // refills across buffer boundaries keep producing fresh values
    }

    @Test("constant-time comparison")
    func constantTime() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([], []))
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
