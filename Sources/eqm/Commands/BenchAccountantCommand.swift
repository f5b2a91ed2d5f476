import ArgumentParser
import EQMCore

struct BenchAccountantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accountant",
        abstract: "Latency (milliseconds) of one RDP and one PLD ε query, at 1,000 and 10,000 steps by default.",
        discussion: """
            Reference configuration: q = 0.01, σ = 1.1, δ = 1e-5, steps 1000 and 10000; each query from scratch \
            (no caching), one thread, median and maximum of --repeats after one warm-up. Build with -c release.
            """
    )

    @Option(help: "Sampling rate q.") var samplingRate: Double = 0.01
    @Option(help: "Noise multiplier σ.") var noiseMultiplier: Double = 1.1
    @Option(parsing: .upToNextOption, help: "Step counts to time.") var steps: [Int] = [1000, 10_000]
    @Option(help: "δ.") var delta: Double = 1e-5
    @Option(help: "Timed queries per configuration.") var repeats: Int = 20
    @Flag(help: "Print one JSON object.") var json = false

    struct Measurement: Encodable {
        var accountant: String, accountant_version: String, sampling_rate: Double, noise_multiplier: Double
        var steps: Int, delta: Double, epsilon: Double, median_milliseconds: Double, max_milliseconds: Double
        var repeats: Int, interval_remove: Double?, interval_add: Double?
    }

    struct Result: Encodable {
        var measurements: [Measurement], threads: Int
    }

    func validate() throws {
        try PrivacyOptionCheck.samplingRate(samplingRate)
        guard noiseMultiplier > 0, noiseMultiplier.isFinite else {
            throw ValidationError("--noise-multiplier must be a positive number, found \(noiseMultiplier)")
        }
        for count in steps { try PrivacyOptionCheck.steps(count) }
        try PrivacyOptionCheck.delta(delta)
        guard (1...1000).contains(repeats) else { throw ValidationError("--repeats must be in 1...1000, found \(repeats)") }
    }

    func run() throws {
        let clock = ContinuousClock()
        var measurements: [Measurement] = []
        do {
            let pld = try PLDAccountant()
            let accountants: [any PrivacyAccountant] = [RDPAccountant(), pld]
            for count in steps {
                let event = try PrivacyEvent(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier, steps: count)
                for accountant in accountants {
                    Terminal.progress("bench accountant \(accountant.name) steps \(count)")
                    var epsilon = try accountant.guarantee(for: event, delta: delta).epsilon  // warm-up
                    var samples: [Double] = []
                    for _ in 0..<repeats {
                        let start = clock.now
                        epsilon = try accountant.guarantee(for: event, delta: delta).epsilon
                        samples.append((clock.now - start).seconds * 1000)
                    }
                    samples.sort()
                    let intervals = accountant is PLDAccountant ? pld.intervals(for: event, delta: delta) : nil
                    measurements.append(
                        Measurement(
                            accountant: accountant.name, accountant_version: accountant.version, sampling_rate: samplingRate,
                            noise_multiplier: noiseMultiplier, steps: count, delta: delta, epsilon: epsilon,
                            median_milliseconds: round3(samples[samples.count / 2]), max_milliseconds: round3(samples.last!),
                            repeats: repeats, interval_remove: intervals?.remove, interval_add: intervals?.add))
                }
            }
        } catch {
            throw CommandFailure(error.message)
        }
        Terminal.endProgress()
        if json {
            try Terminal.printJSON(Result(measurements: measurements, threads: 1))
        } else {
            for m in measurements {
                let interval = m.interval_remove.map { ", Δ remove \($0), add \(m.interval_add ?? $0)" } ?? ""
                print(
                    "\(m.accountant) q=\(m.sampling_rate) σ=\(m.noise_multiplier) steps=\(m.steps) δ=\(m.delta): ε = \(m.epsilon), median \(m.median_milliseconds) ms, max \(m.max_milliseconds) ms (\(m.repeats) queries\(interval))"
                )
            }
        }
    }

    private func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
