internal import EQMCrypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The versioned, checksummed binary model file.
///
/// Layout (all integers little-endian):
///
/// | offset | size | content |
/// | --- | --- | --- |
/// | 0 | 8 | magic `EQMMODEL` |
/// | 8 | 4 | format version (currently 1) |
/// | 12 | 4 | header length H |
/// | 16 | H | header, UTF-8 JSON: architecture, labels, parameter count, metadata |
/// | 16+H | 4·P | the flat parameter vector, Float32 |
/// | end−32 | 32 | BLAKE2b-256 of every preceding byte |
///
/// A file with another magic, an unknown version, a wrong checksum, a header that does not
/// describe the parameters, or labels other than this build's is refused with a clear error.
public enum ModelFile {
    /// The current format version.
    public static let formatVersion: UInt32 = 1
    static let magic = Array("EQMMODEL".utf8)
    static let checksumLength = 32

    /// The JSON header.
    public struct Header: Codable, Sendable, Hashable {
        /// The architecture.
        public var spec: ModelSpec
        /// The output labels in order (must equal this build's ``EmotionLabel/allCases``).
        public var labels: [String]
        /// The number of Float32 parameters that follow the header.
        public var parameterCount: Int
        /// Free-form metadata (training summary, version, lineage), never personal data.
        public var metadata: [String: String]
    }

    /// Serialises a model with optional metadata.
    public static func encode(_ model: SequentialModel, metadata: [String: String] = [:]) -> [UInt8] {
        let header = Header(
            spec: model.spec, labels: EmotionLabel.allCases.map(\.rawValue),
            parameterCount: model.parameterCount, metadata: metadata)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let headerBytes = Array(try! encoder.encode(header))  // a Codable value of plain types always encodes
        var bytes = magic
        bytes.reserveCapacity(16 + headerBytes.count + 4 * model.parameterCount + checksumLength)
        appendLittleEndian(formatVersion, to: &bytes)
        appendLittleEndian(UInt32(headerBytes.count), to: &bytes)
        bytes += headerBytes
        for value in model.parameters { appendLittleEndian(value.bitPattern, to: &bytes) }
        bytes += Blake2b.hash(bytes, length: checksumLength)
        return bytes
    }

    /// Parses and verifies a model file, returning the model and its header.
    public static func decode(_ bytes: [UInt8]) throws(EQMCoreError) -> (model: SequentialModel, header: Header) {
        guard bytes.count >= 16 + checksumLength else {
            throw .invalidModelFile("file is \(bytes.count) bytes, too short for an EQM model (at least \(16 + checksumLength))")
        }
        guard Array(bytes[0..<8]) == magic else {
            throw .invalidModelFile("not an EQM model file (expected magic 'EQMMODEL' at the start)")
        }
        let version = readLittleEndian(bytes, at: 8)
        guard version == formatVersion else {
            throw .unsupportedVersion(
                "model file format version \(version) is not supported; this build reads version \(formatVersion)")
        }
        let body = bytes[0..<(bytes.count - checksumLength)]
        let expected = Array(bytes[(bytes.count - checksumLength)...])
        let actual = body.withUnsafeBytes { Blake2b.hash($0, length: checksumLength) }
        guard ConstantTime.equals(actual, expected) else {
            throw .checksumMismatch("model file checksum does not match its contents: the file is corrupted or was modified")
        }
        let headerLength = Int(readLittleEndian(bytes, at: 12))
        guard headerLength <= body.count - 16 else {
            throw .invalidModelFile("header length \(headerLength) exceeds the file's \(body.count - 16) remaining bytes")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[16..<(16 + headerLength)]))
        } catch {
            throw .invalidModelFile("model header is not valid: \(error)")
        }
        guard header.labels == EmotionLabel.allCases.map(\.rawValue) else {
            throw .invalidModelFile(
                "model labels \(header.labels.prefix(20)) differ from this build's \(EmotionLabel.allCases.map(\.rawValue))")
        }
        let parameterBytes = body.count - 16 - headerLength
        guard header.parameterCount >= 0, parameterBytes == 4 * header.parameterCount else {
            throw .invalidModelFile(
                "header announces \(header.parameterCount) parameters but the file holds \(parameterBytes) parameter bytes")
        }
        let model = try SequentialModel(spec: header.spec)
        guard model.parameterCount == header.parameterCount else {
            throw .invalidModelFile("architecture needs \(model.parameterCount) parameters, header says \(header.parameterCount)")
        }
        var parameters = [Float](repeating: 0, count: header.parameterCount)
        var offset = 16 + headerLength
        for i in 0..<parameters.count {
            parameters[i] = Float(bitPattern: readLittleEndian(bytes, at: offset))
            offset += 4
        }
        try model.setParameterVector(parameters)
        return (model, header)
    }

    private static func appendLittleEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    private static func readLittleEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
