import ArgumentParser

// The command groups.

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Wearable data: import, validation, features.",
        discussion: "Import wearable exports into the encrypted store, inspect it, and compute per-window features.",
        subcommands: [DataImportCommand.self, DataStatusCommand.self, DataFeaturesCommand.self]
    )
}

struct PrivacyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privacy",
        abstract: "Privacy accounting: ε for a mechanism, noise for a target ε.",
        subcommands: [PrivacyEpsilonCommand.self, PrivacyNoiseCommand.self]
    )
}

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the DP budget ledger and the audit trail offline.",
        discussion: "Against a running coordinator with an auditor token once the coordinator exists (#6).",
        subcommands: [AuditVerifyCommand.self]
    )
}

struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run a client node: enroll, consent, import, train, take part in rounds, predict, serve, erase.",
        discussion: "The node's data stays in its encrypted store (--store); only masked, noised updates and evaluation counts leave it.",
        subcommands: [
            NodeInitCommand.self, NodeEnrollCommand.self, NodeConsentCommand.self, DataImportCommand.self,
            NodeSynthesizeCommand.self, NodeLabelCommand.self, NodeTrainCommand.self, NodeRunCommand.self,
            NodePredictCommand.self, NodeServeCommand.self, NodeLedgerCommand.self, NodeExportCommand.self,
            NodeEraseCommand.self,
        ]
    )
}
