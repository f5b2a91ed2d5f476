import EQMCrypto
import Testing

/// The EQMCrypto additions secure aggregation relies on.
@Suite("Key arrays, batched key agreement and keystream offsets")
struct CryptoAdditionsTests {
    @Test("batched shared keys equal one-by-one shared keys, from both sides")
    func batchedAgreement() throws {
        let me = KeyAgreementKey()
        let peers = (0..<5).map { _ in KeyAgreementKey() }
        let context = Array("round 7".utf8)
        let keys = try me.sharedKeys(with: peers.map(\.publicKey), context: context)
        #expect(keys.count == 5)
        for (index, peer) in peers.enumerated() {
            let single = try me.sharedKey(with: peer.publicKey, context: context)
            let theirs = try peer.sharedKey(with: me.publicKey, context: context)
            #expect(keys.key(at: index).constantTimeEquals(single))
            #expect(single.constantTimeEquals(theirs))
        }
        let lowOrder = try PublicKey(bytes: [UInt8](repeating: 0, count: 32))
        #expect(throws: CryptoError.self) { try me.sharedKeys(with: [peers[0].publicKey, lowOrder], context: context) }
    }

    @Test("keystream from a block offset equals the matching slice of the whole keystream")
    func blockOffset() throws {
        let key = SecretBytes.random(count: 32)
        let nonce = [UInt8](repeating: 7, count: 12)
        let whole = try ChaCha20Keystream.words(count: 1000, key: key, nonce: nonce)
        var tail = [UInt32](repeating: 0, count: 1000 - 320)
        try tail.withUnsafeMutableBufferPointer { (buffer) throws(CryptoError) in
            try ChaCha20Keystream.fill(buffer, key: key, nonce: nonce, startingAtBlock: 20)
        }
        #expect(Array(whole[320...]) == tail)
        let array = SecretKeyArray(count: 2) { index, out in
            if index == 1 {
                key.withUnsafeBytes { out.copyMemory(from: $0) }
            } else {
                out.initializeMemory(as: UInt8.self, repeating: 0)
            }
        }
        var fromArray = [UInt32](repeating: 0, count: 1000)
        try fromArray.withUnsafeMutableBufferPointer { (buffer) throws(CryptoError) in
            try ChaCha20Keystream.fill(buffer, keys: array, index: 1, nonce: nonce, startingAtBlock: 0)
        }
        #expect(fromArray == whole)
    }

    @Test("XChaCha20-Poly1305 under a key-array key interoperates with the single-key API")
    func keyArrayAEAD() throws {
        let keys = SecretKeyArray.random(count: 3)
        let sealed = XChaCha20Poly1305.seal([1, 2, 3], keys: keys, index: 2, associatedData: [9])
        #expect(try XChaCha20Poly1305.open(sealed, key: keys.key(at: 2), associatedData: [9]) == [1, 2, 3])
        #expect(throws: CryptoError.self) { try XChaCha20Poly1305.open(sealed, keys: keys, index: 1, associatedData: [9]) }
        #expect(throws: CryptoError.self) { try XChaCha20Poly1305.open(sealed, keys: keys, index: 2, associatedData: [8]) }
        #expect(keys.description == "SecretKeyArray(3 keys, redacted)")
    }
}
