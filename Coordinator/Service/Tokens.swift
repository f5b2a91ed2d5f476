public import EQMAPI
import EQMCompliance
import EQMCore
public import EQMCrypto
import EQMProtocols
public import EQMStorage
import Foundation
import HTTPTypes
import Logging

/// The caller of a request, resolved from its bearer token.
public struct Principal: Sendable, Hashable {
    /// The token's public id.
    public var tokenID: String
    /// Its role.
    public var role: Role
    /// The node id for node tokens.
    public var subject: String?
}

/// API and enrollment tokens: `eqm_<id>_<secret>`, 12 hex digits of id and 32 random bytes of
/// secret in hex. Only BLAKE2b-256 of the secret is stored; a presented token is looked up by
/// id and its hash compared in constant time.
public enum Tokens {
    /// A freshly minted token: the secret to hand out once, and the record to store.
    public struct Minted: Sendable {
        public var token: String
        public var record: TokenRecord
    }

    /// Mints a token.
    public static func mint(
        role: Role, kind: String = "api", subject: String? = nil, label: String, now: Double, lifetime: Double? = nil
    ) -> Minted {
        let id = SecureRandom.bytes(count: 6).hexString
        var secret = SecureRandom.bytes(count: 32)
        defer { SecureMemory.zero(&secret) }
        let record = TokenRecord(
            id: id, hash: Blake2b.hash(secret), role: role, kind: kind, subject: subject, label: label, created: now,
            expires: lifetime.map { now + $0 }, revoked: false)
        return Minted(token: "eqm_\(id)_\(secret.hexString)", record: record)
    }

    /// Splits a presented token into id and secret hash; nil when it is not of the token format.
    static func parse(_ token: String) -> (id: String, hash: [UInt8])? {
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "eqm", parts[1].count == 12, parts[2].count == 64,
            var secret = [UInt8](hex: String(parts[2]))
        else { return nil }
        defer { SecureMemory.zero(&secret) }
        return (String(parts[1]), Blake2b.hash(secret))
    }

    /// Resolves a presented token to its record, or nil when unknown, revoked, expired or wrong.
    static func verify(_ token: String, kind: String, in tx: StoreTransaction, now: Double) throws -> TokenRecord? {
        guard let (id, hash) = parse(token), let record = try tx.token(id: id) else { return nil }
        guard ConstantTime.equals(record.hash, hash) else { return nil }
        guard !record.revoked, record.kind == kind, record.expires.map({ now < $0 }) ?? true else { return nil }
        return record
    }
}

extension Coordinator {
    /// On first start (no admin token exists), mints an admin token and returns it to be printed
    /// once; later starts return nil.
    public func bootstrapAdminToken() async throws -> String? {
        let now = now()
        return try await write { tx in
            guard try !tx.tokens().contains(where: { $0.role == .admin && !$0.revoked }) else { return nil }
            let minted = Tokens.mint(role: .admin, label: "initial admin", now: now)
            try tx.insertToken(minted.record)
            return minted.token
        }
    }

    /// Resolves a bearer token.
    func authenticate(_ token: String) async throws -> Principal? {
        let now = now()
        return try await read { tx in
            try Tokens.verify(token, kind: "api", in: tx, now: now).map {
                Principal(tokenID: $0.id, role: $0.role, subject: $0.subject)
            }
        }
    }
}
