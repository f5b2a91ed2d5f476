internal import CSodium

/// BLAKE2b (libsodium `crypto_generichash`), used for checksums of model files and hash chains.
public enum Blake2b {
    /// The default digest length in bytes (256 bits).
    public static let defaultLength = 32

    /// Returns the BLAKE2b digest of `data`.
    public static func hash(_ data: UnsafeRawBufferPointer, length: Int = defaultLength) -> [UInt8] {
        precondition(
            length >= Int(crypto_generichash_bytes_min()) && length <= Int(crypto_generichash_bytes_max()),
            "BLAKE2b digest length out of range")
        Sodium.ensureInitialized()
        var digest = [UInt8](repeating: 0, count: length)
        let status = digest.withUnsafeMutableBufferPointer { out in
            crypto_generichash(
                out.baseAddress!, length, data.baseAddress?.assumingMemoryBound(to: UInt8.self),
                UInt64(data.count), nil, 0)
        }
        precondition(status == 0, "crypto_generichash failed")
        return digest
    }

    /// Returns the BLAKE2b digest of a byte array.
    public static func hash(_ bytes: [UInt8], length: Int = defaultLength) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0, length: length) }
    }
}

/// Constant-time comparisons for secrets (tokens, MACs, checksums).
public enum ConstantTime {
    /// Whether two byte sequences are equal, in time independent of where they differ.
    /// Sequences of different lengths are unequal (the length itself is not secret).
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        Sodium.ensureInitialized()
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in sodium_memcmp(pa.baseAddress!, pb.baseAddress!, a.count) == 0 }
        }
    }
}

extension Blake2b {
    /// Incremental BLAKE2b, for hashing files that do not fit in memory.
    public final class Hasher {
        private let state: UnsafeMutableRawPointer
        private let length: Int
        private var finished = false

        /// Starts a hash of `length` bytes (default 32).
        public init(length: Int = Blake2b.defaultLength) {
            precondition(
                length >= Int(crypto_generichash_bytes_min()) && length <= Int(crypto_generichash_bytes_max()),
                "BLAKE2b digest length out of range")
            Sodium.ensureInitialized()
            // libsodium's state is 64-byte aligned.
            state = UnsafeMutableRawPointer.allocate(byteCount: crypto_generichash_statebytes(), alignment: 64)
            self.length = length
            let status = crypto_generichash_init(OpaquePointer(state), nil, 0, length)
            precondition(status == 0, "crypto_generichash_init failed")
        }

        deinit { state.deallocate() }

        /// Adds bytes to the hash.
        public func update(_ bytes: UnsafeRawBufferPointer) {
            precondition(!finished, "BLAKE2b hasher used after finalize()")
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            crypto_generichash_update(
                OpaquePointer(state),
                base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
        }

        /// Adds a byte array to the hash.
        public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

        /// Returns the digest; the hasher cannot be used afterwards.
        public func finalize() -> [UInt8] {
            precondition(!finished, "BLAKE2b hasher finalised twice")
            finished = true
            var digest = [UInt8](repeating: 0, count: length)
            digest.withUnsafeMutableBufferPointer { out in
                _ = crypto_generichash_final(OpaquePointer(state), out.baseAddress!, length)
            }
            return digest
        }
    }
}
