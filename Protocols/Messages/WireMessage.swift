/// A message of the secure-aggregation protocol.
///
/// Every message carries the protocol ``version`` and the digest of the round configuration it
/// belongs to. On the wire a message is a ``WireFrame``: a fixed header (kind, version, body
/// length) and a compact binary body — big-endian fixed-width fields, counts before lists, raw
/// keys, digests and signatures — in the same field order as the JSON form that `Codable` gives
/// tools and logs. JSON on the wire cost the server seconds per 1,000-client round.
public protocol WireMessage: Codable, Sendable {
    /// The kind in the frame header.
    static var kind: MessageKind { get }
    /// The protocol version the message was written for.
    var version: Int { get }
    /// The digest of the round configuration (``RoundConfiguration/digest``).
    var roundDigest: [UInt8] { get }
    /// The binary body.
    func encodeBody() throws(ProtocolError) -> [UInt8]
    /// Decodes a binary body (its size was checked against the limit first); the version is the
    /// frame header's.
    static func decodeBody(_ body: UnsafeRawBufferPointer) throws(ProtocolError) -> Self
}

extension WireMessage {
    /// Throws unless the message is of this protocol version and of the round with `digest`.
    func checkVersionAndRound(_ digest: [UInt8]) throws(ProtocolError) {
        guard version == WireProtocol.version else { throw .unsupportedVersion(found: version) }
        guard roundDigest == digest else {
            throw .wrongRound("\(Self.kind) belongs to another round (its configuration digest differs)")
        }
    }
}
