// What nodes submit in a round (round_messages) and what the coordinator publishes (round_outputs).

extension StoreTransaction {
    // MARK: Submissions

    /// Stores a node's submission for a stage; false (and nothing changed) when that participant
    /// already submitted in that stage, so resubmissions are idempotent.
    public func insertRoundMessage(_ message: RoundMessage) throws -> Bool {
        try insert(message, into: "round_messages")
    }

    /// A stage's submissions, by participant index.
    /// One page of a stage's messages: participants after `after`, at most `limit`, in order (so
    /// the leader can fold 1,000 masked inputs of 400 kB into the sum without holding them all).
    public func roundMessages(campaign: String, round: Int, stage: Int, after: Int, limit: Int) throws -> [RoundMessage] {
        try sql.query(
            """
            SELECT * FROM round_messages WHERE campaign = ? AND round = ? AND stage = ? AND participant > ?
            ORDER BY participant LIMIT ?
            """,
            [.text(campaign), .int(round), .int(stage), .int(after), .int(limit)]
        ).map(RoundMessage.init(row:))
    }

    public func roundMessages(campaign: String, round: Int, stage: Int) throws -> [RoundMessage] {
        try sql.query(
            """
            SELECT * FROM round_messages WHERE campaign = ? AND round = ? AND stage = ? ORDER BY participant
            """,
            [.text(campaign), .int(round), .int(stage)]
        ).map(RoundMessage.init(row:))
    }

    /// How many participants submitted in a stage.
    public func roundMessageCount(campaign: String, round: Int, stage: Int) throws -> Int {
        try sql.first(
            "SELECT COUNT(*) AS count FROM round_messages WHERE campaign = ? AND round = ? AND stage = ?",
            [.text(campaign), .int(round), .int(stage)])?.int("count") ?? 0
    }

    /// Deletes every submission of a round (after aggregation); returns how many.
    @discardableResult
    public func deleteRoundMessages(campaign: String, round: Int) throws -> Int {
        try sql.execute("DELETE FROM round_messages WHERE campaign = ? AND round = ?", [.text(campaign), .int(round)])
    }

    // MARK: Outputs

    /// Stores what the coordinator publishes to a participant in a stage (participant -1: to
    /// everyone); false when it was already stored.
    public func insertRoundOutput(_ message: RoundMessage) throws -> Bool {
        try insert(message, into: "round_outputs")
    }

    /// What a participant should receive in a stage: its own output, else the broadcast (-1).
    public func roundOutput(campaign: String, round: Int, stage: Int, participant: Int) throws -> RoundMessage? {
        try sql.first(
            """
            SELECT * FROM round_outputs WHERE campaign = ? AND round = ? AND stage = ? AND participant IN (?, -1)
            ORDER BY participant DESC LIMIT 1
            """,
            [.text(campaign), .int(round), .int(stage), .int(participant)]
        ).map(RoundMessage.init(row:))
    }

    /// Deletes every output of a round; returns how many.
    @discardableResult
    public func deleteRoundOutputs(campaign: String, round: Int) throws -> Int {
        try sql.execute("DELETE FROM round_outputs WHERE campaign = ? AND round = ?", [.text(campaign), .int(round)])
    }

    private func insert(_ message: RoundMessage, into table: String) throws -> Bool {
        try sql.execute(
            """
            INSERT INTO \(table) (campaign, round, stage, participant, body, received) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (campaign, round, stage, participant) DO NOTHING
            """,
            [
                .text(message.campaign), .int(message.round), .int(message.stage), .int(message.participant),
                .blob(message.body), .real(message.received),
            ]) == 1
    }
}

extension RoundMessage {
    init(row: SQLRow) throws {
        self.init(
            campaign: try row.string("campaign"), round: try row.int("round"), stage: try row.int("stage"),
            participant: try row.int("participant"), body: try row.bytes("body"), received: try row.double("received"))
    }
}
