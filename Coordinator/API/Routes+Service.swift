import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import EQMStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus

extension CoordinatorAPI {
    func addServiceRoutes(to router: Router<CoordinatorContext>) {
        let coordinator = self.coordinator
        add(.health, to: router) { _, _ in
            let database: String
            do {
                _ = try await coordinator.read { tx in try tx.setting("schema") }
                database = "ok"
            } catch {
                return try JSON.response(
                    HealthStatus(
                        status: "unavailable", version: CoordinatorVersion.string, database: "unreachable",
                        replica: coordinator.configuration.replicaName),
                    status: .serviceUnavailable)
            }
            return try JSON.response(
                HealthStatus(
                    status: "ok", version: CoordinatorVersion.string, database: database,
                    replica: coordinator.configuration.replicaName))
        }
        add(.metrics, to: router) { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: coordinator.metrics.exposition())))
        }
        add(.openAPI, to: router) { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json())))
        }
        add(.coordinator, to: router) { _, _ in
            try JSON.response(
                CoordinatorInfo(
                    version: CoordinatorVersion.string, signingKey: coordinator.identity.publicKey.hex,
                    protocolVersion: WireProtocol.version))
        }
    }

    func addTokenRoutes(to router: Router<CoordinatorContext>) {
        let coordinator = self.coordinator
        add(.createToken, to: router) { request, context in
            let body = try await request.json(TokenRequest.self, limit: APIEndpoint.createToken.maximumBody)
            guard body.role != .node else {
                throw CoordinatorError(.invalidRequest, "node tokens are issued by enrollment (POST /v1/nodes/enroll)")
            }
            let issued = try await coordinator.mintToken(
                role: body.role, kind: "api", label: body.label, lifetime: body.lifetimeSeconds, by: context.principal)
            return try JSON.response(issued, status: .created)
        }
        add(.listTokens, to: router) { _, _ in
            let tokens = try await coordinator.read { tx in try tx.tokens() }
            return try JSON.response(
                TokenList(
                    tokens: tokens.map {
                        TokenSummary(
                            id: $0.id, role: $0.role, kind: $0.kind, label: $0.label, created: $0.created, expires: $0.expires,
                            revoked: $0.revoked)
                    }))
        }
        add(.revokeToken, to: router) { _, context in
            let id = try context.identifier("token")
            let revoked = try await coordinator.write { tx in try tx.revokeToken(id: id) }
            guard revoked else { throw CoordinatorError(.notFound, "no token with id '\(id)'") }
            return Response(status: .noContent)
        }
        add(.createEnrollmentToken, to: router) { request, context in
            let body = try await request.json(EnrollmentTokenRequest.self, limit: APIEndpoint.createEnrollmentToken.maximumBody)
            let issued = try await coordinator.mintToken(
                role: .node, kind: "enrollment", label: body.label, lifetime: body.lifetimeSeconds ?? 7 * 86_400,
                by: context.principal)
            return try JSON.response(issued, status: .created)
        }
        add(.enroll, to: router) { request, _ in
            let body = try await request.json(EnrollRequest.self, limit: APIEndpoint.enroll.maximumBody)
            return try JSON.response(try await coordinator.enroll(body), status: .created)
        }
        add(.me, to: router) { _, context in
            let id = try context.nodeID()
            guard let node = try await coordinator.read({ tx in try tx.node(id: id) }) else {
                throw CoordinatorError(.notFound, "this node is no longer enrolled")
            }
            return try JSON.response(
                NodeInfo(nodeID: node.id, identityKey: node.identityKey, cohort: node.cohort, enrolled: node.enrolled))
        }
    }
}
