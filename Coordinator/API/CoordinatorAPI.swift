import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import EQMStorage
import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore

/// Builds the router: every ``APIEndpoint`` registered with its authorisation check and handler.
public struct CoordinatorAPI: Sendable {
    /// The coordinator the routes act on.
    public let coordinator: Coordinator

    /// Creates the API.
    public init(coordinator: Coordinator) { self.coordinator = coordinator }

    typealias Handler = @Sendable (inout Request, CoordinatorContext) async throws -> Response

    /// The router with every endpoint (WebSocket `/v1/events` included).
    public func router() -> Router<CoordinatorContext> {
        let router = Router(context: CoordinatorContext.self)
        router.middlewares.add(JSONErrorMiddleware(logger: coordinator.logger))
        addServiceRoutes(to: router)
        addTokenRoutes(to: router)
        addConsentRoutes(to: router)
        addCampaignRoutes(to: router)
        addRoundRoutes(to: router)
        addModelRoutes(to: router)
        addAuditRoutes(to: router)
        addEventRoutes(to: router)
        return router
    }

    /// Registers one endpoint: authenticates (unless public), checks the role, runs the handler.
    func add(_ endpoint: APIEndpoint, to router: Router<CoordinatorContext>, _ handler: @escaping Handler) {
        let coordinator = self.coordinator
        router.on(RouterPath(endpoint.routerPath), method: endpoint.method) { request, context in
            var request = request
            var context = context
            if let roles = endpoint.roles {
                let principal = try await Self.authenticate(request, coordinator: coordinator)
                guard roles.contains(principal.role) else {
                    throw CoordinatorError(
                        .forbidden, "the \(principal.role.rawValue) role may not call \(endpoint.method) \(endpoint.path)")
                }
                context.principal = principal
            }
            return try await handler(&request, context)
        }
    }

    /// The caller of a request, from its `Authorization: Bearer …` header.
    static func authenticate(_ request: Request, coordinator: Coordinator) async throws -> Principal {
        guard let header = request.headers[.authorization] else {
            throw CoordinatorError(.unauthorized, "this endpoint needs an API token (Authorization: Bearer …)")
        }
        guard header.hasPrefix("Bearer "), header.count < 256 else {
            throw CoordinatorError(.unauthorized, "the Authorization header must be 'Bearer <token>'")
        }
        guard let principal = try await coordinator.authenticate(String(header.dropFirst(7))) else {
            throw CoordinatorError(.unauthorized, "the token is unknown, revoked or expired")
        }
        return principal
    }
}

// MARK: Request helpers

extension Request {
    /// The body, refusing more than `limit` bytes (413).
    mutating func bytes(limit: Int) async throws -> [UInt8] {
        let buffer = try await collectBody(upTo: limit)
        return Array(buffer.readableBytesView)
    }

    /// The body decoded as JSON, refusing more than `limit` bytes.
    mutating func json<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        let body = try await bytes(limit: limit)
        do { return try JSONDecoder().decode(T.self, from: Data(body)) } catch let error as DecodingError {
            throw CoordinatorError(.invalidRequest, "invalid \(T.self) body: \(DecodingErrorDescription.describe(error))")
        }
    }
}

extension CoordinatorContext {
    /// A path parameter, validated as a short identifier.
    func identifier(_ name: String) throws -> String {
        guard let value = parameters.get(name), !value.isEmpty, value.count <= 128,
            value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
        else {
            throw CoordinatorError(.invalidRequest, "path parameter '\(name)' must be 1 to 128 letters, digits, '-', '_' or '.'")
        }
        return value
    }

    /// A path parameter as a non-negative integer.
    func integer(_ name: String, range: ClosedRange<Int> = 0...Int(Int32.max)) throws -> Int {
        guard let text = parameters.get(name), let value = Int(text), range.contains(value) else {
            throw CoordinatorError(
                .invalidRequest, "path parameter '\(name)' must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// The authenticated node's id (node endpoints only).
    func nodeID() throws -> String {
        guard let principal, principal.role == .node, let subject = principal.subject else {
            throw CoordinatorError(.forbidden, "this endpoint is for enrolled nodes")
        }
        return subject
    }
}

/// Short descriptions of decoding errors that name the field, never echoing values.
enum DecodingErrorDescription {
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let joined = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "the body" : "'\(joined)'"
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field '\(key.stringValue)'" + (parent == "the body" ? "" : " in \(parent)")
        case .typeMismatch(let type, let context): return "\(path(context)) must be \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)) must be a \(type), found null"
        case .dataCorrupted(let context): return "\(path(context)) is malformed"
        @unknown default: return "malformed"
        }
    }
}
