internal import CSodium

extension ChaCha20Keystream {
    /// Fills `words` with the keystream of `key` and `nonce` (12 bytes) starting at 64-byte block
    /// `block`, so that a long mask can be expanded in cache-sized pieces or by several threads:
    /// the words are exactly those at offset `16 × block` of ``fill(_:key:nonce:)``'s output.
    ///
    /// - Throws: ``CryptoError`` `invalidKey` or `invalidInput` for a wrong key or nonce length,
    ///   `invalidInput` when the range would pass the 32-bit block counter.
    public static func fill(
        _ words: UnsafeMutableBufferPointer<UInt32>, key: SecretBytes, nonce: [UInt8],
        startingAtBlock block: UInt32
    ) throws(CryptoError) {
        guard key.count == 32 else { throw CryptoError(.invalidKey, "a ChaCha20 key is 32 bytes, found \(key.count)") }
        var failure: CryptoError?
        key.withUnsafeBytes { k in
            do throws(CryptoError) { try fill(words, key: k, nonce: nonce, startingAtBlock: block) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The same, with key `index` of a ``SecretKeyArray``.
    public static func fill(
        _ words: UnsafeMutableBufferPointer<UInt32>, keys: SecretKeyArray, index: Int, nonce: [UInt8],
        startingAtBlock block: UInt32
    ) throws(CryptoError) {
        var failure: CryptoError?
        keys.withUnsafeBytes(of: index) { k in
            do throws(CryptoError) { try fill(words, key: k, nonce: nonce, startingAtBlock: block) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private static func fill(
        _ words: UnsafeMutableBufferPointer<UInt32>, key: UnsafeRawBufferPointer, nonce: [UInt8],
        startingAtBlock block: UInt32
    ) throws(CryptoError) {
        guard nonce.count == 12 else {
            throw CryptoError(.invalidInput, "a ChaCha20 (IETF) nonce is 12 bytes, found \(nonce.count)")
        }
        guard let base = words.baseAddress, words.count > 0 else { return }
        let blocks = (UInt64(words.count) + 15) / 16
        guard UInt64(block) + blocks <= (1 << 32) else {
            throw CryptoError(
                .invalidInput, "keystream blocks \(block)..<\(UInt64(block) + blocks) pass the 32-bit block counter")
        }
        Sodium.ensureInitialized()
        let bytes = UnsafeMutableRawPointer(base).assumingMemoryBound(to: UInt8.self)
        let length = words.count * 4
        // The xor form with an initial counter over zeroes is libsodium's own keystream path; up to
        // 64 KiB the zeroes come from a shared constant instead of clearing the output first.
        if length <= zeroes.count {
            zeroes.withUnsafeBufferPointer { input in
                _ = crypto_stream_chacha20_ietf_xor_ic(
                    bytes, input.baseAddress!, UInt64(length), nonce, block,
                    key.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        } else {
            words.update(repeating: 0)
            _ = crypto_stream_chacha20_ietf_xor_ic(
                bytes, bytes, UInt64(length), nonce, block,
                key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        #if _endian(big)
            for index in words.indices { words[index] = UInt32(littleEndian: words[index]) }
        #endif
    }
}

/// 64 KiB of zeroes, the input of keystream requests (immutable, so shared by all threads).
private let zeroes = [UInt8](repeating: 0, count: 1 << 16)
