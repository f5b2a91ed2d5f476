internal import CSodium

/// BLAKE2b (libsodium `crypto_generichash`), used for checksums of model files and hash chains.
public enum Blake2b {
    /// The default digest length in bytes (256 bits).
    public static let defaultLength = 32

    /// Returns the BLAKE2b digest of `data`.
    public static func hash(_ data: UnsafeRawBufferPointer, length: Int = defaultLength) -> [UInt8] {
        precondition(length >= Int(crypto_generichash_bytes_min()) && length <= Int(crypto_generichash_bytes_max()),
                     "BLAKE2b digest length out of range")
        Sodium.ensureInitialized()
        var digest = [UInt8](repeating: 0, count: length)
        let status = digest.withUnsafeMutableBufferPointer { out in
            crypto_generichash(out.baseAddress!, length, data.baseAddress?.assumingMemoryBound(to: UInt8.self),
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
