internal import CLibPQ

/// A minimal, owning wrapper of one libpq connection (the PostgreSQL store of issue 6 builds on it).
///
/// libpq calls block; callers run them off the cooperative pool (NIOThreadPool in the server).
/// Errors never include the connection string, which may hold a password.
public final class PostgresConnection {
    private let connection: OpaquePointer

    /// The version of the linked libpq, e.g. 150018 for 15.18.
    public static var libraryVersion: Int { Int(PQlibVersion()) }

    /// Opens a connection from a `postgresql://` URL or a `key=value` connection string.
    public init(url: String) throws(PostgresError) {
        guard let connection = PQconnectdb(url) else { throw PostgresError("libpq could not allocate a connection") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError("could not connect to PostgreSQL: \(message.trimmingNewlines())")
        }
        self.connection = connection
    }

    deinit { PQfinish(connection) }

    /// The server's version number (e.g. 150018).
    public var serverVersion: Int { Int(PQserverVersion(connection)) }

    /// Runs a statement without parameters and returns the first column of the first row, if any.
    public func scalar(_ sql: String) throws(PostgresError) -> String? {
        guard let result = PQexec(connection, sql) else { throw PostgresError("libpq returned no result") }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            throw PostgresError("statement failed: \(String(cString: PQresultErrorMessage(result)).trimmingNewlines())")
        }
        guard PQntuples(result) > 0, PQnfields(result) > 0, PQgetisnull(result, 0, 0) == 0 else { return nil }
        return String(cString: PQgetvalue(result, 0, 0))
    }
}

/// A PostgreSQL failure with the server's or libpq's message.
public struct PostgresError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension String {
    fileprivate func trimmingNewlines() -> String {
        var result = Substring(self)
        while result.last?.isNewline == true { result.removeLast() }
        return String(result)
    }
}
