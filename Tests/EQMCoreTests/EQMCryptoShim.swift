import EQMCrypto

/// Re-computes a model file checksum, to build files that are consistent but wrong.
enum EQMCryptoShim {
    static func checksum(_ bytes: [UInt8]) -> [UInt8] { Blake2b.hash(bytes, length: 32) }
}
