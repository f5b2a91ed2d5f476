import EQMCrypto
import EQMProtocols
import Foundation
import Testing

@Suite("Distributed differential privacy")
struct DistributedNoiseTests {
    static let dimension = 10_000

    /// Runs a round of zero updates and returns the report and the standard deviation of the
    /// decoded sum (pure noise).
    static func noiseRound(
        mode: PrivacyMode, sigma: Double, clip: Double, participants: Int, floor: Int,
        dropped: [Int]
    ) throws -> (SecAggSimulator.Report, Double) {
        let encoding = try UpdateEncoding.calibrated(
            dimension: dimension, clipNorm: clip, maximumContributors: participants,
            privacy: mode, noiseMultiplier: sigma, survivorFloor: floor)
        let simulator = try SecAggSimulator.makeRound(
            participants: participants, dimension: dimension, neighbors: participants - 1,
            threshold: participants / 2 + 1,
            minimumSurvivors: max(floor, participants / 2 + 1), encoding: encoding)
        let zeros = [Float](repeating: 0, count: dimension)
        let report = try simulator.run(dropouts: Dictionary(uniqueKeysWithValues: dropped.map { ($0, .afterSharing) })) { _ in
            try encoding.encode(zeros)  // libsodium randomness, as in production
        }
        let decoded = try encoding.decode(sum: report.result.sum)
        let mean: Double = decoded.reduce(0, +) / Double(dimension)
        var squares = 0.0
        for value in decoded { squares += (value - mean) * (value - mean) }
        let variance = squares / Double(dimension - 1)
        return (report, variance.squareRoot())
    }

    @Test("distributed, no dropouts, noise sized for all: the aggregate noise has standard deviation σ·C")
    func aggregateNoise() throws {
        let (report, measured) = try Self.noiseRound(
            mode: .distributed, sigma: 1.2, clip: 0.5, participants: 8, floor: 8, dropped: [])
        // Standard error of a standard deviation over 10,000 values: 0.7%.
        #expect(abs(measured / (1.2 * 0.5) - 1) < 0.04, "measured \(measured), expected \(1.2 * 0.5)")
        #expect(abs(report.result.privacy.achievedNoiseMultiplier / 1.2 - 1) < 1e-3)
        #expect(report.result.privacy.meetsTarget)
    }

    @Test("distributed with dropouts: the reported σ is what the survivors added")
    func achievedWithDropouts() throws {
        // Sized for 5 survivors of 8; 2 drop after sharing, so 6 contribute noise.
        let (report, measured) = try Self.noiseRound(
            mode: .distributed, sigma: 1.0, clip: 1.0, participants: 8, floor: 5, dropped: [2, 6])
        let privacy = report.result.privacy
        #expect(privacy.survivors == 6 && privacy.dropouts == 2)
        let expected = (6.0 / 5.0).squareRoot()
        #expect(abs(privacy.achievedNoiseMultiplier / expected - 1) < 1e-3)
        // The measured noise, in units of the sensitivity, agrees with the report.
        let measuredMultiplier = measured * privacy.scale / privacy.sensitivity
        #expect(abs(measuredMultiplier / privacy.achievedNoiseMultiplier - 1) < 0.04)
        #expect(privacy.meetsTarget)
        // zCDP of the sum: ρ = 1/(2σ²) when τ vanishes.
        #expect(
            abs(privacy.concentratedDPRho! * 2 * privacy.achievedNoiseMultiplier * privacy.achievedNoiseMultiplier - 1) < 1e-6)
    }

    @Test("fewer survivors than the noise was sized for: the report says the target is missed")
    func reportBelowFloor() throws {
        let encoding = try UpdateEncoding.calibrated(
            dimension: 100, clipNorm: 1, maximumContributors: 10, privacy: .distributed,
            noiseMultiplier: 1, survivorFloor: 8)
        let report = encoding.privacyReport(survivors: 6, dropouts: 4)
        #expect(abs(report.achievedNoiseMultiplier - (6.0 / 8.0).squareRoot()) < 1e-3)
        #expect(!report.meetsTarget)
    }

    @Test("local mode: every node adds σ·C; the sum carries √m of it")
    func localMode() throws {
        let (report, measured) = try Self.noiseRound(mode: .local, sigma: 0.7, clip: 1.0, participants: 6, floor: 1, dropped: [])
        let privacy = report.result.privacy
        #expect(abs(privacy.localNoiseMultiplier! / 0.7 - 1) < 1e-3)
        #expect(abs(privacy.achievedNoiseMultiplier / (0.7 * 6.0.squareRoot()) - 1) < 1e-3)
        #expect(abs(measured / (0.7 * 6.0.squareRoot()) - 1) < 0.04)
    }

    @Test("the round report is Codable for the DP ledger")
    func ledgerCodable() throws {
        let encoding = try UpdateEncoding.calibrated(
            dimension: 100, clipNorm: 1, maximumContributors: 10, privacy: .distributed,
            noiseMultiplier: 1, survivorFloor: 8)
        let report = encoding.privacyReport(survivors: 9, dropouts: 1)
        let decoded = try JSONDecoder().decode(RoundPrivacyReport.self, from: try JSONEncoder().encode(report))
        #expect(decoded == report)
        #expect(decoded.mode == .distributed && decoded.clipNorm == 1 && decoded.scale == encoding.scale)
    }
}
