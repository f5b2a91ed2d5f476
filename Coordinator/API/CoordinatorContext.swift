import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import Foundation
import HTTPTypes
public import Hummingbird
public import HummingbirdWebSocket
import Logging

/// The request context of every route: Hummingbird's core storage, the WebSocket handler slot
/// for `/v1/events`, and the caller once authenticated.
public struct CoordinatorContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The authenticated caller (nil for public endpoints).
    public var principal: Principal?

    public init(source: Source) {
        coreContext = .init(source: source)
        webSocket = .init()
    }

    /// Bodies are collected per endpoint with the endpoint's own limit; this is the ceiling.
    public var maxUploadSize: Int { APIEndpoint.largestBody }
}
