public import EQMCrypto

/// Stage 4, client → server (sealed): the sender's shares of its surviving neighbours' self-mask
/// seeds and of its dropped neighbours' mask-agreement keys — never both for one neighbour.
/// Signed with the sender's identity key.
public struct UnmaskResponse: WireMessage, Hashable, CustomStringConvertible {
    /// ``MessageKind/unmaskResponse``.
    public static let kind = MessageKind.unmaskResponse
    /// The protocol version.
    public var version: Int
    /// The round configuration digest.
    @Base64Bytes public var roundDigest: [UInt8]
    /// The sender's participant index.
    public var sender: Int
    /// Shares of surviving neighbours' self-mask seeds, by ascending owner.
    public var selfMaskShares: [RevealedShare]
    /// Shares of dropped neighbours' mask-agreement secret keys, by ascending owner.
    public var maskKeyShares: [RevealedShare]
    /// Ed25519 signature of ``signedBytes`` by the sender's identity key.
    @Base64Bytes public var signature: [UInt8]

    /// Creates a response (``SecAggClient`` makes and signs real ones).
    public init(
        version: Int = WireProtocol.version, roundDigest: [UInt8], sender: Int, selfMaskShares: [RevealedShare],
        maskKeyShares: [RevealedShare], signature: [UInt8]
    ) {
        self.version = version
        self.roundDigest = roundDigest
        self.sender = sender
        self.selfMaskShares = selfMaskShares
        self.maskKeyShares = maskKeyShares
        self.signature = signature
    }

    public var description: String {
        "UnmaskResponse(sender \(sender), \(selfMaskShares.count) self-mask shares, \(maskKeyShares.count) mask-key shares, redacted)"
    }

    /// The canonical bytes the signature covers.
    public var signedBytes: [UInt8] {
        var writer = CanonicalWriter(label: "unmask-response")
        writer.append(index: version)
        writer.append(bytes: roundDigest)
        writer.append(index: max(0, sender))
        for list in [selfMaskShares, maskKeyShares] {
            writer.append(index: list.count)
            for share in list {
                writer.append(index: max(0, share.owner))
                writer.append(index: share.values.count)
                for value in share.values { writer.append(value) }
            }
        }
        return writer.bytes
    }

    /// Whether the signature verifies under `identity`.
    public func isValidSignature(from identity: PublicKey) -> Bool {
        sender >= 0 && identity.isValidSignature(signature, for: signedBytes)
    }
}

// MARK: Binary body

extension UnmaskResponse {
    /// The binary body: digest ‖ sender ‖ count ‖ (owner ‖ count ‖ values…)… twice ‖ signature (32-bit big-endian indices and counts, byte strings with a
    /// 32-bit length).
    public func encodeBody() throws(ProtocolError) -> [UInt8] {
        var writer = CanonicalWriter(capacity: 160 + 48 * (selfMaskShares.count + maskKeyShares.count))
        writer.append(bytes: roundDigest)
        try writer.append(checkedIndex: sender, "sender")
        for list in [selfMaskShares, maskKeyShares] {
            writer.append(index: list.count)
            for share in list {
                try writer.append(checkedIndex: share.owner, "share owner")
                writer.append(index: share.values.count)
                for value in share.values { writer.append(value) }
            }
        }
        writer.append(bytes: signature)
        return writer.bytes
    }

    /// Decodes the binary body, refusing counts that exceed the bytes present and trailing bytes.
    public static func decodeBody(_ body: UnsafeRawBufferPointer) throws(ProtocolError) -> UnmaskResponse {
        var reader = ByteReader(body)
        let digest = try reader.readByteString("round digest", limit: 64)
        let sender = try reader.readIndex("sender")
        var lists = [[RevealedShare]]()
        for name in ["self-mask shares", "mask-key shares"] {
            let count = try reader.readCount(name, minimumSize: 8)
            var list = [RevealedShare]()
            list.reserveCapacity(count)
            for _ in 0..<count {
                let owner = try reader.readIndex("share owner")
                let values = try reader.readCount("share values", minimumSize: 8)
                guard values <= 64 else { throw .malformedMessage("a revealed share has at most 64 values, found \(values)") }
                var share = [UInt64]()
                share.reserveCapacity(values)
                for _ in 0..<values { share.append(try reader.readUInt64("share value")) }
                list.append(RevealedShare(owner: owner, values: share))
            }
            lists.append(list)
        }
        let signature = try reader.readByteString("signature", limit: 64)
        try reader.finish("unmask response")
        return UnmaskResponse(
            roundDigest: digest, sender: sender, selfMaskShares: lists[0], maskKeyShares: lists[1], signature: signature)
    }
}
