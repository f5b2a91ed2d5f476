import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle

extension CoordinatorAPI {
    /// `GET /v1/events`: authenticated WebSocket stream of ``CoordinatorEvent`` JSON text frames.
    func addEventRoutes(to router: Router<CoordinatorContext>) {
        let coordinator = self.coordinator
        let endpoint = APIEndpoint.events
        router.ws(RouterPath(endpoint.routerPath)) { request, _ in
            let principal = try await Self.authenticate(request, coordinator: coordinator)
            guard endpoint.roles?.contains(principal.role) ?? true else {
                throw CoordinatorError(.forbidden, "the \(principal.role.rawValue) role may not stream events")
            }
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                throw CoordinatorError(.invalidRequest, "GET /v1/events is a WebSocket endpoint (send Upgrade: websocket)")
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, _ in
            let events = coordinator.events.subscribe()
            // A graceful shutdown ends the stream (the server would otherwise wait for every
            // subscriber to hang up before it could stop).
            try? await cancelWhenGracefulShutdown {
                await Self.stream(events, inbound: inbound, outbound: outbound)
            }
        }
    }

    /// Writes each event until the client hangs up or the task is cancelled.
    private static func stream(
        _ events: AsyncStream<CoordinatorEvent>, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Ends when the client closes the connection.
                do { for try await _ in inbound {} } catch {}
            }
            group.addTask {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                for await event in events {
                    guard let data = try? encoder.encode(event) else { continue }
                    do { try await outbound.write(.text(String(decoding: data, as: UTF8.self))) } catch { return }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
