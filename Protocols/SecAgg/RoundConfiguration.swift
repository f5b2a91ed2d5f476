public import EQMCrypto

/// Everything the participants of one secure-aggregation round must agree on: the round, the public
/// seed of the neighbour graph, the participants' identity keys, the coordinator's sealing key, k,
/// t, the survivor floor and the update encoding.
///
/// Its ``digest`` is part of every signature, key derivation and associated data of the round, so
/// a coordinator cannot show different configurations to different participants without their
/// signatures failing to verify at their peers.
public struct RoundConfiguration: Codable, Sendable, Hashable {
    /// The protocol version.
    public var version: Int
    /// The round number.
    public var roundID: UInt64
    /// 32 public random bytes drawn when the cohort is fixed; they determine the neighbour graph.
    @Base64Bytes public var seed: [UInt8]
    /// The participants' Ed25519 identity keys, strictly ascending; a participant's index is its position.
    public var participants: [PublicKey]
    /// The coordinator's X25519 public key, to which every client message is sealed.
    public var coordinatorKey: PublicKey
    /// The neighbour count k (even, or n − 1 for the complete graph).
    public var neighbors: Int
    /// The Shamir threshold t.
    public var threshold: Int
    /// The fewest masked inputs with which the server unmasks and clients reveal shares (≥ t).
    public var minimumSurvivors: Int
    /// How updates are clipped, quantised and noised.
    public var encoding: UpdateEncoding

    /// Creates and validates a configuration.
    ///
    /// - Throws: ``ProtocolError`` `invalidConfiguration` (see ``validate()``).
    public init(
        version: Int = WireProtocol.version, roundID: UInt64, seed: [UInt8], participants: [PublicKey],
        coordinatorKey: PublicKey, neighbors: Int, threshold: Int, minimumSurvivors: Int,
        encoding: UpdateEncoding
    ) throws(ProtocolError) {
        self.version = version
        self.roundID = roundID
        self.seed = seed
        self.participants = participants
        self.coordinatorKey = coordinatorKey
        self.neighbors = neighbors
        self.threshold = threshold
        self.minimumSurvivors = minimumSurvivors
        self.encoding = encoding
        try validate()
    }

    /// The number of parameters in every vector (``UpdateEncoding/dimension``).
    public var vectorLength: Int { encoding.dimension }

    /// Checks every range and consistency rule.
    ///
    /// - Throws: ``ProtocolError`` `unsupportedVersion`, or `invalidConfiguration` unless the
    ///   participants are strictly ascending and at most ``WireProtocol/maximumParticipants``, the
    ///   graph is valid (``NeighborGraph``), k/2 < t ≤ k, t ≤ minimum survivors ≤ n, and the encoding
    ///   allows n contributions of the round's dimension.
    public func validate() throws(ProtocolError) {
        guard version == WireProtocol.version else { throw .unsupportedVersion(found: version) }
        let n = participants.count
        guard n >= 3, n <= WireProtocol.maximumParticipants else {
            throw .invalidConfiguration("a round needs 3...\(WireProtocol.maximumParticipants) participants, found \(n)")
        }
        for index in 1..<n where !(participants[index - 1] < participants[index]) {
            throw .invalidConfiguration(
                "participants must be strictly ascending by identity key; positions \(index - 1) and \(index) are not")
        }
        guard seed.count == 32 else { throw .invalidConfiguration("the round seed is 32 bytes, found \(seed.count)") }
        guard neighbors == n - 1 || (neighbors >= 2 && neighbors < n - 1 && neighbors % 2 == 0) else {
            throw .invalidConfiguration(
                "the neighbour count must be even and in 2..<\(n - 1), or \(n - 1) for the complete graph; found \(neighbors)")
        }
        guard 2 * threshold > neighbors, threshold <= neighbors else {
            throw .invalidConfiguration(
                "the threshold must exceed half the neighbours and not exceed them (\(neighbors / 2 + 1)...\(neighbors)), found \(threshold)"
            )
        }
        guard minimumSurvivors >= threshold, minimumSurvivors <= n else {
            throw .invalidConfiguration("minimum survivors must be in \(threshold)...\(n), found \(minimumSurvivors)")
        }
        try encoding.validate()
        guard encoding.maximumContributors >= n else {
            throw .invalidConfiguration(
                "the encoding leaves headroom for \(encoding.maximumContributors) contributions, the round has \(n) participants")
        }
    }

    /// The canonical bytes of every field.
    public var canonicalBytes: [UInt8] {
        var writer = CanonicalWriter(label: "round-configuration", capacity: 256 + 32 * participants.count)
        writer.append(index: version)
        writer.append(roundID)
        writer.append(bytes: seed)
        writer.append(index: participants.count)
        for participant in participants { writer.append(bytes: participant.bytes) }
        writer.append(bytes: coordinatorKey.bytes)
        writer.append(index: neighbors)
        writer.append(index: threshold)
        writer.append(index: minimumSurvivors)
        encoding.appendCanonical(to: &writer)
        return writer.bytes
    }

    /// BLAKE2b-256 of ``canonicalBytes``: the round's identity in every signature and derivation.
    public var digest: [UInt8] { Blake2b.hash(canonicalBytes) }

    /// The neighbour graph drawn from ``seed``.
    public func neighborGraph() throws(ProtocolError) -> NeighborGraph {
        try NeighborGraph(participantCount: participants.count, degree: neighbors, seed: seed)
    }
}
