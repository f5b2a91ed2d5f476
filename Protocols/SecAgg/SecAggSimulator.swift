public import EQMCrypto

/// Runs a whole SecAgg+ round in process — n ``SecAggClient``s and one ``SecAggServer`` exchanging
/// real sealed, framed, signed messages — with participants dropping out at chosen stages. Tests
/// and `eqm bench secagg` drive the same state machines the coordinator and the node use.
///
/// Client work runs on `concurrency` threads (the clients are independent); server work runs on the
/// calling thread, except unmasking, which uses `serverConcurrency` threads.
public struct SecAggSimulator: Sendable {
    /// When a participant stops taking part.
    public enum DropoutStage: String, Codable, Sendable, Hashable, CaseIterable {
        /// It never advertises keys.
        case beforeAdvertising
        /// It advertises keys but sends no shares.
        case afterAdvertising
        /// It sends shares but no masked input: the hard case, whose pairwise masks the server
        /// must reconstruct and remove.
        case afterSharing
        /// It sends its masked input (which is in the sum) but does not answer the unmask request.
        case afterMaskedInput
    }

    /// What a simulated round produced and cost.
    public struct Report: Sendable {
        /// The server's result.
        public var result: AggregationResult
        /// Server time over all stages (opening, checking, routing, summing, unmasking).
        public var serverSeconds: Double
        /// Server time of the unmask stage: checking the responses and ``SecAggServer/finish(concurrency:)``.
        public var serverUnmaskSeconds: Double
        /// Mean time of one client that took part in every stage (its own work only: key
        /// generation, verification, sharing, input preparation, masking, sealing, unmasking).
        public var clientSecondsMean: Double
        /// The slowest such client.
        public var clientSecondsMax: Double
        /// Wall time of the whole round in this process.
        public var totalSeconds: Double
        /// CPU time of the server work (all its threads): robust to other load on the machine.
        public var serverCPUSeconds: Double
        /// CPU time of the unmask stage at the server.
        public var serverUnmaskCPUSeconds: Double
        /// Mean CPU time of one full participant's work.
        public var clientCPUSecondsMean: Double
        /// Mean bytes a full participant sends (sealed messages).
        public var bytesSentPerClient: Double
        /// Mean bytes a full participant receives (framed messages).
        public var bytesReceivedPerClient: Double
    }

    /// The round.
    public let configuration: RoundConfiguration
    /// Identity keys by participant index.
    public let identities: [SigningKey]
    /// The coordinator's X25519 key.
    public let coordinatorKey: KeyAgreementKey
    /// Threads for client work.
    public var concurrency = 1
    /// Threads for unmasking.
    public var serverConcurrency = 1

    /// A simulator for a given round and its participants' keys (by index).
    public init(configuration: RoundConfiguration, identities: [SigningKey], coordinatorKey: KeyAgreementKey)
        throws(ProtocolError)
    {
        try configuration.validate()
        guard identities.map(\.publicKey) == configuration.participants else {
            throw .invalidConfiguration("the identities must be the round's participants, in index order")
        }
        self.configuration = configuration
        self.identities = identities
        self.coordinatorKey = coordinatorKey
    }

    /// A fresh round of `participants` with new identity and coordinator keys and a random seed.
    ///
    /// - Parameters:
    ///   - neighbors, threshold, minimumSurvivors: nil for ``SecAggParameters/recommended(participants:dropoutRate:corruptionFraction:failureProbability:securityFailureProbability:)``.
    ///   - encoding: nil for a noiseless encoding with clip norm 1 calibrated for the round.
    public static func makeRound(
        participants: Int, dimension: Int, neighbors: Int? = nil, threshold: Int? = nil,
        minimumSurvivors: Int? = nil, encoding: UpdateEncoding? = nil,
        roundID: UInt64 = 1
    ) throws(ProtocolError) -> SecAggSimulator {
        var k = neighbors, t = threshold, floor = minimumSurvivors
        if k == nil || t == nil {
            let recommended = try SecAggParameters.recommended(participants: participants)
            k = k ?? recommended.neighbors
            t = t ?? recommended.threshold
            floor = floor ?? recommended.minimumSurvivors
        }
        let identities = (0..<participants).map { _ in SigningKey() }.sorted { $0.publicKey < $1.publicKey }
        let coordinator = KeyAgreementKey()
        let chosenEncoding: UpdateEncoding
        if let encoding {
            chosenEncoding = encoding
        } else {
            chosenEncoding = try UpdateEncoding.calibrated(dimension: dimension, clipNorm: 1, maximumContributors: participants)
        }
        let configuration = try RoundConfiguration(
            roundID: roundID, seed: SecureRandom.bytes(count: 32), participants: identities.map(\.publicKey),
            coordinatorKey: coordinator.publicKey, neighbors: k!, threshold: t!, minimumSurvivors: floor ?? t!,
            encoding: chosenEncoding)
        return try SecAggSimulator(configuration: configuration, identities: identities, coordinatorKey: coordinator)
    }

