public import EQMCompliance

extension StoreTransaction: ConsentStore, ParticipationStore {
    // MARK: ConsentStore

    /// Appends a grant or withdrawal under the next sequence number (records are never changed).
    public func appendConsent(_ record: ConsentRecord) throws {
        try sql.execute(
            """
            INSERT INTO consent_records (seq, subject, purpose, text_version, granted, time)
            SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ? FROM consent_records
            """,
            [
                .text(record.subject), .text(record.purpose.rawValue), .int(record.textVersion), .bool(record.granted),
                .text(record.time),
            ])
    }

    public func consentRecords(subject: String) throws -> [ConsentRecord] {
        try sql.query("SELECT * FROM consent_records WHERE subject = ? ORDER BY seq", [.text(subject)]).map { row in
            ConsentRecord(
                subject: try row.string("subject"), purpose: try Self.purpose(row), textVersion: try row.int("text_version"),
                granted: try row.bool("granted"), time: try row.string("time"))
        }
    }

    public func publishConsentText(_ text: ConsentText) throws {
        try sql.execute(
            "INSERT INTO consent_texts (purpose, version, text, published) VALUES (?, ?, ?, ?)",
            [.text(text.purpose.rawValue), .int(text.version), .text(text.text), .text(text.published)])
    }

    public func consentTexts(purpose: ProcessingPurpose) throws -> [ConsentText] {
        try sql.query("SELECT * FROM consent_texts WHERE purpose = ? ORDER BY version", [.text(purpose.rawValue)]).map {
            row in
            ConsentText(
                purpose: try Self.purpose(row), version: try row.int("version"), text: try row.string("text"),
                published: try row.string("published"))
        }
    }

    private static func purpose(_ row: SQLRow) throws -> ProcessingPurpose {
        let name = try row.string("purpose")
        guard let purpose = ProcessingPurpose(rawValue: name) else {
            throw StorageError(.decodingFailed, "column 'purpose': '\(name.prefix(20))' is not a known purpose")
        }
        return purpose
    }

    // MARK: ParticipationStore

    /// Records that `subject` contributed to a round (recording it twice is harmless).
    public func recordParticipation(subject: String, campaign: String, round: Int) throws {
        try sql.execute(
            "INSERT INTO participation (subject, campaign, round) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [.text(subject), .text(campaign), .int(round)])
    }

    public func rounds(of subject: String, campaign: String) throws -> [Int] {
        try sql.query(
            "SELECT round FROM participation WHERE subject = ? AND campaign = ? ORDER BY round",
            [.text(subject), .text(campaign)]
        ).map { try $0.int("round") }
    }
}
