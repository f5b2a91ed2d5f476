internal import CSodium

/// Cryptographically secure random bytes from libsodium (`randombytes_buf`).
///
/// This is the only source of randomness for keys and for differential-privacy noise in
/// production; seeded generators exist for tests alone.
public enum SecureRandom {
    /// Fills `buffer` with secure random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        Sodium.ensureInitialized()
        randombytes_buf(base, buffer.count)
    }

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
