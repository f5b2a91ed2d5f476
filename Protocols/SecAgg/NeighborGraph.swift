internal import EQMCrypto

/// The public masking graph of a round: who masks against whom and who holds whose shares.
///
/// For k < n − 1 it is the Harary graph H(k, n) of SecAgg+ (Bell et al. 2020) under a random
/// relabelling: the participants are placed on a cycle in the order of a permutation drawn from
/// the round seed, and each is joined to the k/2 nearest on either side. Every participant then has
/// exactly k neighbours, and the neighbourhood of any one participant is a uniformly random k-subset
/// of the others, which is what the parameter analysis (``SecAggParameters``) assumes. k = n − 1 is
/// the complete graph of classic SecAgg (Bonawitz et al. 2017).
///
/// The graph costs O(n) memory (the permutation), not O(n·k): neighbourhoods are computed on demand.
public struct NeighborGraph: Sendable, Hashable {
    /// The number of participants n.
    public let participantCount: Int
    /// The degree k.
    public let degree: Int
    /// `position[i]`: where participant i sits on the cycle.
    private let position: [Int32]
    /// `order[p]`: the participant at position p.
    private let order: [Int32]

    /// Draws the graph of a round from its public seed.
    ///
    /// - Throws: ``ProtocolError`` `invalidConfiguration` unless 2 ≤ n, and k is even with
    ///   2 ≤ k < n − 1 or k = n − 1; or the seed is not 32 bytes.
    public init(participantCount: Int, degree: Int, seed: [UInt8]) throws(ProtocolError) {
        guard participantCount >= 2, participantCount <= WireProtocol.maximumParticipants else {
            throw .invalidConfiguration(
                "a round needs 2...\(WireProtocol.maximumParticipants) participants, found \(participantCount)")
        }
        guard degree == participantCount - 1 || (degree >= 2 && degree < participantCount - 1 && degree % 2 == 0) else {
            throw .invalidConfiguration(
                "the neighbour count must be even and in 2..<\(participantCount - 1), or \(participantCount - 1) for the complete graph; found \(degree)"
            )
        }
        guard seed.count == 32 else { throw .invalidConfiguration("the round seed is 32 bytes, found \(seed.count)") }
        self.participantCount = participantCount
        self.degree = degree
        if degree == participantCount - 1 {
            position = []
            order = []
            return
        }
        var labelled = CanonicalWriter(label: "neighbour-graph")
        labelled.append(bytes: seed)
        var stream = SeedStream(key: Blake2b.hash(labelled.bytes))
        var order = (0..<participantCount).map { Int32($0) }
        // Fisher–Yates with unbiased bounded draws.
        for index in stride(from: participantCount - 1, to: 0, by: -1) {
            let other = Int(stream.next(below: UInt64(index + 1)))
            order.swapAt(index, other)
        }
        var position = [Int32](repeating: 0, count: participantCount)
        for (slot, participant) in order.enumerated() { position[Int(participant)] = Int32(slot) }
        self.order = order
        self.position = position
    }

    /// Whether this is the complete graph (classic SecAgg).
    public var isComplete: Bool { degree == participantCount - 1 }

    /// The neighbours of `participant`, in ascending index order.
    public func neighbors(of participant: Int) -> [Int] {
        precondition(participant >= 0 && participant < participantCount, "participant index out of range")
        if isComplete { return (0..<participantCount).filter { $0 != participant } }
        let here = Int(position[participant])
        var result = [Int]()
        result.reserveCapacity(degree)
        for distance in 1...(degree / 2) {
            result.append(Int(order[(here + distance) % participantCount]))
            result.append(Int(order[(here - distance + participantCount) % participantCount]))
        }
        result.sort()
        return result
    }

    /// Whether `a` and `b` are neighbours (a participant is not its own neighbour).
    public func areNeighbors(_ a: Int, _ b: Int) -> Bool {
        guard a != b, a >= 0, b >= 0, a < participantCount, b < participantCount else { return false }
        if isComplete { return true }
        let gap = abs(Int(position[a]) - Int(position[b]))
        return min(gap, participantCount - gap) <= degree / 2
    }
}
