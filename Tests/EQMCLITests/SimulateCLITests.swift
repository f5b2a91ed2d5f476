import Foundation
import Testing

@Suite struct SimulateCLITests {
    /// `eqm simulate` runs rounds with in-process SecAgg+ and distributed DP: ε grows every round,
    /// σ achieved meets the target, and the throughput is reported; without SecAgg+ and DP the
    /// same rounds run on plain sums and no ε is claimed.
    @Test func simulatesRoundsWithAndWithoutSecureAggregation() throws {
        let secure = try EQMProcess.run([
            "simulate", "--clients", "16", "--rounds", "3", "--sampling-rate", "0.6", "--held-out-users", "3", "--minutes", "4",
            "--json",
        ])
        #expect(secure.status == 0, "\(secure.stderr)")
        let output = try secure.json()
        let lines = try #require(output["lines"] as? [[String: Any]])
        #expect(lines.count == 3)
        let epsilons = lines.compactMap { $0["epsilon"] as? Double }
        #expect(epsilons.count == 3 && epsilons == epsilons.sorted() && epsilons[0] > 0)
        #expect(lines.allSatisfy { ($0["achieved_noise_multiplier"] as? Double ?? 0) >= 1 })
        #expect(lines.allSatisfy { $0["survivors"] as? Int == $0["selected"] as? Int })
        #expect((output["client_rounds_per_second"] as? Double ?? 0) > 0)
        #expect(output["client_rounds"] as? Int == lines.compactMap { $0["selected"] as? Int }.reduce(0, +))

        let plain = try EQMProcess.run([
            "simulate", "--clients", "16", "--rounds", "2", "--sampling-rate", "0.6", "--held-out-users", "3", "--minutes", "4",
            "--secagg", "off", "--dp", "off", "--json",
        ])
        #expect(plain.status == 0, "\(plain.stderr)")
        let plainLines = try #require(try plain.json()["lines"] as? [[String: Any]])
        #expect(plainLines.count == 2 && plainLines.allSatisfy { $0["epsilon"] == nil })

        let invalid = try EQMProcess.run(["simulate", "--dp", "lots"])
        #expect(invalid.status != 0 && invalid.stderr.contains("--dp"))
    }
}
