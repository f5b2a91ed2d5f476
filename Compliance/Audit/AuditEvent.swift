/// Something that happened to personal data or the privacy budget, as the audit trail records it.
///
/// Subjects are pseudonymous node identifiers, never names, e-mail addresses or raw values.
public struct AuditEvent: Codable, Sendable, Hashable {
    /// What happened.
    public struct Action: RawRepresentable, Codable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Personal data (a node's records, an export) was read.
        public static let personalDataAccess = Action(rawValue: "personal_data_access")
        /// Consent was granted for a purpose.
        public static let consentGranted = Action(rawValue: "consent_granted")
        /// Consent was withdrawn for a purpose.
        public static let consentWithdrawn = Action(rawValue: "consent_withdrawn")
        /// A user's data was erased (Art. 17).
        public static let erasure = Action(rawValue: "erasure")
        /// Data was deleted by a retention policy (Art. 5(1)(e)).
        public static let retentionDeletion = Action(rawValue: "retention_deletion")
        /// A training round completed.
        public static let roundCompleted = Action(rawValue: "round_completed")
        /// A model version was released.
        public static let modelReleased = Action(rawValue: "model_released")
        /// Data about a user was exported (Art. 15, 20).
        public static let dataExport = Action(rawValue: "data_export")
    }

    /// When (ISO-8601).
    public var time: String
    /// Who acted: a role and pseudonymous id (e.g. "operator:3", "node:ab12…", "system:sweeper").
    public var actor: String
    /// What happened.
    public var action: Action
    /// Whose data, as a pseudonymous id, if anyone's.
    public var subject: String?
    /// Further facts (counts, purposes, versions); no personal data.
    public var details: [String: String]

    /// Creates an event.
    public init(time: String, actor: String, action: Action, subject: String? = nil, details: [String: String] = [:]) {
        self.time = time
        self.actor = actor
        self.action = action
        self.subject = subject
        self.details = details
    }
}
