/// The coordinator's schema, as an ordered list of migrations.
///
/// Portable DDL only (INTEGER, REAL, TEXT, BLOB; see ``SQLDialect/ddl(_:)``), explicit keys (no
/// autoincrement), all times Unix seconds as REAL except the ISO-8601 text the compliance types
/// define. A released migration is never edited: add the next version instead.
public enum CoordinatorSchema {
    /// Every table the store owns, in creation order (plus `schema_migrations`).
    public static let tables = [
        "schema_migrations", "settings", "tokens", "nodes", "consent_texts", "consent_records", "chain_links",
        "chain_checkpoints", "participation", "campaigns", "rounds", "round_messages", "round_outputs",
        "model_versions", "evaluations", "tombstones", "retention_runs",
    ]

    /// The migrations, oldest first.
    public static let migrations: [SQLMigration] = [
        SQLMigration(
            version: 1, name: "coordinator tables",
            statements: [
                "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                """
                CREATE TABLE tokens (id TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE, role TEXT NOT NULL, kind TEXT NOT NULL,
                    subject TEXT, label TEXT NOT NULL, created REAL NOT NULL, expires REAL, revoked INTEGER NOT NULL)
                """,
                "CREATE INDEX tokens_subject ON tokens (subject)",
                """
                CREATE TABLE nodes (id TEXT PRIMARY KEY, identity_key TEXT NOT NULL UNIQUE, enrolled REAL NOT NULL,
                    last_seen REAL NOT NULL, cohort TEXT NOT NULL)
                """,
                """
                CREATE TABLE consent_texts (purpose TEXT NOT NULL, version INTEGER NOT NULL, text TEXT NOT NULL,
                    published TEXT NOT NULL, PRIMARY KEY (purpose, version))
                """,
                """
                CREATE TABLE consent_records (seq INTEGER PRIMARY KEY, subject TEXT NOT NULL, purpose TEXT NOT NULL,
                    text_version INTEGER NOT NULL, granted INTEGER NOT NULL, time TEXT NOT NULL)
                """,
                "CREATE INDEX consent_records_subject ON consent_records (subject)",
                """
                CREATE TABLE chain_links (chain TEXT NOT NULL, sequence INTEGER NOT NULL, previous_hash TEXT NOT NULL,
                    payload TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (chain, sequence))
                """,
                """
                CREATE TABLE chain_checkpoints (chain TEXT NOT NULL, sequence INTEGER NOT NULL, hash TEXT NOT NULL,
                    time TEXT NOT NULL, signer TEXT NOT NULL, signature TEXT NOT NULL, PRIMARY KEY (chain, sequence))
                """,
                """
                CREATE TABLE participation (subject TEXT NOT NULL, campaign TEXT NOT NULL, round INTEGER NOT NULL,
                    PRIMARY KEY (subject, campaign, round))
                """,
                """
                CREATE TABLE campaigns (id TEXT PRIMARY KEY, name TEXT NOT NULL, configuration TEXT NOT NULL,
                    status TEXT NOT NULL, created REAL NOT NULL, reason TEXT)
                """,
                """
                CREATE TABLE rounds (campaign TEXT NOT NULL REFERENCES campaigns (id), round INTEGER NOT NULL,
                    kind TEXT NOT NULL, status TEXT NOT NULL, stage INTEGER NOT NULL, configuration TEXT,
                    participants TEXT NOT NULL, base_version TEXT, sealed_round_key BLOB, started REAL NOT NULL,
                    deadline REAL NOT NULL, finished REAL, leader TEXT, reason TEXT, PRIMARY KEY (campaign, round))
                """,
                "CREATE INDEX rounds_status ON rounds (status)",
                """
                CREATE TABLE round_messages (campaign TEXT NOT NULL, round INTEGER NOT NULL, stage INTEGER NOT NULL,
                    participant INTEGER NOT NULL, body BLOB NOT NULL, received REAL NOT NULL,
                    PRIMARY KEY (campaign, round, stage, participant),
                    FOREIGN KEY (campaign, round) REFERENCES rounds (campaign, round))
                """,
                """
                CREATE TABLE round_outputs (campaign TEXT NOT NULL, round INTEGER NOT NULL, stage INTEGER NOT NULL,
                    participant INTEGER NOT NULL, body BLOB NOT NULL, received REAL NOT NULL,
                    PRIMARY KEY (campaign, round, stage, participant),
                    FOREIGN KEY (campaign, round) REFERENCES rounds (campaign, round))
                """,
                """
                CREATE TABLE model_versions (id TEXT PRIMARY KEY, campaign TEXT NOT NULL REFERENCES campaigns (id),
                    version INTEGER NOT NULL, parent TEXT, round INTEGER, created REAL NOT NULL, model BLOB NOT NULL,
                    card TEXT NOT NULL, signature TEXT NOT NULL, status TEXT NOT NULL, cohort TEXT,
                    UNIQUE (campaign, version))
                """,
                """
                CREATE TABLE evaluations (campaign TEXT NOT NULL, round INTEGER NOT NULL, node TEXT NOT NULL,
                    model_version TEXT NOT NULL, examples INTEGER NOT NULL, correct INTEGER NOT NULL,
                    loss_sum REAL NOT NULL, tp TEXT NOT NULL, fp TEXT NOT NULL, fn TEXT NOT NULL, received REAL NOT NULL,
                    PRIMARY KEY (campaign, round, node))
                """,
                "CREATE INDEX evaluations_node ON evaluations (node)",
                "CREATE TABLE tombstones (subject_digest TEXT PRIMARY KEY, payload TEXT NOT NULL)",
                "CREATE TABLE retention_runs (time REAL PRIMARY KEY, report TEXT NOT NULL)",
            ])
    ]
}
