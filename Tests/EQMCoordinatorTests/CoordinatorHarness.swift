import EQMAPI
import EQMCoordinator
import EQMCore
import EQMCrypto
import EQMProtocols
import EQMStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// A coordinator over an in-memory SQLite store (or a file, for restart tests), with its admin token.
struct CoordinatorHarness {
    let coordinator: Coordinator
    let server: CoordinatorServer
    let adminToken: String

    init(
        store: CoordinatorStore? = nil, identity: CoordinatorIdentity = .generate(), tickInterval: Double = 0.05,
        tls: (certificate: String, key: String)? = nil
    ) async throws {
        var configuration = CoordinatorConfiguration()
        configuration.tlsCertificate = tls?.certificate
        configuration.tlsKey = tls?.key
        configuration.port = 0
        configuration.tickInterval = tickInterval
        configuration.replicaName = "test"
        var logger = Logger(label: "eqm.test")
        logger.logLevel = ProcessInfo.processInfo.environment["EQM_TEST_LOG"] != nil ? .debug : .critical
        coordinator = Coordinator(
            configuration: configuration, store: try store ?? CoordinatorStore.inMemory(), identity: identity, logger: logger)
        server = CoordinatorServer(coordinator: coordinator, driver: RoundDriver(coordinator: coordinator))
        adminToken = try await coordinator.bootstrapAdminToken() ?? ""
    }

    /// The application without the background round driver (tests tick it).
    func application() throws -> some ApplicationProtocol { try server.application(runDriver: false) }
}

extension TestClientProtocol {
    /// A request with an optional bearer token and JSON body.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: (some Encodable)? = String?.none,
        bytes: [UInt8]? = nil, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONEncoder().encode(json))
        } else if let bytes {
            headers[.contentType] = "application/octet-stream"
            body = ByteBuffer(bytes: bytes)
        }
        return try await execute(uri: path, method: method, headers: headers, body: body)
    }
}

extension TestResponse {
    /// The body decoded as JSON.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
    }

    /// The error code of a JSON error body.
    var errorCode: String? { (try? decode(APIErrorBody.self))?.error.code }
}

/// Enrolls a node through the API and returns its token and identity.
func enrollNode(_ client: some TestClientProtocol, adminToken: String) async throws -> (
    token: String, id: String, identity: SigningKey
) {
    let issued = try await client.call(
        .post, "/v1/enrollment-tokens", token: adminToken, json: EnrollmentTokenRequest(label: "test")
    )
    .decode(TokenIssued.self)
    let identity = SigningKey()
    let tokenID = String(issued.token.split(separator: "_")[1])
    let proof = identity.sign(EnrollRequest.proofMessage(tokenID: tokenID, identityKey: identity.publicKey.hex))
    let enrollment = try await client.call(
        .post, "/v1/nodes/enroll",
        json: EnrollRequest(enrollmentToken: issued.token, identityKey: identity.publicKey.hex, proof: proof.hexString)
    ).decode(Enrollment.self)
    return (enrollment.token, enrollment.nodeID, identity)
}
