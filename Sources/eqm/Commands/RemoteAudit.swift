import EQMAPI
import EQMClient
import EQMCompliance
import Foundation

/// Fetches ledgers and the audit trail from a running coordinator with an auditor token.
enum RemoteAudit {
    struct Fetched {
        var ledgers: [String: ChainExport]
        var trail: ChainExport
    }

    static func fetch(coordinator url: String, token: String?, campaign: String?) async throws -> Fetched {
        guard let token, !token.isEmpty else {
            throw CommandFailure("--coordinator needs an auditor token: --token T or EQM_TOKEN")
        }
        let client = CoordinatorClient(baseURL: url, token: token)
        do throws(CoordinatorClientError) {
            let campaigns: [String]
            if let campaign {
                campaigns = [campaign]
            } else {
                campaigns = try await client.campaigns().map(\.id)
            }
            var ledgers: [String: ChainExport] = [:]
            for id in campaigns {
                ledgers[id] = try await client.ledger(campaign: id)
            }
            let trail = try await client.auditTrail()
            return Fetched(ledgers: ledgers, trail: trail)
        } catch {
            throw CommandFailure("cannot fetch from \(url): \(error)")
        }
    }
}
