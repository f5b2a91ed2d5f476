// The model registry and federated-evaluation reports.

extension StoreTransaction {
    // MARK: Model versions

    /// Stores a model version; a duplicate id or (campaign, version) is a constraint violation.
    public func insertModelVersion(_ model: ModelVersionRecord) throws {
        try sql.execute(
            """
            INSERT INTO model_versions (id, campaign, version, parent, round, created, model, card, signature, status, cohort)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(model.id), .text(model.campaign), .int(model.version), .optional(model.parent),
                .optional(model.round), .real(model.created), .blob(model.model), .text(model.card),
                .text(model.signature), .text(model.status), .optional(model.cohort),
            ])
    }

    /// One model version, with its bytes.
    public func modelVersion(id: String) throws -> ModelVersionRecord? {
        try sql.first("SELECT * FROM model_versions WHERE id = ?", [.text(id)]).map(ModelVersionRecord.init(row:))
    }

    /// A campaign's model versions by version number. With `includingModels: false` (listings),
    /// the model bytes are not read and every record's `model` is empty.
    public func modelVersions(campaign: String, includingModels: Bool = true) throws -> [ModelVersionRecord] {
        let columns =
            includingModels
            ? "*" : "id, campaign, version, parent, round, created, card, signature, status, cohort"
        return try sql.query(
            "SELECT \(columns) FROM model_versions WHERE campaign = ? ORDER BY version", [.text(campaign)]
        ).map(ModelVersionRecord.init(row:))
    }

    /// The version to serve a cohort: the highest "promoted" version, else the highest "released"
    /// one, among versions for everyone (cohort NULL) or for exactly this cohort; "rolled_back"
    /// versions are never served. With `cohort` nil only versions for everyone count.
    public func latestModelVersion(campaign: String, cohort: String?) throws -> ModelVersionRecord? {
        try sql.first(
            """
            SELECT * FROM model_versions
            WHERE campaign = ? AND status IN ('promoted', 'released') AND (cohort IS NULL OR cohort = ?)
            ORDER BY CASE status WHEN 'promoted' THEN 1 ELSE 0 END DESC, version DESC LIMIT 1
            """,
            [.text(campaign), .optional(cohort)]
        ).map(ModelVersionRecord.init(row:))
    }

    /// Sets a version's status and cohort; false when there is no such version.
    @discardableResult
    public func updateModelStatus(id: String, status: String, cohort: String?) throws -> Bool {
        try sql.execute(
            "UPDATE model_versions SET status = ?, cohort = ? WHERE id = ?", [.text(status), .optional(cohort), .text(id)])
            == 1
    }

    // MARK: Evaluations

    /// Stores a node's evaluation report; false when that node already reported for the round.
    public func insertEvaluation(_ report: EvaluationReport) throws -> Bool {
        try sql.execute(
            """
            INSERT INTO evaluations (campaign, round, node, model_version, examples, correct, loss_sum, tp, fp, fn, received)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (campaign, round, node) DO NOTHING
            """,
            [
                .text(report.campaign), .int(report.round), .text(report.node), .text(report.modelVersion),
                .int(report.examples), .int(report.correct), .real(report.lossSum), .text(try Self.json(report.truePositives)),
                .text(try Self.json(report.falsePositives)), .text(try Self.json(report.falseNegatives)),
                .real(report.received),
            ]) == 1
    }

    /// A round's evaluation reports, by node id.
    public func evaluations(campaign: String, round: Int) throws -> [EvaluationReport] {
        try sql.query(
            "SELECT * FROM evaluations WHERE campaign = ? AND round = ? ORDER BY node", [.text(campaign), .int(round)]
        ).map(EvaluationReport.init(row:))
    }

    /// Deletes a round's evaluation reports (once aggregated); returns how many.
    @discardableResult
    public func deleteEvaluations(campaign: String, round: Int) throws -> Int {
        try sql.execute("DELETE FROM evaluations WHERE campaign = ? AND round = ?", [.text(campaign), .int(round)])
    }
}

extension ModelVersionRecord {
    init(row: SQLRow) throws {
        self.init(
            id: try row.string("id"), campaign: try row.string("campaign"), version: try row.int("version"),
            parent: try row.stringIfPresent("parent"), round: try row.intIfPresent("round"),
            created: try row.double("created"), model: row["model"] == nil ? [] : try row.bytes("model"),
            card: try row.string("card"), signature: try row.string("signature"), status: try row.string("status"),
            cohort: try row.stringIfPresent("cohort"))
    }
}

extension EvaluationReport {
    init(row: SQLRow) throws {
        func counts(_ column: String) throws -> [Int] {
            try StoreTransaction.decodeJSON([Int].self, try row.string(column), column: column)
        }
        self.init(
            campaign: try row.string("campaign"), round: try row.int("round"), node: try row.string("node"),
            modelVersion: try row.string("model_version"), examples: try row.int("examples"),
            correct: try row.int("correct"), lossSum: try row.double("loss_sum"), truePositives: try counts("tp"),
            falsePositives: try counts("fp"), falseNegatives: try counts("fn"), received: try row.double("received"))
    }
}
