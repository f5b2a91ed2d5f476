/// A published, versioned consent text for one purpose. Users consent to a specific version; a new
/// version needs new consent.
public struct ConsentText: Codable, Sendable, Hashable {
    /// The purpose it covers.
    public var purpose: ProcessingPurpose
    /// Its version (monotonic per purpose).
    public var version: Int
    /// The text shown to the user.
    public var text: String
    /// When it was published (ISO-8601).
    public var published: String

    /// Creates a consent text.
    public init(purpose: ProcessingPurpose, version: Int, text: String, published: String) {
        self.purpose = purpose
        self.version = version
        self.text = text
        self.published = published
    }
}

/// One grant or withdrawal, kept forever as evidence (GDPR Art. 7(1): the controller must be able
/// to demonstrate consent), and its signed receipt for the user.
public struct ConsentRecord: Codable, Sendable, Hashable {
    /// The pseudonymous subject (node id).
    public var subject: String
    /// The purpose.
    public var purpose: ProcessingPurpose
    /// The consent text version the decision refers to.
    public var textVersion: Int
    /// Granted (true) or withdrawn (false).
    public var granted: Bool
    /// When (ISO-8601).
    public var time: String

    /// Creates a record.
    public init(subject: String, purpose: ProcessingPurpose, textVersion: Int, granted: Bool, time: String) {
        self.subject = subject
        self.purpose = purpose
        self.textVersion = textVersion
        self.granted = granted
        self.time = time
    }
}

/// A consent record signed by the coordinator, handed to the user as proof of what they decided.
public struct ConsentReceipt: Codable, Sendable, Hashable {
    /// The record's canonical JSON, exactly as signed.
    public var record: String
    /// The signer's public key (hex).
    public var signer: String
    /// Ed25519 signature (hex) over `"eqm.consent.receipt.v1|" + record`.
    public var signature: String
}
