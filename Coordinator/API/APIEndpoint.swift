public import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
public import EQMStorage
import Foundation
public import HTTPTypes
public import Hummingbird
import Logging

/// One route of the API: what the router registers, what the OpenAPI document describes, and
/// which roles the authorisation check admits. Keeping the three in one value is what keeps the
/// document and the router in step (a test walks every documented path against the live router).
public struct APIEndpoint: Sendable, Hashable {
    /// How a body is carried.
    public enum Body: Sendable, Hashable {
        case none
        /// JSON with the named schema in the document's components.
        case json(String)
        /// `application/octet-stream` (sealed protocol messages, model files).
        case binary
        /// Prometheus text exposition.
        case text
    }

    public var method: HTTPRequest.Method
    /// The OpenAPI path, e.g. `/v1/campaigns/{campaign}`.
    public var path: String
    /// The operation id.
    public var operation: String
    public var summary: String
    /// The roles admitted; nil for a public endpoint.
    public var roles: Set<Role>?
    public var request: Body
    public var response: Body
    /// The success status.
    public var status: Int
    /// The largest accepted body in bytes.
    public var maximumBody: Int

    /// The router's path syntax (`:name` for `{name}`).
    public var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : part
        }.joined(separator: "/")
    }

    /// The path parameters in order.
    public var parameters: [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }

    /// The ceiling over all endpoints (a masked input of 1,000,000 parameters plus framing).
    public static let largestBody = 8 << 20

    init(
        _ method: HTTPRequest.Method, _ path: String, operation: String, summary: String, roles: Set<Role>?,
        request: Body = .none, response: Body = .none, status: Int = 200, maximumBody: Int = 64 << 10
    ) {
        self.method = method
        self.path = path
        self.operation = operation
        self.summary = summary
        self.roles = roles
        self.request = request
        self.response = response
        self.status = status
        self.maximumBody = maximumBody
    }
}
