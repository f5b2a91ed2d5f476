import EQMCrypto
import EQMProtocols
import Testing

/// SplitMix64: a small deterministic generator for test fixtures (never for keys or noise).
struct TestGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Drives one round stage by stage with direct access to every client and the server, so tests can
/// interpose forged, tampered or replayed messages.
struct RoundHarness {
    let configuration: RoundConfiguration
    let identities: [SigningKey]
    let coordinator: KeyAgreementKey
    var clients: [SecAggClient]
    var server: SecAggServer
    var limits: MessageLimits { server.limits }

    init(
        participants: Int, neighbors: Int, threshold: Int, minimumSurvivors: Int? = nil, dimension: Int = 64,
        encoding: UpdateEncoding? = nil
    ) throws {
        let simulator = try SecAggSimulator.makeRound(
            participants: participants, dimension: dimension, neighbors: neighbors,
            threshold: threshold, minimumSurvivors: minimumSurvivors ?? threshold,
            encoding: encoding)
        configuration = simulator.configuration
        identities = simulator.identities
        coordinator = simulator.coordinatorKey
        clients = try identities.map { try SecAggClient(configuration: simulator.configuration, identity: $0) }
        server = try SecAggServer(configuration: simulator.configuration, coordinatorKey: simulator.coordinatorKey)
    }

    var n: Int { configuration.participants.count }

    /// Opens a client's sealed message the way the server does.
    func open<Message: WireMessage>(_ sealed: SealedMessage, as type: Message.Type) throws -> Message {
        try WireFrame.decode(try sealed.open(with: coordinator, limits: limits), as: type, limits: limits)
    }

    /// Seals a (possibly forged) message to the coordinator.
    func seal(_ message: some WireMessage) throws -> SealedMessage {
        try SealedMessage(sealing: message, to: coordinator.publicKey)
    }

    mutating func advertise(_ participants: [Int]? = nil) throws -> [Int: SealedMessage] {
        var messages = [Int: SealedMessage]()
        for index in participants ?? Array(0..<n) { messages[index] = try clients[index].advertiseKeys() }
        for index in messages.keys.sorted() { try server.receive(messages[index]!) }
        try server.closeAdvertisements()
        return messages
    }

    mutating func share(_ participants: [Int]? = nil) throws -> [Int: SealedMessage] {
        var messages = [Int: SealedMessage]()
        for index in participants ?? server.advertised {
            messages[index] = try clients[index].receive(try server.keyDirectory(for: index))
        }
        for index in messages.keys.sorted() { try server.receive(messages[index]!) }
        try server.closeShares()
        return messages
    }

    mutating func mask(_ participants: [Int]? = nil, inputs: (Int) -> [UInt32]) throws -> UnmaskRequest {
        for index in participants ?? server.sharing {
            try server.receive(try clients[index].receive(try server.shareDelivery(for: index), input: inputs(index)))
        }
        return try server.closeMaskedInputs()
    }

    mutating func unmask(_ request: UnmaskRequest, _ participants: [Int]? = nil) throws -> AggregationResult {
        for index in participants ?? request.survivors { try server.receive(try clients[index].receive(request)) }
        return try server.finish()
    }

    /// Deterministic pseudo-random quantised inputs.
    static func inputs(participants: Int, dimension: Int, seed: UInt64) -> [[UInt32]] {
        var generator = TestGenerator(seed: seed)
        return (0..<participants).map { _ in (0..<dimension).map { _ in UInt32(truncatingIfNeeded: generator.next()) } }
    }

    /// Σ of the listed vectors modulo 2³².
    static func plainSum(_ vectors: [[UInt32]], of participants: [Int]) -> [UInt32] {
        var sum = [UInt32](repeating: 0, count: vectors.first?.count ?? 0)
        for index in participants { for position in sum.indices { sum[position] &+= vectors[index][position] } }
        return sum
    }
}

/// Expects `body` to throw a ``ProtocolError`` with `code`; returns it for further checks.
@discardableResult
func expectProtocolError<T>(
    _ code: ProtocolError.Code, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) -> ProtocolError? {
    do {
        _ = try body()
        Issue.record("expected a \(code) error, but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as ProtocolError {
        #expect(error.code == code, "expected \(code), found \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a ProtocolError \(code), found \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
