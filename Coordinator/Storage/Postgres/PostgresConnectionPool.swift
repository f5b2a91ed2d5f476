import Foundation

/// A fixed-size pool of libpq connections, opened lazily; a caller waits when all are in use.
///
/// A connection that broke or was left inside a transaction is dropped on check-in and replaced
/// by a fresh one on demand. `@unchecked Sendable`: every stored property is either immutable or
/// only touched while holding `condition`'s lock.
final class PostgresConnectionPool: @unchecked Sendable {
    private let url: String
    private let capacity: Int
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var closed = false

    init(url: String, capacity: Int) {
        self.url = url
        self.capacity = max(1, capacity)
    }

    /// A connection for the caller alone, until ``checkIn(_:)``.
    func checkOut() throws(StorageError) -> PostgresConnection {
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw StorageError(.closed, "the PostgreSQL database was closed")
            }
            if let connection = idle.popLast() {
                condition.unlock()
                return connection
            }
            if open < capacity { break }
            condition.wait()
        }
        open += 1
        condition.unlock()
        do {
            return try PostgresConnection(url: url)
        } catch {
            condition.lock()
            open -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    /// Returns a connection; it is kept only when it is healthy and outside any transaction.
    func checkIn(_ connection: PostgresConnection) {
        condition.lock()
        defer { condition.unlock() }
        if connection.isIdleAndHealthy && !closed {
            idle.append(connection)
        } else {
            open -= 1
        }
        condition.signal()
    }

    /// Closes the idle connections; those in use close when they are checked in.
    func close() {
        condition.lock()
        closed = true
        open -= idle.count
        idle.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
