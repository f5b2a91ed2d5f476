internal import CSodium

/// Derives symmetric keys from passphrases with Argon2id (libsodium `crypto_pwhash`, version 1.3).
public enum PasswordKeyDerivation {
    /// Argon2id cost parameters, stored next to the salt so a key can be derived again.
    public struct Parameters: Codable, Hashable, Sendable {
        /// Passes over memory (libsodium's opslimit).
        public var operations: UInt64
        /// Memory in bytes (libsodium's memlimit).
        public var memoryBytes: UInt64

        /// Creates parameters, checking libsodium's bounds.
        public init(operations: UInt64, memoryBytes: UInt64) throws(CryptoError) {
            guard operations >= UInt64(crypto_pwhash_opslimit_min()), operations <= 64,
                memoryBytes >= UInt64(crypto_pwhash_memlimit_min()), memoryBytes <= 4 << 30
            else {
                throw CryptoError(
                    .invalidInput,
                    "Argon2id needs operations in \(crypto_pwhash_opslimit_min())...64 and memory in \(crypto_pwhash_memlimit_min())...4 GiB, found \(operations) and \(memoryBytes) bytes"
                )
            }
            self.operations = operations
            self.memoryBytes = memoryBytes
        }

        /// libsodium's "moderate" limits (3 passes, 256 MiB): the default for a node's store.
        public static var moderate: Parameters {
            try! Parameters(
                operations: UInt64(crypto_pwhash_opslimit_moderate()), memoryBytes: UInt64(crypto_pwhash_memlimit_moderate()))
        }

        /// libsodium's "interactive" limits (2 passes, 64 MiB).
        public static var interactive: Parameters {
            try! Parameters(
                operations: UInt64(crypto_pwhash_opslimit_interactive()),
                memoryBytes: UInt64(crypto_pwhash_memlimit_interactive()))
        }
    }

    /// Salt length in bytes (16).
    public static var saltLength: Int { Int(crypto_pwhash_saltbytes()) }

    /// A fresh random salt.
    public static func randomSalt() -> [UInt8] { SecureRandom.bytes(count: saltLength) }

    /// Derives a `length`-byte key from a passphrase; the passphrase array is zeroed afterwards.
    public static func deriveKey(
        passphrase: inout [UInt8], salt: [UInt8], parameters: Parameters,
        length: Int = 32
    ) throws(CryptoError) -> SecretBytes {
        defer { passphrase.withUnsafeMutableBytes { if let base = $0.baseAddress { sodium_memzero(base, $0.count) } } }
        guard salt.count == saltLength else {
            throw CryptoError(.invalidInput, "Argon2id salt must be \(saltLength) bytes, found \(salt.count)")
        }
        guard !passphrase.isEmpty else { throw CryptoError(.invalidInput, "passphrase is empty") }
        Sodium.ensureInitialized()
        var failed = false
        let key = SecretBytes(count: length) { out in
            let status = passphrase.withUnsafeBufferPointer { p in
                salt.withUnsafeBufferPointer { s in
                    p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { chars in
                        crypto_pwhash(
                            out.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(length), chars, UInt64(p.count),
                            s.baseAddress!, parameters.operations, Int(parameters.memoryBytes), crypto_pwhash_alg_argon2id13())
                    }
                }
            }
            failed = status != 0
        }
        guard !failed else {
            throw CryptoError(.keyDerivationFailed, "Argon2id failed (needs \(parameters.memoryBytes >> 20) MiB of memory)")
        }
        return key
    }
}
