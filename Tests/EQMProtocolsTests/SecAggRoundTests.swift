import EQMCrypto
import EQMProtocols
import Testing

@Suite("SecAgg+ rounds")
struct SecAggRoundTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        var n: Int, k: Int, t: Int
        var testDescription: String { "n=\(n) k=\(k) t=\(t)\(k == n - 1 ? " (complete)" : "")" }
    }

    static let shapes = [
        Shape(n: 5, k: 4, t: 3), Shape(n: 12, k: 11, t: 6), Shape(n: 30, k: 16, t: 9), Shape(n: 40, k: 10, t: 6),
    ]

    /// Up to `count` participants that can drop while every participant keeps ≥ t live neighbours.
    static func dropouts(count: Int, graph: NeighborGraph, threshold: Int, seed: UInt64) -> [Int] {
        var generator = TestGenerator(seed: seed)
        let n = graph.participantCount
        var alive = [Bool](repeating: true, count: n)
        var dropped = [Int]()
        for candidate in (0..<n).shuffled(using: &generator) where dropped.count < count {
            alive[candidate] = false
            let ok = (0..<n).allSatisfy { participant in graph.neighbors(of: participant).filter { alive[$0] }.count >= threshold
            }
            if ok { dropped.append(candidate) } else { alive[candidate] = true }
        }
        return dropped.sorted()
    }

    @Test(
        "the unmasked sum is exactly the sum of the survivors' inputs",
        arguments: shapes, [0.0, 0.1, 0.3])
    func sumOfSurvivors(shape: Shape, dropoutRate: Double) throws {
        if shape.n == 40 && dropoutRate > 0.2 { return }  // k = 10, t = 6 is not provisioned for 30%.
        let dimension = 300
        let simulator = try SecAggSimulator.makeRound(
            participants: shape.n, dimension: dimension, neighbors: shape.k,
            threshold: shape.t, minimumSurvivors: shape.t)
        let target = Int((dropoutRate * Double(shape.n)).rounded(.down))
        let dropped = Self.dropouts(
            count: target, graph: try simulator.configuration.neighborGraph(), threshold: shape.t,
            seed: UInt64(shape.n * 100) + UInt64(dropoutRate * 10))
        #expect(dropped.count == target, "could only drop \(dropped.count) of \(target)")
        let inputs = RoundHarness.inputs(participants: shape.n, dimension: dimension, seed: 7)
        let report = try simulator.run(dropouts: Dictionary(uniqueKeysWithValues: dropped.map { ($0, .afterSharing) })) {
            inputs[$0]
        }
        let survivors = (0..<shape.n).filter { !dropped.contains($0) }
        #expect(report.result.survivors == survivors)
        #expect(report.result.dropouts == dropped.count)
        #expect(report.result.sum == RoundHarness.plainSum(inputs, of: survivors))
    }

    @Test("dropouts at every stage: only masked inputs that arrived are in the sum")
    func dropoutsAtEveryStage() throws {
        let simulator = try SecAggSimulator.makeRound(
            participants: 24, dimension: 100, neighbors: 14, threshold: 8,
            minimumSurvivors: 10)
        let plan: [Int: SecAggSimulator.DropoutStage] = [
            1: .beforeAdvertising, 5: .afterAdvertising, 9: .afterSharing, 13: .afterSharing, 17: .afterMaskedInput,
            20: .afterMaskedInput,
        ]
        let inputs = RoundHarness.inputs(participants: 24, dimension: 100, seed: 11)
        let report = try simulator.run(dropouts: plan) { inputs[$0] }
        let contributed = (0..<24).filter { ![1, 5, 9, 13].contains($0) }
        #expect(report.result.survivors == contributed)
        #expect(report.result.sum == RoundHarness.plainSum(inputs, of: contributed))
    }

    @Test("random dropouts on a tight graph give the right sum or a clear error, never a wrong sum")
    func rightSumOrClearError() throws {
        var successes = 0
        for attempt in 0..<4 {
            let simulator = try SecAggSimulator.makeRound(
                participants: 30, dimension: 50, neighbors: 6, threshold: 4,
                minimumSurvivors: 4)
            var generator = TestGenerator(seed: UInt64(attempt))
            let dropped = Array((0..<30).shuffled(using: &generator).prefix(9)).sorted()
            let inputs = RoundHarness.inputs(participants: 30, dimension: 50, seed: UInt64(attempt))
            do {
                let report = try simulator.run(dropouts: Dictionary(uniqueKeysWithValues: dropped.map { ($0, .afterSharing) })) {
                    inputs[$0]
                }
                #expect(report.result.sum == RoundHarness.plainSum(inputs, of: report.result.survivors))
                successes += 1
            } catch {
                #expect(error.code == .belowThreshold, "\(error)")
            }
        }
        _ = successes
    }

    @Test(
        "float updates: the decoded sum is within one quantisation step per survivor of the clipped sum",
        arguments: [0.0, 0.1, 0.3])
    func decodedSum(dropoutRate: Double) throws {
        let n = 20, dimension = 500
        let encoding = try UpdateEncoding.calibrated(dimension: dimension, clipNorm: 2, maximumContributors: n)
        let simulator = try SecAggSimulator.makeRound(
            participants: n, dimension: dimension, neighbors: 12, threshold: 7,
            minimumSurvivors: 7, encoding: encoding)
        var generator = TestGenerator(seed: 5)
        let updates = (0..<n).map { _ in (0..<dimension).map { _ in Float(Double(generator.next() >> 11) * 0x1p-53 - 0.5) * 0.4 }
        }
        let dropped = Self.dropouts(
            count: Int(dropoutRate * Double(n)), graph: try simulator.configuration.neighborGraph(),
            threshold: 7, seed: 3)
        let report = try simulator.run(dropouts: Dictionary(uniqueKeysWithValues: dropped.map { ($0, .afterSharing) })) { index in
            var rounding = TestGenerator(seed: UInt64(1000 + index))
            return try encoding.encode(updates[index], using: &rounding)
        }
        let decoded = try encoding.decode(sum: report.result.sum)
        var expected = [Double](repeating: 0, count: dimension)
        for index in report.result.survivors {
            let norm = updates[index].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let factor = norm > 2 ? 2 / norm : 1
            for position in 0..<dimension { expected[position] += Double(updates[index][position]) * factor }
        }
        let worst = zip(decoded, expected).map { abs($0 - $1) }.max()!
        #expect(worst <= Double(report.result.survivors.count) / encoding.scale + 1e-9)
        #expect(report.result.survivors.count == n - dropped.count)
    }

    @Test("a 10% dropout round with the recommended parameters for 100 participants completes")
    func recommendedParameters() throws {
        let simulator = try SecAggSimulator.makeRound(participants: 100, dimension: 16)
        #expect(simulator.configuration.neighbors == 38 && simulator.configuration.threshold == 22)
        let inputs = RoundHarness.inputs(participants: 100, dimension: 16, seed: 2)
        var generator = TestGenerator(seed: 8)
        let dropped = Array((0..<100).shuffled(using: &generator).prefix(10))
        let report = try simulator.run(dropouts: Dictionary(uniqueKeysWithValues: dropped.map { ($0, .afterSharing) })) {
            inputs[$0]
        }
        #expect(report.result.sum == RoundHarness.plainSum(inputs, of: report.result.survivors))
        #expect(report.result.survivors.count == 90)
    }
}
