public import EQMCompliance
public import EQMCrypto
import Foundation

/// What the node remembers between runs, in its encrypted store: the rounds it has dealt with
/// (so a restarted node never re-enters a round it already left), the rounds whose masked
/// update it sent (its own privacy spend), and the model version it holds.
public struct NodeJournal: Codable, Sendable, Hashable {
    /// A round in which the node's masked update reached the coordinator.
    public struct Participation: Codable, Sendable, Hashable {
        public var campaign: String
        public var round: Int
        /// σ of the round's encoding (the target; the coordinator's ledger records the σ achieved).
        public var noiseMultiplier: Double
        public var clipNorm: Double
        /// "distributed", "local" or "none".
        public var privacy: String
        /// Unix seconds.
        public var time: Double
        /// Whether the node saw its masked update accepted; false when the node stopped in the
        /// middle of the round and cannot know (counted anyway: the safe side for privacy).
        public var confirmed: Bool

        public init(
            campaign: String, round: Int, noiseMultiplier: Double, clipNorm: Double, privacy: String, time: Double,
            confirmed: Bool = true
        ) {
            self.campaign = campaign
            self.round = round
            self.noiseMultiplier = noiseMultiplier
            self.clipNorm = clipNorm
            self.privacy = privacy
            self.time = time
            self.confirmed = confirmed
        }
    }

    /// `campaign/round/kind` → how it ended for this node (`completed`, `dropped`, `excluded: …`,
    /// `interrupted`, `failed: …`).
    public var rounds: [String: String] = [:]
    /// Rounds whose masked update this node sent, oldest first.
    public var participations: [Participation] = []
    /// The training round in progress, written before the node enters it: if the node is killed
    /// mid-round it counts, unconfirmed, as a participation at the next start.
    public var pending: Participation?
    /// The id (`CAMPAIGN/vN`) of the model version held in the store, if any.
    public var currentModel: String?
    /// The campaign of the node's latest task: the one whose new versions it pulls.
    public var campaign: String?

    public init() {}

    /// Moves a round left pending by a killed process into the participations, unconfirmed.
    /// Returns whether there was one.
    public mutating func settleInterrupted() -> Bool {
        guard var interrupted = pending else { return false }
        interrupted.confirmed = false
        participations.append(interrupted)
        pending = nil
        return true
    }

    static func key(_ campaign: String, _ round: Int, _ kind: String) -> String { "\(campaign)/\(round)/\(kind)" }

    /// The node's own ε per campaign at `delta`: every round it sent an update in (and a round
    /// left pending by a stopped process, which may have), without amplification by sampling (the
    /// coordinator knew it was selected), composed with the RDP accountant. Rounds without noise
    /// make ε infinite.
    public func epsilon(delta: Double) throws -> [String: Double] {
        var result = [String: Double]()
        for (campaign, rounds) in Dictionary(grouping: participations + (pending.map { [$0] } ?? []), by: \.campaign) {
            if rounds.contains(where: { $0.noiseMultiplier <= 0 }) {
                result[campaign] = .infinity
                continue
            }
            let mechanisms = rounds.map {
                MechanismDescription(
                    samplingRate: 1, noiseMultiplier: $0.noiseMultiplier, clipNorm: $0.clipNorm, secureAggregation: true,
                    mode: $0.privacy)
            }
            result[campaign] = try LedgerAccountants.rdp.epsilon(mechanisms, delta)
        }
        return result
    }
}

/// The signed model version a node holds, as stored.
struct StoredRelease: Codable {
    var card: String
    var signature: String
    var model: String
}

extension LocalStore {
    static let journalArtifact = "node.journal"
    static let modelArtifact = "node.model"

    /// The node's journal (empty before its first round).
    public func journal() throws(StoreError) -> NodeJournal {
        guard let bytes = try readArtifact(name: Self.journalArtifact) else { return NodeJournal() }
        guard let journal = try? JSONDecoder().decode(NodeJournal.self, from: Data(bytes)) else {
            throw StoreError(.corrupted, "the node journal in the store is damaged")
        }
        return journal
    }

    /// Replaces the journal (atomically, encrypted).
    public func saveJournal(_ journal: NodeJournal) throws(StoreError) {
        guard let bytes = try? JSONEncoder().encode(journal) else { throw StoreError(.corrupted, "cannot encode the journal") }
        try writeArtifact(name: Self.journalArtifact, bytes: [UInt8](bytes))
    }

    /// The signed model version the node holds, verified under `key`; nil when it holds none.
    public func currentModel(trusting key: PublicKey) throws -> SignedModel? {
        guard let bytes = try readArtifact(name: Self.modelArtifact) else { return nil }
        guard let stored = try? JSONDecoder().decode(StoredRelease.self, from: Data(bytes)),
            let signature = [UInt8](hex: stored.signature), let model = Data(base64Encoded: stored.model)
        else { throw StoreError(.corrupted, "the stored model is damaged") }
        let signed = try SignedModel(cardJSON: stored.card, signature: signature, model: [UInt8](model))
        _ = try signed.verify(trusting: key)
        return signed
    }

    /// Keeps a verified model version in the store.
    public func saveCurrentModel(_ signed: SignedModel) throws(StoreError) {
        let stored = StoredRelease(
            card: signed.cardJSON, signature: signed.signature.hexString, model: Data(signed.model).base64EncodedString())
        guard let bytes = try? JSONEncoder().encode(stored) else { throw StoreError(.corrupted, "cannot encode the model") }
        try writeArtifact(name: Self.modelArtifact, bytes: [UInt8](bytes))
    }
}
