/// The records of processing activities (GDPR Art. 30), generated from the deployment's
/// configuration so that the document cannot drift from what the system does.
public struct ProcessingRecords: Codable, Sendable, Hashable {
    /// One processing activity.
    public struct Activity: Codable, Sendable, Hashable {
        public var purpose: ProcessingPurpose
        public var lawfulBasis: String
        public var dataCategories: [String]
        public var dataSubjects: String
        public var recipients: [String]
        public var whereDataIsProcessed: String
    }

    public var controller: String
    public var contact: String
    public var activities: [Activity]
    public var retention: [RetentionPolicy]
    public var privacy: String
    public var securityMeasures: [String]

    /// Builds the report for a controller, the purposes offered and the retention policies enforced.
    public static func generate(
        controller: String, contact: String, purposes: [ProcessingPurpose], retention: [RetentionPolicy],
        delta: Double, perUserEpsilonCap: Double
    ) -> ProcessingRecords {
        let basis =
            "explicit consent, GDPR Art. 6(1)(a) and 9(2)(a); withdrawable at any time, effective before the next selection"
        let activities = purposes.map { purpose -> Activity in
            switch purpose {
            case .training:
                Activity(
                    purpose: purpose, lawfulBasis: basis,
                    dataCategories: [
                        "physiological signals (heart rate, HRV, skin conductance, temperature, movement, SpO2)",
                        "self-reported emotional states",
                    ],
                    dataSubjects: "wearers who enrolled a node",
                    recipients: [
                        "none: raw data stays on the wearer's node; the coordinator receives only securely aggregated, differentially private model updates"
                    ],
                    whereDataIsProcessed: "on the wearer's own node")
            case .evaluation:
                Activity(
                    purpose: purpose, lawfulBasis: basis, dataCategories: ["model accuracy metrics computed on the node"],
                    dataSubjects: "wearers who enrolled a node", recipients: ["the coordinator (aggregated metrics)"],
                    whereDataIsProcessed: "on the wearer's own node; aggregates at the coordinator")
            case .research:
                Activity(
                    purpose: purpose, lawfulBasis: basis, dataCategories: ["released models and aggregated metrics"],
                    dataSubjects: "wearers who enrolled a node",
                    recipients: ["researchers and developers pulling released models"],
                    whereDataIsProcessed: "coordinator and model consumers")
            }
        }
        return ProcessingRecords(
            controller: controller, contact: contact, activities: activities, retention: retention,
            privacy:
                "user-level differential privacy with δ = \(delta) and a per-user cap of ε = \(perUserEpsilonCap); every round recorded in a signed, hash-chained ledger",
            securityMeasures: [
                "node data encrypted at rest (XChaCha20-Poly1305, Argon2id-derived or file keys)",
                "secure aggregation (SecAgg+) of updates; updates sealed to the coordinator's key",
                "signed model artifacts; hash-chained audit trail with signed checkpoints",
                "role-based API tokens stored as hashes and compared in constant time",
            ])
    }
}
