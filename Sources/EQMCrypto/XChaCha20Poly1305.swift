internal import CSodium

/// Authenticated encryption with XChaCha20-Poly1305 (IETF construction, 192-bit random nonces).
///
/// A sealed message is `nonce (24 bytes) ‖ ciphertext ‖ tag (16 bytes)`. Associated data binds a
/// ciphertext to its context (file role, round, sender and recipient) without being encrypted.
public enum XChaCha20Poly1305 {
    /// Key length in bytes (32).
    public static var keyLength: Int { Int(crypto_aead_xchacha20poly1305_ietf_keybytes()) }
    /// Nonce length in bytes (24).
    public static var nonceLength: Int { Int(crypto_aead_xchacha20poly1305_ietf_npubbytes()) }
    /// Authentication tag length in bytes (16).
    public static var tagLength: Int { Int(crypto_aead_xchacha20poly1305_ietf_abytes()) }
    /// Bytes a sealed message adds to its plaintext.
    public static var overhead: Int { nonceLength + tagLength }

    /// Encrypts and authenticates `plaintext` under `key` with a fresh random nonce.
    public static func seal(_ plaintext: [UInt8], key: SecretBytes, associatedData: [UInt8] = []) throws(CryptoError) -> [UInt8] {
        guard key.count == keyLength else {
            throw CryptoError(.invalidKey, "XChaCha20-Poly1305 needs a \(keyLength)-byte key, found \(key.count) bytes")
        }
        return key.withUnsafeBytes { seal(plaintext, rawKey: $0, associatedData: associatedData) }
    }

    /// Verifies and decrypts a sealed message.
    ///
    /// - Throws: ``CryptoError`` `authenticationFailed` when the key or associated data is wrong or
    ///   the message was modified; `invalidInput` when it is too short to be a sealed message.
    public static func open(_ sealed: [UInt8], key: SecretBytes, associatedData: [UInt8] = []) throws(CryptoError) -> [UInt8] {
        guard key.count == keyLength else {
            throw CryptoError(.invalidKey, "XChaCha20-Poly1305 needs a \(keyLength)-byte key, found \(key.count) bytes")
        }
        return try key.withUnsafeBytes { raw in
            Result { () throws(CryptoError) in try open(sealed, rawKey: raw, associatedData: associatedData) }
        }.get()
    }

    /// The one sealing implementation; `rawKey` is a 32-byte key in guarded memory.
    static func seal(_ plaintext: [UInt8], rawKey: UnsafeRawBufferPointer, associatedData: [UInt8]) -> [UInt8] {
        Sodium.ensureInitialized()
        let nonceLength = self.nonceLength
        var output = [UInt8](repeating: 0, count: nonceLength + plaintext.count + tagLength)
        output.withUnsafeMutableBufferPointer { out in
            randombytes_buf(out.baseAddress!, nonceLength)
            var written: UInt64 = 0
            let status = plaintext.withUnsafeBufferPointer { p in
                associatedData.withUnsafeBufferPointer { ad in
                    crypto_aead_xchacha20poly1305_ietf_encrypt(
                        out.baseAddress! + nonceLength, &written, p.baseAddress, UInt64(p.count),
                        ad.baseAddress, UInt64(ad.count), nil, out.baseAddress!,
                        rawKey.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
            precondition(status == 0, "crypto_aead_xchacha20poly1305_ietf_encrypt failed")
        }
        return output
    }

    /// The one opening implementation; `rawKey` is a 32-byte key in guarded memory.
    static func open(_ sealed: [UInt8], rawKey: UnsafeRawBufferPointer, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard sealed.count >= overhead else {
            throw CryptoError(
                .invalidInput, "sealed message is \(sealed.count) bytes, shorter than the \(overhead)-byte nonce and tag")
        }
        Sodium.ensureInitialized()
        let nonceLength = self.nonceLength
        let length = sealed.count - overhead
        // At least one byte so the output pointer is never nil; trimmed below.
        var plaintext = [UInt8](repeating: 0, count: max(1, length))
        let status = plaintext.withUnsafeMutableBufferPointer { out in
            var written: UInt64 = 0
            return sealed.withUnsafeBufferPointer { s in
                associatedData.withUnsafeBufferPointer { ad in
                    crypto_aead_xchacha20poly1305_ietf_decrypt(
                        out.baseAddress!, &written, nil,
                        s.baseAddress! + nonceLength, UInt64(s.count - nonceLength), ad.baseAddress, UInt64(ad.count),
                        s.baseAddress!, rawKey.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
        }
        guard status == 0 else {
            throw CryptoError(
                .authenticationFailed, "ciphertext did not authenticate (wrong key, wrong context, or modified data)")
        }
        if length == 0 { plaintext.removeAll() }
        return plaintext
    }
}
