internal import CSodium

/// ChaCha20 (IETF, 96-bit nonce) keystreams from a full 256-bit key: the mask generator of secure
/// aggregation. Each mask word is 32 bits of keystream; the key is never folded into a shorter seed.
public enum ChaCha20Keystream {
    /// Fills `words` with the keystream of `key` and `nonce` (12 bytes), starting at block 0.
    public static func fill(_ words: UnsafeMutableBufferPointer<UInt32>, key: SecretBytes, nonce: [UInt8]) throws(CryptoError) {
        guard key.count == 32 else { throw CryptoError(.invalidKey, "a ChaCha20 key is 32 bytes, found \(key.count)") }
        guard nonce.count == 12 else {
            throw CryptoError(.invalidInput, "a ChaCha20 (IETF) nonce is 12 bytes, found \(nonce.count)")
        }
        guard let base = words.baseAddress, words.count > 0 else { return }
        Sodium.ensureInitialized()
        // The IETF variant's 32-bit block counter covers 256 GiB of keystream per nonce.
        precondition(words.count <= (1 << 36), "keystream request too long for one nonce")
        key.withUnsafeBytes { k in
            _ = crypto_stream_chacha20_ietf(
                UnsafeMutableRawPointer(base).assumingMemoryBound(to: UInt8.self),
                UInt64(words.count * 4), nonce, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        // The keystream is bytes; read words little-endian on every platform.
        for index in words.indices { words[index] = UInt32(littleEndian: words[index]) }
    }

    /// Returns `count` keystream words.
    public static func words(count: Int, key: SecretBytes, nonce: [UInt8]) throws(CryptoError) -> [UInt32] {
        var words = [UInt32](repeating: 0, count: count)
        try words.withUnsafeMutableBufferPointer { (buffer) throws(CryptoError) in try fill(buffer, key: key, nonce: nonce) }
        return words
    }
}
