import EQMCrypto
import Foundation
import Testing

@Suite("Ed25519, X25519, sealed boxes and ChaCha20 keystreams")
struct PublicKeyCryptoTests {
    @Test("Ed25519 signatures verify, and fail for another message, key or a modified signature; seeds restore keys")
    func signatures() throws {
        let key = SigningKey()
        let message = Array("round 7 keys".utf8)
        let signature = key.sign(message)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(signature, for: Array("round 8 keys".utf8)))
        #expect(!SigningKey().publicKey.isValidSignature(signature, for: message))
        var modified = signature
        modified[10] ^= 1
        #expect(!key.publicKey.isValidSignature(modified, for: message))
        #expect(!key.publicKey.isValidSignature(Array(signature.prefix(63)), for: message))
        let restored = try SigningKey(seed: key.seed)
        #expect(restored.publicKey == key.publicKey)
    }

    @Test("X25519 shared keys agree between the two sides and depend on the pair and the context")
    func agreement() throws {
        let alice = KeyAgreementKey(), bob = KeyAgreementKey(), carol = KeyAgreementKey()
        let context = Array("secagg round 3".utf8)
        let ab = try alice.sharedKey(with: bob.publicKey, context: context)
        let ba = try bob.sharedKey(with: alice.publicKey, context: context)
        #expect(ab.constantTimeEquals(ba))
        #expect(!ab.constantTimeEquals(try alice.sharedKey(with: carol.publicKey, context: context)))
        #expect(!ab.constantTimeEquals(try alice.sharedKey(with: bob.publicKey, context: Array("secagg round 4".utf8))))
        // A low-order point (all zeros) is refused rather than yielding a predictable key.
        #expect(throws: CryptoError.self) {
            try alice.sharedKey(with: PublicKey(bytes: [UInt8](repeating: 0, count: 32)), context: context)
        }
        let restored = try KeyAgreementKey(secret: alice.secretKey)
        #expect(restored.publicKey == alice.publicKey)
    }

    @Test("sealed boxes open only for their recipient and detect modification")
    func sealedBoxes() throws {
        let coordinator = KeyAgreementKey()
        for message in [[UInt8](), Array("masked vector".utf8)] {
            let box = coordinator.publicKey.seal(message)
            #expect(try coordinator.open(sealedBox: box) == message)
            #expect(throws: CryptoError.self) { try KeyAgreementKey().open(sealedBox: box) }
            var modified = box
            modified[modified.count - 1] ^= 1
            #expect(throws: CryptoError.self) { try coordinator.open(sealedBox: modified) }
        }
    }

    @Test("ChaCha20 keystream matches RFC 8439's test vector and depends on key and nonce")
    func keystream() throws {
        var zeroKey = [UInt8](repeating: 0, count: 32)
        let key = SecretBytes(consuming: &zeroKey)
        let words = try ChaCha20Keystream.words(count: 4, key: key, nonce: [UInt8](repeating: 0, count: 12))
        // RFC 8439 A.1, test vector 1: keystream bytes 76 b8 e0 ad a0 f1 3d 90 40 5d 6a e5 53 86 bd 28.
        #expect(words == [0xADE0_B876, 0x903D_F1A0, 0xE56A_5D40, 0x28BD_8653])
        let other = try ChaCha20Keystream.words(
            count: 4, key: SecretBytes.random(count: 32), nonce: [UInt8](repeating: 0, count: 12))
        #expect(other != words)
        var nonce = [UInt8](repeating: 0, count: 12)
        nonce[0] = 1
        #expect(try ChaCha20Keystream.words(count: 4, key: key, nonce: nonce) != words)
        #expect(throws: CryptoError.self) { try ChaCha20Keystream.words(count: 1, key: key, nonce: [0]) }
    }

    @Test("public keys round-trip through hex and JSON; secrets do not print")
    func encoding() throws {
        let key = SigningKey().publicKey
        #expect(try PublicKey(hex: key.hex) == key)
        let json = try JSONEncoder().encode([key])
        #expect(try JSONDecoder().decode([PublicKey].self, from: json) == [key])
        #expect(throws: CryptoError.self) { try PublicKey(hex: "zz") }
        #expect(!"\(KeyAgreementKey().secretKey)".contains("0x"))
    }
}

@Suite("Hexadecimal")
struct HexTests {
    @Test("encode and decode round-trip; odd lengths and non-hex characters are refused")
    func roundTrip() {
        let bytes: [UInt8] = [0, 1, 0x0F, 0x10, 0xAB, 0xFF]
        #expect(bytes.hexString == "00010f10abff")
        #expect([UInt8](hex: "00010F10ABff") == bytes)
        #expect([UInt8](hex: "abc") == nil)
        #expect([UInt8](hex: "zz") == nil)
        #expect([UInt8](hex: "") == [])
    }
}
