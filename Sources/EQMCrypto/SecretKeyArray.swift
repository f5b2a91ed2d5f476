internal import CSodium

/// Many 32-byte secret keys in one guarded allocation.
///
/// ``SecretBytes`` costs a `sodium_malloc` per secret — about four memory mappings and tens of
/// microseconds — and a process can hold only about 16,000 of them (the kernel's map count).
/// Secure aggregation derives a key per neighbour per stage (hundreds per node, thousands on the
/// server), so it keeps them here instead: one allocation, zeroed on release, never printed.
public final class SecretKeyArray: @unchecked Sendable, CustomStringConvertible {
    // Immutable after initialisation, so sharing across threads is safe.
    private let storage: SecretBytes
    /// The number of keys.
    public let count: Int

    /// The length of each key (32 bytes).
    public static let keyLength = 32

    /// Allocates `count` keys; `initialize` fills key `index` through its 32-byte buffer.
    public init(count: Int, initialize: (Int, UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        precondition(count >= 0, "key count must not be negative")
        self.count = count
        storage = try SecretBytes(count: max(1, count * Self.keyLength)) { buffer in
            for index in 0..<count {
                try initialize(
                    index,
                    UnsafeMutableRawBufferPointer(rebasing: buffer[(index * Self.keyLength)..<((index + 1) * Self.keyLength)]))
            }
        }
    }

    /// `count` fresh random keys.
    public static func random(count: Int) -> SecretKeyArray {
        SecretKeyArray(count: count) { _, key in SecureRandom.fill(key) }
    }

    /// Reads key `index`; do not let the pointer escape.
    public func withUnsafeBytes<R>(of index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < count, "key index out of range")
        return try storage.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[(index * Self.keyLength)..<((index + 1) * Self.keyLength)]))
        }
    }

    /// A copy of key `index` in its own ``SecretBytes``, for APIs that take one.
    public func key(at index: Int) -> SecretBytes {
        SecretBytes(count: Self.keyLength) { out in withUnsafeBytes(of: index) { out.copyMemory(from: $0) } }
    }

    public var description: String { "SecretKeyArray(\(count) keys, redacted)" }
}
