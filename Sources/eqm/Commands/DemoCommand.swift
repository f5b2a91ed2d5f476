import ArgumentParser

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Train an emotion model on a synthetic cohort and report held-out metrics."
    )
}
