// Tokens and nodes.

import EQMAPI

extension StoreTransaction {
    // MARK: Tokens

    /// Stores a new token; a duplicate id or hash is a ``StorageError/Code/constraintViolation``.
    public func insertToken(_ token: TokenRecord) throws {
        try sql.execute(
            """
            INSERT INTO tokens (id, hash, role, kind, subject, label, created, expires, revoked)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(token.id), .blob(token.hash), .text(token.role.rawValue), .text(token.kind),
                .optional(token.subject), .text(token.label), .real(token.created), .optional(token.expires),
                .bool(token.revoked),
            ])
    }

    /// The token with a public id (the coordinator then compares the secret's hash in constant time).
    public func token(id: String) throws -> TokenRecord? {
        try sql.first("SELECT * FROM tokens WHERE id = ?", [.text(id)]).map(TokenRecord.init(row:))
    }

    /// Every token, by creation time then id.
    public func tokens() throws -> [TokenRecord] {
        try sql.query("SELECT * FROM tokens ORDER BY created, id").map(TokenRecord.init(row:))
    }

    /// Revokes a token; false when there is no such token or it was already revoked.
    @discardableResult
    public func revokeToken(id: String) throws -> Bool {
        try sql.execute("UPDATE tokens SET revoked = 1 WHERE id = ? AND revoked = 0", [.text(id)]) == 1
    }

    /// Uses up an enrollment token: true for the one caller that marks it, false when it was already
    /// used or revoked, or is not an enrollment token. Safe under concurrency.
    public func markEnrollmentTokenUsed(id: String) throws -> Bool {
        try sql.execute(
            "UPDATE tokens SET revoked = 1 WHERE id = ? AND kind = 'enrollment' AND revoked = 0", [.text(id)]) == 1
    }

    // MARK: Nodes

    /// Stores a newly enrolled node; a duplicate id or identity key is a constraint violation.
    public func insertNode(_ node: NodeRecord) throws {
        try sql.execute(
            "INSERT INTO nodes (id, identity_key, enrolled, last_seen, cohort) VALUES (?, ?, ?, ?, ?)",
            [.text(node.id), .text(node.identityKey), .real(node.enrolled), .real(node.lastSeen), .text(node.cohort)])
    }

    /// The node with this id.
    public func node(id: String) throws -> NodeRecord? {
        try sql.first("SELECT * FROM nodes WHERE id = ?", [.text(id)]).map(NodeRecord.init(row:))
    }

    /// The node with this identity key (hex).
    public func node(identityKey: String) throws -> NodeRecord? {
        try sql.first("SELECT * FROM nodes WHERE identity_key = ?", [.text(identityKey)]).map(NodeRecord.init(row:))
    }

    /// Every node, by enrollment time then id.
    public func nodes() throws -> [NodeRecord] {
        try sql.query("SELECT * FROM nodes ORDER BY enrolled, id").map(NodeRecord.init(row:))
    }

    /// Records an authenticated request; false when there is no such node.
    @discardableResult
    public func touchNode(id: String, at time: Double) throws -> Bool {
        try sql.execute("UPDATE nodes SET last_seen = ? WHERE id = ?", [.real(time), .text(id)]) == 1
    }

    /// How many nodes are enrolled.
    public func nodeCount() throws -> Int {
        try sql.first("SELECT COUNT(*) AS count FROM nodes")?.int("count") ?? 0
    }
}

extension TokenRecord {
    init(row: SQLRow) throws {
        let roleName = try row.string("role")
        guard let role = Role(rawValue: roleName) else {
            throw StorageError(.decodingFailed, "column 'role': '\(roleName.prefix(20))' is not a known role")
        }
        self.init(
            id: try row.string("id"), hash: try row.bytes("hash"), role: role, kind: try row.string("kind"),
            subject: try row.stringIfPresent("subject"), label: try row.string("label"), created: try row.double("created"),
            expires: try row.doubleIfPresent("expires"), revoked: try row.bool("revoked"))
    }
}

extension NodeRecord {
    init(row: SQLRow) throws {
        self.init(
            id: try row.string("id"), identityKey: try row.string("identity_key"), enrolled: try row.double("enrolled"),
            lastSeen: try row.double("last_seen"), cohort: try row.string("cohort"))
    }
}
