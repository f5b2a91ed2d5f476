import Foundation
import Testing

@Suite("eqm privacy")
struct PrivacyCommandTests {
    @Test("privacy epsilon --json prints ε, the accountant and, for rdp, the optimal order")
    func epsilon() throws {
        let arguments = [
            "privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "1.1", "--steps", "1000",
            "--delta", "1e-5", "--json",
        ]
        let rdp = try EQMProcess.run(arguments + ["--accountant", "rdp"])
        #expect(rdp.status == 0, "\(rdp.stderr)")
        let rdpJSON = try rdp.json()
        #expect(abs((rdpJSON["epsilon"] as? Double ?? 0) - 1.71177) < 1e-5)
        #expect(rdpJSON["accountant"] as? String == "rdp")
        #expect(rdpJSON["optimal_order"] as? Double == 9.6)
        for key in ["delta", "sampling_rate", "noise_multiplier", "steps", "accountant_version"] { #expect(rdpJSON[key] != nil) }
        let pld = try EQMProcess.run(arguments + ["--accountant", "pld"])
        #expect(pld.status == 0, "\(pld.stderr)")
        let pldJSON = try pld.json()
        #expect(abs((pldJSON["epsilon"] as? Double ?? 0) - 1.51537) < 1.5e-2)
        #expect(pldJSON["accountant"] as? String == "pld")
        #expect(pldJSON["optimal_order"] == nil)
    }

    @Test("privacy noise --json prints σ rounded up and the achieved ε")
    func noise() throws {
        let result = try EQMProcess.run([
            "privacy", "noise", "--target-epsilon", "1", "--delta", "1e-5", "--sampling-rate", "0.01",
            "--steps", "1000", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(json["noise_multiplier"] as? Double == 1.51313)
        #expect((json["achieved_epsilon"] as? Double ?? 2) <= 1)
    }

    @Test("σ = 0 prints a null ε")
    func noNoise() throws {
        let result = try EQMProcess.run([
            "privacy", "epsilon", "--sampling-rate", "0.1", "--noise-multiplier", "0", "--steps", "1",
            "--delta", "1e-5", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"epsilon\":null"))
    }

    @Test(
        "out-of-range options fail with a message naming the option",
        arguments: [
            (["--sampling-rate", "0", "--noise-multiplier", "1", "--steps", "1", "--delta", "1e-5"], "--sampling-rate"),
            (["--sampling-rate", "0.1", "--noise-multiplier", "-1", "--steps", "1", "--delta", "1e-5"], "--noise-multiplier"),
            (["--sampling-rate", "0.1", "--noise-multiplier", "1", "--steps", "0", "--delta", "1e-5"], "--steps"),
            (["--sampling-rate", "0.1", "--noise-multiplier", "1", "--steps", "1", "--delta", "1"], "--delta"),
            (
                ["--sampling-rate", "0.1", "--noise-multiplier", "1", "--steps", "1", "--delta", "1e-5", "--accountant", "gdp"],
                "accountant"
            ),
        ])
    func invalid(options: [String], mentioned: String) throws {
        let result = try EQMProcess.run(["privacy", "epsilon"] + options)
        #expect(result.status != 0)
        #expect(result.stderr.contains(mentioned), "\(result.stderr)")
    }

    @Test("bench accountant --json times both accountants")
    func bench() throws {
        let result = try EQMProcess.run(["bench", "accountant", "--steps", "100", "--repeats", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let measurements = try #require(try result.json()["measurements"] as? [[String: Any]])
        #expect(measurements.count == 2)
        #expect(measurements.compactMap { $0["accountant"] as? String } == ["rdp", "pld"])
    }
}
