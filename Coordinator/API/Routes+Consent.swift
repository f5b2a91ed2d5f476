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

extension CoordinatorAPI {
    func addConsentRoutes(to router: Router<CoordinatorContext>) {
        let coordinator = self.coordinator
        add(.publishConsentText, to: router) { request, _ in
            let body = try await request.json(ConsentTextRequest.self, limit: APIEndpoint.publishConsentText.maximumBody)
            return try JSON.response(try await coordinator.publishConsentText(body), status: .created)
        }
        add(.consentTexts, to: router) { _, _ in
            let texts = try await coordinator.read { tx in
                try ProcessingPurpose.allCases.compactMap { try tx.consentTexts(purpose: $0).last }
            }
            return try JSON.response(ConsentTextList(texts: texts))
        }
        add(.consent, to: router) { request, context in
            let node = try context.nodeID()
            let body = try await request.json(ConsentRequest.self, limit: APIEndpoint.consent.maximumBody)
            return try JSON.response(try await coordinator.recordConsent(node: node, body), status: .created)
        }
        add(.consentHistory, to: router) { _, context in
            try JSON.response(try await coordinator.consentHistory(node: try context.nodeID()))
        }
        add(.exportMe, to: router) { _, context in
            try JSON.response(try await coordinator.exportSubject(try context.nodeID()))
        }
        add(.eraseMe, to: router) { _, context in
            try JSON.response(try await coordinator.erase(try context.nodeID()))
        }
        add(.exportNode, to: router) { _, context in
            try JSON.response(try await coordinator.exportSubject(try context.identifier("node")))
        }
        add(.eraseNode, to: router) { _, context in
            try JSON.response(try await coordinator.erase(try context.identifier("node")))
        }
    }

    func addAuditRoutes(to router: Router<CoordinatorContext>) {
        let coordinator = self.coordinator
        add(.ledger, to: router) { _, context in
            let campaign = try context.identifier("campaign")
            let export = try await coordinator.read { tx -> ChainExport? in
                guard try tx.campaign(id: campaign) != nil else { return nil }
                return try ChainExport(chain: "ledger", store: tx.chain("ledger:\(campaign)"))
            }
            guard let export else { throw CoordinatorError(.notFound, "no campaign '\(campaign)'") }
            return try JSON.response(export)
        }
        add(.trail, to: router) { _, _ in
            let export = try await coordinator.write { tx in
                try coordinator.auditTrail(tx).checkpoint()
                return try ChainExport(chain: "audit", store: tx.chain("audit"))
            }
            return try JSON.response(export)
        }
        add(.sweep, to: router) { _, _ in try JSON.response(try await coordinator.sweepRetention()) }
        add(.records, to: router) { _, _ in try JSON.response(coordinator.processingRecords()) }
    }
}
