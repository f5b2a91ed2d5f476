internal import EQMCrypto

/// A deterministic ChaCha20 stream of 64-bit words from a public 32-byte key (the graph's seed).
struct SeedStream {
    private let key: SecretBytes
    private var buffer: [UInt32]
    private var index: Int
    private var block: UInt32 = 0
    private static let nonce = Array("EQM-graphseed".utf8.prefix(12))

    init(key: [UInt8]) {
        var copy = key
        self.key = SecretBytes(consuming: &copy)
        buffer = [UInt32](repeating: 0, count: 1024)
        index = buffer.count
    }

    mutating func next() -> UInt64 {
        if index + 2 > buffer.count {
            let block = self.block
            let key = self.key
            buffer.withUnsafeMutableBufferPointer { words in
                try! ChaCha20Keystream.fill(words, key: key, nonce: Self.nonce, startingAtBlock: block)
            }
            self.block += UInt32(buffer.count / 16)
            index = 0
        }
        defer { index += 2 }
        return UInt64(buffer[index]) << 32 | UInt64(buffer[index + 1])
    }

    /// A uniform value in 0..<bound (Lemire's multiply-and-reject).
    mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        var (high, low) = next().multipliedFullWidth(by: bound)
        if low < bound {
            let threshold = (0 &- bound) % bound
            while low < threshold { (high, low) = next().multipliedFullWidth(by: bound) }
        }
        return high
    }
}
