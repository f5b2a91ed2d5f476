public import EQMCrypto

/// Stage 2, client → server (sealed): the sender's encrypted shares for each neighbour that
/// advertised, and a commitment to its self-mask seed so the server can check the seed it later
/// reconstructs. Signed with the sender's identity key.
public struct ShareKeysMessage: WireMessage, Hashable {
    /// ``MessageKind/shareKeys``.
    public static let kind = MessageKind.shareKeys
    /// The protocol version.
    public var version: Int
    /// The round configuration digest.
    @Base64Bytes public var roundDigest: [UInt8]
    /// The sender's participant index.
    public var sender: Int
    /// BLAKE2b-256 of (round, sender, self-mask seed b): binding, and hiding because b is 256 random bits.
    @Base64Bytes public var selfMaskCommitment: [UInt8]
    /// One encrypted share per neighbour in the sender's key directory, by ascending recipient.
    public var shares: [EncryptedShare]
    /// Ed25519 signature of ``signedBytes`` by the sender's identity key.
    @Base64Bytes public var signature: [UInt8]

    /// Creates the message (``SecAggClient`` makes and signs real ones).
    public init(
        version: Int = WireProtocol.version, roundDigest: [UInt8], sender: Int, selfMaskCommitment: [UInt8],
        shares: [EncryptedShare], signature: [UInt8]
    ) {
        self.version = version
        self.roundDigest = roundDigest
        self.sender = sender
        self.selfMaskCommitment = selfMaskCommitment
        self.shares = shares
        self.signature = signature
    }

    /// The canonical bytes the signature covers.
    public var signedBytes: [UInt8] {
        var writer = CanonicalWriter(label: "share-keys", capacity: 128 + shares.count * (EncryptedShare.ciphertextLength + 12))
        writer.append(index: version)
        writer.append(bytes: roundDigest)
        writer.append(index: max(0, sender))
        writer.append(bytes: selfMaskCommitment)
        writer.append(index: shares.count)
        for share in shares {
            writer.append(index: max(0, share.sender))
            writer.append(index: max(0, share.recipient))
            writer.append(bytes: share.ciphertext)
        }
        return writer.bytes
    }

    /// Whether the signature verifies under `identity`.
    public func isValidSignature(from identity: PublicKey) -> Bool {
        sender >= 0 && identity.isValidSignature(signature, for: signedBytes)
    }
}

// MARK: Binary body

extension ShareKeysMessage {
    /// The binary body: digest ‖ sender ‖ commitment ‖ count ‖ (sender ‖ recipient ‖ ciphertext)… ‖ signature (32-bit big-endian indices and counts, byte strings with a
    /// 32-bit length).
    public func encodeBody() throws(ProtocolError) -> [UInt8] {
        var writer = CanonicalWriter(capacity: 160 + (EncryptedShare.ciphertextLength + 12) * shares.count)
        writer.append(bytes: roundDigest)
        try writer.append(checkedIndex: sender, "sender")
        writer.append(bytes: selfMaskCommitment)
        writer.append(index: shares.count)
        for share in shares { try share.write(to: &writer) }
        writer.append(bytes: signature)
        return writer.bytes
    }

    /// Decodes the binary body, refusing counts that exceed the bytes present and trailing bytes.
    public static func decodeBody(_ body: UnsafeRawBufferPointer) throws(ProtocolError) -> ShareKeysMessage {
        var reader = ByteReader(body)
        let digest = try reader.readByteString("round digest", limit: 64)
        let sender = try reader.readIndex("sender")
        let commitment = try reader.readByteString("self-mask commitment", limit: 64)
        let shares = try EncryptedShare.readList(from: &reader)
        let signature = try reader.readByteString("signature", limit: 64)
        try reader.finish("share keys")
        return ShareKeysMessage(
            roundDigest: digest, sender: sender, selfMaskCommitment: commitment, shares: shares, signature: signature)
    }
}
