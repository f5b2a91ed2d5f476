import EQMProtocols
import Testing

@Suite("Choosing k and t")
struct SecAggParametersTests {
    // Expected values computed independently with scipy.stats (binom, hypergeom) for 10% dropout,
    // 5% corruption, completion failure ≤ 10⁻⁵, security failure ≤ 2⁻⁴⁰.
    @Test(
        "recommended parameters for 100, 1,000 and 10,000 participants",
        arguments: [(100, 38, 22, 75), (1000, 78, 52, 856), (10_000, 90, 60, 8865)])
    func table(n: Int, k: Int, t: Int, floor: Int) throws {
        let parameters = try SecAggParameters.recommended(participants: n)
        #expect(parameters.neighbors == k)
        #expect(parameters.threshold == t)
        #expect(parameters.minimumSurvivors == floor)
        #expect(parameters.completionFailureBound <= 1e-5)
        #expect(parameters.securityFailureBound <= 0x1p-40)
        #expect(parameters.isolationBound <= 0x1p-40)
        #expect(2 * parameters.threshold > parameters.neighbors)
    }

    @Test("a small fixed neighbourhood (k = 4, t = 3) fails most 10% dropout rounds of 1,000")
    func smallNeighbourhoodFails() {
        let small = SecAggParameters.analyze(
            participants: 1000, neighbors: 4, threshold: 3, minimumSurvivors: 3,
            dropoutRate: 0.1, corruptionFraction: 0.05)
        #expect(small.completionFailureBound == 1)  // the union bound saturates: 1,000 × 5.2% ≫ 1
    }

    @Test("the complete graph (classic SecAgg) is chosen when nothing sparser meets the targets")
    func completeGraph() throws {
        let parameters = try SecAggParameters.recommended(participants: 32)
        #expect(parameters.neighbors == 31 && parameters.threshold == 17)
        #expect(try SecAggParameters.recommended(participants: 47).neighbors == 34)
    }

    @Test("impossible targets are a clear error")
    func impossible() {
        expectProtocolError(.invalidConfiguration) { try SecAggParameters.recommended(participants: 10) }
        expectProtocolError(.invalidConfiguration) { try SecAggParameters.recommended(participants: 100, dropoutRate: 1.5) }
    }

    @Test("bounds grow with dropout and corruption")
    func monotone() {
        let base = SecAggParameters.analyze(
            participants: 1000, neighbors: 78, threshold: 52, minimumSurvivors: 856,
            dropoutRate: 0.1, corruptionFraction: 0.05)
        let moreDropout = SecAggParameters.analyze(
            participants: 1000, neighbors: 78, threshold: 52, minimumSurvivors: 856,
            dropoutRate: 0.2, corruptionFraction: 0.05)
        let moreCorruption = SecAggParameters.analyze(
            participants: 1000, neighbors: 78, threshold: 52, minimumSurvivors: 856,
            dropoutRate: 0.1, corruptionFraction: 0.2)
        #expect(moreDropout.completionFailureBound > base.completionFailureBound)
        #expect(moreCorruption.securityFailureBound > base.securityFailureBound)
    }
}
