internal import EQMCrypto

/// The key derivations and commitments of a round, all bound to the protocol identifier and the
/// round configuration digest.
enum RoundKeys {
    /// Context of the XChaCha20-Poly1305 key two participants derive from their share-encryption keys.
    static func shareEncryptionContext(_ digest: [UInt8]) -> [UInt8] {
        var writer = CanonicalWriter(label: "share-encryption-key")
        writer.append(bytes: digest)
        return writer.bytes
    }

    /// Context of the ChaCha20 key two participants derive from their mask-agreement keys.
    static func pairwiseMaskContext(_ digest: [UInt8]) -> [UInt8] {
        var writer = CanonicalWriter(label: "pairwise-mask-key")
        writer.append(bytes: digest)
        return writer.bytes
    }

    /// BLAKE2b-256 over (round, owner, self-mask seed).
    static func selfMaskCommitment(_ digest: [UInt8], owner: Int, seed: UnsafeRawBufferPointer) -> [UInt8] {
        var writer = CanonicalWriter(label: "self-mask-commitment")
        writer.append(bytes: digest)
        writer.append(index: owner)
        let hasher = Blake2b.Hasher(length: 32)
        hasher.update(writer.bytes)
        hasher.update(seed)
        return hasher.finalize()
    }
}
