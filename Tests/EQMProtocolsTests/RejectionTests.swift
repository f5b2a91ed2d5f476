import EQMCrypto
import EQMProtocols
import Testing

/// Every rejected message gets a clear error and leaves the state machine as it was: the round then
/// completes with the right sum.
@Suite("Rejections leave the state unchanged")
struct RejectionTests {
    struct ServerState: Equatable {
        var stage: SecAggServer.Stage
        var advertised: [Int], sharing: [Int], masked: [Int], responders: [Int]
        init(_ server: SecAggServer) {
            stage = server.stage
            advertised = server.advertised
            sharing = server.sharing
            masked = server.maskedInputSenders
            responders = server.unmaskResponders
        }
    }

    static let inputs = RoundHarness.inputs(participants: 6, dimension: 64, seed: 21)

    /// Runs a full round after the rejections and checks the sum.
    static func finish(_ round: inout RoundHarness) throws {
        let request = try round.mask { inputs[$0] }
        let result = try round.unmask(request)
        #expect(result.sum == RoundHarness.plainSum(inputs, of: Array(0..<6)))
    }

    @Test("server: tampered envelope, wrong signature, non-participant, replay, out of order, wrong round")
    func serverRejections() throws {
        var round = try RoundHarness(participants: 6, neighbors: 4, threshold: 3)
        let stranger = SigningKey()
        var advertisements = [SealedMessage]()
        for index in 0..<6 { advertisements.append(try round.clients[index].advertiseKeys()) }
        try round.server.receive(advertisements[0])
        let before = ServerState(round.server)

        // Tampered sealed envelope.
        var tampered = advertisements[1]
        tampered.bytes[tampered.bytes.count / 2] ^= 0x01
        let tamperError = expectProtocolError(.authenticationFailed) { try round.server.receive(tampered) }
        #expect(tamperError?.cause?.code == .authenticationFailed)
        // Wrong signature: participant 1's advertisement signed by a stranger.
        var forged = try round.open(advertisements[1], as: KeyAdvertisement.self)
        forged.signature = stranger.sign(forged.signedBytes)
        expectProtocolError(.invalidSignature) { try round.server.receive(try round.seal(forged)) }
        // A non-participant (index out of range).
        var outsider = forged
        outsider.sender = 6
        outsider.signature = stranger.sign(outsider.signedBytes)
        let outsiderError = expectProtocolError(.unknownParticipant) { try round.server.receive(try round.seal(outsider)) }
        #expect(outsiderError?.message.contains("participant 6") == true)
        // Replay of an accepted message.
        expectProtocolError(.duplicateMessage) { try round.server.receive(advertisements[0]) }
        // Wrong round: a message bound to another configuration digest, correctly signed.
        var otherRound = try round.open(advertisements[1], as: KeyAdvertisement.self)
        otherRound.roundDigest = Blake2b.hash([1, 2, 3])
        otherRound.signature = round.identities[1].sign(otherRound.signedBytes)
        expectProtocolError(.wrongRound) { try round.server.receive(try round.seal(otherRound)) }
        // Out of order: a masked input during the advertisement stage.
        let early = MaskedInputMessage(
            roundDigest: round.configuration.digest, sender: 1,
            vector: [UInt32](repeating: 0, count: 64), signature: [UInt8](repeating: 0, count: 64))
        expectProtocolError(.unexpectedMessage) { try round.server.receive(try round.seal(early)) }
        // A message only a server sends.
        let directory = KeyDirectory(roundDigest: round.configuration.digest, recipient: 0, advertisements: [])
        expectProtocolError(.unexpectedMessage) { try round.server.receive(try round.seal(directory)) }
        #expect(ServerState(round.server) == before)

        for index in 1..<6 { try round.server.receive(advertisements[index]) }
        try round.server.closeAdvertisements()
        // A late advertisement is out of order now.
        expectProtocolError(.unexpectedMessage) { try round.server.receive(advertisements[2]) }
        _ = try round.share()
        try Self.finish(&round)
    }

    @Test("server: shares from a participant that did not advertise, wrong masked-vector length, replayed masked input")
    func serverStageRejections() throws {
        var round = try RoundHarness(participants: 6, neighbors: 5, threshold: 3, minimumSurvivors: 5)
        _ = try round.advertise(Array(0..<5))  // participant 5 never advertises
        let forgedShares = ShareKeysMessage(
            roundDigest: round.configuration.digest, sender: 5,
            selfMaskCommitment: [UInt8](repeating: 0, count: 32), shares: [], signature: [])
        var signed = forgedShares
        signed.signature = round.identities[5].sign(signed.signedBytes)
        let state = ServerState(round.server)
        expectProtocolError(.unknownParticipant) { try round.server.receive(try round.seal(signed)) }
        #expect(ServerState(round.server) == state)
        _ = try round.share()

        let inputs = RoundHarness.inputs(participants: 6, dimension: 64, seed: 4)
        let sealed = try round.clients[0].receive(try round.server.shareDelivery(for: 0), input: inputs[0])
        var short = try round.open(sealed, as: MaskedInputMessage.self)
        short.vector.removeLast()
        short.signature = round.identities[0].sign(short.signedBytes)
        let lengthError = expectProtocolError(.invalidVectorLength) { try round.server.receive(try round.seal(short)) }
        #expect(lengthError?.message == "expected a vector of 64 parameters, found 63")
        var long = try round.open(sealed, as: MaskedInputMessage.self)
        long.vector.append(0)
        long.signature = round.identities[0].sign(long.signedBytes)
        expectProtocolError(.messageTooLarge) { try round.server.receive(try round.seal(long)) }
        var unsigned = try round.open(sealed, as: MaskedInputMessage.self)
        unsigned.vector[0] &+= 1
        expectProtocolError(.invalidSignature) { try round.server.receive(try round.seal(unsigned)) }
        #expect(round.server.maskedInputSenders.isEmpty)
        try round.server.receive(sealed)
        expectProtocolError(.duplicateMessage) { try round.server.receive(sealed) }
        #expect(round.server.maskedInputSenders == [0])
        for index in 1..<5 {
            try round.server.receive(
                try round.clients[index].receive(try round.server.shareDelivery(for: index), input: inputs[index]))
        }
        let request = try round.server.closeMaskedInputs()
        // A response from a participant that is not a survivor (5 never took part).
        let stray = UnmaskResponse(
            roundDigest: round.configuration.digest, sender: 5, selfMaskShares: [], maskKeyShares: [], signature: [])
        expectProtocolError(.unknownParticipant) { try round.server.receive(try round.seal(stray)) }
        let result = try round.unmask(request)
        #expect(result.sum == RoundHarness.plainSum(inputs, of: Array(0..<5)))
    }

