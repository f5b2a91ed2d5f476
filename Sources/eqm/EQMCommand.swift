import ArgumentParser

@main
struct EQMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eqm",
        abstract: "Privacy-preserving federated learning for wearable emotion and stress recognition.",
        version: "0.1.0",
        subcommands: [
            DemoCommand.self, SimulateCommand.self, BenchCommand.self, DataCommand.self, PrivacyCommand.self,
            AuditCommand.self, ModelCommand.self, CoordinatorCommand.self, NodeCommand.self,
        ]
    )
}
