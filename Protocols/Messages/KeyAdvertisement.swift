public import EQMCrypto

/// Stage 1, client → server (sealed): the sender's two ephemeral X25519 public keys for this round
/// — c for share encryption, s for mask agreement — signed with its Ed25519 identity key over
/// (round digest ‖ sender ‖ c ‖ s). The server forwards it to the sender's neighbours, who verify it.
public struct KeyAdvertisement: WireMessage, Hashable {
    /// ``MessageKind/keyAdvertisement``.
    public static let kind = MessageKind.keyAdvertisement
    /// The protocol version.
    public var version: Int
    /// The round configuration digest.
    @Base64Bytes public var roundDigest: [UInt8]
    /// The sender's participant index.
    public var sender: Int
    /// The share-encryption public key c.
    public var encryptionKey: PublicKey
    /// The mask-agreement public key s.
    public var maskingKey: PublicKey
    /// Ed25519 signature of ``signedBytes`` by the sender's identity key.
    @Base64Bytes public var signature: [UInt8]

    /// Creates an advertisement (``SecAggClient`` makes and signs real ones).
    public init(
        version: Int = WireProtocol.version, roundDigest: [UInt8], sender: Int, encryptionKey: PublicKey,
        maskingKey: PublicKey, signature: [UInt8]
    ) {
        self.version = version
        self.roundDigest = roundDigest
        self.sender = sender
        self.encryptionKey = encryptionKey
        self.maskingKey = maskingKey
        self.signature = signature
    }

    /// The canonical bytes the signature covers.
    public var signedBytes: [UInt8] {
        var writer = CanonicalWriter(label: "key-advertisement")
        writer.append(index: version)
        writer.append(bytes: roundDigest)
        writer.append(index: max(0, sender))
        writer.append(bytes: encryptionKey.bytes)
        writer.append(bytes: maskingKey.bytes)
        return writer.bytes
    }

    /// Whether the signature verifies under `identity`.
    public func isValidSignature(from identity: PublicKey) -> Bool {
        sender >= 0 && identity.isValidSignature(signature, for: signedBytes)
    }
}

// MARK: Binary body

extension KeyAdvertisement {
    /// The binary body: digest ‖ sender ‖ c (32) ‖ s (32) ‖ signature (32-bit big-endian indices and counts, byte strings with a
    /// 32-bit length).
    public func encodeBody() throws(ProtocolError) -> [UInt8] {
        var writer = CanonicalWriter(capacity: 176)
        try write(to: &writer)
        return writer.bytes
    }

    /// Decodes the binary body, refusing counts that exceed the bytes present and trailing bytes.
    public static func decodeBody(_ body: UnsafeRawBufferPointer) throws(ProtocolError) -> KeyAdvertisement {
        var reader = ByteReader(body)
        let message = try read(from: &reader)
        try reader.finish("key advertisement")
        return message
    }

    func write(to writer: inout CanonicalWriter) throws(ProtocolError) {
        writer.append(bytes: roundDigest)
        try writer.append(checkedIndex: sender, "sender")
        writer.append(key: encryptionKey)
        writer.append(key: maskingKey)
        writer.append(bytes: signature)
    }

    static func read(from reader: inout ByteReader) throws(ProtocolError) -> KeyAdvertisement {
        KeyAdvertisement(
            roundDigest: try reader.readByteString("round digest", limit: 64), sender: try reader.readIndex("sender"),
            encryptionKey: try reader.readKey("encryption key"), maskingKey: try reader.readKey("masking key"),
            signature: try reader.readByteString("signature", limit: 64))
    }

    /// The smallest encoded advertisement (empty digest and signature).
    static let minimumEncodedSize = 4 + 4 + 32 + 32 + 4
}
