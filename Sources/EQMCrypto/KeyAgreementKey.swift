internal import CSodium

/// An X25519 key pair for key agreement and sealed boxes (libsodium `crypto_scalarmult`,
/// `crypto_box_seal`). Secure aggregation uses two per round per node: one to encrypt shares,
/// one to agree pairwise masks.
public struct KeyAgreementKey: Sendable {
    private let secret: SecretBytes
    /// The public key.
    public let publicKey: PublicKey

    /// A new random key pair.
    public init() {
        Sodium.ensureInitialized()
        var publicBytes = [UInt8](repeating: 0, count: 32)
        secret = SecretBytes(count: 32) { out in
            _ = crypto_box_keypair(&publicBytes, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        publicKey = try! PublicKey(bytes: publicBytes)
    }

    /// The key pair of a stored 32-byte secret.
    public init(secret: SecretBytes) throws(CryptoError) {
        guard secret.count == 32 else {
            throw CryptoError(.invalidKey, "an X25519 secret key is 32 bytes, found \(secret.count)")
        }
        Sodium.ensureInitialized()
        var publicBytes = [UInt8](repeating: 0, count: 32)
        secret.withUnsafeBytes { s in _ = crypto_scalarmult_base(&publicBytes, s.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        self.secret = secret
        self.publicKey = try PublicKey(bytes: publicBytes)
    }

    /// The secret scalar, to persist or to hand to Shamir sharing (keep it encrypted).
    public var secretKey: SecretBytes { secret }

    /// A 32-byte key shared with `peer`: BLAKE2b-256 over the X25519 result, both public keys in a
    /// canonical order, and `context` (protocol, round), so a key is bound to this pair and purpose.
    ///
    /// - Throws: ``CryptoError`` `invalidKey` when the peer's key is a low-order point.
    public func sharedKey(with peer: PublicKey, context: [UInt8]) throws(CryptoError) -> SecretBytes {
        var point = [UInt8](repeating: 0, count: 32)
        let status = secret.withUnsafeBytes { s in
            crypto_scalarmult(&point, s.baseAddress!.assumingMemoryBound(to: UInt8.self), peer.bytes)
        }
        defer { sodium_memzero(&point, 32) }
        guard status == 0 else { throw CryptoError(.invalidKey, "the peer's X25519 public key is a low-order point") }
        let (first, second) = publicKey < peer ? (publicKey, peer) : (peer, publicKey)
        let hasher = Blake2b.Hasher(length: 32)
        hasher.update(point)
        hasher.update(first.bytes)
        hasher.update(second.bytes)
        hasher.update(context)
        var digest = hasher.finalize()
        return SecretBytes(consuming: &digest)
    }

    /// Opens a sealed box addressed to this key.
    public func open(sealedBox: [UInt8]) throws(CryptoError) -> [UInt8] {
        let overhead = Int(crypto_box_sealbytes())
        guard sealedBox.count >= overhead else {
            throw CryptoError(.invalidInput, "sealed box is \(sealedBox.count) bytes, shorter than its \(overhead)-byte overhead")
        }
        let length = sealedBox.count - overhead
        // At least one byte so the output pointer is never nil; trimmed below.
        var message = [UInt8](repeating: 0, count: max(1, length))
        let status = secret.withUnsafeBytes { s in
            message.withUnsafeMutableBufferPointer { out in
                crypto_box_seal_open(
                    out.baseAddress!, sealedBox, UInt64(sealedBox.count), publicKey.bytes,
                    s.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        guard status == 0 else {
            throw CryptoError(.authenticationFailed, "sealed box did not open: not addressed to this key, or modified")
        }
        return Array(message.prefix(length))
    }
}

extension PublicKey {
    /// Seals `message` anonymously to this X25519 key (`crypto_box_seal`). Anyone can seal; only the
    /// key's owner can open; sender authentication comes from signatures, not from the box.
    public func seal(_ message: [UInt8]) -> [UInt8] {
        Sodium.ensureInitialized()
        var box = [UInt8](repeating: 0, count: message.count + Int(crypto_box_sealbytes()))
        message.withUnsafeBufferPointer { m in
            _ = crypto_box_seal(&box, m.baseAddress, UInt64(m.count), bytes)
        }
        return box
    }
}
