import EQMAPI
import EQMCompliance
import EQMCore
public import EQMCrypto
import EQMProtocols
public import Foundation
import HTTPTypes
import Logging

/// The coordinator's long-term secrets, kept in one key file (mode 0600) that every replica of
/// a deployment shares: the Ed25519 key that signs model versions, ledger and audit checkpoints
/// and consent receipts, and a storage key that seals per-round secrets in the database and keys
/// the subject digests of erasure tombstones.
///
/// File format: the 8 ASCII bytes `EQMCKEY1`, the 32-byte Ed25519 seed, the 32-byte storage key.
public final class CoordinatorIdentity: Sendable {
    /// The file's magic and version.
    static let magic = Array("EQMCKEY1".utf8)
    static let fileLength = 8 + 32 + 32

    /// Signs releases, checkpoints and receipts.
    public let signingKey: SigningKey
    /// Seals round secrets at rest (XChaCha20-Poly1305).
    public let storageKey: SecretBytes
    /// Keys erasure digests (derived from the storage key).
    public let digestKey: SecretBytes

    /// The public half of the signing key, which auditors and nodes trust.
    public var publicKey: PublicKey { signingKey.publicKey }

    /// Creates an identity from its two secrets.
    public init(signingKey: SigningKey, storageKey: SecretBytes) {
        self.signingKey = signingKey
        self.storageKey = storageKey
        digestKey = SecretBytes(count: 32) { out in
            let hasher = Blake2b.Hasher(length: 32)
            storageKey.withUnsafeBytes { hasher.update($0) }
            hasher.update(Array("|eqm.coordinator.erasure-digest-key".utf8))
            var digest = hasher.finalize()
            out.copyMemory(from: UnsafeRawBufferPointer(start: &digest, count: 32))
            digest.withUnsafeMutableBytes { SecureMemory.zero($0) }
        }
    }

    /// A fresh identity from libsodium's randomness.
    public static func generate() -> CoordinatorIdentity {
        CoordinatorIdentity(signingKey: SigningKey(), storageKey: SecretBytes.random(count: 32))
    }

    /// Loads the key file, or creates it (mode 0600, parent folders as needed) when absent.
    ///
    /// - Throws: ``CoordinatorError`` when the file is readable by others, has the wrong size or
    ///   magic, or cannot be written.
    public static func loadOrCreate(at url: URL) throws(CoordinatorError) -> (identity: CoordinatorIdentity, created: Bool) {
        let manager = FileManager.default
        if manager.fileExists(atPath: url.path) { return (try load(from: url), false) }
        let identity = generate()
        try identity.write(to: url)
        return (identity, true)
    }

    /// Loads an existing key file.
    public static func load(from url: URL) throws(CoordinatorError) -> CoordinatorIdentity {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: url.path) } catch {
            throw CoordinatorError(.configuration, "cannot read the coordinator key file \(url.path)")
        }
        if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw CoordinatorError(
                .configuration,
                "the coordinator key file \(url.path) is readable by other users (mode \(String(mode, radix: 8))); run chmod 600 on it"
            )
        }
        guard var bytes = try? [UInt8](Data(contentsOf: url)) else {
            throw CoordinatorError(.configuration, "cannot read the coordinator key file \(url.path)")
        }
        defer { bytes.withUnsafeMutableBytes { SecureMemory.zero($0) } }
        guard bytes.count == fileLength, Array(bytes[0..<8]) == magic else {
            throw CoordinatorError(
                .configuration, "\(url.path) is not an EQM coordinator key file (expected \(fileLength) bytes starting EQMCKEY1)")
        }
        let seed = SecretBytes(count: 32) { $0.copyBytes(from: bytes[8..<40]) }
        let storage = SecretBytes(count: 32) { $0.copyBytes(from: bytes[40..<72]) }
        guard let signing = try? SigningKey(seed: seed) else {
            throw CoordinatorError(.configuration, "the coordinator key file \(url.path) holds an invalid signing seed")
        }
        return CoordinatorIdentity(signingKey: signing, storageKey: storage)
    }

    /// Writes the key file atomically with mode 0600.
    public func write(to url: URL) throws(CoordinatorError) {
        var bytes = Self.magic
        signingKey.seed.withUnsafeBytes { bytes.append(contentsOf: $0) }
        storageKey.withUnsafeBytes { bytes.append(contentsOf: $0) }
        defer { bytes.withUnsafeMutableBytes { SecureMemory.zero($0) } }
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = url.appendingPathExtension("tmp-\(getpid())")
            guard manager.createFile(atPath: temporary.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
            else { throw CoordinatorError(.configuration, "cannot write the coordinator key file \(url.path)") }
            if manager.fileExists(atPath: url.path) { try manager.removeItem(at: url) }
            try manager.moveItem(at: temporary, to: url)
        } catch let error as CoordinatorError {
            throw error
        } catch {
            throw CoordinatorError(
                .configuration, "cannot write the coordinator key file \(url.path): \(error.localizedDescription)")
        }
    }

    /// Seals a per-round secret for storage, bound to its round.
    func seal(_ secret: SecretBytes, context: String) throws(CoordinatorError) -> [UInt8] {
        var plain = secret.withUnsafeBytes { [UInt8]($0) }
        defer { plain.withUnsafeMutableBytes { SecureMemory.zero($0) } }
        do {
            return try XChaCha20Poly1305.seal(plain, key: storageKey, associatedData: Array("eqm.round-key|\(context)".utf8))
        } catch {
            throw CoordinatorError(.internal, "cannot seal a round key")
        }
    }

    /// Opens a sealed per-round secret.
    func open(_ sealed: [UInt8], context: String) throws(CoordinatorError) -> SecretBytes {
        guard
            var plain = try? XChaCha20Poly1305.open(
                sealed, key: storageKey, associatedData: Array("eqm.round-key|\(context)".utf8))
        else { throw CoordinatorError(.internal, "a stored round key does not open with this coordinator's key file") }
        return SecretBytes(consuming: &plain)
    }
}
