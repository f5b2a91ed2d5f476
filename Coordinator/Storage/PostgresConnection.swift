internal import CLibPQ

/// An owning wrapper of one libpq connection: parameterised statements, text results parsed into
/// ``SQLValue``s, and error messages that never echo the connection string or statement values.
///
/// libpq calls block; callers run them off the cooperative pool (`NIOThreadPool` in the server).
///
/// `@unchecked Sendable` because the pool and leases move a connection between threads; it is
/// safe because each connection is used by one owner at a time (``PostgresConnectionPool`` hands
/// it to one transaction at a time, and a lease's connection is only touched under its lock).
public final class PostgresConnection: @unchecked Sendable {
    private let connection: OpaquePointer
    /// The SQLSTATE of the last failed statement since ``resetFailure()``.
    private(set) var lastFailureState: String?

    /// The version of the linked libpq, e.g. 150018 for 15.18.
    public static var libraryVersion: Int { Int(PQlibVersion()) }

    /// Opens a connection from a `postgresql://` URL or a `key=value` connection string.
    public init(url: String) throws(StorageError) {
        guard let connection = PQconnectdb(url) else {
            throw StorageError(.connectionFailed, "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            // libpq's message names the host or socket and the user, never the password.
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw StorageError(.connectionFailed, "could not connect to PostgreSQL: \(message.trimmingNewlines())")
        }
        self.connection = connection
        // Hex bytea output is what results are parsed from; UTF-8 is what Swift strings are.
        _ = try scalar("SET bytea_output = 'hex'")
        _ = try scalar("SET client_encoding = 'UTF8'")
    }

    deinit { PQfinish(connection) }

    /// The server's version number (e.g. 150018).
    public var serverVersion: Int { Int(PQserverVersion(connection)) }

    /// Whether the connection is usable and not inside a transaction.
    var isIdleAndHealthy: Bool {
        PQstatus(connection) == CONNECTION_OK && PQtransactionStatus(connection) == PQTRANS_IDLE
    }

    /// Whether the current transaction failed (later statements would be refused until ROLLBACK).
    var isInFailedTransaction: Bool { PQtransactionStatus(connection) == PQTRANS_INERROR }

    /// Whether a transaction is open (failed or not).
    var isInTransaction: Bool {
        let status = PQtransactionStatus(connection)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Forgets the last failure.
    func resetFailure() { lastFailureState = nil }

    /// Runs a statement without parameters and returns the first column of the first row, if any.
    public func scalar(_ sql: String) throws(StorageError) -> String? {
        guard let result = PQexec(connection, sql) else { throw failure(nil, "libpq returned no result") }
        defer { PQclear(result) }
        try check(result)
        guard PQntuples(result) > 0, PQnfields(result) > 0, PQgetisnull(result, 0, 0) == 0 else { return nil }
        return String(cString: PQgetvalue(result, 0, 0))
    }

    /// Runs a statement with `?` placeholders (rewritten to `$n`); returns its rows and the number
    /// of rows it changed.
    func run(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) -> (rows: [SQLRow], changed: Int) {
        let (statement, count) = SQLDialect.numberingPlaceholders(sql)
        guard count == arguments.count else {
            throw StorageError(
                .invalidArgument, "the statement has \(count) placeholders but \(arguments.count) arguments were given")
        }
        let parameters = arguments.map(Parameter.init)
        var values = [UnsafeMutablePointer<CChar>?]()
        values.reserveCapacity(parameters.count)
        defer { for value in values { value?.deallocate() } }
        for parameter in parameters {
            guard let bytes = parameter.bytes else {
                values.append(nil)
                continue
            }
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { buffer.update(from: $0.baseAddress!, count: bytes.count) }
            }
            values.append(buffer)
        }
        let types = parameters.map(\.type)
        let lengths = parameters.map { Int32($0.bytes?.count ?? 0) }
        let formats = parameters.map(\.format)
        let result = values.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
            PQexecParams(
                connection, statement, Int32(parameters.count), types, values.baseAddress, lengths, formats, 0)
        }
        guard let result else { throw failure(nil, "libpq returned no result") }
        defer { PQclear(result) }
        try check(result)
        let changed = Int(String(cString: PQcmdTuples(result))) ?? 0
        return (try Self.rows(of: result), changed)
    }

    private func check(_ result: OpaquePointer) throws(StorageError) {
        let status = PQresultStatus(result)
        guard status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK else { return }
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        // The primary message only: DETAIL lines can quote key values (subject ids, token hashes).
        let primary =
            PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            ?? String(cString: PQresultErrorMessage(result)).trimmingNewlines()
        throw failure(state, primary.isEmpty ? "the server returned \(String(cString: PQresStatus(status)))" : primary)
    }

