internal import CSodium

/// Erasing secrets that live in ordinary memory (share polynomials, decrypted share plaintexts,
/// mask keystreams) with `sodium_memzero`, which the optimiser may not remove.
public enum SecureMemory {
    /// Overwrites `buffer` with zeros.
    public static func zero(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        sodium_memzero(base, buffer.count)
    }

    /// Overwrites the elements of an array with zeros (its storage, not a copy).
    public static func zero<Element: BitwiseCopyable>(_ array: inout [Element]) {
        array.withUnsafeMutableBytes { zero($0) }
    }
}
