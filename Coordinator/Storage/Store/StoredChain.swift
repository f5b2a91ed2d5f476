public import EQMCompliance
import Foundation

extension StoreTransaction {
    /// The hash chain `name` (e.g. "audit", or "ledger:CAMPAIGN" for a campaign's DP ledger),
    /// stored in `chain_links` and `chain_checkpoints`, inside this transaction.
    public func chain(_ name: String) -> StoredChain { StoredChain(transaction: self, name: name) }
}

/// One hash chain's rows, as the compliance types' ``ChainStore`` (valid inside its transaction).
///
/// Chain rows are never deleted or updated: deleting breaks verification, so retention exports
/// and archives chains instead (see ``StoreTransaction/deleteRecords(category:olderThan:)``).
public struct StoredChain: ChainStore {
    let transaction: StoreTransaction
    /// The chain's name.
    public let name: String

    private var sql: any SQLExecutor { transaction.sql }

    public func lastLink() throws -> ChainLink? {
        try sql.first(
            "SELECT * FROM chain_links WHERE chain = ? ORDER BY sequence DESC LIMIT 1", [.text(name)]
        ).map(Self.link)
    }

    /// Appends a link; a link whose sequence is taken (a concurrent append) is a constraint violation.
    public func append(_ link: ChainLink) throws {
        try sql.execute(
            "INSERT INTO chain_links (chain, sequence, previous_hash, payload, hash) VALUES (?, ?, ?, ?, ?)",
            [.text(name), .int(link.sequence), .text(link.previousHash), .text(link.payload), .text(link.hash)])
    }

    public func links(from: Int) throws -> [ChainLink] {
        try sql.query(
            "SELECT * FROM chain_links WHERE chain = ? AND sequence >= ? ORDER BY sequence", [.text(name), .int(from)]
        ).map(Self.link)
    }

    public func appendCheckpoint(_ checkpoint: ChainCheckpoint) throws {
        try sql.execute(
            "INSERT INTO chain_checkpoints (chain, sequence, hash, time, signer, signature) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .text(name), .int(checkpoint.sequence), .text(checkpoint.hash), .text(checkpoint.time),
                .text(checkpoint.signer), .text(checkpoint.signature),
            ])
    }

    public func checkpoints() throws -> [ChainCheckpoint] {
        try sql.query("SELECT * FROM chain_checkpoints WHERE chain = ? ORDER BY sequence", [.text(name)]).map { row in
            try StoredCheckpoint(
                sequence: try row.int("sequence"), hash: try row.string("hash"), time: try row.string("time"),
                signer: try row.string("signer"), signature: try row.string("signature")
            ).checkpoint()
        }
    }

    private static func link(_ row: SQLRow) throws -> ChainLink {
        ChainLink(
            sequence: try row.int("sequence"), previousHash: try row.string("previous_hash"),
            payload: try row.string("payload"), hash: try row.string("hash"))
    }
}

/// ``ChainCheckpoint`` has no public memberwise initialiser, so stored checkpoints are rebuilt
/// through its `Codable` conformance (the same field names). TODO: use a public initialiser once
/// EQMCompliance offers one.
private struct StoredCheckpoint: Codable {
    var sequence: Int
    var hash: String
    var time: String
    var signer: String
    var signature: String

    func checkpoint() throws -> ChainCheckpoint {
        do {
            return try JSONDecoder().decode(ChainCheckpoint.self, from: JSONEncoder().encode(self))
        } catch {
            throw StorageError(.decodingFailed, "a stored checkpoint of chain sequence \(sequence) could not be rebuilt")
        }
    }
}
