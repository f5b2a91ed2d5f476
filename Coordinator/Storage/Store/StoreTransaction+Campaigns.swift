// Campaigns and rounds.

extension StoreTransaction {
    // MARK: Campaigns

    /// Stores a new campaign.
    public func insertCampaign(_ campaign: CampaignRecord) throws {
        try sql.execute(
            "INSERT INTO campaigns (id, name, configuration, status, created, reason) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .text(campaign.id), .text(campaign.name), .text(campaign.configuration), .text(campaign.status),
                .real(campaign.created), .optional(campaign.reason),
            ])
    }

    /// The campaign with this id.
    public func campaign(id: String) throws -> CampaignRecord? {
        try sql.first("SELECT * FROM campaigns WHERE id = ?", [.text(id)]).map(CampaignRecord.init(row:))
    }

    /// Every campaign, by creation time then id.
    public func campaigns() throws -> [CampaignRecord] {
        try sql.query("SELECT * FROM campaigns ORDER BY created, id").map(CampaignRecord.init(row:))
    }

    /// Sets a campaign's status and reason; false when there is no such campaign.
    @discardableResult
    public func updateCampaign(id: String, status: String, reason: String?) throws -> Bool {
        try sql.execute(
            "UPDATE campaigns SET status = ?, reason = ? WHERE id = ?", [.text(status), .optional(reason), .text(id)]) == 1
    }

    // MARK: Rounds

    /// Stores a new round (its campaign must exist).
    public func insertRound(_ round: RoundRecord) throws {
        try sql.execute(
            """
            INSERT INTO rounds (campaign, round, kind, status, stage, configuration, participants, base_version,
                sealed_round_key, started, deadline, finished, leader, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            try Self.roundValues(round))
    }

    /// Replaces every column of the round with the same (campaign, round); false when there is none.
    @discardableResult
    public func updateRound(_ round: RoundRecord) throws -> Bool {
        let values = try Self.roundValues(round)
        return try sql.execute(
            """
            UPDATE rounds SET kind = ?, status = ?, stage = ?, configuration = ?, participants = ?, base_version = ?,
                sealed_round_key = ?, started = ?, deadline = ?, finished = ?, leader = ?, reason = ?
            WHERE campaign = ? AND round = ?
            """,
            Array(values.dropFirst(2)) + Array(values.prefix(2))) == 1
    }

    /// One round.
    public func round(campaign: String, round: Int) throws -> RoundRecord? {
        try sql.first("SELECT * FROM rounds WHERE campaign = ? AND round = ?", [.text(campaign), .int(round)])
            .map(RoundRecord.init(row:))
    }

    /// Every round of a campaign, in round order.
    public func rounds(campaign: String) throws -> [RoundRecord] {
        try sql.query("SELECT * FROM rounds WHERE campaign = ? ORDER BY round", [.text(campaign)])
            .map(RoundRecord.init(row:))
    }

    /// Every round whose status is "running", by campaign then round.
    public func openRounds() throws -> [RoundRecord] {
        try sql.query("SELECT * FROM rounds WHERE status = 'running' ORDER BY campaign, round").map(RoundRecord.init(row:))
    }

    /// The campaign's round with the highest number.
    public func latestRound(campaign: String) throws -> RoundRecord? {
        try sql.first("SELECT * FROM rounds WHERE campaign = ? ORDER BY round DESC LIMIT 1", [.text(campaign)])
            .map(RoundRecord.init(row:))
    }

    private static func roundValues(_ round: RoundRecord) throws -> [SQLValue] {
        [
            .text(round.campaign), .int(round.round), .text(round.kind), .text(round.status), .int(round.stage),
            .optional(round.configuration), .text(try json(round.participants)), .optional(round.baseVersion),
            .optional(round.sealedRoundKey), .real(round.started), .real(round.deadline), .optional(round.finished),
            .optional(round.leader), .optional(round.reason),
        ]
    }
}

extension CampaignRecord {
    init(row: SQLRow) throws {
        self.init(
            id: try row.string("id"), name: try row.string("name"), configuration: try row.string("configuration"),
            status: try row.string("status"), created: try row.double("created"), reason: try row.stringIfPresent("reason"))
    }
}

extension RoundRecord {
    init(row: SQLRow) throws {
        self.init(
            campaign: try row.string("campaign"), round: try row.int("round"), kind: try row.string("kind"),
            status: try row.string("status"), stage: try row.int("stage"),
            configuration: try row.stringIfPresent("configuration"),
            participants: try StoreTransaction.decodeJSON(
                [String].self, try row.string("participants"), column: "participants"),
            baseVersion: try row.stringIfPresent("base_version"), sealedRoundKey: try row.bytesIfPresent("sealed_round_key"),
            started: try row.double("started"), deadline: try row.double("deadline"),
            finished: try row.doubleIfPresent("finished"), leader: try row.stringIfPresent("leader"),
            reason: try row.stringIfPresent("reason"))
    }
}
