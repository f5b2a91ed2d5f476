import EQMCrypto
import EQMProtocols
import Testing

@Suite("Neighbour graph")
struct NeighborGraphTests {
    @Test(
        "every participant has exactly k neighbours, and the relation is symmetric",
        arguments: [(10, 4), (101, 38), (1000, 78), (7, 6)])
    func regular(n: Int, k: Int) throws {
        let graph = try NeighborGraph(participantCount: n, degree: k, seed: [UInt8](repeating: 5, count: 32))
        for participant in 0..<n {
            let neighbours = graph.neighbors(of: participant)
            #expect(neighbours.count == k)
            #expect(Set(neighbours).count == k && !neighbours.contains(participant))
            for other in neighbours { #expect(graph.areNeighbors(other, participant)) }
        }
        let edges = (0..<n).reduce(0) { total, a in total + (0..<n).filter { graph.areNeighbors(a, $0) }.count }
        #expect(edges == n * k)
    }

    @Test("the graph is a function of the public seed")
    func deterministic() throws {
        let seed = SecureRandom.bytes(count: 32)
        let a = try NeighborGraph(participantCount: 200, degree: 20, seed: seed)
        let b = try NeighborGraph(participantCount: 200, degree: 20, seed: seed)
        let c = try NeighborGraph(participantCount: 200, degree: 20, seed: SecureRandom.bytes(count: 32))
        #expect(a == b)
        #expect((0..<200).map { a.neighbors(of: $0) } != (0..<200).map { c.neighbors(of: $0) })
    }

    @Test("neighbourhoods are spread: participant 0's neighbours are not just the next indices")
    func relabelled() throws {
        let graph = try NeighborGraph(participantCount: 1000, degree: 20, seed: SecureRandom.bytes(count: 32))
        #expect(graph.neighbors(of: 0) != Array(1...10) + Array(990...999))
    }

    @Test("odd or out-of-range degrees are refused", arguments: [3, 0, 10, 12])
    func invalid(k: Int) {
        expectProtocolError(.invalidConfiguration) {
            try NeighborGraph(participantCount: 10, degree: k, seed: [UInt8](repeating: 0, count: 32))
        }
    }
}
