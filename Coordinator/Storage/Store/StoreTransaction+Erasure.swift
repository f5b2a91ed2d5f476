public import EQMCompliance
import Foundation

/// Erasure (GDPR Art. 17) over the coordinator's tables.
///
/// Personal data of a subject (a node id) is: its `nodes` row, `tokens` naming it, its
/// `consent_records`, `participation` and `evaluations` rows, and in every round that selected it,
/// its submissions (`round_messages`), what was published to it (`round_outputs`) and its id in
/// the round's participant list, which is replaced by ``erasedParticipant`` so that the other
/// participants keep their indices. Chains (`chain_links`) never name subjects in the ledger; the
/// audit trail records events under ids the caller chooses (see the erasure article).
extension StoreTransaction: PersonalDataStore {
    /// What replaces an erased subject's id in a round's participant list.
    public static let erasedParticipant = "(erased)"

    public func holdsData(about subject: String) throws -> Bool {
        let subjectTables = [
            ("nodes", "id"), ("tokens", "subject"), ("consent_records", "subject"), ("participation", "subject"),
            ("evaluations", "node"),
        ]
        for (table, column) in subjectTables {
            if try sql.first("SELECT 1 AS present FROM \(table) WHERE \(column) = ? LIMIT 1", [.text(subject)]) != nil {
                return true
            }
        }
        return try !roundsNaming(subject).isEmpty
    }

    /// Deletes every row about the subject; returns the count per table (and "round_participants"
    /// for the participant-list entries replaced). Tokens are deleted, not just revoked.
    public func deleteAll(about subject: String) throws -> [String: Int] {
        var counts = [String: Int]()
        var messages = 0, outputs = 0, participants = 0
        for (round, index) in try roundsNaming(subject) {
            let key: [SQLValue] = [.text(round.campaign), .int(round.round), .int(index)]
            messages += try sql.execute(
                "DELETE FROM round_messages WHERE campaign = ? AND round = ? AND participant = ?", key)
            outputs += try sql.execute("DELETE FROM round_outputs WHERE campaign = ? AND round = ? AND participant = ?", key)
            var updated = round
            updated.participants = round.participants.map { $0 == subject ? Self.erasedParticipant : $0 }
            participants += round.participants.filter { $0 == subject }.count
            try updateRound(updated)
        }
        counts["round_messages"] = messages
        counts["round_outputs"] = outputs
        counts["round_participants"] = participants
        counts["evaluations"] = try sql.execute("DELETE FROM evaluations WHERE node = ?", [.text(subject)])
        counts["participation"] = try sql.execute("DELETE FROM participation WHERE subject = ?", [.text(subject)])
        counts["consent_records"] = try sql.execute("DELETE FROM consent_records WHERE subject = ?", [.text(subject)])
        counts["tokens"] = try sql.execute("DELETE FROM tokens WHERE subject = ?", [.text(subject)])
        counts["nodes"] = try sql.execute("DELETE FROM nodes WHERE id = ?", [.text(subject)])
        return counts
    }

    /// Revokes the subject's tokens that are still valid; returns how many. After
    /// ``deleteAll(about:)`` there are none left (they were deleted, which also ends them).
    public func revokeCredentials(of subject: String) throws -> Int {
        try sql.execute("UPDATE tokens SET revoked = 1 WHERE subject = ? AND revoked = 0", [.text(subject)])
    }

    /// Stores a tombstone (a second one for the same digest is ignored: erasure is idempotent).
    public func storeTombstone(_ tombstone: ErasureTombstone) throws {
        try sql.execute(
            "INSERT INTO tombstones (subject_digest, payload) VALUES (?, ?) ON CONFLICT (subject_digest) DO NOTHING",
            [.text(tombstone.subjectDigest), .text(try Self.json(tombstone))])
    }

    public func tombstone(subjectDigest: String) throws -> ErasureTombstone? {
        try sql.first("SELECT payload FROM tombstones WHERE subject_digest = ?", [.text(subjectDigest)]).map {
            try Self.decodeJSON(ErasureTombstone.self, try $0.string("payload"), column: "payload")
        }
    }

    /// Rounds whose participant list names the subject, with the subject's index in each.
    func roundsNaming(_ subject: String) throws -> [(round: RoundRecord, index: Int)] {
        // A LIKE on the JSON-quoted id narrows the scan; the decoded list decides.
        let quoted = try Self.json(subject)
        let pattern = "%" + Self.escapingLike(quoted) + "%"
        return try sql.query(
            "SELECT * FROM rounds WHERE participants LIKE ? ESCAPE '!' ORDER BY campaign, round", [.text(pattern)]
        ).compactMap { row in
            let round = try RoundRecord(row: row)
            return round.participants.firstIndex(of: subject).map { (round, $0) }
        }
    }

    static func escapingLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "!" || character == "%" || character == "_" { escaped.append("!") }
            escaped.append(character)
        }
        return escaped
    }
}
