public import EQMCrypto

/// A participant's side of one SecAgg+ round, as a state machine with no I/O: feed it the
/// coordinator's messages, send what it returns.
///
/// Stages: ``advertiseKeys()`` → ``receive(_:)-(KeyDirectory)`` (returns the encrypted shares) →
/// ``receive(_:input:)`` (returns the masked vector) → ``receive(_:)-(UnmaskRequest)`` (returns the
/// revealed shares). Every message it returns is sealed to the coordinator's key and signed with
/// the participant's identity key.
///
/// Every rejected message throws a ``ProtocolError`` and leaves the client exactly as it was. The
/// client enforces the protocol's privacy rules itself, whatever the server asks: it never reveals
/// both secrets of one peer (across all requests), refuses to unmask with fewer survivors than the
/// round's minimum, and refuses to mask with fewer than t neighbours.
///
/// Secret keys, the self-mask seed, derived keys and held shares live in libsodium guarded memory
/// (`SecretBytes`, `SecretKeyArray`: a handful of allocations per round, zeroed on release) and
/// never appear in descriptions, mirrors or errors.
public struct SecAggClient: Sendable, CustomStringConvertible, CustomReflectable {
    /// Where the client is in the round.
    public enum Stage: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// Before advertising keys.
        case advertising
        /// Keys advertised; waiting for the neighbours' keys.
        case awaitingKeyDirectory
        /// Shares sent; waiting for the neighbours' shares.
        case awaitingShares
        /// Masked input sent; waiting for the unmask request.
        case awaitingUnmaskRequest
        /// Unmask response sent (a repeated, consistent request is still answered).
        case finished

