internal import CSodium

extension XChaCha20Poly1305 {
    /// ``seal(_:key:associatedData:)`` under key `index` of a ``SecretKeyArray``.
    public static func seal(_ plaintext: [UInt8], keys: SecretKeyArray, index: Int, associatedData: [UInt8] = []) -> [UInt8] {
        Sodium.ensureInitialized()
        var output = [UInt8](repeating: 0, count: nonceLength + plaintext.count + tagLength)
        let nonceLength = self.nonceLength
        output.withUnsafeMutableBufferPointer { out in
            randombytes_buf(out.baseAddress!, nonceLength)
            var written: UInt64 = 0
            let status = keys.withUnsafeBytes(of: index) { k in
                plaintext.withUnsafeBufferPointer { p in
                    associatedData.withUnsafeBufferPointer { ad in
                        crypto_aead_xchacha20poly1305_ietf_encrypt(
                            out.baseAddress! + nonceLength, &written, p.baseAddress, UInt64(p.count),
                            ad.baseAddress, UInt64(ad.count), nil, out.baseAddress!,
                            k.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
            precondition(status == 0, "crypto_aead_xchacha20poly1305_ietf_encrypt failed")
        }
        return output
    }

    /// ``open(_:key:associatedData:)`` under key `index` of a ``SecretKeyArray``.
    ///
    /// - Throws: ``CryptoError`` `authenticationFailed` or `invalidInput`, as ``open(_:key:associatedData:)``.
    public static func open(_ sealed: [UInt8], keys: SecretKeyArray, index: Int, associatedData: [UInt8] = []) throws(CryptoError)
        -> [UInt8]
    {
        guard sealed.count >= overhead else {
            throw CryptoError(
                .invalidInput, "sealed message is \(sealed.count) bytes, shorter than the \(overhead)-byte nonce and tag")
        }
        Sodium.ensureInitialized()
        let nonceLength = self.nonceLength
        let length = sealed.count - overhead
        var plaintext = [UInt8](repeating: 0, count: max(1, length))
        let status = plaintext.withUnsafeMutableBufferPointer { out in
            var written: UInt64 = 0
            return keys.withUnsafeBytes(of: index) { k in
                sealed.withUnsafeBufferPointer { s in
                    associatedData.withUnsafeBufferPointer { ad in
                        crypto_aead_xchacha20poly1305_ietf_decrypt(
                            out.baseAddress!, &written, nil,
                            s.baseAddress! + nonceLength, UInt64(s.count - nonceLength), ad.baseAddress, UInt64(ad.count),
                            s.baseAddress!, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
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
