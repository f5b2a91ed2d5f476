import Testing

@testable import EQMStorage

@Suite("SQL layer")
struct SQLLayerTests {
    @Test("placeholders are numbered outside literals, quoted identifiers and comments")
    func placeholders() {
        let (sql, count) = SQLDialect.numberingPlaceholders(
            "SELECT '?', 'it''s ?', ? FROM \"a?\" -- what?\nWHERE x = ? /* ? */ AND y IN (?, -1)")
        #expect(sql == "SELECT '?', 'it''s ?', $1 FROM \"a?\" -- what?\nWHERE x = $2 /* ? */ AND y IN ($3, -1)")
        #expect(count == 3)
    }

    @Test("portable DDL maps to PostgreSQL types and is unchanged for SQLite")
    func ddl() {
        let statement = "CREATE TABLE t (a INTEGER, b REAL, c BLOB, d TEXT DEFAULT 'REAL', integer_count INTEGER)"
        #expect(SQLDialect.sqlite.ddl(statement) == statement)
        #expect(
            SQLDialect.postgres.ddl(statement)
                == "CREATE TABLE t (a BIGINT, b DOUBLE PRECISION, c BYTEA, d TEXT DEFAULT 'REAL', integer_count BIGINT)")
    }

    @Test("row accessors convert and name the column in errors")
    func rowAccessors() throws {
        let row = SQLRow(columns: ["n", "r", "t", "b", "z"], values: [.integer(3), .real(2), .text("x"), .blob([1]), .null])
        #expect(try row.int("n") == 3)
        #expect(try row.int("r") == 2)
        #expect(try row.double("n") == 3)
        #expect(try row.bool("n"))
        #expect(try row.stringIfPresent("z") == nil)
        #expect(try row.bytes("b") == [1])
        let missing = #expect(throws: StorageError.self) { try row.string("nope") }
        #expect(missing?.message.contains("'nope'") == true)
        let mismatch = #expect(throws: StorageError.self) { try row.int("t") }
        #expect(mismatch?.message == "column 't': expected INTEGER, found TEXT")
        let null = #expect(throws: StorageError.self) { try row.double("z") }
        #expect(null?.message == "column 'z': expected REAL, found NULL")
    }

    @Test("open(url:) refuses unknown schemes without echoing the rest of the URL")
    func unknownScheme() {
        let error = #expect(throws: StorageError.self) { try CoordinatorStore.open(url: "mysql://root:hunter2@db/eqm") }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("hunter2") == false)
    }
}
