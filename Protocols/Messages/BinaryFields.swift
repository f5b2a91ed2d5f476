// Field encoders shared by the binary message bodies.
internal import EQMCrypto

extension CanonicalWriter {
    /// An index that must fit 32 bits; a negative or larger one is a malformed message, not a crash.
    mutating func append(checkedIndex value: Int, _ what: String) throws(ProtocolError) {
        guard value >= 0, value <= Int(UInt32.max) else { throw .malformedMessage("\(what) \(value) is not a 32-bit index") }
        append(UInt32(value))
    }

    mutating func append(key: PublicKey) { append(fixed: key.bytes) }
}

extension ByteReader {
    mutating func readKey(_ what: String) throws(ProtocolError) -> PublicKey {
        let bytes = try readBytes(32, what)
        return try! PublicKey(bytes: bytes)
    }

    /// A byte string with its 32-bit length, at most `limit` bytes.
    mutating func readByteString(_ what: String, limit: Int) throws(ProtocolError) -> [UInt8] {
        let count = try readIndex("\(what) length")
        guard count <= limit else { throw .malformedMessage("\(what) is at most \(limit) bytes, found \(count)") }
        return try readBytes(count, what)
    }
}