        public static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .advertising: "advertising"
            case .awaitingKeyDirectory: "awaiting key directory"
            case .awaitingShares: "awaiting shares"
            case .awaitingUnmaskRequest: "awaiting unmask request"
            case .finished: "finished"
            }
        }
    }

    private struct PeerKeys: Sendable {
        let encryption: PublicKey
        let masking: PublicKey
    }

    /// The round.
    public let configuration: RoundConfiguration
    /// This participant's index in the round.
    public let index: Int
    /// The current stage.
    public private(set) var stage: Stage = .advertising
    /// Threads used to expand masks (1 on a node; more for simulations on a server).
    public var concurrency = 1

    private let identity: SigningKey
    private let digest: [UInt8]
    private let graph: NeighborGraph
    private var encryptionKey: KeyAgreementKey?
    private var maskingKey: KeyAgreementKey?
    /// The self-mask seed b (one key).
    private var selfMaskSeed: SecretKeyArray?
    /// Neighbours whose signed advertisements were verified.
    private var peers: [Int: PeerKeys] = [:]
    /// Share-encryption keys agreed with those neighbours, and each neighbour's slot in it.
    private var shareKeys: SecretKeyArray?
    private var shareKeySlots: [Int: Int] = [:]
    /// Per held owner, at `80 × slot`: its mask-key share then its self-mask share (2 × 5 field
    /// elements, big-endian).
    private var heldShares: SecretBytes?
    private var heldShareSlots: [Int: Int] = [:]
    private var disclosures: [Int: DisclosedSecret] = [:]
    private static let heldShareLength = 2 * ShamirSecretSharing.chunkCount * 8

    /// Joins a round as the participant whose identity key is `identity`.
    ///
    /// - Throws: ``ProtocolError`` `invalidConfiguration` for an invalid configuration,
    ///   `unknownParticipant` when `identity` is not among its participants.
    public init(configuration: RoundConfiguration, identity: SigningKey) throws(ProtocolError) {
        try configuration.validate()
        guard let index = Self.position(of: identity.publicKey, in: configuration.participants) else {
            throw .unknownParticipant(
                "this identity key is not among the round's \(configuration.participants.count) participants")
        }
        self.configuration = configuration
        self.index = index
        self.identity = identity
        digest = configuration.digest
        graph = try configuration.neighborGraph()
    }

    private static func position(of key: PublicKey, in sorted: [PublicKey]) -> Int? {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == key ? low : nil
    }

    public var description: String { "SecAggClient(participant \(index), \(stage))" }

    /// Shows only the participant index and the stage, never keys or shares.
    public var customMirror: Mirror { Mirror(self, children: ["index": index, "stage": stage], displayStyle: .struct) }

    /// The neighbours this client masked against: exactly those whose shares it holds.
    public var maskingPeers: [Int] { heldShareSlots.keys.sorted() }

    /// What this client has revealed, per peer.
    public var disclosedSecrets: [Int: DisclosedSecret] { disclosures }

    // MARK: Stage 1: advertise keys

    /// Draws this round's two X25519 key pairs and returns their signed advertisement.
    ///
    /// - Throws: ``ProtocolError`` `duplicateMessage` if keys were already advertised.
    public mutating func advertiseKeys() throws(ProtocolError) -> SealedMessage {
        guard stage == .advertising else { throw .duplicateMessage("keys were already advertised in this round") }
        let encryption = KeyAgreementKey(), masking = KeyAgreementKey()
        var advertisement = KeyAdvertisement(
            roundDigest: digest, sender: index, encryptionKey: encryption.publicKey,
            maskingKey: masking.publicKey, signature: [])
        advertisement.signature = identity.sign(advertisement.signedBytes)
        let sealed = try SealedMessage(sealing: advertisement, to: configuration.coordinatorKey)
        encryptionKey = encryption
        maskingKey = masking
        stage = .awaitingKeyDirectory
        return sealed
    }

    // MARK: Stage 2: share keys

    /// Verifies the neighbours' advertisements, then secret-shares this client's mask-agreement key
    /// and a fresh self-mask seed among them (threshold t) and returns the encrypted shares.
    ///
    /// - Throws: ``ProtocolError``: `unexpectedMessage`/`duplicateMessage` out of order,
    ///   `unsupportedVersion`, `wrongRound`, `malformedMessage`, `unknownParticipant` (a sender
    ///   that is not a neighbour), `invalidSignature`, `belowThreshold` (fewer than t neighbours).
    public mutating func receive(_ directory: KeyDirectory) throws(ProtocolError) -> SealedMessage {
        try expectStage(.awaitingKeyDirectory, for: .keyDirectory)
        try directory.checkVersionAndRound(digest)
        guard directory.recipient == index else {
            throw .malformedMessage("key directory is addressed to participant \(directory.recipient), this client is \(index)")
        }
        var verified = [Int: PeerKeys]()
        for advertisement in directory.advertisements {
            try advertisement.checkVersionAndRound(digest)
            let sender = advertisement.sender
            guard sender >= 0, sender < configuration.participants.count else {
                throw .unknownParticipant(
                    "advertisement from participant \(sender); the round has \(configuration.participants.count)")
            }
            guard graph.areNeighbors(index, sender) else {
                throw .unknownParticipant("advertisement from participant \(sender), who is not a neighbour of \(index)")
            }
            guard verified[sender] == nil else { throw .duplicateMessage("two advertisements from participant \(sender)") }
            guard advertisement.isValidSignature(from: configuration.participants[sender]) else {
                throw .invalidSignature("advertisement of participant \(sender) does not verify under its identity key")
            }
            guard advertisement.encryptionKey != advertisement.maskingKey else {
                throw .malformedMessage("participant \(sender) advertised the same key for encryption and masking")
            }
            verified[sender] = PeerKeys(encryption: advertisement.encryptionKey, masking: advertisement.maskingKey)
        }
        let threshold = configuration.threshold
        guard verified.count >= threshold else {
            throw .belowThreshold(
                "\(verified.count) neighbours advertised keys; sharing needs at least the threshold \(threshold)")
        }
        guard let encryptionKey, let maskingKey else { preconditionFailure("keys exist after advertising") }

        let holders = verified.keys.sorted()
        let agreed: SecretKeyArray
        do {
            agreed = try encryptionKey.sharedKeys(
                with: holders.map { verified[$0]!.encryption },
                context: RoundKeys.shareEncryptionContext(digest))
        } catch {
            throw .invalidInput("a neighbour advertised an unusable encryption key", cause: error)
        }
        let seed = SecretKeyArray.random(count: 1)
        let points = holders.map { UInt64($0 + 1) }
        var keyShares = maskingKey.secretKey.withUnsafeBytes {
            ShamirSecretSharing.splitChunks($0, threshold: threshold, points: points)
        }
        var seedShares = seed.withUnsafeBytes(of: 0) { ShamirSecretSharing.splitChunks($0, threshold: threshold, points: points) }
        defer {
            SecureMemory.zero(&keyShares)
            SecureMemory.zero(&seedShares)
        }
        let chunks = ShamirSecretSharing.chunkCount
        var shares = [EncryptedShare]()
        shares.reserveCapacity(holders.count)
        var plaintext = [UInt8](repeating: 0, count: EncryptedShare.plaintextLength)
        defer { SecureMemory.zero(&plaintext) }
        for (position, holder) in holders.enumerated() {
            var offset = 0
            func put(_ value: UInt64, bytes: Int) {
                for byte in stride(from: bytes - 1, through: 0, by: -1) {
                    plaintext[offset] = UInt8(truncatingIfNeeded: value >> UInt64(8 * byte))
                    offset += 1
                }
            }
            put(UInt64(index), bytes: 4)
            put(UInt64(holder), bytes: 4)
            for chunk in 0..<chunks { put(keyShares[position * chunks + chunk], bytes: 8) }
            for chunk in 0..<chunks { put(seedShares[position * chunks + chunk], bytes: 8) }
            let ciphertext = XChaCha20Poly1305.seal(
                plaintext, keys: agreed, index: position,
                associatedData: EncryptedShare.associatedData(roundDigest: digest, sender: index, recipient: holder))
            shares.append(EncryptedShare(sender: index, recipient: holder, ciphertext: ciphertext))
        }
        var message = ShareKeysMessage(
            roundDigest: digest, sender: index,
            selfMaskCommitment: seed.withUnsafeBytes(of: 0) {
                RoundKeys.selfMaskCommitment(digest, owner: index, seed: $0)
            },
            shares: shares, signature: [])
        message.signature = identity.sign(message.signedBytes)
        let sealed = try SealedMessage(sealing: message, to: configuration.coordinatorKey)
        peers = verified
        shareKeys = agreed
        shareKeySlots = Dictionary(uniqueKeysWithValues: holders.enumerated().map { ($1, $0) })
        selfMaskSeed = seed
        stage = .awaitingShares
        return sealed
    }

    // MARK: Stage 3: masked input

    /// Decrypts the neighbours' shares and returns `input` masked: plus or minus one pairwise mask
    /// per neighbour that shared (plus when this client's index is the lower), plus the self mask.
    ///
    /// - Parameter input: the quantised update (``UpdateEncoding/encode(_:weight:)``).
    /// - Throws: ``ProtocolError``: out of order, `wrongRound`, `invalidVectorLength`,
    ///   `unknownParticipant` (a share from a non-neighbour), `authenticationFailed` (a tampered
    ///   share), `malformedMessage`, `belowThreshold` (fewer than t neighbours shared).
    public mutating func receive(_ delivery: ShareDelivery, input: [UInt32]) throws(ProtocolError) -> SealedMessage {
        try expectStage(.awaitingShares, for: .shareDelivery)
        try delivery.checkVersionAndRound(digest)
        guard delivery.recipient == index else {
            throw .malformedMessage("share delivery is addressed to participant \(delivery.recipient), this client is \(index)")
        }
        guard input.count == configuration.vectorLength else {
            throw .invalidVectorLength(expected: configuration.vectorLength, found: input.count)
        }
        guard let shareKeys else { preconditionFailure("share keys exist after sharing") }
        var slots = [Int: Int]()
        var collected = [UInt8]()
        collected.reserveCapacity(delivery.shares.count * Self.heldShareLength)
        defer { SecureMemory.zero(&collected) }
        for share in delivery.shares {
            let sender = share.sender
            guard let keySlot = shareKeySlots[sender] else {
                throw .unknownParticipant(
                    "share from participant \(sender), who is not a neighbour that advertised keys to \(index)")
            }
            guard share.recipient == index else {
                throw .malformedMessage("share for participant \(share.recipient) delivered to \(index)")
            }
            guard slots[sender] == nil else { throw .duplicateMessage("two shares from participant \(sender)") }
            guard share.ciphertext.count == EncryptedShare.ciphertextLength else {
                throw .malformedMessage(
                    "a share ciphertext is \(EncryptedShare.ciphertextLength) bytes, found \(share.ciphertext.count) from participant \(sender)"
                )
            }
            var plaintext: [UInt8]
            do {
                plaintext = try XChaCha20Poly1305.open(
                    share.ciphertext, keys: shareKeys, index: keySlot,
                    associatedData: EncryptedShare.associatedData(roundDigest: digest, sender: sender, recipient: index))
            } catch {
                throw .authenticationFailed(
                    "share from participant \(sender) did not authenticate (tampered, or not for this round and pair)",
                    cause: error)
            }
            defer { SecureMemory.zero(&plaintext) }
            guard Self.readBigEndian(plaintext, at: 0, bytes: 4) == UInt64(sender),
                Self.readBigEndian(plaintext, at: 4, bytes: 4) == UInt64(index)
            else {
                throw .malformedMessage("share from participant \(sender) names another owner or holder inside")
            }
            let inField = (0..<(2 * ShamirSecretSharing.chunkCount)).allSatisfy {
                Self.readBigEndian(plaintext, at: 8 + 8 * $0, bytes: 8) < PrimeField.prime
            }
            guard inField else { throw .malformedMessage("share from participant \(sender) holds a value outside the field") }
            slots[sender] = slots.count
            collected.append(contentsOf: plaintext[8...])
        }
        guard slots.count >= configuration.threshold else {
            throw .belowThreshold(
                "\(slots.count) neighbours shared keys; masking needs at least the threshold \(configuration.threshold)")
        }
        guard let maskingKey, let selfMaskSeed else { preconditionFailure("keys exist after sharing") }
        let maskingPeers = slots.keys.sorted()
        let maskKeys: SecretKeyArray
        do {
            maskKeys = try maskingKey.sharedKeys(
                with: maskingPeers.map { peers[$0]!.masking },
                context: RoundKeys.pairwiseMaskContext(digest))
        } catch {
            throw .invalidInput("a neighbour advertised an unusable masking key", cause: error)
        }
        // The lower index adds the pairwise mask, the higher subtracts it: they cancel in the sum.
        var jobs = maskingPeers.enumerated().map { position, peer in
            MaskJob(keys: maskKeys, index: position, nonce: MaskExpander.pairwiseNonce, subtract: index > peer)
        }
        jobs.append(MaskJob(keys: selfMaskSeed, index: 0, nonce: MaskExpander.selfNonce, subtract: false))
        var masked = input
        masked.withUnsafeMutableBufferPointer { MaskExpander.apply(jobs, to: $0, concurrency: concurrency) }
        var message = MaskedInputMessage(roundDigest: digest, sender: index, vector: masked, signature: [])
        message.signature = identity.sign(message.signedBytes)
        let sealed = try SealedMessage(sealing: message, to: configuration.coordinatorKey)
        heldShares = SecretBytes(consuming: &collected)
        heldShareSlots = slots
        stage = .awaitingUnmaskRequest
        return sealed
    }

    // MARK: Stage 4: unmask

    /// Reveals, for each neighbour whose shares it holds, the self-mask share if the request lists
    /// the neighbour as a survivor or the mask-key share if it lists it as dropped — never both.
    ///
    /// - Throws: ``ProtocolError``: out of order, `wrongRound`, `malformedMessage`,
    ///   `belowThreshold` (fewer survivors than the round's minimum), `refusedDisclosure` (a peer
    ///   in both lists, this client listed as dropped, or a request contradicting an earlier one).
    public mutating func receive(_ request: UnmaskRequest) throws(ProtocolError) -> SealedMessage {
        guard stage >= .awaitingUnmaskRequest else {
            throw .unexpectedMessage("an unmask request arrived at stage \(stage); it follows the masked input")
        }
        try request.checkVersionAndRound(digest)
        let n = configuration.participants.count
        for (name, list) in [("survivors", request.survivors), ("dropped", request.dropped)] {
            for position in list.indices {
                guard list[position] >= 0, list[position] < n else {
                    throw .unknownParticipant(
                        "unmask request lists participant \(list[position]) among the \(name); the round has \(n)")
                }
                guard position == 0 || list[position - 1] < list[position] else {
                    throw .malformedMessage("unmask request's \(name) must be strictly ascending")
                }
            }
        }
        let survivors = Set(request.survivors), dropped = Set(request.dropped)
        if let both = survivors.intersection(dropped).min() {
            throw .refusedDisclosure(
                "participant \(both) is listed both as a survivor and as dropped; a client never reveals both of a peer's secrets"
            )
        }
        guard survivors.count >= configuration.minimumSurvivors else {
            throw .belowThreshold(
                "the request lists \(survivors.count) survivors; this round unmasks only with at least \(configuration.minimumSurvivors)"
            )
        }
        guard survivors.contains(index) else {
            throw .refusedDisclosure(
                "the request does not list this client (participant \(index)) as a survivor, yet it sent its masked input")
        }
        var selfMaskShares = [RevealedShare](), maskKeyShares = [RevealedShare]()
        var newDisclosures = disclosures
        let chunks = ShamirSecretSharing.chunkCount
        for owner in heldShareSlots.keys.sorted() {
            let kind: DisclosedSecret
            if survivors.contains(owner) {
                kind = .selfMaskSeed
            } else if dropped.contains(owner) {
                kind = .maskKey
            } else {
                continue
            }
            if let earlier = newDisclosures[owner], earlier != kind {
                throw .refusedDisclosure(
                    "participant \(owner)'s \(earlier == .selfMaskSeed ? "self-mask" : "mask-key") share was already revealed; the other is refused"
                )
            }
            newDisclosures[owner] = kind
            let values: [UInt64] = heldShares!.withUnsafeBytes { bytes in
                let offset = heldShareSlots[owner]! * Self.heldShareLength + (kind == .maskKey ? 0 : chunks * 8)
                return (0..<chunks).map { chunk in
                    (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[offset + chunk * 8 + $1]) }
                }
            }
            let share = RevealedShare(owner: owner, values: values)
            if kind == .selfMaskSeed { selfMaskShares.append(share) } else { maskKeyShares.append(share) }
        }
        var response = UnmaskResponse(
            roundDigest: digest, sender: index, selfMaskShares: selfMaskShares,
            maskKeyShares: maskKeyShares, signature: [])
        response.signature = identity.sign(response.signedBytes)
        let sealed = try SealedMessage(sealing: response, to: configuration.coordinatorKey)
        disclosures = newDisclosures
        stage = .finished
        return sealed
    }

    private static func readBigEndian(_ bytes: [UInt8], at offset: Int, bytes count: Int) -> UInt64 {
        var value: UInt64 = 0
        for position in offset..<(offset + count) { value = value << 8 | UInt64(bytes[position]) }
        return value
    }

    private func expectStage(_ expected: Stage, for kind: MessageKind) throws(ProtocolError) {
        if stage < expected {
            throw .unexpectedMessage("a \(kind) arrived at stage \(stage); it is expected at stage \(expected)")
        }
        if stage > expected {
            throw .duplicateMessage("a \(kind) arrived at stage \(stage); that stage is over (a replay?)")
        }
    }
}
