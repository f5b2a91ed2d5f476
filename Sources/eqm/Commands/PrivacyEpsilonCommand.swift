import ArgumentParser
import EQMCore

/// The accountant a privacy command uses.
enum AccountantChoice: String, ExpressibleByArgument, CaseIterable {
    case rdp, pld

    var accountant: any PrivacyAccountant {
        switch self {
        case .rdp: RDPAccountant()
        case .pld: try! PLDAccountant()  // the adaptive default cannot be invalid
        }
    }
}

/// Range checks shared by the privacy commands, with messages naming the option and the value found.
enum PrivacyOptionCheck {
    static func samplingRate(_ value: Double) throws {
        guard value > 0, value <= 1 else { throw ValidationError("--sampling-rate must be in (0, 1], found \(value)") }
    }
    static func delta(_ value: Double) throws {
        guard value > 0, value < 1 else { throw ValidationError("--delta must be in (0, 1), found \(value)") }
    }
    static func steps(_ value: Int) throws {
        guard value >= 1 else { throw ValidationError("--steps must be at least 1, found \(value)") }
    }
}

struct PrivacyEpsilonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "epsilon",
        abstract: "ε of Poisson-subsampled Gaussian rounds at δ (add/remove-one adjacency).",
        discussion: """
            rdp: Rényi DP at dp-accounting 0.6.0's default orders, converted with Balle et al. 2020 (reports the optimal order). \
            pld: privacy loss distributions, pessimistic connect-the-dots discretisation composed by FFT (tighter). \
            Both report an upper bound on ε.
            """
    )

    @Option(help: "Sampling rate q in (0, 1]: each unit's probability of taking part in a round.") var samplingRate: Double
    @Option(help: "Noise multiplier σ ≥ 0 (noise standard deviation over clip norm).") var noiseMultiplier: Double
    @Option(help: "Number of rounds (≥ 1).") var steps: Int
    @Option(help: "δ in (0, 1).") var delta: Double
    @Option(help: "The accountant: rdp or pld.") var accountant: AccountantChoice = .rdp
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        try PrivacyOptionCheck.samplingRate(samplingRate)
        guard noiseMultiplier >= 0, noiseMultiplier.isFinite else {
            throw ValidationError("--noise-multiplier must be a finite number ≥ 0, found \(noiseMultiplier)")
        }
        try PrivacyOptionCheck.steps(steps)
        try PrivacyOptionCheck.delta(delta)
    }

    struct Result: Encodable {
        var epsilon: Double?, accountant: String, accountant_version: String, delta: Double
        var sampling_rate: Double, noise_multiplier: Double, steps: Int, optimal_order: Double?

        // epsilon is null (not omitted) when no finite ε exists (σ = 0).
        private enum CodingKeys: String, CodingKey {
            case epsilon, accountant, accountant_version, delta, sampling_rate, noise_multiplier, steps, optimal_order
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(epsilon, forKey: .epsilon)
            try container.encode(accountant, forKey: .accountant)
            try container.encode(accountant_version, forKey: .accountant_version)
            try container.encode(delta, forKey: .delta)
            try container.encode(sampling_rate, forKey: .sampling_rate)
            try container.encode(noise_multiplier, forKey: .noise_multiplier)
            try container.encode(steps, forKey: .steps)
            try container.encodeIfPresent(optimal_order, forKey: .optimal_order)
        }
    }

    func run() throws {
        let accountant = self.accountant.accountant
        let guarantee: PrivacyGuarantee
        do {
            let event = try PrivacyEvent(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier, steps: steps)
            guarantee = try accountant.guarantee(for: event, delta: delta)
        } catch {
            throw CommandFailure(error.message)
        }
        let finite = guarantee.epsilon.isFinite
        let result = Result(
            epsilon: finite ? guarantee.epsilon : nil, accountant: accountant.name,
            accountant_version: accountant.version, delta: delta, sampling_rate: samplingRate,
            noise_multiplier: noiseMultiplier, steps: steps, optimal_order: guarantee.optimalOrder)
        if json {
            try Terminal.printJSON(result)
        } else {
            let value = finite ? "\(guarantee.epsilon)" : "∞ (no noise: no finite ε)"
            let order = guarantee.optimalOrder.map { ", optimal order \($0)" } ?? ""
            print(
                "ε = \(value) at δ = \(delta) (\(accountant.name)\(order)) for \(steps) rounds, q = \(samplingRate), σ = \(noiseMultiplier)"
            )
        }
    }
}
