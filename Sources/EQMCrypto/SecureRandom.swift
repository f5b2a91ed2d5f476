internal import CSodium

/// Cryptographically secure random bytes from libsodium (`randombytes_buf`).
///
/// This is the only source of randomness for keys and for differential-privacy noise in
/// production; seeded generators exist for tests alone.
public enum SecureRandom {
    /// Fills `buffer` with secure random bytes.
    ///
    /// Small requests go straight to `randombytes_buf` (the kernel's `getrandom` on Linux). Large
    /// ones — a DP noise vector needs 16 bytes per parameter per step — take a fresh 256-bit key
    /// from `randombytes_buf` and expand it with ChaCha20 in user space
    /// (`randombytes_buf_deterministic`), then erase the key: the same construction as libsodium's
    /// own user-space generator, without a system call and the kernel's scalar ChaCha per block.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        Sodium.ensureInitialized()
        guard buffer.count > expansionThreshold else {
            randombytes_buf(base, buffer.count)
            return
        }
        var key = [UInt8](repeating: 0, count: Int(randombytes_seedbytes()))
        key.withUnsafeMutableBytes { keyBytes in
            randombytes_buf(keyBytes.baseAddress!, keyBytes.count)
            randombytes_buf_deterministic(base, buffer.count, keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
            sodium_memzero(keyBytes.baseAddress!, keyBytes.count)
        }
    }

    /// Requests above this many bytes are expanded from a fresh key in user space.
    static let expansionThreshold = 256

    /// Returns `count` secure random bytes.
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0, "byte count must not be negative")
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { fill($0) }
        return bytes
    }

    /// A uniformly distributed 64-bit value.
    public static func uint64() -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { fill($0) }
        return value
    }
}

/// A `RandomNumberGenerator` backed by libsodium, buffered so that drawing millions of values
/// (DP noise for every model parameter) does not pay a library call per value.
///
/// Not `Sendable` by design: each training loop owns its own generator.
public struct SecureRandomGenerator: RandomNumberGenerator {
    private var buffer: [UInt64]
    private var index: Int

    /// Creates a generator; nothing is drawn until the first call.
    public init(bufferSize: Int = 512) {
        precondition(bufferSize > 0, "buffer size must be positive")
        buffer = [UInt64](repeating: 0, count: bufferSize)
        index = bufferSize
    }

    /// The next secure 64-bit value.
    public mutating func next() -> UInt64 {
        if index == buffer.count {
            buffer.withUnsafeMutableBytes { SecureRandom.fill($0) }
            index = 0
        }
        defer { index += 1 }
        return buffer[index]
    }
}
