import EQMAPI
import EQMCompliance
import EQMCoordinator
import EQMCore
import EQMCrypto
import EQMProtocols
import EQMStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct NodeLifecycleTests {
    @Test func enrollmentTokensAreSingleUseAndNeedAProof() async throws {
        let harness = try await CoordinatorHarness()
        try await harness.application().test(.router) { client in
            let issued = try await client.call(
                .post, "/v1/enrollment-tokens", token: harness.adminToken, json: EnrollmentTokenRequest(label: "n")
            )
            .decode(TokenIssued.self)
            let identity = SigningKey()
            let tokenID = String(issued.token.split(separator: "_")[1])
            // A proof by another key is refused and does not spend the token.
            let wrong = SigningKey().sign(EnrollRequest.proofMessage(tokenID: tokenID, identityKey: identity.publicKey.hex))
            let refused = try await client.call(
                .post, "/v1/nodes/enroll",
                json: EnrollRequest(enrollmentToken: issued.token, identityKey: identity.publicKey.hex, proof: wrong.hexString))
            #expect(refused.status == .badRequest)
            let proof = identity.sign(EnrollRequest.proofMessage(tokenID: tokenID, identityKey: identity.publicKey.hex))
            let request = EnrollRequest(
                enrollmentToken: issued.token, identityKey: identity.publicKey.hex, proof: proof.hexString)
            let first = try await client.call(.post, "/v1/nodes/enroll", json: request)
            #expect(first.status == .created)
            let enrollment = try first.decode(Enrollment.self)
            #expect(enrollment.coordinatorKey == harness.coordinator.identity.publicKey.hex)
            let second = try await client.call(.post, "/v1/nodes/enroll", json: request)
            #expect(second.status == .unauthorized)
            let me = try await client.call(.get, "/v1/nodes/me", token: enrollment.token).decode(NodeInfo.self)
            #expect(me.identityKey == identity.publicKey.hex)
            // The enrollment token is not an API token.
            #expect(try await client.call(.get, "/v1/nodes/me", token: issued.token).status == .unauthorized)
        }
    }

    @Test func consentExportAndErasure() async throws {
        let harness = try await CoordinatorHarness()
        try await harness.application().test(.router) { client in
            let node = try await enrollNode(client, adminToken: harness.adminToken)
            // No text published yet: granting is a conflict.
            let early = try await client.call(
                .post, "/v1/nodes/me/consent", token: node.token, json: ConsentRequest(purpose: .training, granted: true))
            #expect(early.status == .conflict)
            #expect(
                try await client.call(
                    .post, "/v1/consent-texts", token: harness.adminToken,
                    json: ConsentTextRequest(purpose: .training, text: "Train the stress model on my device.")
                ).status == .created)
            let receipt = try await client.call(
                .post, "/v1/nodes/me/consent", token: node.token, json: ConsentRequest(purpose: .training, granted: true)
            ).decode(ConsentReceipt.self)
            #expect(ConsentRegistry.isValid(receipt, publicKey: harness.coordinator.identity.publicKey))
            var history = try await client.call(.get, "/v1/nodes/me/consent", token: node.token).decode(ConsentHistory.self)
            #expect(history.current["training"] == true)
            _ = try await client.call(
                .post, "/v1/nodes/me/consent", token: node.token, json: ConsentRequest(purpose: .training, granted: false))
            history = try await client.call(.get, "/v1/nodes/me/consent", token: node.token).decode(ConsentHistory.self)
            #expect(history.current["training"] == false)
            #expect(history.history.count == 2)

            let export = try await client.call(.get, "/v1/nodes/me/export", token: node.token)
            #expect(export.status == .ok)
            #expect(String(buffer: export.body).contains(node.id))

            let erased = try await client.call(.post, "/v1/nodes/me/erasure", token: node.token)
            #expect(erased.status == .ok)
            let tombstone = try erased.decode(ErasureTombstone.self)
            let certificate = try ErasureService.verifiedCertificate(tombstone, publicKey: harness.coordinator.identity.publicKey)
            #expect(certificate.credentialsRevoked >= 1)
            // The node's token no longer works; erasing again (by an admin) is idempotent.
            #expect(try await client.call(.get, "/v1/nodes/me", token: node.token).status == .unauthorized)
            let again = try await client.call(.post, "/v1/nodes/\(node.id)/erasure", token: harness.adminToken)
            #expect(again.status == .ok)
            #expect(try again.decode(ErasureTombstone.self).subjectDigest == tombstone.subjectDigest)
            #expect(try await client.call(.post, "/v1/nodes/node-unknown/erasure", token: harness.adminToken).status == .notFound)
            // Nothing about the node remains but the tombstone's keyed digest.
            let tables = try harness.coordinator.store.read { tx in try tx.tables().map { ($0, "\(try tx.allRows(of: $0))") } }
            #expect(tables.count >= 10)
            for (table, rows) in tables {
                #expect(!rows.contains(node.id), "table \(table) still mentions the node")
                #expect(!rows.contains(node.identity.publicKey.hex), "table \(table) still holds the identity key")
            }
            // The audit trail recorded the consent changes and the erasure.
            let trail = try await client.call(.get, "/v1/audit/trail", token: harness.adminToken).decode(ChainExport.self)
            let actions = trail.links.map(\.payload)
            #expect(actions.contains { $0.contains("consent_granted") })
            #expect(actions.contains { $0.contains("\"erasure\"") })
        }
    }
}
