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
    func addModelRoutes(to router: Router<CoordinatorContext>) {
        let coordinator = self.coordinator
        add(.listModels, to: router) { _, context in
            let campaign = try context.identifier("campaign")
            let models = try await coordinator.read { tx -> [ModelVersionRecord]? in
                guard try tx.campaign(id: campaign) != nil else { return nil }
                return try tx.modelVersions(campaign: campaign)
            }
            guard let models else { throw CoordinatorError(.notFound, "no campaign '\(campaign)'") }
            return try JSON.response(ModelList(models: models.map(\.summary)))
        }
        add(.getModel, to: router) { _, context in
            let campaign = try context.identifier("campaign")
            let version = try context.identifier("version")
            if let number = Int(version), number >= 0,
                let cached = coordinator.modelResponses.body(for: ModelCard.id(campaign: campaign, version: number))
            {
                return JSON.bytes(cached)
            }
            var cohort: String?
            if let node = context.principal?.subject {
                cohort = try await coordinator.read { tx in try tx.node(id: node)?.cohort }
            }
            let record = try await coordinator.modelVersion(campaign: campaign, version: version, cohort: cohort)
            let body = [UInt8](
                try JSON.encoder.encode(
                    ModelReleaseBody(
                        id: record.id, card: record.card, signature: record.signature,
                        model: Data(record.model).base64EncodedString())))
            coordinator.modelResponses.store(body, for: record.id)
            return JSON.bytes(body)
        }
        add(.promoteModel, to: router) { request, context in
            let campaign = try context.identifier("campaign")
            let version = try context.identifier("version")
            let body = try await request.json(PromoteRequest.self, limit: APIEndpoint.promoteModel.maximumBody)
            let record = try await coordinator.setModelStatus(
                campaign: campaign, version: version, status: "promoted", cohort: body.cohort, by: context.principal)
            return try JSON.response(record.summary)
        }
        add(.rollbackModel, to: router) { _, context in
            let campaign = try context.identifier("campaign")
            let version = try context.identifier("version")
            let record = try await coordinator.setModelStatus(
                campaign: campaign, version: version, status: "rolled_back", cohort: nil, by: context.principal)
            return try JSON.response(record.summary)
        }
    }
}
