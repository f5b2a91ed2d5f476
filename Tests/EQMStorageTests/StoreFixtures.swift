import EQMAPI
import EQMStorage

/// Small records for the conformance suite; every blob holds all 256 byte values.
enum Fixture {
    static let allBytes = (0...255).map { UInt8($0) }
    static let unicode = "Zoë 🫀 — 日本語 'quoted' \"double\" ? $1 \\ end"

    static func campaign(_ id: String = "c1") -> CampaignRecord {
        CampaignRecord(
            id: id, name: "Stress \(unicode)", configuration: #"{"rounds":3,"note":"é"}"#, status: "active", created: 100.5)
    }

    static func round(_ campaign: String = "c1", _ number: Int = 1, participants: [String], status: String = "running")
        -> RoundRecord
    {
        RoundRecord(
            campaign: campaign, round: number, kind: "training", status: status, stage: 2, configuration: #"{"k":1}"#,
            participants: participants, baseVersion: "\(campaign)/v1", sealedRoundKey: allBytes, started: 200,
            deadline: 260.25, finished: nil, leader: "replica-a", reason: nil)
    }

    static func node(_ id: String, key: String, lastSeen: Double = 500) -> NodeRecord {
        NodeRecord(id: id, identityKey: key, enrolled: 150, lastSeen: lastSeen, cohort: "a")
    }

    static func token(_ id: String, subject: String?, kind: String = "api", hashByte: UInt8) -> TokenRecord {
        TokenRecord(
            id: id, hash: [hashByte] + allBytes.prefix(31), role: subject == nil ? .operator : .node, kind: kind,
            subject: subject, label: "label \(unicode)", created: 120, expires: subject == nil ? nil : 9_999.5,
            revoked: false)
    }

    static func message(_ campaign: String = "c1", round: Int = 1, stage: Int = 2, participant: Int, received: Double = 210)
        -> RoundMessage
    {
        RoundMessage(
            campaign: campaign, round: round, stage: stage, participant: participant,
            body: allBytes + [UInt8(participant & 0xff)],
            received: received)
    }

    static func model(_ campaign: String = "c1", version: Int, round: Int?, status: String = "released", cohort: String? = nil)
        -> ModelVersionRecord
    {
        ModelVersionRecord(
            id: "\(campaign)/v\(version)", campaign: campaign, version: version,
            parent: version > 1 ? "\(campaign)/v\(version - 1)" : nil,
            round: round, created: 300 + Double(version), model: allBytes.reversed(), card: #"{"name":"\#(unicode)"}"#,
            signature: String(repeating: "ab", count: 64), status: status, cohort: cohort)
    }

    static func evaluation(_ node: String, campaign: String = "c1", round: Int = 1, received: Double = 400) -> EvaluationReport {
        EvaluationReport(
            campaign: campaign, round: round, node: node, modelVersion: "\(campaign)/v1", examples: 40, correct: 31,
            lossSum: 12.375, truePositives: Array(0..<11), falsePositives: Array(repeating: 1, count: 11),
            falseNegatives: (0..<11).map { 10 - $0 }, received: received)
    }
}

struct Rollback: Error {}
