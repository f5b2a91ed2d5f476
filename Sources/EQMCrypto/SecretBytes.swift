internal import CSodium

/// Secret bytes (keys) in memory that libsodium guards: allocated with `sodium_malloc` (guard
/// pages, locked against swapping where the system allows) and zeroed on release by `sodium_free`.
///
/// The bytes are never printed: `description` shows only the length.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible {
    // Immutable after initialisation, so sharing across threads is safe.
    private let pointer: UnsafeMutableRawPointer
    /// The number of bytes.
    public let count: Int

    /// Allocates `count` bytes filled by `initialize`.
    public init(count: Int, initialize: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        precondition(count > 0, "secret must not be empty")
        Sodium.ensureInitialized()
        guard let pointer = sodium_malloc(count) else { fatalError("sodium_malloc failed for \(count) bytes") }
        self.pointer = pointer
        self.count = count
        do {
            try initialize(UnsafeMutableRawBufferPointer(start: pointer, count: count))
        } catch {
            sodium_free(pointer)
            throw error
        }
    }

    /// Moves bytes out of `bytes` into guarded memory and zeroes the source array.
    public convenience init(consuming bytes: inout [UInt8]) {
        let count = bytes.count
        self.init(count: count) { target in
            bytes.withUnsafeMutableBytes { source in
                target.copyMemory(from: UnsafeRawBufferPointer(source))
                sodium_memzero(source.baseAddress!, source.count)
            }
        }
    }

    /// `count` secure random bytes.
    public static func random(count: Int) -> SecretBytes {
        SecretBytes(count: count) { SecureRandom.fill($0) }
    }

    deinit { sodium_free(pointer) }

    /// Reads the secret; do not let the pointer escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Whether two secrets are equal, in constant time.
    public func constantTimeEquals(_ other: SecretBytes) -> Bool {
        count == other.count && sodium_memcmp(pointer, other.pointer, count) == 0
    }

    public var description: String { "SecretBytes(\(count) bytes, redacted)" }
}
