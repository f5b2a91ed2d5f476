import EQMCrypto
public import Foundation

/// A signed model version as a directory, the form a release is published, archived and copied in:
///
/// | file | content |
/// | --- | --- |
/// | `model.eqmmodel` | the EQMMODEL file bytes |
/// | `card.json` | the ``ModelCard``, pretty-printed with sorted keys |
/// | `card.sig` | the Ed25519 signature, lower-case hex and a newline |
///
/// The signature covers the card's canonical JSON, which a reader re-derives from `card.json`, so
/// the file may be re-indented without breaking it but not changed in meaning. Reading does not
/// verify: call ``SignedModel/verify(trusting:)`` on ``signedModel`` before using the model. A write
/// interrupted part-way leaves a directory that ``read(from:)`` refuses for its missing file.
public struct ModelRelease: Sendable, Hashable {
    /// The signed model.
    public var signedModel: SignedModel

    /// The model file's name.
    public static let modelFileName = "model.eqmmodel"
    /// The card's file name.
    public static let cardFileName = "card.json"
    /// The signature's file name.
    public static let signatureFileName = "card.sig"
    /// The largest model file read (512 MiB; the largest model EQM builds is 256 MB).
    public static let maximumModelBytes = 512 << 20
    /// The largest card read (1 MiB).
    public static let maximumCardBytes = 1 << 20
    /// The largest signature file read (hex of 64 bytes, with room for white space).
    static let maximumSignatureFileBytes = 1024

    /// Wraps a signed model.
    public init(_ signedModel: SignedModel) { self.signedModel = signedModel }

    /// Writes the three files into `directory`, creating it if needed.
    ///
    /// Releases are immutable: throws ``ComplianceError/Code/invalidInput`` if any of the files
    /// already exists, and writes nothing then.
    public func write(to directory: URL) throws {
        let manager = FileManager.default
        let files = [Self.modelFileName, Self.cardFileName, Self.signatureFileName]
        for name in files where manager.fileExists(atPath: directory.appendingPathComponent(name).path) {
            throw ComplianceError(
                .invalidInput, "the release directory already holds \(name); a released model version is never overwritten")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let card = try encoder.encode(signedModel.card) + Data("\n".utf8)
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(signedModel.model).write(to: directory.appendingPathComponent(Self.modelFileName), options: .atomic)
            try card.write(to: directory.appendingPathComponent(Self.cardFileName), options: .atomic)
            try Data((signedModel.signature.hexString + "\n").utf8).write(
                to: directory.appendingPathComponent(Self.signatureFileName), options: .atomic)
        } catch {
            throw ComplianceError(.invalidInput, "cannot write the release of \(signedModel.card.id): \(error)")
        }
    }

    /// Reads a release directory written by ``write(to:)``, without verifying it.
    ///
    /// Throws ``ComplianceError/Code/invalidInput`` for a missing, unreadable or oversized file, and
    /// ``ComplianceError/Code/verificationFailed`` when `card.json` is not a model card or
    /// `card.sig` is not hexadecimal.
    public static func read(from directory: URL) throws -> ModelRelease {
        let model = try readFile(Self.modelFileName, in: directory, limit: maximumModelBytes)
        let cardBytes = try readFile(Self.cardFileName, in: directory, limit: maximumCardBytes)
        let signatureBytes = try readFile(Self.signatureFileName, in: directory, limit: maximumSignatureFileBytes)
        let card: ModelCard
        do {
            card = try JSONDecoder().decode(ModelCard.self, from: cardBytes)
        } catch {
            throw ComplianceError(
                .verificationFailed, "\(cardFileName) is not a valid model card (modified or truncated?): \(error)")
        }
        let signatureText = String(decoding: signatureBytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let signature = [UInt8](hex: signatureText) else {
            throw ComplianceError(.verificationFailed, "\(signatureFileName) is not hexadecimal")
        }
        let json = try HashChain.canonicalJSON(card)
        return ModelRelease(try SignedModel(cardJSON: json, signature: signature, model: Array(model)))
    }

    private static func readFile(_ name: String, in directory: URL, limit: Int) throws -> Data {
        let url = directory.appendingPathComponent(name)
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            guard attributes[.type] as? FileAttributeType == .typeRegular else {
                throw ComplianceError(.invalidInput, "\(name) in the release directory is not a regular file")
            }
            size = (attributes[.size] as? NSNumber)?.intValue ?? Int.max
        } catch let error as ComplianceError {
            throw error
        } catch {
            throw ComplianceError(.invalidInput, "the release directory has no readable \(name)")
        }
        guard size <= limit else {
            throw ComplianceError(.invalidInput, "\(name) is \(size) bytes, more than the \(limit) a release may hold")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ComplianceError(.invalidInput, "cannot read \(name) from the release directory: \(error)")
        }
        // The file may have grown since it was measured.
        guard data.count <= limit else {
            throw ComplianceError(.invalidInput, "\(name) is \(data.count) bytes, more than the \(limit) a release may hold")
        }
        return data
    }
}