    /// Runs one round.
    ///
    /// - Parameters:
    ///   - dropouts: who drops out, and when; everyone else takes part in every stage.
    ///   - input: participant i's quantised vector, computed inside i's timed work; an error it
    ///     throws ends the round (a ``ProtocolError`` as is, anything else as `invalidInput`).
    /// - Throws: the first ``ProtocolError`` of any party (for example `belowThreshold` when too
    ///   many drop out).
    public func run(
        dropouts: [Int: DropoutStage] = [:],
        input: @Sendable (Int) throws -> [UInt32]
    ) throws(ProtocolError) -> Report {
        let clock = ContinuousClock()
        let roundStart = clock.now
        let n = configuration.participants.count
        let limits = MessageLimits(configuration: configuration)
        var serverSeconds = 0.0, serverCPU = 0.0

        /// One simulated node: its state machine and what its work cost.
        struct Node {
            var client: SecAggClient?
            var seconds = 0.0, cpuSeconds = 0.0
            var sent = 0, received = 0
        }
        var nodes = [Node](repeating: Node(), count: n)

        func takesPart(_ participant: Int, in stage: Int) -> Bool {
            guard let drop = dropouts[participant] else { return true }
            let last =
                switch drop {
                case .beforeAdvertising: -1
                case .afterAdvertising: 0
                case .afterSharing: 1
                case .afterMaskedInput: 2
                }
            return stage <= last
        }

        var server = try SecAggServer(configuration: configuration, coordinatorKey: coordinatorKey)

        /// Runs `work(client, participant, position)` for each listed node in parallel (each touches
        /// only its own node) and returns the sealed messages in order; `work` returns its message and
        /// the bytes it received.
        func clientStage(
            _ participants: [Int],
            _ work: (inout SecAggClient?, Int, Int) throws(ProtocolError) -> (SealedMessage?, Int)
        ) throws(ProtocolError) -> [SealedMessage?] {
            var outputs = [Result<SealedMessage?, ProtocolError>](repeating: .success(nil), count: participants.count)
            withoutActuallyEscaping(work) { work in
                nodes.withUnsafeMutableBufferPointer { nodes in
                    outputs.withUnsafeMutableBufferPointer { outputs in
                        let shared = UncheckedSendable((nodes, outputs, work))
                        Parallel.forEach(participants.count, concurrency: concurrency) { position in
                            let (nodes, outputs, work) = shared.value
                            let participant = participants[position]
                            let start = ContinuousClock.now, startCPU = CPUClock.thread
                            do throws(ProtocolError) {
                                let (message, inbound) = try work(&nodes[participant].client, participant, position)
                                nodes[participant].sent += message?.bytes.count ?? 0
                                nodes[participant].received += inbound
                                outputs[position] = .success(message)
                            } catch {
                                outputs[position] = .failure(error)
                            }
                            nodes[participant].seconds += (ContinuousClock.now - start).secondsValue
                            nodes[participant].cpuSeconds += CPUClock.thread - startCPU
                        }
                    }
                }
            }
            return try outputs.map { (result) throws(ProtocolError) in try result.get() }
        }

        func serverWork<T>(_ body: () throws(ProtocolError) -> T) throws(ProtocolError) -> T {
            let start = clock.now, startCPU = CPUClock.process
            defer {
                serverSeconds += (clock.now - start).secondsValue
                serverCPU += CPUClock.process - startCPU
            }
            return try body()
        }

        // Stage 1: advertise keys.
        let advertising = (0..<n).filter { takesPart($0, in: 0) }
        let advertisements = try clientStage(advertising) { (client, participant, _) throws(ProtocolError) in
            client = try SecAggClient(configuration: configuration, identity: identities[participant])
            return (try client!.advertiseKeys(), 0)
        }
        try serverWork { () throws(ProtocolError) in
            for message in advertisements { try server.receive(message!) }
            try server.closeAdvertisements()
        }

        // Stage 2: key directories in, encrypted shares out.
        let sharing = server.advertised.filter { takesPart($0, in: 1) }
        let directories = try serverWork { () throws(ProtocolError) in
            try sharing.map { (participant) throws(ProtocolError) in
                try WireFrame.encode(try server.keyDirectory(for: participant))
            }
        }
        let shares = try clientStage(sharing) { (client, _, position) throws(ProtocolError) in
            let frame = directories[position]
            let directory = try WireFrame.decode(frame, as: KeyDirectory.self, limits: limits)
            return (try client!.receive(directory), frame.count)
        }
        try serverWork { () throws(ProtocolError) in
            for message in shares { try server.receive(message!) }
            try server.closeShares()
        }

        // Stage 3: share deliveries in, masked inputs out (in batches, so that only a few masked
        // vectors are in memory at once).
        let masking = server.sharing.filter { takesPart($0, in: 2) }
        let batch = max(8, 4 * concurrency)
        for start in stride(from: 0, to: masking.count, by: batch) {
            let group = Array(masking[start..<min(start + batch, masking.count)])
            let deliveries = try serverWork { () throws(ProtocolError) in
                try group.map { (participant) throws(ProtocolError) in
                    try WireFrame.encode(try server.shareDelivery(for: participant))
                }
            }
            let inputs = try clientStage(group) { (client, participant, position) throws(ProtocolError) in
                let frame = deliveries[position]
                let delivery = try WireFrame.decode(frame, as: ShareDelivery.self, limits: limits)
                let vector: [UInt32]
                do {
                    vector = try input(participant)
                } catch let error as ProtocolError {
                    throw error
                } catch {
                    throw .invalidInput("the input of participant \(participant) could not be prepared")
                }
                return (try client!.receive(delivery, input: vector), frame.count)
            }
            try serverWork { () throws(ProtocolError) in
                for message in inputs { try server.receive(message!) }
            }
        }

        // Stage 4: unmask.
        let requestFrame = try serverWork { () throws(ProtocolError) in try WireFrame.encode(try server.closeMaskedInputs()) }
        let responding = server.maskedInputSenders.filter { takesPart($0, in: 3) }
        let responses = try clientStage(responding) { (client, _, _) throws(ProtocolError) in
            let request = try WireFrame.decode(requestFrame, as: UnmaskRequest.self, limits: limits)
            return (try client!.receive(request), requestFrame.count)
        }
        let unmaskStart = clock.now, unmaskStartCPU = CPUClock.process
        let result = try serverWork { () throws(ProtocolError) in
            for message in responses { try server.receive(message!) }
            return try server.finish(concurrency: serverConcurrency)
        }
        let unmaskSeconds = (clock.now - unmaskStart).secondsValue
        let unmaskCPU = CPUClock.process - unmaskStartCPU

        let complete = responding.map { nodes[$0] }
        let count = Double(max(1, complete.count))
        return Report(
            result: result, serverSeconds: serverSeconds, serverUnmaskSeconds: unmaskSeconds,
            clientSecondsMean: complete.map(\.seconds).reduce(0, +) / count, clientSecondsMax: complete.map(\.seconds).max() ?? 0,
            totalSeconds: (clock.now - roundStart).secondsValue, serverCPUSeconds: serverCPU, serverUnmaskCPUSeconds: unmaskCPU,
            clientCPUSecondsMean: complete.map(\.cpuSeconds).reduce(0, +) / count,
            bytesSentPerClient: Double(complete.map(\.sent).reduce(0, +)) / count,
            bytesReceivedPerClient: Double(complete.map(\.received).reduce(0, +)) / count)
    }
}

extension Duration {
    /// The duration in seconds.
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
