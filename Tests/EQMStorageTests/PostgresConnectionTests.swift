import Foundation
import Testing

@testable import EQMStorage

/// The PostgreSQL that `make test` starts (scripts/test-postgres.sh): a unix socket in a temporary folder.
enum TestPostgres {
    static var url: String? { ProcessInfo.processInfo.environment["EQM_TEST_POSTGRES_URL"] }
    /// `make test` sets this so a missing server fails the suite instead of silently skipping it.
    static var required: Bool { ProcessInfo.processInfo.environment["EQM_REQUIRE_POSTGRES"] == "1" }
    static var available: Bool { url != nil || required }
}

@Suite("PostgreSQL through libpq", .enabled(if: TestPostgres.available, "set EQM_TEST_POSTGRES_URL or run `make test`"))
struct PostgresConnectionTests {
    @Test("connects to the test server and runs a statement")
    func roundTrip() throws {
        let url = try #require(TestPostgres.url, "EQM_REQUIRE_POSTGRES=1 but EQM_TEST_POSTGRES_URL is not set")
        let connection = try PostgresConnection(url: url)
        #expect(connection.serverVersion >= 120_000)
        #expect(try connection.scalar("SELECT 40 + 2") == "42")
        _ = try connection.scalar("CREATE TEMPORARY TABLE probe (value integer)")
        _ = try connection.scalar("INSERT INTO probe VALUES (7)")
        #expect(try connection.scalar("SELECT value FROM probe") == "7")
    }

    @Test("a failing statement is an error with the server's message")
    func failure() throws {
        let url = try #require(TestPostgres.url)
        let connection = try PostgresConnection(url: url)
        #expect(throws: StorageError.self) { try connection.scalar("SELECT * FROM no_such_table") }
    }
}

@Suite("libpq linkage")
struct LibPQTests {
    @Test("libpq is linked and reports a version")
    func version() {
        #expect(PostgresConnection.libraryVersion >= 100_000)
    }

    @Test("an unreachable server is a clear error that does not echo the connection string")
    func unreachable() {
        do {
            _ = try PostgresConnection(url: "postgresql://user:secret-password@127.0.0.1:1/none?connect_timeout=2")
            Issue.record("connected to a closed port")
        } catch {
            #expect(error.code == .connectionFailed)
            #expect(error.message.contains("could not connect"))
            #expect(!error.message.contains("secret-password"))
        }
    }
}
