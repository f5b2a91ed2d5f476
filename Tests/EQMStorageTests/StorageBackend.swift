import EQMStorage
import Foundation
import Testing

/// A backend the storage conformance suite runs against.
enum StorageBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    /// SQLite in a temporary file (DatabasePool, WAL), deleted afterwards.
    case sqlite
    /// PostgreSQL from EQM_TEST_POSTGRES_URL, in a fresh schema dropped afterwards.
    case postgres

    var testDescription: String { rawValue }

    /// SQLite always; PostgreSQL when a URL is set, or when `EQM_REQUIRE_POSTGRES=1` (then a
    /// missing URL fails each PostgreSQL case instead of skipping it).
    static var enabled: [StorageBackend] {
        if TestPostgres.available { return [.sqlite, .postgres] }
        print("EQMStorageTests: PostgreSQL cases skipped: set EQM_TEST_POSTGRES_URL or run `make test`")
        return [.sqlite]
    }
}

/// A fresh, empty database of one backend, removed by ``remove()``.
final class ScratchDatabase {
    let backend: StorageBackend
    /// SQLite: the file path; PostgreSQL: a URL whose search_path is the fresh schema.
    let location: String
    private let cleanup: () -> Void

    init(_ backend: StorageBackend) throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-storage-\(UUID().uuidString)")
            location = folder.appendingPathComponent("coordinator.sqlite").path
            cleanup = { try? FileManager.default.removeItem(at: folder) }
        case .postgres:
            let url = try #require(TestPostgres.url, "EQM_REQUIRE_POSTGRES=1 but EQM_TEST_POSTGRES_URL is not set")
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let admin = try PostgresConnection(url: url)
            _ = try admin.scalar("CREATE SCHEMA \(schema)")
            location = url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
            cleanup = { _ = try? admin.scalar("DROP SCHEMA \(schema) CASCADE") }
        }
    }

    /// A new connection to the database (several may be open at once).
    func open() throws -> any SQLDatabase {
        switch backend {
        case .sqlite: try SQLiteDatabase(path: location)
        case .postgres: try PostgresDatabase(url: location, connections: 4)
        }
    }

    /// A migrated store on a new connection.
    func store() throws -> CoordinatorStore { try CoordinatorStore(database: open()) }

    func remove() { cleanup() }
}

/// Runs `body` with a migrated store on a fresh database of `backend`, then removes the database.
func withStore(_ backend: StorageBackend, _ body: (CoordinatorStore, ScratchDatabase) throws -> Void) throws {
    let scratch = try ScratchDatabase(backend)
    defer { scratch.remove() }
    let store = try scratch.store()
    defer { store.close() }
    try body(store, scratch)
}
