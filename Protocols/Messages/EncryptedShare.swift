/// One participant's Shamir shares (of its mask-agreement secret key and of its self-mask seed)
/// for one neighbour, encrypted with XChaCha20-Poly1305 under the key both derive from their
/// share-encryption key pairs, with associated data (protocol, round, sender, recipient): the server
/// that routes it can neither read it nor pass it off as another pair's.
public struct EncryptedShare: Codable, Sendable, Hashable {
    /// The owner of the shared secrets.
    public var sender: Int
    /// The neighbour who holds the shares.
    public var recipient: Int
    /// nonce ‖ ciphertext ‖ tag.
    @Base64Bytes public var ciphertext: [UInt8]

    /// Creates an encrypted share.
    public init(sender: Int, recipient: Int, ciphertext: [UInt8]) {
        self.sender = sender
        self.recipient = recipient
        self.ciphertext = ciphertext
    }

    /// The plaintext: owner and holder (32 bits each), then ``ShamirSecretSharing/chunkCount`` field
    /// elements of the mask-key share and as many of the self-mask share (64 bits each).
    static let plaintextLength = 8 + 2 * ShamirSecretSharing.chunkCount * 8
    /// Plaintext plus the 24-byte nonce and 16-byte tag.
    static let ciphertextLength = plaintextLength + 40

    /// The associated data binding a ciphertext to its round and direction.
    static func associatedData(roundDigest: [UInt8], sender: Int, recipient: Int) -> [UInt8] {
        var writer = CanonicalWriter(label: "share")
        writer.append(bytes: roundDigest)
        writer.append(index: sender)
        writer.append(index: recipient)
        return writer.bytes
    }
}

// MARK: Binary body

extension EncryptedShare {
    func write(to writer: inout CanonicalWriter) throws(ProtocolError) {
        try writer.append(checkedIndex: sender, "share sender")
        try writer.append(checkedIndex: recipient, "share recipient")
        writer.append(bytes: ciphertext)
    }

    static func read(from reader: inout ByteReader) throws(ProtocolError) -> EncryptedShare {
        EncryptedShare(
            sender: try reader.readIndex("share sender"), recipient: try reader.readIndex("share recipient"),
            ciphertext: try reader.readByteString("share ciphertext", limit: 1024))
    }

    static let minimumEncodedSize = 12

    static func readList(from reader: inout ByteReader) throws(ProtocolError) -> [EncryptedShare] {
        let count = try reader.readCount("shares", minimumSize: minimumEncodedSize)
        var shares = [EncryptedShare]()
        shares.reserveCapacity(count)
        for _ in 0..<count { shares.append(try read(from: &reader)) }
        return shares
    }
}
