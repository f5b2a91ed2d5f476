internal import CSodium

/// An Ed25519 identity key (libsodium `crypto_sign`): a node's or the coordinator's long-term key.
///
/// The secret half lives in guarded memory and is zeroed when the key is released.
public struct SigningKey: Sendable {
    /// The 64-byte libsodium secret key (seed and public key).
    private let secret: SecretBytes
    /// The public verification key.
    public let publicKey: PublicKey

    /// Signature length in bytes (64).
    public static var signatureLength: Int { Int(crypto_sign_bytes()) }

    /// A new random key.
    public init() {
        Sodium.ensureInitialized()
        var publicBytes = [UInt8](repeating: 0, count: Int(crypto_sign_publickeybytes()))
        secret = SecretBytes(count: Int(crypto_sign_secretkeybytes())) { out in
            _ = crypto_sign_keypair(&publicBytes, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        publicKey = try! PublicKey(bytes: publicBytes)
    }

    /// The key derived from a 32-byte seed (how a stored key is loaded).
    public init(seed: SecretBytes) throws(CryptoError) {
        guard seed.count == Int(crypto_sign_seedbytes()) else {
            throw CryptoError(.invalidKey, "an Ed25519 seed is \(crypto_sign_seedbytes()) bytes, found \(seed.count)")
        }
        Sodium.ensureInitialized()
        var publicBytes = [UInt8](repeating: 0, count: Int(crypto_sign_publickeybytes()))
        secret = SecretBytes(count: Int(crypto_sign_secretkeybytes())) { out in
            seed.withUnsafeBytes { s in
                _ = crypto_sign_seed_keypair(
                    &publicBytes, out.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    s.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        publicKey = try PublicKey(bytes: publicBytes)
    }

    /// The 32-byte seed, to persist the key (keep it encrypted).
    public var seed: SecretBytes {
        SecretBytes(count: Int(crypto_sign_seedbytes())) { out in
            secret.withUnsafeBytes { s in
                _ = crypto_sign_ed25519_sk_to_seed(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    s.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
    }

    /// A detached signature of `message`.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Self.signatureLength)
        secret.withUnsafeBytes { s in
            message.withUnsafeBufferPointer { m in
                _ = crypto_sign_detached(
                    &signature, nil, m.baseAddress, UInt64(m.count), s.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return signature
    }
}

extension PublicKey {
    /// Whether `signature` is a valid Ed25519 signature of `message` under this key.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == SigningKey.signatureLength else { return false }
        Sodium.ensureInitialized()
        return message.withUnsafeBufferPointer { m in
            crypto_sign_verify_detached(signature, m.baseAddress, UInt64(m.count), bytes) == 0
        }
    }
}