    @Test("client: forged advertisement, non-neighbour, tampered share, replays and out-of-order messages")
    func clientRejections() throws {
        var round = try RoundHarness(participants: 6, neighbors: 4, threshold: 3)
        // Out of order: shares before keys.
        let emptyDelivery = ShareDelivery(roundDigest: round.configuration.digest, recipient: 0, shares: [])
        expectProtocolError(.unexpectedMessage) { try round.clients[0].receive(emptyDelivery, input: Self.inputs[0]) }
        #expect(round.clients[0].stage == .advertising)
        for index in 0..<6 { try round.server.receive(try round.clients[index].advertiseKeys()) }
        try round.server.closeAdvertisements()
        expectProtocolError(.duplicateMessage) { try round.clients[0].advertiseKeys() }

        let directory = try round.server.keyDirectory(for: 0)
        // A forged advertisement (signature by another participant).
        var forged = directory
        forged.advertisements[0].signature = round.identities[5].sign(forged.advertisements[0].signedBytes)
        expectProtocolError(.invalidSignature) { try round.clients[0].receive(forged) }
        // An advertisement from a participant that is not a neighbour.
        let graph = try round.configuration.neighborGraph()
        let stranger = (1..<6).first { !graph.areNeighbors(0, $0) }!
        var padded = directory
        padded.advertisements.append(
            KeyAdvertisement(
                roundDigest: directory.roundDigest, sender: stranger,
                encryptionKey: directory.advertisements[0].encryptionKey,
                maskingKey: directory.advertisements[0].maskingKey, signature: []))
        expectProtocolError(.unknownParticipant) { try round.clients[0].receive(padded) }
        // A directory addressed to someone else.
        var misaddressed = directory
        misaddressed.recipient = 1
        expectProtocolError(.malformedMessage) { try round.clients[0].receive(misaddressed) }
        #expect(round.clients[0].stage == .awaitingKeyDirectory)

        for index in 0..<6 {
            try round.server.receive(try round.clients[index].receive(try round.server.keyDirectory(for: index)))
        }
        try round.server.closeShares()
        // Replay of the directory.
        expectProtocolError(.duplicateMessage) { try round.clients[0].receive(directory) }

        let delivery = try round.server.shareDelivery(for: 0)
        var tampered = delivery
        tampered.shares[1].ciphertext[30] ^= 0x80
        let tamperError = expectProtocolError(.authenticationFailed) {
            try round.clients[0].receive(tampered, input: Self.inputs[0])
        }
        #expect(tamperError?.message.contains("participant \(delivery.shares[1].sender)") == true)
        // A share re-labelled as coming from another neighbour does not authenticate either.
        var relabelled = delivery
        let first = relabelled.shares[0].ciphertext
        relabelled.shares[0].ciphertext = relabelled.shares[1].ciphertext
        relabelled.shares[1].ciphertext = first
        expectProtocolError(.authenticationFailed) { try round.clients[0].receive(relabelled, input: Self.inputs[0]) }
        var duplicated = delivery
        duplicated.shares.append(delivery.shares[0])
        expectProtocolError(.duplicateMessage) { try round.clients[0].receive(duplicated, input: Self.inputs[0]) }
        expectProtocolError(.invalidVectorLength) { try round.clients[0].receive(delivery, input: [1, 2, 3]) }
        var otherRound = delivery
        otherRound.roundDigest = Blake2b.hash([9])
        expectProtocolError(.wrongRound) { try round.clients[0].receive(otherRound, input: Self.inputs[0]) }
        var future = delivery
        future.version = 2
        expectProtocolError(.unsupportedVersion) { try round.clients[0].receive(future, input: Self.inputs[0]) }
        let early = UnmaskRequest(roundDigest: round.configuration.digest, survivors: Array(0..<6), dropped: [])
        expectProtocolError(.unexpectedMessage) { try round.clients[0].receive(early) }
        #expect(round.clients[0].stage == .awaitingShares)
        #expect(round.clients[0].maskingPeers.isEmpty)
        try Self.finish(&round)
    }
}
