import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
public import EQMStorage
import Foundation
import HTTPTypes
import Logging
import Prometheus

extension Coordinator {
    /// Mints and stores a token; the secret is returned once and never stored.
    func mintToken(role: Role, kind: String, label: String, lifetime: Double?, by principal: Principal?) async throws
        -> TokenIssued
    {
        guard !label.isEmpty, label.count <= 200 else {
            throw CoordinatorError(.invalidRequest, "label must be 1 to 200 characters")
        }
        if let lifetime, !(lifetime > 0 && lifetime <= 10 * 365 * 86_400) {
            throw CoordinatorError(.invalidRequest, "lifetime_seconds must be in (0, 10 years]")
        }
        let minted = Tokens.mint(role: role, kind: kind, label: label, now: now(), lifetime: lifetime)
        try await write { tx in try tx.insertToken(minted.record) }
        logger.info(
            "token minted",
            metadata: [
                "id": "\(minted.record.id)", "role": "\(role.rawValue)", "kind": "\(kind)", "by": "\(principal?.tokenID ?? "-")",
            ])
        return TokenIssued(id: minted.record.id, token: minted.token, role: role, kind: kind, expires: minted.record.expires)
    }

    /// Enrolls a node: checks the one-time token and the proof of possession of the identity
    /// key, stores the node, and issues its node token. The enrollment token is spent atomically.
    func enroll(_ request: EnrollRequest) async throws -> Enrollment {
        guard let identity = try? PublicKey(hex: request.identityKey) else {
            throw CoordinatorError(.invalidRequest, "identity_key must be a 32-byte Ed25519 public key in hex")
        }
        guard let (tokenID, _) = Tokens.parse(request.enrollmentToken) else {
            throw CoordinatorError(.unauthorized, "the enrollment token is malformed")
        }
        guard let proof = [UInt8](hex: request.proof),
            identity.isValidSignature(proof, for: EnrollRequest.proofMessage(tokenID: tokenID, identityKey: identity.hex))
        else {
            throw CoordinatorError(
                .invalidRequest, "proof is not a valid signature of the identity key over the enrollment message")
        }
        let now = now()
        let nodeID = "node-" + SecureRandom.bytes(count: 8).hexString
        let minted = Tokens.mint(role: .node, kind: "api", subject: nodeID, label: "node enrollment", now: now)
        // A/B cohorts alternate in enrollment order, so both stay the same size.
        let cohort = try await write { tx -> String in
            guard let record = try Tokens.verify(request.enrollmentToken, kind: "enrollment", in: tx, now: now) else {
                throw CoordinatorError(.unauthorized, "the enrollment token is unknown, expired or already used")
            }
            if try tx.node(identityKey: identity.hex) != nil {
                throw CoordinatorError(.conflict, "this identity key is already enrolled")
            }
            guard try tx.markEnrollmentTokenUsed(id: record.id) else {
                throw CoordinatorError(.unauthorized, "the enrollment token is unknown, expired or already used")
            }
            let cohort = try tx.nodeCount() % 2 == 0 ? "a" : "b"
            try tx.insertNode(NodeRecord(id: nodeID, identityKey: identity.hex, enrolled: now, lastSeen: now, cohort: cohort))
            try tx.insertToken(minted.record)
            try self.audit(
                tx, actor: "node:\(self.pseudonym(nodeID))", action: .personalDataAccess, subject: self.pseudonym(nodeID),
                details: ["operation": "enrolled"])
            return cohort
        }
        logger.info("node enrolled", metadata: ["node": "\(nodeID)"])
        return Enrollment(nodeID: nodeID, token: minted.token, cohort: cohort, coordinatorKey: self.identity.publicKey.hex)
    }
}
