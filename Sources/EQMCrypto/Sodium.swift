internal import CSodium

/// Process-wide libsodium initialisation.
///
/// `sodium_init()` is idempotent and thread-safe; every entry point of this module calls
/// ``Sodium/ensureInitialized()`` before touching libsodium.
public enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0

    /// Initialises libsodium once; stops the process if the library cannot start, because no
    /// cryptography (and no DP noise) may run without a working secure random source.
    public static func ensureInitialized() {
        precondition(initialized, "libsodium failed to initialise (sodium_init() returned -1)")
    }

    /// The version string of the linked libsodium, for diagnostics.
    public static var version: String {
        ensureInitialized()
        return String(cString: sodium_version_string())
    }
}
