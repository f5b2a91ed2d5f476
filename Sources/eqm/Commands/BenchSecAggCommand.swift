import ArgumentParser
import EQMCore
import EQMProtocols
import Foundation

/// The `--privacy` option (the library's ``PrivacyMode`` stays free of ArgumentParser).
enum BenchPrivacy: String, ExpressibleByArgument, CaseIterable {
    case none, distributed, local

    var mode: PrivacyMode {
        switch self {
        case .none: .none
        case .distributed: .distributed
        case .local: .local
        }
    }
}

struct BenchSecAggCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secagg",
        abstract: "One whole SecAgg+ round in process: N clients and the server, real keys, shares, masks and sealed messages.",
        discussion: """
            Reference configurations: --clients 100 --params 100000 --dropout 0.1 and --clients 1000 --params 100000 \
            --dropout 0.1, with the recommended k and t (10% dropout, 5% corruption, failure ≤ 1e-5, security ≤ 2^-40). \
            Dropped clients leave after sharing keys (before their masked input), the case that makes the server \
            reconstruct and remove their pairwise masks. Each update is D uniform values clipped to C = 1, quantised with \
            libsodium randomness; max_abs_error compares the decoded sum with the exact sum of the survivors' updates. \
            server_seconds is all server work (opening, verifying, routing, summing, unmasking); client_seconds_mean is \
            one full participant's own work. Build with -c release.
            """
    )

    @Option(help: "Participants.") var clients: Int = 100
    @Option(help: "Parameters per update (D).") var params: Int = 100_000
    @Option(help: "Fraction of participants that drop out after sharing keys.") var dropout: Double = 0.1
    @Option(help: "Neighbours k (default: recommended for the cohort).") var neighbors: Int?
    @Option(help: "Threshold t (default: recommended).") var threshold: Int?
    @Option(help: "Differential privacy: none, distributed or local.") var privacy: BenchPrivacy = .none
    @Option(help: "Noise multiplier σ when --privacy is not none.") var noiseMultiplier: Double = 1
    @Option(help: "Threads for client simulation and for server unmasking.") var threads: Int = 2
    @Option(help: "Seed of the synthetic updates and of who drops out (not of any key or noise).") var seed: UInt64 = 1
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        var clients: Int, params: Int, dropout: Double, neighbors: Int, threshold: Int
        var server_seconds: Double, client_seconds_mean: Double, total_seconds: Double, max_abs_error: Double
        var bytes_per_client: Double
        var server_unmask_seconds: Double, client_seconds_max: Double, bytes_received_per_client: Double
        var survivors: Int, minimum_survivors: Int, privacy: String, achieved_noise_multiplier: Double, threads: Int
        var server_cpu_seconds: Double, server_unmask_cpu_seconds: Double, client_cpu_seconds_mean: Double
    }

    func validate() throws {
        guard (3...WireProtocol.maximumParticipants).contains(clients) else {
            throw ValidationError("--clients must be in 3...\(WireProtocol.maximumParticipants)")
        }
        guard (1...WireProtocol.maximumVectorLength).contains(params) else {
            throw ValidationError("--params must be in 1...\(WireProtocol.maximumVectorLength)")
        }
        guard dropout >= 0 && dropout < 1 else { throw ValidationError("--dropout must be in [0, 1)") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be in 1...64") }
        guard privacy == .none || (noiseMultiplier > 0 && noiseMultiplier.isFinite) else {
            throw ValidationError("--noise-multiplier must be positive")
        }
    }

    func run() throws {
        let recommended = try? SecAggParameters.recommended(participants: clients)
        guard let k = neighbors ?? recommended?.neighbors, let t = threshold ?? recommended?.threshold else {
            throw CommandFailure("no recommended k and t for \(clients) clients; pass --neighbors and --threshold")
        }
        let floor = max(t, min(recommended?.minimumSurvivors ?? t, clients))
        let encoding = try UpdateEncoding.calibrated(
            dimension: params, clipNorm: 1, maximumContributors: clients, privacy: privacy.mode,
            noiseMultiplier: privacy == .none ? 0 : noiseMultiplier, survivorFloor: floor)
        Terminal.progress("bench secagg: generating \(clients) identities")
        var simulator = try SecAggSimulator.makeRound(
            participants: clients, dimension: params, neighbors: k, threshold: t,
            minimumSurvivors: floor, encoding: encoding)
        simulator.concurrency = threads
        simulator.serverConcurrency = threads
        var generator = SeededGenerator(seed: seed)
        let dropped = Array((0..<clients).shuffled(using: &generator).prefix(Int((dropout * Double(clients)).rounded())))
        let dimension = params, baseSeed = seed
        Terminal.progress(
            "bench secagg: running the round (\(clients) clients, \(params) parameters, \(dropped.count) drop after sharing)")
        let report = try simulator.run(dropouts: Dictionary(uniqueKeysWithValues: dropped.map { ($0, .afterSharing) })) { index in
            try encoding.encode(Self.update(index: index, dimension: dimension, seed: baseSeed))
        }
        Terminal.endProgress()

        // The exact sum of the survivors' (unclipped: they are within C) updates.
        var expected = [Double](repeating: 0, count: params)
        for index in report.result.survivors {
            let update = Self.update(index: index, dimension: params, seed: seed)
            for position in 0..<params { expected[position] += Double(update[position]) }
        }
        let decoded = try encoding.decode(sum: report.result.sum)
        var worst = 0.0
        for position in 0..<params { worst = max(worst, abs(decoded[position] - expected[position])) }

        let result = Result(
            clients: clients, params: params, dropout: dropout, neighbors: k, threshold: t,
            server_seconds: round4(report.serverSeconds), client_seconds_mean: round4(report.clientSecondsMean),
            total_seconds: round4(report.totalSeconds), max_abs_error: worst,
            bytes_per_client: report.bytesSentPerClient.rounded(),
            server_unmask_seconds: round4(report.serverUnmaskSeconds), client_seconds_max: round4(report.clientSecondsMax),
            bytes_received_per_client: report.bytesReceivedPerClient.rounded(), survivors: report.result.survivors.count,
            minimum_survivors: floor, privacy: privacy.rawValue,
            achieved_noise_multiplier: report.result.privacy.achievedNoiseMultiplier, threads: threads,
            server_cpu_seconds: round4(report.serverCPUSeconds), server_unmask_cpu_seconds: round4(report.serverUnmaskCPUSeconds),
            client_cpu_seconds_mean: round4(report.clientCPUSecondsMean))
        if json {
            try Terminal.printJSON(result)
        } else {
            print(
                """
                \(clients) clients × \(params) parameters, \(dropped.count) dropped after sharing, k = \(k), t = \(t): \
                server \(result.server_seconds) s (unmask \(result.server_unmask_seconds) s), client mean \(result.client_seconds_mean) s, \
                total \(result.total_seconds) s, max |error| \(worst), \(Int(result.bytes_per_client)) bytes sent per client
                """)
        }
    }

    /// A synthetic update: D values uniform in ±0.9/√D, so its norm is below C = 1 and clipping is a no-op.
    static func update(index: Int, dimension: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index))
        let bound = 0.9 / Double(dimension).squareRoot()
        return (0..<dimension).map { _ in Float((Double(generator.next() >> 11) * 0x1p-53 * 2 - 1) * bound) }
    }

    private func round4(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
}
