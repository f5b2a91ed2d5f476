public import EQMCrypto

/// The coordinator's side of one SecAgg+ round, as a state machine with no I/O: it opens the
/// clients' sealed messages, routes keys and shares, sums masked inputs, and unmasks the sum of the
/// survivors.
///
/// Stages: collect advertisements → ``closeAdvertisements()``, hand out ``keyDirectory(for:)`` →
/// collect shares → ``closeShares()``, hand out ``shareDelivery(for:)`` → collect masked inputs
/// (summed as they arrive) → ``closeMaskedInputs()`` returns the ``UnmaskRequest`` → collect
/// responses → ``finish(concurrency:)`` reconstructs the survivors' self-mask seeds and the dropped
/// participants' mask keys, removes their masks, and returns the sum.
///
/// Every rejected message throws a ``ProtocolError`` and leaves the server exactly as it was; so
/// does a ``finish(concurrency:)`` that lacks shares (more responses may still arrive). The server
/// checks each reconstructed secret against what its owner committed to (the self-mask seed's
/// commitment, the mask key's advertised public key), so a corrupt share is detected rather than
/// turned into a wrong sum.
public struct SecAggServer: Sendable, CustomStringConvertible, CustomReflectable {
    /// Where the server is in the round.
    public enum Stage: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// Collecting key advertisements.
        case collectingAdvertisements
        /// Collecting encrypted shares.
        case collectingShares
        /// Collecting masked inputs.
        case collectingMaskedInputs
        /// Collecting unmask responses.
        case collectingUnmaskResponses
        /// The sum was produced.
        case finished

