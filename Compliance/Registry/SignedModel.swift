import EQMCore
public import EQMCrypto
import Foundation

/// A model file with its card, signed by the coordinator: what clients download and check before
/// they run a model.
///
/// The signature is Ed25519 over `"eqm.model.card.v1|"` followed by the card's canonical JSON
/// (``HashChain/canonicalJSON(_:)``: sorted keys, no insignificant white space). The card names the
/// model file's BLAKE2b-256 digest, so the one signature covers the model bytes too, and the
/// prefix keeps it from being mistaken for any other EQM signature (consent receipts, checkpoints).
public struct SignedModel: Sendable, Hashable {
    /// The card, decoded from ``cardJSON``; trust it only once ``verify(trusting:)`` returns.
    public let card: ModelCard
    /// The canonical JSON of the card, exactly as signed.
    public let cardJSON: String
    /// The 64-byte Ed25519 signature over ``signatureDomain`` + ``cardJSON``.
    public let signature: [UInt8]
    /// The EQMMODEL file bytes.
    public let model: [UInt8]

    /// The domain-separation prefix of every model card signature.
    public static let signatureDomain = "eqm.model.card.v1|"

    /// Assembles a release received from elsewhere, without verifying it (call ``verify(trusting:)``).
    ///
    /// Throws ``ComplianceError/Code/verificationFailed`` when `cardJSON` is not a model card.
    public init(cardJSON: String, signature: [UInt8], model: [UInt8]) throws {
        do {
            card = try JSONDecoder().decode(ModelCard.self, from: Data(cardJSON.utf8))
        } catch {
            throw ComplianceError(
                .verificationFailed, "the card JSON is not a valid model card (modified or truncated?): \(error)")
        }
        self.cardJSON = cardJSON
        self.signature = signature
        self.model = model
    }

    private init(card: ModelCard, cardJSON: String, signature: [UInt8], model: [UInt8]) {
        self.card = card
        self.cardJSON = cardJSON
        self.signature = signature
        self.model = model
    }

    /// Signs `card` for `model` with the coordinator's key.
    ///
    /// Refuses (``ComplianceError/Code/invalidInput``) a card that does not validate, whose
    /// ``ModelCard/modelDigest`` is not the digest of `model`, whose ``ModelCard/coordinatorKey`` is
    /// not `key`'s public key, or whose parameter count or labels differ from the model file's.
    public static func sign(card: ModelCard, model: [UInt8], key: SigningKey) throws -> SignedModel {
        try card.validate()
        let digest = Blake2b.hash(model).hexString
        guard digest == card.modelDigest else {
            throw ComplianceError(
                .invalidInput,
                "card \(card.id) names model digest \(card.modelDigest.prefix(16))…, but the model bytes hash to \(digest.prefix(16))…"
            )
        }
        guard card.coordinatorKey == key.publicKey.hex else {
            throw ComplianceError(
                .invalidInput,
                "card \(card.id) names coordinator key \(card.coordinatorKey.prefix(16))…, but the signing key is \(key.publicKey.hex.prefix(16))…"
            )
        }
        try checkModelFile(model, against: card, code: .invalidInput)
        let json = try HashChain.canonicalJSON(card)
        return SignedModel(
            card: card, cardJSON: json, signature: key.sign(signedBytes(cardJSON: json)), model: model)
    }

    /// Checks the release and returns its card.
    ///
    /// Each check throws ``ComplianceError/Code/verificationFailed`` with a message naming it:
    /// 1. the signature is well formed and valid for `publicKey` over the domain-separated card JSON
    ///    (a card signed by another key is reported as such);
    /// 2. the card names `publicKey` as its coordinator key;
    /// 3. the model bytes hash to the card's ``ModelCard/modelDigest``;
    /// 4. the model file parses and has the card's parameter count and labels.
    public func verify(trusting publicKey: PublicKey) throws -> ModelCard {
        guard signature.count == SigningKey.signatureLength else {
            throw ComplianceError(
                .verificationFailed,
                "model card signature is \(signature.count) bytes, expected \(SigningKey.signatureLength)")
        }
        let message = Self.signedBytes(cardJSON: cardJSON)
        guard publicKey.isValidSignature(signature, for: message) else {
            if card.coordinatorKey != publicKey.hex, let other = try? PublicKey(hex: card.coordinatorKey),
                other.isValidSignature(signature, for: message)
            {
                throw ComplianceError(
                    .verificationFailed,
                    "model card \(card.id) is signed by coordinator key \(other.hex.prefix(16))…, not by the trusted key \(publicKey.hex.prefix(16))…"
                )
            }
            throw ComplianceError(
                .verificationFailed,
                "model card signature does not verify under the trusted key \(publicKey.hex.prefix(16))…: the card or its signature was modified"
            )
        }
        guard card.coordinatorKey == publicKey.hex else {
            throw ComplianceError(
                .verificationFailed,
                "model card \(card.id) names coordinator key \(card.coordinatorKey.prefix(16))…, not the trusted key \(publicKey.hex.prefix(16))…"
            )
        }
        let digest = Blake2b.hash(model).hexString
        guard ConstantTime.equals(Array(digest.utf8), Array(card.modelDigest.utf8)) else {
            throw ComplianceError(
                .verificationFailed,
                "model bytes of \(card.id) hash to \(digest.prefix(16))…, not the signed model digest \(card.modelDigest.prefix(16))…: the model file was modified or replaced"
            )
        }
        try Self.checkModelFile(model, against: card, code: .verificationFailed)
        return card
    }

    /// The bytes a card signature covers.
    static func signedBytes(cardJSON: String) -> [UInt8] { Array((signatureDomain + cardJSON).utf8) }

    private static func checkModelFile(_ model: [UInt8], against card: ModelCard, code: ComplianceError.Code) throws {
        let header: ModelFile.Header
        do {
            header = try ModelFile.decode(model).header
        } catch {
            throw ComplianceError(code, "model file of \(card.id) does not parse: \(error)")
        }
        guard header.parameterCount == card.parameterCount else {
            throw ComplianceError(
                code,
                "model file of \(card.id) holds \(header.parameterCount) parameters, the card says \(card.parameterCount)")
        }
        guard header.labels == card.labels else {
            throw ComplianceError(code, "model file of \(card.id) has labels \(header.labels), the card says \(card.labels)")
        }
    }
}
