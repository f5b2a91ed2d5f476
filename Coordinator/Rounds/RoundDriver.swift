import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
public import EQMStorage
import Foundation
import HTTPTypes
import Logging
import Prometheus
public import ServiceLifecycle

/// Runs the campaigns' rounds: selects participants, closes each SecAgg+ stage when everyone
/// answered or its deadline passed, and commits the round — ledger entry, model version, round
/// status and the deletion of the masked submissions — in one transaction.
///
/// Only the replica holding the `eqm.rounds` leadership lease drives rounds; every replica
/// accepts node requests, because submissions and stage outputs live in the database. The
/// protocol state of a running round is kept in memory and rebuilt, after a restart or a
/// change of leader, by replaying the stored messages of the stages already closed (the round's
/// X25519 key is stored sealed with the coordinator's storage key).
public actor RoundDriver: Service {
    /// A running round's protocol state.
    struct LiveRound {
        var server: SecAggServer
        var record: RoundRecord
    }

    let coordinator: Coordinator
    private var live: [String: LiveRound] = [:]
    private var lease: LeadershipLease?
    var logger: Logger { coordinator.logger }

    /// Creates the driver.
    public init(coordinator: Coordinator) { self.coordinator = coordinator }

    /// Whether this replica currently leads.
    public var isLeader: Bool { lease?.isHeld ?? false }

    /// Ticks until graceful shutdown, then aborts the round in progress cleanly (its messages
    /// are deleted; the campaign continues with a new round after the restart) and releases
    /// the lease.
    public func run() async throws {
        let interval = coordinator.configuration.tickInterval
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await self.tickLogged()
                try? await Task.sleep(for: .seconds(interval))
            }
        } onGracefulShutdown: {
            self.coordinator.logger.info("round driver: shutting down")
        }
        await shutdown()
    }

    /// One pass over the active campaigns (public so tests can drive rounds step by step).
    public func tick() async throws {
        guard try acquireLeadership() else { return }
        let campaigns = try await coordinator.read { tx in try tx.campaigns().filter { $0.status == "active" } }
        for campaign in campaigns {
            try await step(campaign)
        }
    }

    private func tickLogged() async {
        do { try await tick() } catch {
            logger.error("round driver tick failed", metadata: ["error": "\(error)"])
        }
    }

    private func acquireLeadership() throws -> Bool {
        if let lease, lease.isHeld { return true }
        lease?.release()
        lease = try coordinator.store.tryLeadership("eqm.rounds")
        if lease != nil {
            logger.info("round driver: leading rounds", metadata: ["replica": "\(coordinator.configuration.replicaName)"])
            live.removeAll()
        }
        return lease != nil
    }

    /// Forgets the in-memory round state and drops the lease without aborting anything: what a
    /// crash (kill -9) leaves behind. Tests use it to hand a running round to a new driver.
    public func stopWithoutCleanup() {
        live.removeAll()
        lease?.release()
        lease = nil
    }

    /// Aborts rounds this replica leads and releases the lease.
    func shutdown() async {
        for key in live.keys.sorted() {
            guard let round = live[key]?.record else { continue }
            try? await abort(round, reason: "the coordinator shut down during the round")
        }
        lease?.release()
        lease = nil
    }

    // MARK: Campaign steps

    private func step(_ campaign: CampaignRecord) async throws {
        let configuration = try CampaignConfiguration.decode(campaign.configuration)
        let id = campaign.id
        let rounds = try await coordinator.read { tx in try tx.rounds(campaign: id) }
        if let open = rounds.last(where: { $0.status == "running" }) {
            if open.kind == "evaluation" {
                try await advanceEvaluation(open)
            } else {
                try await advance(open, configuration: configuration)
            }
            return
        }
        if Self.evaluationDue(rounds, configuration: configuration) {
            try await startEvaluation(campaign: id, configuration: configuration, number: (rounds.last?.round ?? 0) + 1)
            return
        }
        let committed = rounds.filter { $0.kind == "training" && $0.status == "committed" }.count
        if configuration.maximumRounds > 0 && committed >= configuration.maximumRounds {
            try await setCampaignStatus(id, "finished", reason: "\(committed) rounds committed")
            return
        }
        let lastEnd = rounds.last?.finished ?? 0
        // Training rounds restart after an aborted or refused one too (a fresh selection).
        guard coordinator.now() - lastEnd >= configuration.roundInterval else { return }
        try await startRound(campaign: id, configuration: configuration, number: (rounds.last?.round ?? 0) + 1)
    }

    private func setCampaignStatus(_ campaign: String, _ status: String, reason: String?) async throws {
        try await coordinator.write { tx in _ = try tx.updateCampaign(id: campaign, status: status, reason: reason) }
        coordinator.events.publish(CoordinatorEvent(type: "campaign.\(status)", campaign: campaign, reason: reason))
        logger.notice("campaign \(status)", metadata: ["campaign": "\(campaign)", "reason": "\(reason ?? "-")"])
    }

    /// The mechanism a round of this campaign runs (before dropouts).
    static func mechanism(_ configuration: CampaignConfiguration, noiseMultiplier: Double? = nil) -> MechanismDescription {
        MechanismDescription(
            samplingRate: configuration.samplingRate, noiseMultiplier: noiseMultiplier ?? configuration.noiseMultiplier, steps: 1,
            clipNorm: configuration.clipNorm, secureAggregation: true, mode: configuration.privacyMode.rawValue)
    }

    private func startRound(campaign: String, configuration: CampaignConfiguration, number: Int) async throws {
        let coordinator = self.coordinator
        let next = Self.mechanism(configuration)
        // Eligible: enrolled, currently consenting to training, and under the per-user cap.
        let eligible = try await coordinator.read { tx -> [NodeRecord] in
            let registry = coordinator.consentRegistry(tx)
            let ledger = try coordinator.ledger(tx, campaign: campaign, configuration: configuration)
            return try tx.nodes().filter { node in
                guard try registry.hasConsent(subject: node.id, purpose: .training) else { return false }
                return configuration.privacyMode == .none ? true : try ledger.isEligible(node.id, next: next)
            }
        }
        let selectedIDs = Set(ParticipantSelection.poissonSample(eligible.map(\.id), rate: configuration.samplingRate))
        // SecAgg+ orders participants by identity key; a node's index is its position here.
        let selected = try eligible.filter { selectedIDs.contains($0.id) }
            .map { (node: $0, key: try PublicKey(hex: $0.identityKey)) }
            .sorted { $0.key < $1.key }.map(\.node)
        guard selected.count >= configuration.minimumParticipants else {
            logger.debug(
                "round not started: too few selected",
                metadata: ["campaign": "\(campaign)", "eligible": "\(eligible.count)", "selected": "\(selected.count)"])
            return
        }
        guard let base = try await coordinator.read({ tx in try tx.latestModelVersion(campaign: campaign, cohort: nil) }) else {
            throw CoordinatorError(.internal, "campaign \(campaign) has no model version to train from")
        }
        let parameterCount = try ModelFile.decode(base.model).header.parameterCount

        let n = selected.count
        let (neighbors, threshold, floor) = Self.secAggParameters(n: n, configuration: configuration)
        let encoding = try UpdateEncoding.calibrated(
            dimension: parameterCount, clipNorm: configuration.clipNorm, maximumContributors: n,
            privacy: configuration.privacyMode,
            noiseMultiplier: configuration.noiseMultiplier, survivorFloor: floor)
        let roundKey = KeyAgreementKey()
        let identities = try selected.map { try PublicKey(hex: $0.identityKey) }
        let roundID = Self.roundID(campaign: campaign, round: number)
        let secagg = try RoundConfiguration(
            roundID: roundID, seed: SecureRandom.bytes(count: 32), participants: identities, coordinatorKey: roundKey.publicKey,
            neighbors: neighbors, threshold: threshold, minimumSurvivors: floor, encoding: encoding)
        let server = try SecAggServer(configuration: secagg, coordinatorKey: roundKey)
        let now = coordinator.now()
        let record = RoundRecord(
            campaign: campaign, round: number, kind: "training", status: "running", stage: 0,
            configuration: String(decoding: try JSONEncoder().encode(secagg), as: UTF8.self), participants: selected.map(\.id),
            baseVersion: base.id,
            sealedRoundKey: try coordinator.identity.seal(roundKey.secretKey, context: "\(campaign)/\(number)"),
            started: now, deadline: now + configuration.stageDeadline, leader: coordinator.configuration.replicaName)
        try await coordinator.write { tx in
            try tx.insertRound(record)
            try coordinator.audit(
                tx, actor: "system:rounds", action: AuditEvent.Action(rawValue: "round_started"),
                details: ["campaign": campaign, "round": String(number), "selected": String(n), "base_version": base.id])
        }
        live[Self.key(campaign, number)] = LiveRound(server: server, record: record)
        coordinator.metrics.roundsStarted.increment()
        coordinator.events.publish(CoordinatorEvent(type: "round.started", campaign: campaign, round: number, stage: 0))
        logger.info(
            "round started",
            metadata: [
                "campaign": "\(campaign)", "round": "\(number)", "selected": "\(n)", "k": "\(neighbors)", "t": "\(threshold)",
            ])
    }

    /// k, t and the survivor floor: the exact-tail recommendation when the cohort allows it, else
    /// the complete graph with a majority threshold (small cohorts).
    static func secAggParameters(n: Int, configuration: CampaignConfiguration) -> (Int, Int, Int) {
        let chosen = SecAggParameters.forRound(
            participants: n, dropoutRate: configuration.expectedDropoutRate, corruptionFraction: configuration.corruptionFraction,
            minimumParticipants: configuration.minimumParticipants)
        return (chosen.neighbors, chosen.threshold, chosen.minimumSurvivors)
    }

    /// A round id unique across campaigns.
    static func roundID(campaign: String, round: Int) -> UInt64 {
        let digest = Blake2b.hash(Array("eqm.round|\(campaign)|\(round)".utf8), length: 16)
        return digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func key(_ campaign: String, _ round: Int) -> String { "\(campaign)/\(round)" }

    /// Messages read per query when a stage closes.
    static let pageSize = 64

    /// The next page of a stage's messages after participant `after` (advanced), or nil when done.
    private func page(campaign: String, round: Int, stage: Int, after: inout Int) async throws -> [RoundMessage]? {
        let cursor = after
        let page = try await coordinator.read { tx in
            try tx.roundMessages(campaign: campaign, round: round, stage: stage, after: cursor, limit: Self.pageSize)
        }
        guard let last = page.last else { return nil }
        after = last.participant
        return page
    }

    // MARK: Stages

    /// How many messages a stage can expect.
    private static func expected(_ server: SecAggServer, stage: Int) -> Int {
        switch stage {
        case 0: server.configuration.participants.count
        case 1: server.advertised.count
        case 2: server.sharing.count
        default: server.maskedInputSenders.count
        }
    }

    private func advance(_ record: RoundRecord, configuration: CampaignConfiguration) async throws {
        let key = Self.key(record.campaign, record.round)
        if live[key] == nil {
            do { live[key] = try await rebuild(record) } catch {
                try await abort(record, reason: "the round's state could not be rebuilt after a restart: \(error)")
                return
            }
        }
        guard let current = live[key] else { return }
        let (campaign, round, stage) = (record.campaign, record.round, record.stage)
        let received = try await coordinator.read { tx in try tx.roundMessageCount(campaign: campaign, round: round, stage: stage)
        }
        let everyone = received >= Self.expected(current.server, stage: stage)
        guard everyone || coordinator.now() >= record.deadline else { return }
        try await close(record, configuration: configuration)
    }

    /// Replays the stages already closed into a fresh server.
    private func rebuild(_ record: RoundRecord) async throws -> LiveRound {
        guard let json = record.configuration, let sealed = record.sealedRoundKey else {
            throw CoordinatorError(.internal, "round \(record.round) has no stored configuration")
        }
        let secagg = try JSONDecoder().decode(RoundConfiguration.self, from: Data(json.utf8))
        let key = try KeyAgreementKey(
            secret: try coordinator.identity.open(sealed, context: "\(record.campaign)/\(record.round)"))
        var server = try SecAggServer(configuration: secagg, coordinatorKey: key)
        for stage in 0..<min(record.stage, 3) {
            let (campaign, round) = (record.campaign, record.round)
            var after = -1
            while let page = try await page(campaign: campaign, round: round, stage: stage, after: &after) {
                for message in page { try? server.receive(SealedMessage(bytes: message.body)) }
            }
            switch stage {
            case 0: try server.closeAdvertisements()
            case 1: try server.closeShares()
            default: _ = try server.closeMaskedInputs()
            }
        }
        logger.notice(
            "round state rebuilt from stored messages",
            metadata: ["campaign": "\(record.campaign)", "round": "\(record.round)", "stage": "\(record.stage)"])
        return LiveRound(server: server, record: record)
    }

    private func close(_ record: RoundRecord, configuration: CampaignConfiguration) async throws {
        let coordinator = self.coordinator
        let key = Self.key(record.campaign, record.round)
        guard var current = live[key] else { return }
        let (campaign, round, stage) = (record.campaign, record.round, record.stage)
        let started = ContinuousClock.now
        // Close the stage to late submissions first (deadline 0 means closed), then read.
        var closed = record
        closed.deadline = 0
        let closing = closed
        try await coordinator.write { tx in _ = try tx.updateRound(closing) }
        // Fold the stage's messages into the server a page at a time (bounded memory: 1,000 masked
        // inputs of 100,000 parameters are 400 MB).
        var rejected = 0, received = 0, after = -1
        while let page = try await page(campaign: campaign, round: round, stage: stage, after: &after) {
            received += page.count
            for message in page {
                do { try current.server.receive(SealedMessage(bytes: message.body)) } catch {
                    rejected += 1
                    logger.warning(
                        "message rejected",
                        metadata: [
                            "campaign": "\(campaign)", "round": "\(round)", "stage": "\(stage)",
                            "participant": "\(message.participant)", "error": "\(error)",
                        ])
                }
            }
        }
        coordinator.metrics.submissions.increment(by: Int64(received - rejected))
        if rejected > 0 { coordinator.metrics.rejectedSubmissions.increment(by: Int64(rejected)) }

        var outputs: [RoundMessage] = []
        let now = coordinator.now()
        do {
            switch stage {
            case 0:
                try current.server.closeAdvertisements()
                for participant in current.server.advertised {
                    let frame = try WireFrame.encode(try current.server.keyDirectory(for: participant))
                    outputs.append(
                        RoundMessage(
                            campaign: campaign, round: round, stage: 1, participant: participant, body: frame, received: now))
                }
            case 1:
                try current.server.closeShares()
                for participant in current.server.sharing {
                    let frame = try WireFrame.encode(try current.server.shareDelivery(for: participant))
                    outputs.append(
                        RoundMessage(
                            campaign: campaign, round: round, stage: 2, participant: participant, body: frame, received: now))
                }
            case 2:
                let request = try current.server.closeMaskedInputs()
                outputs.append(
                    RoundMessage(
                        campaign: campaign, round: round, stage: 3, participant: -1, body: try WireFrame.encode(request),
                        received: now))
            default:
                let result = try current.server.finish(concurrency: 2)
                coordinator.metrics.stageSeconds.record(ContinuousClock.now - started)
                live[key] = nil
                try await commit(record, result: result, configuration: configuration)
                return
            }
        } catch let error as ProtocolError {
            coordinator.metrics.stageSeconds.record(ContinuousClock.now - started)
            try await abort(record, reason: "stage \(stage) could not close: \(error)")
            return
        }
        var advanced = record
        advanced.stage = stage + 1
        advanced.deadline = coordinator.now() + configuration.stageDeadline
        let next = advanced
        current.record = next
        live[key] = current
        let stored = outputs
        try await coordinator.write { tx in
            try tx.deleteRoundOutputs(campaign: campaign, round: round)
            for output in stored { try tx.insertRoundOutput(output) }
            _ = try tx.updateRound(next)
        }
        coordinator.metrics.stageSeconds.record(ContinuousClock.now - started)
        coordinator.events.publish(CoordinatorEvent(type: "round.stage", campaign: campaign, round: round, stage: stage + 1))
        logger.info(
            "stage closed",
            metadata: [
                "campaign": "\(campaign)", "round": "\(round)", "stage": "\(stage)", "messages": "\(received)",
                "rejected": "\(rejected)",
            ])
    }

    /// Ends a round without a model: deletes its messages, records why.
    private func abort(_ record: RoundRecord, reason: String) async throws {
        let coordinator = self.coordinator
        live[Self.key(record.campaign, record.round)] = nil
        var ended = record
        ended.status = "aborted"
        ended.reason = reason
        ended.finished = coordinator.now()
        let aborted = ended
        try await coordinator.write { tx in
            _ = try tx.updateRound(aborted)
            _ = try tx.deleteRoundMessages(campaign: record.campaign, round: record.round)
            _ = try tx.deleteRoundOutputs(campaign: record.campaign, round: record.round)
            try coordinator.audit(
                tx, actor: "system:rounds", action: AuditEvent.Action(rawValue: "round_aborted"),
                details: ["campaign": record.campaign, "round": String(record.round), "reason": reason])
        }
        coordinator.metrics.roundsAborted.increment()
        coordinator.metrics.dropouts.increment(by: Int64(record.participants.count))
        coordinator.events.publish(
            CoordinatorEvent(type: "round.aborted", campaign: record.campaign, round: record.round, reason: reason))
        logger.warning(
            "round aborted", metadata: ["campaign": "\(record.campaign)", "round": "\(record.round)", "reason": "\(reason)"])
    }
}