        public static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .collectingAdvertisements: "collecting advertisements"
            case .collectingShares: "collecting shares"
            case .collectingMaskedInputs: "collecting masked inputs"
            case .collectingUnmaskResponses: "collecting unmask responses"
            case .finished: "finished"
            }
        }
    }

    private struct HolderShare: Sendable {
        let holder: Int
        var values: [UInt64]
    }

    /// The round.
    public let configuration: RoundConfiguration
    /// The size limits checked before anything is decoded.
    public let limits: MessageLimits
    /// The current stage.
    public private(set) var stage: Stage = .collectingAdvertisements

    private let coordinatorKey: KeyAgreementKey
    private let digest: [UInt8]
    private let graph: NeighborGraph
    private var advertisements: [KeyAdvertisement?]
    private var commitments: [[UInt8]?]
    private var inbox: [[EncryptedShare]]
    private var maskedInputReceived: [Bool]
    private var maskedSum: [UInt32]
    private var survivorList: [Int] = []
    private var droppedList: [Int] = []
    private var isSurvivor: [Bool]
    private var isDropped: [Bool]
    private var responded: [Bool]
    private var selfMaskShares: [[HolderShare]]
    private var maskKeyShares: [[HolderShare]]

    /// Starts a round with the coordinator's X25519 key (the one the configuration names).
    ///
    /// - Throws: ``ProtocolError`` `invalidConfiguration` for an invalid configuration or a key
    ///   that is not the configuration's coordinator key.
    public init(configuration: RoundConfiguration, coordinatorKey: KeyAgreementKey) throws(ProtocolError) {
        try configuration.validate()
        guard coordinatorKey.publicKey == configuration.coordinatorKey else {
            throw .invalidConfiguration("the coordinator key does not match the configuration's coordinator public key")
        }
        self.configuration = configuration
        self.coordinatorKey = coordinatorKey
        limits = MessageLimits(configuration: configuration)
        digest = configuration.digest
        graph = try configuration.neighborGraph()
        let n = configuration.participants.count
        advertisements = Array(repeating: nil, count: n)
        commitments = Array(repeating: nil, count: n)
        inbox = Array(repeating: [], count: n)
        maskedInputReceived = Array(repeating: false, count: n)
        maskedSum = Array(repeating: 0, count: configuration.vectorLength)
        isSurvivor = Array(repeating: false, count: n)
        isDropped = Array(repeating: false, count: n)
        responded = Array(repeating: false, count: n)
        selfMaskShares = Array(repeating: [], count: n)
        maskKeyShares = Array(repeating: [], count: n)
    }

    public var description: String { "SecAggServer(\(configuration.participants.count) participants, \(stage))" }

    /// Shows only the stage and counts, never shares or sums.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "stage": stage, "advertised": advertised.count, "sharing": sharing.count,
                "maskedInputs": maskedInputSenders.count, "responders": unmaskResponders.count,
            ],
            displayStyle: .struct)
    }

    /// Participants whose advertisement was accepted.
    public var advertised: [Int] { advertisements.indices.filter { advertisements[$0] != nil } }
    /// Participants whose shares were accepted.
    public var sharing: [Int] { commitments.indices.filter { commitments[$0] != nil } }
    /// Participants whose masked input was accepted.
    public var maskedInputSenders: [Int] { maskedInputReceived.indices.filter { maskedInputReceived[$0] } }
    /// Participants whose unmask response was accepted.
    public var unmaskResponders: [Int] { responded.indices.filter { responded[$0] } }

    // MARK: Receiving

    /// Opens, decodes, checks and records one client message.
    ///
    /// - Throws: ``ProtocolError``: `messageTooLarge` (checked first), `authenticationFailed` (the
    ///   envelope did not open), `unsupportedVersion`, `malformedMessage`, `wrongRound`,
    ///   `unexpectedMessage` (wrong stage), `unknownParticipant` (not a participant, or not in the
    ///   set the stage requires), `invalidSignature`, `duplicateMessage` (a replay),
    ///   `invalidVectorLength`.
    public mutating func receive(_ sealed: SealedMessage) throws(ProtocolError) {
        let frame = try sealed.open(with: coordinatorKey, limits: limits)
        let kind = try WireFrame.kind(of: frame, limits: limits)
        switch kind {
        case .keyAdvertisement: try accept(try WireFrame.decode(frame, as: KeyAdvertisement.self, limits: limits))
        case .shareKeys: try accept(try WireFrame.decode(frame, as: ShareKeysMessage.self, limits: limits))
        case .maskedInput: try accept(try WireFrame.decode(frame, as: MaskedInputMessage.self, limits: limits))
        case .unmaskResponse: try accept(try WireFrame.decode(frame, as: UnmaskResponse.self, limits: limits))
        case .keyDirectory, .shareDelivery, .unmaskRequest:
            throw .unexpectedMessage("a client does not send \(kind) messages")
        }
    }

    private func expect(_ expected: Stage, for kind: MessageKind) throws(ProtocolError) {
        guard stage == expected else {
            throw .unexpectedMessage("a \(kind) arrived while the server is \(stage); it is accepted while \(expected)")
        }
    }

    private func expectToClose(_ expected: Stage, _ what: String) throws(ProtocolError) {
        guard stage == expected else {
            throw .unexpectedMessage("closing \(what) needs the server to be \(expected); it is \(stage)")
        }
    }

    private func checkSender(_ sender: Int, of kind: MessageKind) throws(ProtocolError) {
        let n = configuration.participants.count
        guard sender >= 0, sender < n else {
            throw .unknownParticipant("a \(kind) from participant \(sender); the round has participants 0..<\(n)")
        }
    }

    private mutating func accept(_ message: KeyAdvertisement) throws(ProtocolError) {
        try expect(.collectingAdvertisements, for: .keyAdvertisement)
        try message.checkVersionAndRound(digest)
        try checkSender(message.sender, of: .keyAdvertisement)
        guard message.isValidSignature(from: configuration.participants[message.sender]) else {
            throw .invalidSignature("advertisement of participant \(message.sender) does not verify under its identity key")
        }
        guard advertisements[message.sender] == nil else {
            throw .duplicateMessage("participant \(message.sender) already advertised keys in this round")
        }
        guard message.encryptionKey != message.maskingKey else {
            throw .malformedMessage("participant \(message.sender) advertised the same key for encryption and masking")
        }
        advertisements[message.sender] = message
    }

    private mutating func accept(_ message: ShareKeysMessage) throws(ProtocolError) {
        try expect(.collectingShares, for: .shareKeys)
        try message.checkVersionAndRound(digest)
        let sender = message.sender
        try checkSender(sender, of: .shareKeys)
        guard advertisements[sender] != nil else {
            throw .unknownParticipant("participant \(sender) sent shares but did not advertise keys in this round")
        }
        guard message.isValidSignature(from: configuration.participants[sender]) else {
            throw .invalidSignature("shares of participant \(sender) do not verify under its identity key")
        }
        guard commitments[sender] == nil else { throw .duplicateMessage("participant \(sender) already sent its shares") }
        guard message.selfMaskCommitment.count == 32 else {
            throw .malformedMessage("a self-mask commitment is 32 bytes, found \(message.selfMaskCommitment.count)")
        }
        let expected = graph.neighbors(of: sender).filter { advertisements[$0] != nil }
        let recipients = message.shares.map(\.recipient)
        guard recipients == expected else {
            throw .malformedMessage(
                "participant \(sender) sent shares for \(recipients.count) recipients; expected one for each of its \(expected.count) neighbours that advertised, ascending"
            )
        }
        for share in message.shares {
            guard share.sender == sender, share.ciphertext.count == EncryptedShare.ciphertextLength else {
                throw .malformedMessage(
                    "a share of participant \(sender) names another sender or is not \(EncryptedShare.ciphertextLength) bytes")
            }
        }
        commitments[sender] = message.selfMaskCommitment
        for share in message.shares { inbox[share.recipient].append(share) }
    }

    private mutating func accept(_ message: MaskedInputMessage) throws(ProtocolError) {
        try expect(.collectingMaskedInputs, for: .maskedInput)
        try message.checkVersionAndRound(digest)
        let sender = message.sender
        try checkSender(sender, of: .maskedInput)
        guard commitments[sender] != nil else {
            throw .unknownParticipant("participant \(sender) sent a masked input but did not share keys in this round")
        }
        guard message.vector.count == configuration.vectorLength else {
            throw .invalidVectorLength(expected: configuration.vectorLength, found: message.vector.count)
        }
        guard message.isValidSignature(from: configuration.participants[sender]) else {
            throw .invalidSignature("masked input of participant \(sender) does not verify under its identity key")
        }
        guard !maskedInputReceived[sender] else { throw .duplicateMessage("participant \(sender) already sent its masked input") }
        maskedSum.withUnsafeMutableBufferPointer { sum in
            message.vector.withUnsafeBufferPointer { vector in
                for index in 0..<sum.count { sum[index] &+= vector[index] }
            }
        }
        maskedInputReceived[sender] = true
    }

    private mutating func accept(_ message: UnmaskResponse) throws(ProtocolError) {
        try expect(.collectingUnmaskResponses, for: .unmaskResponse)
        try message.checkVersionAndRound(digest)
        let sender = message.sender
        try checkSender(sender, of: .unmaskResponse)
        guard isSurvivor[sender] else {
            throw .unknownParticipant("participant \(sender) is not a survivor; only survivors answer the unmask request")
        }
        guard message.isValidSignature(from: configuration.participants[sender]) else {
            throw .invalidSignature("unmask response of participant \(sender) does not verify under its identity key")
        }
        guard !responded[sender] else { throw .duplicateMessage("participant \(sender) already answered the unmask request") }
        for (list, wantSurvivor) in [(message.selfMaskShares, true), (message.maskKeyShares, false)] {
            for position in list.indices {
                let share = list[position]
                guard position == 0 || list[position - 1].owner < share.owner else {
                    throw .malformedMessage("revealed shares of participant \(sender) must be by strictly ascending owner")
                }
                guard share.owner >= 0, share.owner < configuration.participants.count,
                    (wantSurvivor ? isSurvivor[share.owner] : isDropped[share.owner]),
                    graph.areNeighbors(sender, share.owner)
                else {
                    throw .unknownParticipant(
                        "participant \(sender) revealed a \(wantSurvivor ? "self-mask" : "mask-key") share of participant \(share.owner), who is not a \(wantSurvivor ? "surviving" : "dropped") neighbour"
                    )
                }
                guard share.values.count == ShamirSecretSharing.chunkCount, share.values.allSatisfy({ $0 < PrimeField.prime })
                else {
                    throw .malformedMessage(
                        "a revealed share holds \(ShamirSecretSharing.chunkCount) field elements, participant \(sender) sent \(share.values.count)"
                    )
                }
            }
        }
        for share in message.selfMaskShares {
            selfMaskShares[share.owner].append(HolderShare(holder: sender, values: share.values))
        }
        for share in message.maskKeyShares {
            maskKeyShares[share.owner].append(HolderShare(holder: sender, values: share.values))
        }
        responded[sender] = true
    }

    // MARK: Closing stages

    /// Ends the advertisement stage.
    ///
    /// - Throws: ``ProtocolError`` `belowThreshold` when fewer participants advertised than the
    ///   round's minimum survivors (the server stays in this stage).
    public mutating func closeAdvertisements() throws(ProtocolError) {
        try expectToClose(.collectingAdvertisements, "advertisements")
        let count = advertised.count
        guard count >= configuration.minimumSurvivors else {
            throw .belowThreshold(
                "\(count) participants advertised keys; the round needs at least \(configuration.minimumSurvivors) survivors")
        }
        stage = .collectingShares
    }

    /// The advertisements of `participant`'s neighbours, to send it after ``closeAdvertisements()``.
    public func keyDirectory(for participant: Int) throws(ProtocolError) -> KeyDirectory {
        guard stage >= .collectingShares else { throw .unexpectedMessage("key directories exist once advertisements are closed") }
        try checkSender(participant, of: .keyDirectory)
        guard advertisements[participant] != nil else {
            throw .unknownParticipant("participant \(participant) did not advertise keys, so it gets no directory")
        }
        let entries = graph.neighbors(of: participant).compactMap { advertisements[$0] }
        return KeyDirectory(roundDigest: digest, recipient: participant, advertisements: entries)
    }

    /// Ends the share stage.
    ///
    /// - Throws: ``ProtocolError`` `belowThreshold` when fewer participants shared than the round's
    ///   minimum survivors.
    public mutating func closeShares() throws(ProtocolError) {
        try expectToClose(.collectingShares, "shares")
        let count = sharing.count
        guard count >= configuration.minimumSurvivors else {
            throw .belowThreshold(
                "\(count) participants shared keys; the round needs at least \(configuration.minimumSurvivors) survivors")
        }
        stage = .collectingMaskedInputs
    }

    /// The shares addressed to `participant` by the neighbours that shared, to send it after
    /// ``closeShares()``.
    public func shareDelivery(for participant: Int) throws(ProtocolError) -> ShareDelivery {
        guard stage >= .collectingMaskedInputs else { throw .unexpectedMessage("share deliveries exist once shares are closed") }
        try checkSender(participant, of: .shareDelivery)
        guard commitments[participant] != nil else {
            throw .unknownParticipant("participant \(participant) did not share keys, so it gets no shares")
        }
        return ShareDelivery(
            roundDigest: digest, recipient: participant, shares: inbox[participant].sorted { $0.sender < $1.sender })
    }

    /// Ends the masked-input stage and returns the request every survivor must answer.
    ///
    /// - Throws: ``ProtocolError`` `belowThreshold` when fewer masked inputs arrived than the
    ///   round's minimum survivors (the server stays in this stage).
    public mutating func closeMaskedInputs() throws(ProtocolError) -> UnmaskRequest {
        try expectToClose(.collectingMaskedInputs, "masked inputs")
        let survivors = maskedInputSenders
        guard survivors.count >= configuration.minimumSurvivors else {
            throw .belowThreshold(
                "\(survivors.count) masked inputs arrived; the round unmasks only with at least \(configuration.minimumSurvivors)"
            )
        }
        let dropped = sharing.filter { !maskedInputReceived[$0] }
        for participant in survivors { isSurvivor[participant] = true }
        for participant in dropped { isDropped[participant] = true }
        survivorList = survivors
        droppedList = dropped
        stage = .collectingUnmaskResponses
        return unmaskRequest
    }

    /// The unmask request (again), for survivors that missed it.
    public var unmaskRequest: UnmaskRequest {
        UnmaskRequest(roundDigest: digest, survivors: survivorList, dropped: droppedList)
    }

    // MARK: Unmasking

    /// Reconstructs the survivors' self-mask seeds and the dropped participants' mask keys from at
    /// least t shares each, removes their masks, and returns the sum of the survivors.
    ///
    /// - Parameter concurrency: threads for key agreement and mask expansion (this is CPU work of
    ///   about a second for 1,000 clients × 100,000 parameters: run it off the cooperative pool).
    /// - Throws: ``ProtocolError`` `belowThreshold` when some secret has fewer than t shares (the
    ///   server stays in this stage; more responses may arrive), `reconstructionFailed` when no
    ///   t of the shares reproduce the committed secret.
    public mutating func finish(concurrency: Int = 1) throws(ProtocolError) -> AggregationResult {
        guard stage == .collectingUnmaskResponses else {
            throw .unexpectedMessage("unmasking needs the unmask responses; the server is \(stage)")
        }
        let threshold = configuration.threshold
        let n = configuration.participants.count
        // Dropped participants some survivor masked against.
        let droppedToRecover = droppedList.filter { dropped in
            graph.neighbors(of: dropped).contains { isSurvivor[$0] }
        }
        var shortfalls = [String]()
        for owner in survivorList where selfMaskShares[owner].count < threshold {
            shortfalls.append("participant \(owner)'s self-mask seed has \(selfMaskShares[owner].count) shares")
        }
        for owner in droppedToRecover where maskKeyShares[owner].count < threshold {
            shortfalls.append("participant \(owner)'s mask key has \(maskKeyShares[owner].count) shares")
        }
        guard shortfalls.isEmpty else {
            throw .belowThreshold(
                "\(shortfalls.count) secrets lack the threshold of \(threshold) shares (\(shortfalls.prefix(3).joined(separator: "; "))\(shortfalls.count > 3 ? "; …" : ""))"
            )
        }

        var cache = LagrangeCache()
        var failure: ProtocolError?
        // Every survivor's self-mask seed, checked against its commitment, in one key array.
        let seeds = SecretKeyArray(count: survivorList.count) { position, out in
            guard failure == nil else { return }
            let owner = survivorList[position]
            let commitment = commitments[owner]!
            do throws(ProtocolError) {
                try reconstruct(selfMaskShares[owner], into: out, cache: &cache, what: "participant \(owner)'s self-mask seed") {
                    seed in
                    ConstantTime.equals(RoundKeys.selfMaskCommitment(digest, owner: owner, seed: seed), commitment)
                }
            } catch {
                failure = error
            }
        }
        // Every needed dropped participant's mask key, checked against its advertised public key.
        let droppedSecrets = SecretKeyArray(count: droppedToRecover.count) { position, out in
            guard failure == nil else { return }
            let owner = droppedToRecover[position]
            let advertised = advertisements[owner]!.maskingKey
            do throws(ProtocolError) {
                try reconstruct(maskKeyShares[owner], into: out, cache: &cache, what: "participant \(owner)'s mask key") {
                    secret in
                    let copy = SecretBytes(count: 32) { $0.copyMemory(from: secret) }
                    return (try? KeyAgreementKey(secret: copy).publicKey) == advertised
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }

        var jobs = (0..<survivorList.count).map { MaskJob(keys: seeds, index: $0, nonce: MaskExpander.selfNonce, subtract: true) }
        // The keys each dropped participant shared with its surviving neighbours: X25519 in parallel.
        let survivingNeighbours = droppedToRecover.map { owner in graph.neighbors(of: owner).filter { isSurvivor[$0] } }
        let context = RoundKeys.pairwiseMaskContext(digest)
        let agreed = UnsafeMutableBufferPointer<SecretKeyArray?>.allocate(capacity: droppedToRecover.count)
        agreed.initialize(repeating: nil)
        defer {
            _ = agreed.deinitialize()
            agreed.deallocate()
        }
        let shared = UncheckedSendable((agreed, advertisements, survivingNeighbours, droppedSecrets))
        Parallel.forEach(droppedToRecover.count, concurrency: concurrency) { position in
            let (agreed, advertisements, survivingNeighbours, droppedSecrets) = shared.value
            guard let key = try? KeyAgreementKey(secret: droppedSecrets.key(at: position)) else { return }
            agreed[position] = try? key.sharedKeys(
                with: survivingNeighbours[position].map { advertisements[$0]!.maskingKey },
                context: context)
        }
        for (position, owner) in droppedToRecover.enumerated() {
            guard let keys = agreed[position] else {
                throw .reconstructionFailed(
                    "a surviving neighbour's masking key is unusable for removing participant \(owner)'s masks")
            }
            // A survivor added the mask if its index is the lower one; remove what it did.
            for (slot, survivor) in survivingNeighbours[position].enumerated() {
                jobs.append(MaskJob(keys: keys, index: slot, nonce: MaskExpander.pairwiseNonce, subtract: survivor < owner))
            }
        }
        var sum = maskedSum
        sum.withUnsafeMutableBufferPointer { MaskExpander.apply(jobs, to: $0, concurrency: concurrency) }

        // The revealed shares are no longer needed.
        for owner in 0..<n {
            for index in selfMaskShares[owner].indices { SecureMemory.zero(&selfMaskShares[owner][index].values) }
            for index in maskKeyShares[owner].indices { SecureMemory.zero(&maskKeyShares[owner][index].values) }
        }
        selfMaskShares = Array(repeating: [], count: n)
        maskKeyShares = Array(repeating: [], count: n)
        stage = .finished
        return AggregationResult(
            sum: sum, survivors: survivorList, dropouts: n - survivorList.count,
            privacy: configuration.encoding.privacyReport(
                survivors: survivorList.count,
                dropouts: n - survivorList.count))
    }

    /// Reconstructs into `secret` from the lowest-indexed t holders (so the Lagrange coefficients
    /// repeat across owners in the complete graph) and checks the result; on a mismatch tries
    /// other windows of t holders, which finds the secret when a few extra shares are corrupt.
    private func reconstruct(
        _ shares: [HolderShare], into secret: UnsafeMutableRawBufferPointer, cache: inout LagrangeCache,
        what: String, isValid: (UnsafeRawBufferPointer) -> Bool
    ) throws(ProtocolError) {
        let threshold = configuration.threshold
        let sorted = shares.sorted { $0.holder < $1.holder }
        let windows = min(sorted.count - threshold + 1, 8)
        for start in 0..<windows {
            let window = sorted[start..<(start + threshold)]
            let coefficients = cache.coefficients(for: window.map { UInt64($0.holder + 1) })
            var values = window.flatMap(\.values)
            defer { SecureMemory.zero(&values) }
            if ShamirSecretSharing.combine(values, coefficients: coefficients, into: secret),
                isValid(UnsafeRawBufferPointer(secret))
            {
                return
            }
        }
        SecureMemory.zero(secret)
        throw .reconstructionFailed(
            "\(what) does not match its commitment from any \(threshold) of its \(shares.count) shares: a share is corrupt")
    }
}
