/// Stage 4, server → client: the participants whose masked input is in the sum (survivors) and
/// those that shared keys but sent no masked input (dropped). A client reveals self-mask shares of
/// surviving neighbours and mask-key shares of dropped ones — and refuses a request that names a
/// peer in both lists, contradicts what it revealed before, or has fewer survivors than the round's
/// minimum.
public struct UnmaskRequest: WireMessage, Hashable {
    /// ``MessageKind/unmaskRequest``.
    public static let kind = MessageKind.unmaskRequest
    /// The protocol version.
    public var version: Int
    /// The round configuration digest.
    @Base64Bytes public var roundDigest: [UInt8]
    /// Participants whose masked input is in the sum, ascending.
    public var survivors: [Int]
    /// Participants that shared keys but whose masked input is not in the sum, ascending.
    public var dropped: [Int]

    /// Creates a request (``SecAggServer/closeMaskedInputs()`` makes the real one).
    public init(version: Int = WireProtocol.version, roundDigest: [UInt8], survivors: [Int], dropped: [Int]) {
        self.version = version
        self.roundDigest = roundDigest
        self.survivors = survivors
        self.dropped = dropped
    }
}

// MARK: Binary body

extension UnmaskRequest {
    /// The binary body: digest ‖ count ‖ survivors… ‖ count ‖ dropped… (32-bit big-endian indices and counts, byte strings with a
    /// 32-bit length).
    public func encodeBody() throws(ProtocolError) -> [UInt8] {
        var writer = CanonicalWriter(capacity: 48 + 4 * (survivors.count + dropped.count))
        writer.append(bytes: roundDigest)
        for list in [survivors, dropped] {
            writer.append(index: list.count)
            for participant in list { try writer.append(checkedIndex: participant, "participant") }
        }
        return writer.bytes
    }

    /// Decodes the binary body, refusing counts that exceed the bytes present and trailing bytes.
    public static func decodeBody(_ body: UnsafeRawBufferPointer) throws(ProtocolError) -> UnmaskRequest {
        var reader = ByteReader(body)
        let digest = try reader.readByteString("round digest", limit: 64)
        var lists = [[Int]]()
        for name in ["survivors", "dropped"] {
            let count = try reader.readCount(name, minimumSize: 4)
            var list = [Int]()
            list.reserveCapacity(count)
            for _ in 0..<count { list.append(try reader.readIndex(name)) }
            lists.append(list)
        }
        try reader.finish("unmask request")
        return UnmaskRequest(roundDigest: digest, survivors: lists[0], dropped: lists[1])
    }
}