    private func failure(_ state: String?, _ message: String) -> StorageError {
        lastFailureState = state ?? lastFailureState
        let broken = PQstatus(connection) != CONNECTION_OK
        let code: StorageError.Code =
            if broken || state?.hasPrefix("08") == true {
                .connectionFailed
            } else if state == "40001" || state == "40P01" {
                .serializationFailure
            } else if state?.hasPrefix("23") == true {
                .constraintViolation
            } else {
                .statementFailed
            }
        let prefix = broken ? "the PostgreSQL connection broke" : "PostgreSQL refused a statement"
        return StorageError(code, "\(prefix): \(message)" + (state.map { " (SQLSTATE \($0))" } ?? ""), sqlState: state)
    }

    private static func rows(of result: OpaquePointer) throws(StorageError) -> [SQLRow] {
        let rowCount = Int(PQntuples(result))
        let fieldCount = Int(PQnfields(result))
        guard fieldCount > 0 else { return [] }
        let columns = (0..<fieldCount).map { String(cString: PQfname(result, Int32($0))) }
        let types = (0..<fieldCount).map { PQftype(result, Int32($0)) }
        var rows = [SQLRow]()
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values = [SQLValue]()
            values.reserveCapacity(fieldCount)
            for field in 0..<fieldCount {
                if PQgetisnull(result, Int32(row), Int32(field)) != 0 {
                    values.append(.null)
                    continue
                }
                let text = String(cString: PQgetvalue(result, Int32(row), Int32(field)))
                values.append(try value(text, type: types[field], column: columns[field]))
            }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }

    /// Parses a text-format result value by its column type.
    private static func value(_ text: String, type: Oid, column: String) throws(StorageError) -> SQLValue {
        switch type {
        case PostgresType.bool: return .integer(text == "t" ? 1 : 0)
        case PostgresType.int2, PostgresType.int4, PostgresType.int8, PostgresType.oid:
            guard let value = Int64(text) else { throw undecodable(column, "an integer") }
            return .integer(value)
        case PostgresType.float4, PostgresType.float8, PostgresType.numeric:
            switch text {
            case "Infinity": return .real(.infinity)
            case "-Infinity": return .real(-.infinity)
            case "NaN": return .real(.nan)
            default:
                guard let value = Double(text) else { throw undecodable(column, "a number") }
                return .real(value)
            }
        case PostgresType.bytea:
            guard text.hasPrefix("\\x"), let bytes = [UInt8](postgresHex: text.utf8.dropFirst(2)) else {
                throw undecodable(column, "hex bytea")
            }
            return .blob(bytes)
        default:
            return .text(text)
        }
    }

    private static func undecodable(_ column: String, _ expected: String) -> StorageError {
        StorageError(.decodingFailed, "column '\(column)': PostgreSQL returned a value that is not \(expected)")
    }
}

/// The type OIDs the connection binds and parses (pg_type.h).
enum PostgresType {
    static let bool: Oid = 16
    static let bytea: Oid = 17
    static let int8: Oid = 20
    static let int2: Oid = 21
    static let int4: Oid = 23
    static let oid: Oid = 26
    static let float4: Oid = 700
    static let float8: Oid = 701
    static let numeric: Oid = 1700
    /// Unspecified: the server infers the type from the statement (used for text and NULL).
    static let unspecified: Oid = 0
}

/// One bound parameter: text format except bytea, which is sent as binary.
private struct Parameter {
    var type: Oid
    var bytes: [UInt8]?
    var format: Int32

    init(_ value: SQLValue) {
        switch value {
        case .null: (type, bytes, format) = (PostgresType.unspecified, nil, 0)
        case .integer(let value): (type, bytes, format) = (PostgresType.int8, Array(String(value).utf8) + [0], 0)
        case .real(let value):
            let text =
                value.isNaN ? "NaN" : value == .infinity ? "Infinity" : value == -.infinity ? "-Infinity" : "\(value)"
            (type, bytes, format) = (PostgresType.float8, Array(text.utf8) + [0], 0)
        case .text(let value): (type, bytes, format) = (PostgresType.unspecified, Array(value.utf8) + [0], 0)
        case .blob(let value): (type, bytes, format) = (PostgresType.bytea, value, 1)
        }
    }
}

extension Array where Element == UInt8 {
    /// Decodes the hex digits of a PostgreSQL `\x…` bytea value.
    fileprivate init?(postgresHex digits: Substring.UTF8View) {
        guard digits.count % 2 == 0 else { return nil }
        func nibble(_ character: UInt8) -> UInt8? {
            switch character {
            case 0x30...0x39: character - 0x30
            case 0x61...0x66: character - 0x61 + 10
            case 0x41...0x46: character - 0x41 + 10
            default: nil
            }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(digits.count / 2)
        var high: UInt8?
        for character in digits {
            guard let value = nibble(character) else { return nil }
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        self = bytes
    }
}

extension String {
    fileprivate func trimmingNewlines() -> String {
        var result = Substring(self)
        while result.last?.isNewline == true { result.removeLast() }
        return String(result)
    }
}
