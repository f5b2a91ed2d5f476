public import EQMCompliance

/// Access and portability (GDPR Art. 15, 20): every row about a subject, by table.
extension StoreTransaction: SubjectDataSource {
    /// Rows per table ("nodes", "tokens", "consent_records", "participation", "evaluations",
    /// "round_messages", "round_outputs"); values as text, NULLs left out, bytes replaced by their
    /// size (token hashes and sealed submissions mean nothing to the subject and are not theirs to
    /// reuse). Tables without rows are left out.
    public func personalData(about subject: String) throws -> [String: [[String: String]]] {
        var data = [String: [[String: String]]]()
        func add(_ table: String, _ rows: [SQLRow]) {
            guard !rows.isEmpty else { return }
            data[table, default: []] += rows.map(Self.text)
        }
        add("nodes", try sql.query("SELECT * FROM nodes WHERE id = ?", [.text(subject)]))
        add("tokens", try sql.query("SELECT * FROM tokens WHERE subject = ? ORDER BY created, id", [.text(subject)]))
        add("consent_records", try sql.query("SELECT * FROM consent_records WHERE subject = ? ORDER BY seq", [.text(subject)]))
        add(
            "participation",
            try sql.query("SELECT * FROM participation WHERE subject = ? ORDER BY campaign, round", [.text(subject)]))
        add("evaluations", try sql.query("SELECT * FROM evaluations WHERE node = ? ORDER BY campaign, round", [.text(subject)]))
        for (round, index) in try roundsNaming(subject) {
            let key: [SQLValue] = [.text(round.campaign), .int(round.round), .int(index)]
            for table in ["round_messages", "round_outputs"] {
                add(
                    table,
                    try sql.query(
                        "SELECT * FROM \(table) WHERE campaign = ? AND round = ? AND participant = ? ORDER BY stage", key))
            }
        }
        return data
    }

    private static func text(_ row: SQLRow) -> [String: String] {
        var fields = [String: String]()
        for (column, value) in zip(row.columns, row.values) {
            switch value {
            case .null: continue
            case .integer(let value): fields[column] = String(value)
            case .real(let value): fields[column] = String(value)
            case .text(let value): fields[column] = value
            case .blob(let value): fields[column] = "(\(value.count) bytes, not exported)"
            }
        }
        return fields
    }
}
