/// Stage 2, server → client: the encrypted shares other participants addressed to the recipient.
/// The recipient masks against exactly these senders.
public struct ShareDelivery: WireMessage, Hashable {
    /// ``MessageKind/shareDelivery``.
    public static let kind = MessageKind.shareDelivery
    /// The protocol version.
    public var version: Int
    /// The round configuration digest.
    @Base64Bytes public var roundDigest: [UInt8]
    /// The participant index this delivery is for.
    public var recipient: Int
    /// The shares, by ascending sender.
    public var shares: [EncryptedShare]

    /// Creates a delivery (``SecAggServer/shareDelivery(for:)`` makes real ones).
    public init(version: Int = WireProtocol.version, roundDigest: [UInt8], recipient: Int, shares: [EncryptedShare]) {
        self.version = version
        self.roundDigest = roundDigest
        self.recipient = recipient
        self.shares = shares
    }
}

// MARK: Binary body

extension ShareDelivery {
    /// The binary body: digest ‖ recipient ‖ count ‖ (sender ‖ recipient ‖ ciphertext)… (32-bit big-endian indices and counts, byte strings with a
    /// 32-bit length).
    public func encodeBody() throws(ProtocolError) -> [UInt8] {
        var writer = CanonicalWriter(capacity: 48 + (EncryptedShare.ciphertextLength + 12) * shares.count)
        writer.append(bytes: roundDigest)
        try writer.append(checkedIndex: recipient, "recipient")
        writer.append(index: shares.count)
        for share in shares { try share.write(to: &writer) }
        return writer.bytes
    }

    /// Decodes the binary body, refusing counts that exceed the bytes present and trailing bytes.
    public static func decodeBody(_ body: UnsafeRawBufferPointer) throws(ProtocolError) -> ShareDelivery {
        var reader = ByteReader(body)
        let digest = try reader.readByteString("round digest", limit: 64)
        let recipient = try reader.readIndex("recipient")
        let shares = try EncryptedShare.readList(from: &reader)
        try reader.finish("share delivery")
        return ShareDelivery(roundDigest: digest, recipient: recipient, shares: shares)
    }
}
