import ArgumentParser
import EQMCore

struct PrivacyNoiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noise",
        abstract: "The smallest noise multiplier σ meeting a target (ε, δ) for q and steps.",
        discussion: """
            Bisection over σ on a grid of 1e-5, rounded up: the printed σ meets the target and σ − 1e-5 does not. \
            achieved_epsilon is the accountant's ε at the printed σ (≤ the target).
            """
    )

    @Option(help: "The ε to meet (> 0).") var targetEpsilon: Double
    @Option(help: "δ in (0, 1).") var delta: Double
    @Option(help: "Sampling rate q in (0, 1].") var samplingRate: Double
    @Option(help: "Number of rounds (≥ 1).") var steps: Int
    @Option(help: "The accountant: rdp or pld.") var accountant: AccountantChoice = .rdp
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard targetEpsilon > 0, targetEpsilon.isFinite else {
            throw ValidationError("--target-epsilon must be a positive number, found \(targetEpsilon)")
        }
        try PrivacyOptionCheck.delta(delta)
        try PrivacyOptionCheck.samplingRate(samplingRate)
        try PrivacyOptionCheck.steps(steps)
    }

    struct Result: Encodable {
        var noise_multiplier: Double, achieved_epsilon: Double, target_epsilon: Double, delta: Double
        var sampling_rate: Double, steps: Int, accountant: String, accountant_version: String
        var optimal_order: Double?, resolution: Double
    }

    func run() throws {
        let accountant = self.accountant.accountant
        let calibration: NoiseCalibration
        do {
            calibration = try accountant.calibrateNoise(
                targetEpsilon: targetEpsilon, delta: delta,
                samplingRate: samplingRate, steps: steps)
        } catch {
            throw CommandFailure(error.message)
        }
        let result = Result(
            noise_multiplier: calibration.noiseMultiplier, achieved_epsilon: calibration.achieved.epsilon,
            target_epsilon: targetEpsilon, delta: delta, sampling_rate: samplingRate, steps: steps,
            accountant: accountant.name, accountant_version: accountant.version,
            optimal_order: calibration.achieved.optimalOrder, resolution: 1e-5)
        if json {
            try Terminal.printJSON(result)
        } else {
            print(
                "σ = \(calibration.noiseMultiplier) gives ε = \(calibration.achieved.epsilon) ≤ \(targetEpsilon) at δ = \(delta) (\(accountant.name)) for \(steps) rounds, q = \(samplingRate)"
            )
        }
    }
}
