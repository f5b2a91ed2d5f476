/// Reads the fixed-width big-endian fields of a binary message body, failing with
/// ``ProtocolError/Code/malformedMessage`` instead of reading past the end.
struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        offset = 0
    }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int, _ what: String) throws(ProtocolError) -> UnsafeRawBufferPointer {
        guard count >= 0, remaining >= count else {
            throw .malformedMessage("expected \(count) bytes of \(what) at offset \(offset), found \(remaining)")
        }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    mutating func readUInt32(_ what: String) throws(ProtocolError) -> UInt32 {
        let field = try take(4, what)
        return field.reduce(0) { ($0 << 8) | UInt32($1) }
    }

    mutating func readUInt64(_ what: String) throws(ProtocolError) -> UInt64 {
        let field = try take(8, what)
        return field.reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// A participant index or count.
    mutating func readIndex(_ what: String) throws(ProtocolError) -> Int { Int(try readUInt32(what)) }

    /// A count of elements of at least `minimumSize` bytes each, checked against what remains
    /// before anything is allocated for them.
    mutating func readCount(_ what: String, minimumSize: Int) throws(ProtocolError) -> Int {
        let count = try readIndex(what)
        guard count <= remaining / max(1, minimumSize) else {
            throw .malformedMessage("\(what) announces \(count) elements of \(minimumSize) bytes, only \(remaining) bytes remain")
        }
        return count
    }

    /// Throws unless every byte was read.
    func finish(_ what: String) throws(ProtocolError) {
        guard remaining == 0 else { throw .malformedMessage("\(remaining) unexpected bytes after the \(what)") }
    }

    mutating func readBytes(_ count: Int, _ what: String) throws(ProtocolError) -> [UInt8] {
        Array(try take(count, what))
    }

    /// The next `count` bytes without copying them.
    mutating func readRaw(_ count: Int, _ what: String) throws(ProtocolError) -> UnsafeRawBufferPointer {
        try take(count, what)
    }
}
