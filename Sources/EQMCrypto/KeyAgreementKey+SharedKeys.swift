internal import CSodium

extension KeyAgreementKey {
    /// The keys shared with each of `peers`, derived exactly as ``sharedKey(with:context:)`` does
    /// (BLAKE2b-256 over the X25519 result, both public keys in canonical order, and `context`),
    /// into one ``SecretKeyArray``: key i belongs to `peers[i]`.
    ///
    /// One guarded allocation and one hash input buffer serve all peers, which matters when a
    /// server derives thousands of keys to remove dropped participants' masks.
    ///
    /// - Throws: ``CryptoError`` `invalidKey` when a peer's key is a low-order point (the message
    ///   names its position).
    public func sharedKeys(with peers: [PublicKey], context: [UInt8]) throws(CryptoError) -> SecretKeyArray {
        Sodium.ensureInitialized()
        var failed: Int? = nil
        // point ‖ first public key ‖ second public key ‖ context: hashed in one call, the same
        // digest as the incremental hash of sharedKey(with:context:).
        var input = [UInt8](repeating: 0, count: 96 + context.count)
        input.replaceSubrange(96..., with: context)
        defer { sodium_memzero(&input, 32) }
        let keys = secretKey.withUnsafeBytes { secret in
            SecretKeyArray(count: peers.count) { index, out in
                guard failed == nil else { return }
                let peer = peers[index]
                let (first, second) = publicKey < peer ? (publicKey, peer) : (peer, publicKey)
                let status = input.withUnsafeMutableBufferPointer { buffer in
                    buffer.baseAddress!.advanced(by: 32).update(from: first.bytes, count: 32)
                    buffer.baseAddress!.advanced(by: 64).update(from: second.bytes, count: 32)
                    let status = crypto_scalarmult(
                        buffer.baseAddress!, secret.baseAddress!.assumingMemoryBound(to: UInt8.self), peer.bytes)
                    guard status == 0 else { return status }
                    return crypto_generichash(
                        out.baseAddress!.assumingMemoryBound(to: UInt8.self), 32,
                        buffer.baseAddress!, UInt64(buffer.count), nil, 0)
                }
                if status != 0 { failed = index }
            }
        }
        if let failed { throw CryptoError(.invalidKey, "the X25519 public key at position \(failed) is a low-order point") }
        return keys
    }
}
