import EQMCrypto
import Testing

@Suite("XChaCha20-Poly1305, Argon2id and guarded secrets")
struct SymmetricCryptoTests {
    @Test("seal and open round-trip, with and without associated data, including the empty message")
    func roundTrip() throws {
        let key = SecretBytes.random(count: 32)
        for message in [[UInt8](), Array("heart rate 72".utf8), SecureRandom.bytes(count: 100_000)] {
            let sealed = try XChaCha20Poly1305.seal(message, key: key, associatedData: Array("segment-7".utf8))
            #expect(sealed.count == message.count + XChaCha20Poly1305.overhead)
            #expect(try XChaCha20Poly1305.open(sealed, key: key, associatedData: Array("segment-7".utf8)) == message)
        }
    }

    @Test("fresh nonces: the same message sealed twice differs")
    func nonces() throws {
        let key = SecretBytes.random(count: 32)
        #expect(try XChaCha20Poly1305.seal([1, 2, 3], key: key) != XChaCha20Poly1305.seal([1, 2, 3], key: key))
    }

    @Test("wrong key, wrong associated data, any flipped bit and truncation are refused")
    func tampering() throws {
        let key = SecretBytes.random(count: 32)
        let sealed = try XChaCha20Poly1305.seal(Array("stress".utf8), key: key, associatedData: [1])
        func code(_ body: () throws -> [UInt8]) -> CryptoError.Code? {
            do { _ = try body(); return nil } catch { return (error as? CryptoError)?.code }
        }
        #expect(
            code { try XChaCha20Poly1305.open(sealed, key: SecretBytes.random(count: 32), associatedData: [1]) }
                == .authenticationFailed)
        #expect(code { try XChaCha20Poly1305.open(sealed, key: key, associatedData: [2]) } == .authenticationFailed)
        for index in [0, 24, sealed.count - 1] {
            var modified = sealed
            modified[index] ^= 0x80
            #expect(code { try XChaCha20Poly1305.open(modified, key: key, associatedData: [1]) } == .authenticationFailed)
        }
        #expect(code { try XChaCha20Poly1305.open(Array(sealed.prefix(20)), key: key) } == .invalidInput)
        #expect(code { try XChaCha20Poly1305.seal([1], key: SecretBytes.random(count: 16)) } == .invalidKey)
    }

    @Test("Argon2id is deterministic for passphrase and salt, differs by salt and passphrase, and zeroes the passphrase")
    func argon2id() throws {
        let parameters = try PasswordKeyDerivation.Parameters(operations: 1, memoryBytes: 8 << 20)
        let salt = PasswordKeyDerivation.randomSalt()
        var first = Array("correct horse".utf8), second = Array("correct horse".utf8), other = Array("correct horsf".utf8)
        let a = try PasswordKeyDerivation.deriveKey(passphrase: &first, salt: salt, parameters: parameters)
        let b = try PasswordKeyDerivation.deriveKey(passphrase: &second, salt: salt, parameters: parameters)
        let c = try PasswordKeyDerivation.deriveKey(passphrase: &other, salt: salt, parameters: parameters)
        var again = Array("correct horse".utf8)
        let d = try PasswordKeyDerivation.deriveKey(
            passphrase: &again, salt: PasswordKeyDerivation.randomSalt(), parameters: parameters)
        #expect(a.constantTimeEquals(b))
        #expect(!a.constantTimeEquals(c))
        #expect(!a.constantTimeEquals(d))
        #expect(first.allSatisfy { $0 == 0 })
        #expect(throws: CryptoError.self) { try PasswordKeyDerivation.Parameters(operations: 0, memoryBytes: 1) }
    }

    @Test("secrets never print their bytes, and moving bytes in zeroes the source")
    func redaction() {
        var bytes: [UInt8] = [0xAB, 0xCD, 0xEF, 0x12]
        let secret = SecretBytes(consuming: &bytes)
        #expect(bytes == [0, 0, 0, 0])
        #expect(secret.description == "SecretBytes(4 bytes, redacted)")
        #expect(secret.withUnsafeBytes { Array($0) } == [0xAB, 0xCD, 0xEF, 0x12])
    }
}
