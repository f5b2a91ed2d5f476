/// Stage 1, server → client: the signed advertisements of the recipient's neighbours that advertised.
/// The recipient verifies every signature and refuses the directory if one fails.
public struct KeyDirectory: WireMessage, Hashable {
    /// ``MessageKind/keyDirectory``.
    public static let kind = MessageKind.keyDirectory
    /// The protocol version.
    public var version: Int
    /// The round configuration digest.
    @Base64Bytes public var roundDigest: [UInt8]
    /// The participant index this directory is for.
    public var recipient: Int
    /// The neighbours' advertisements, by ascending sender.
    public var advertisements: [KeyAdvertisement]

    /// Creates a directory (``SecAggServer/keyDirectory(for:)`` makes real ones).
    public init(version: Int = WireProtocol.version, roundDigest: [UInt8], recipient: Int, advertisements: [KeyAdvertisement]) {
        self.version = version
        self.roundDigest = roundDigest
        self.recipient = recipient
        self.advertisements = advertisements
    }
}

// MARK: Binary body

extension KeyDirectory {
    /// The binary body: digest ‖ recipient ‖ count ‖ advertisements (32-bit big-endian indices and counts, byte strings with a
    /// 32-bit length).
    public func encodeBody() throws(ProtocolError) -> [UInt8] {
        var writer = CanonicalWriter(capacity: 48 + 176 * advertisements.count)
        writer.append(bytes: roundDigest)
        try writer.append(checkedIndex: recipient, "recipient")
        writer.append(index: advertisements.count)
        for advertisement in advertisements { try advertisement.write(to: &writer) }
        return writer.bytes
    }

    /// Decodes the binary body, refusing counts that exceed the bytes present and trailing bytes.
    public static func decodeBody(_ body: UnsafeRawBufferPointer) throws(ProtocolError) -> KeyDirectory {
        var reader = ByteReader(body)
        let digest = try reader.readByteString("round digest", limit: 64)
        let recipient = try reader.readIndex("recipient")
        let count = try reader.readCount("advertisements", minimumSize: KeyAdvertisement.minimumEncodedSize)
        var advertisements = [KeyAdvertisement]()
        advertisements.reserveCapacity(count)
        for _ in 0..<count { advertisements.append(try KeyAdvertisement.read(from: &reader)) }
        try reader.finish("key directory")
        return KeyDirectory(roundDigest: digest, recipient: recipient, advertisements: advertisements)
    }
}
