public import EQMCrypto
internal import Foundation

/// Stage 3, client → server (sealed): the masked vector y = x + Σ ±pairwise masks + self mask,
/// in ℤ_2³², signed with the sender's identity key over the round, the sender, the length and
/// BLAKE2b-256 of the vector.
///
/// On the wire the body is binary: round digest (32 bytes), sender and length (32 bits each,
/// big-endian), the vector as little-endian 32-bit words, and the 64-byte signature — 4 bytes per
/// parameter plus ``fixedBodyLength`` bytes (116 with the frame header, 164 once sealed).
public struct MaskedInputMessage: WireMessage, Hashable, CustomStringConvertible {
    /// ``MessageKind/maskedInput``.
    public static let kind = MessageKind.maskedInput
    /// Body bytes besides the vector: digest, sender, length, signature.
    public static let fixedBodyLength = 32 + 4 + 4 + 64
    /// The protocol version.
    public var version: Int
    /// The round configuration digest.
    public var roundDigest: [UInt8]
    /// The sender's participant index.
    public var sender: Int
    /// The masked vector.
    public var vector: [UInt32]
    /// Ed25519 signature of ``signedBytes`` by the sender's identity key.
    public var signature: [UInt8]

    /// Creates the message (``SecAggClient`` makes and signs real ones).
    public init(version: Int = WireProtocol.version, roundDigest: [UInt8], sender: Int, vector: [UInt32], signature: [UInt8]) {
        self.version = version
        self.roundDigest = roundDigest
        self.sender = sender
        self.vector = vector
        self.signature = signature
    }

    public var description: String { "MaskedInputMessage(sender \(sender), \(vector.count) parameters)" }

    /// The canonical bytes the signature covers (the vector through its BLAKE2b-256 digest).
    public var signedBytes: [UInt8] {
        var writer = CanonicalWriter(label: "masked-input")
        writer.append(index: version)
        writer.append(bytes: roundDigest)
        writer.append(index: max(0, sender))
        writer.append(index: vector.count)
        writer.append(bytes: Self.vectorDigest(vector))
        return writer.bytes
    }

    /// Whether the signature verifies under `identity`.
    public func isValidSignature(from identity: PublicKey) -> Bool {
        sender >= 0 && identity.isValidSignature(signature, for: signedBytes)
    }

    static func vectorDigest(_ vector: [UInt32]) -> [UInt8] {
        #if _endian(little)
            return vector.withUnsafeBytes { Blake2b.hash($0) }
        #else
            return Blake2b.hash(vector.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) })
        #endif
    }

    // MARK: Binary body

    /// The binary body described above.
    public func encodeBody() throws(ProtocolError) -> [UInt8] {
        guard roundDigest.count == 32, signature.count == 64, sender >= 0, sender <= Int(UInt32.max),
            vector.count <= WireProtocol.maximumVectorLength
        else {
            throw .malformedMessage(
                "masked input needs a 32-byte digest, a 64-byte signature and at most \(WireProtocol.maximumVectorLength) parameters"
            )
        }
        var body = [UInt8](repeating: 0, count: Self.fixedBodyLength + 4 * vector.count)
        body.withUnsafeMutableBytes { out in
            roundDigest.withUnsafeBytes { out.copyMemory(from: $0) }
            out.storeBytes(of: UInt32(sender).bigEndian, toByteOffset: 32, as: UInt32.self)
            out.storeBytes(of: UInt32(vector.count).bigEndian, toByteOffset: 36, as: UInt32.self)
            vector.withUnsafeBytes { words in
                #if _endian(little)
                    UnsafeMutableRawBufferPointer(rebasing: out[40..<(40 + words.count)]).copyMemory(from: words)
                #else
                    for (index, word) in vector.enumerated() {
                        out.storeBytes(of: word.littleEndian, toByteOffset: 40 + 4 * index, as: UInt32.self)
                    }
                #endif
            }
            let signatureOffset = 40 + 4 * vector.count
            signature.withUnsafeBytes {
                UnsafeMutableRawBufferPointer(rebasing: out[signatureOffset..<(signatureOffset + 64)]).copyMemory(from: $0)
            }
        }
        return body
    }

    /// Decodes the binary body; the announced length must match the bytes present.
    public static func decodeBody(_ body: UnsafeRawBufferPointer) throws(ProtocolError) -> MaskedInputMessage {
        var reader = ByteReader(body)
        let digest = try reader.readBytes(32, "round digest")
        let sender = Int(try reader.readUInt32("sender"))
        let count = Int(try reader.readUInt32("vector length"))
        guard reader.remaining == 4 * count + 64 else {
            throw .malformedMessage(
                "masked input announces \(count) parameters (\(4 * count + 64) bytes with the signature), found \(reader.remaining) bytes"
            )
        }
        let raw = try reader.readRaw(4 * count, "vector")
        let vector = [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
            #if _endian(big)
                for index in 0..<count { buffer[index] = UInt32(littleEndian: buffer[index]) }
            #endif
            initialized = count
        }
        let signature = try reader.readBytes(64, "signature")
        return MaskedInputMessage(
            version: WireProtocol.version, roundDigest: digest, sender: sender, vector: vector,
            signature: signature)
    }

    // MARK: Codable (JSON, for logs and tools: the vector as base64 of its little-endian words)

    private enum CodingKeys: String, CodingKey { case version, roundDigest, sender, vector, signature }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        roundDigest = try container.decode(Base64Bytes.self, forKey: .roundDigest).wrappedValue
        sender = try container.decode(Int.self, forKey: .sender)
        let bytes = try container.decode(Base64Bytes.self, forKey: .vector).wrappedValue
        guard bytes.count % 4 == 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .vector, in: container, debugDescription: "vector bytes are not whole 32-bit words")
        }
        vector = stride(from: 0, to: bytes.count, by: 4).map { offset in
            UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3])
                << 24
        }
        signature = try container.decode(Base64Bytes.self, forKey: .signature).wrappedValue
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(Base64Bytes(wrappedValue: roundDigest), forKey: .roundDigest)
        try container.encode(sender, forKey: .sender)
        try container.encode(
            Base64Bytes(wrappedValue: vector.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }), forKey: .vector)
        try container.encode(Base64Bytes(wrappedValue: signature), forKey: .signature)
    }
}
