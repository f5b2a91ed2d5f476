/// The framing of every message: a 12-byte header — the magic `EQMW`, the protocol version
/// (16 bits), the ``MessageKind`` (8 bits), a reserved zero byte and the body length (32 bits),
/// all big-endian — followed by the body.
///
/// Decoding refuses a frame of another version with ``ProtocolError/Code/unsupportedVersion`` and
/// a frame over its kind's size limit with ``ProtocolError/Code/messageTooLarge`` before it looks
/// at the body.
public enum WireFrame {
    /// Bytes before the body.
    public static let headerLength = 12
    private static let magic: [UInt8] = Array("EQMW".utf8)

    /// The frame of `message`.
    public static func encode<Message: WireMessage>(_ message: Message) throws(ProtocolError) -> [UInt8] {
        let body = try message.encodeBody()
        guard message.version >= 0, message.version <= Int(UInt16.max), body.count <= Int(UInt32.max) else {
            throw .malformedMessage(
                "\(Message.kind) has version \(message.version) or a body of \(body.count) bytes, out of range")
        }
        var frame = [UInt8]()
        frame.reserveCapacity(headerLength + body.count)
        frame.append(contentsOf: magic)
        frame.append(UInt8(message.version >> 8))
        frame.append(UInt8(message.version & 0xFF))
        frame.append(Message.kind.rawValue)
        frame.append(0)
        let length = UInt32(body.count)
        for shift in stride(from: 24, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        frame.append(contentsOf: body)
        return frame
    }

    /// The kind named by a frame's header, after checking the magic, the version and the length.
    public static func kind(of frame: [UInt8], limits: MessageLimits) throws(ProtocolError) -> MessageKind {
        guard frame.count <= limits.maximumFrameSize else {
            throw .messageTooLarge("a frame is at most \(limits.maximumFrameSize) bytes in this round, found \(frame.count)")
        }
        guard frame.count >= headerLength else {
            throw .malformedMessage("a frame has a \(headerLength)-byte header, found \(frame.count) bytes")
        }
        guard Array(frame[0..<4]) == magic else { throw .malformedMessage("frame does not start with the EQMW magic") }
        let version = Int(frame[4]) << 8 | Int(frame[5])
        guard version == WireProtocol.version else { throw .unsupportedVersion(found: version) }
        guard let kind = MessageKind(rawValue: frame[6]) else {
            throw .malformedMessage("unknown message kind \(frame[6]) (expected 1...\(MessageKind.allCases.count))")
        }
        guard frame[7] == 0 else { throw .malformedMessage("reserved header byte must be 0, found \(frame[7])") }
        let length = frame[8..<12].reduce(0) { $0 << 8 | Int($1) }
        guard length == frame.count - headerLength else {
            throw .malformedMessage("header announces a \(length)-byte body, found \(frame.count - headerLength) bytes")
        }
        let limit = limits.maximumBodySize(for: kind)
        guard length <= limit else {
            throw .messageTooLarge("a \(kind) body is at most \(limit) bytes in this round, found \(length)")
        }
        return kind
    }

    /// Decodes a frame that must hold a `Message`.
    public static func decode<Message: WireMessage>(
        _ frame: [UInt8], as type: Message.Type = Message.self,
        limits: MessageLimits
    ) throws(ProtocolError) -> Message {
        let kind = try kind(of: frame, limits: limits)
        guard kind == Message.kind else { throw .unexpectedMessage("expected a \(Message.kind), found a \(kind)") }
        let message: Message
        do {
            message = try frame.withUnsafeBytes { bytes in
                try Message.decodeBody(UnsafeRawBufferPointer(rebasing: bytes[headerLength...]))
            }
        } catch let error as ProtocolError {
            throw error
        } catch {
            throw .malformedMessage("\(kind) body could not be decoded")
        }
        guard message.version == WireProtocol.version else { throw .unsupportedVersion(found: message.version) }
        return message
    }
}
