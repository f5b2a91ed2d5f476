import EQMAPI
public import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
public import EQMStorage
import Foundation
import HTTPTypes
import Logging

extension Coordinator {
    /// The consent registry inside a transaction (consent changes are audited).
    func consentRegistry(_ tx: StoreTransaction) -> ConsentRegistry {
        let now = self.now
        return ConsentRegistry(
            store: tx, signer: identity.signingKey, audit: auditTrail(tx), now: { Date(timeIntervalSince1970: now()) },
            pseudonym: pseudonym)
    }

    /// The keyed digest that names a subject in the audit trail (the same digest as its erasure
    /// tombstone), so the trail holds no subject id once the subject is erased.
    public func pseudonym(_ subject: String) -> String { ErasureService.digest(of: subject, key: identity.digestKey) }

    /// The DP ledger of a campaign inside a transaction.
    func ledger(_ tx: StoreTransaction, campaign: String, configuration: CampaignConfiguration) throws -> PrivacyLedger {
        let now = self.now
        let header = try LedgerHeader(
            campaign: campaign, delta: configuration.delta, perUserEpsilonCap: configuration.perUserEpsilonCap,
            globalEpsilonCap: configuration.globalEpsilonCap)
        return try PrivacyLedger(
            store: tx.chain("ledger:\(campaign)"), header: header, participation: tx, accountant: LedgerAccountants.rdp,
            signer: identity.signingKey, now: { Date(timeIntervalSince1970: now()) })
    }

    /// Every campaign's ledger (for subject exports and erasure bounds).
    func ledgers(_ tx: StoreTransaction) throws -> [PrivacyLedger] {
        try tx.campaigns().compactMap { campaign in
            guard let configuration = try? CampaignConfiguration.decode(campaign.configuration) else { return nil }
            return try ledger(tx, campaign: campaign.id, configuration: configuration)
        }
    }

    /// Publishes a consent text version.
    func publishConsentText(_ request: ConsentTextRequest) async throws -> ConsentText {
        guard !request.text.isEmpty, request.text.utf8.count <= 32_768 else {
            throw CoordinatorError(.invalidRequest, "text must be 1 byte to 32 KiB")
        }
        return try await write { tx in try self.consentRegistry(tx).publish(purpose: request.purpose, text: request.text) }
    }

    /// Records a node's grant or withdrawal and returns the signed receipt.
    func recordConsent(node: String, _ request: ConsentRequest) async throws -> ConsentReceipt {
        try await write { tx in
            let registry = self.consentRegistry(tx)
            if request.granted {
                guard try registry.currentText(request.purpose) != nil else {
                    throw CoordinatorError(
                        .conflict, "no consent text is published for purpose '\(request.purpose.rawValue)' yet")
                }
                return try registry.grant(subject: node, purpose: request.purpose)
            }
            return try registry.withdraw(subject: node, purpose: request.purpose)
        }
    }

    /// A node's consent history and current state per purpose.
    func consentHistory(node: String) async throws -> ConsentHistory {
        try await read { tx in
            let registry = self.consentRegistry(tx)
            var current = [String: Bool]()
            for purpose in ProcessingPurpose.allCases {
                current[purpose.rawValue] = try registry.hasConsent(subject: node, purpose: purpose)
            }
            return ConsentHistory(current: current, history: try registry.history(subject: node))
        }
    }

    /// Everything held about a subject (Art. 15/20); the access is audited.
    func exportSubject(_ subject: String) async throws -> SubjectExport {
        try await write { tx in
            do {
                return try SubjectExport.generate(
                    subject: subject, data: tx, consent: self.consentRegistry(tx), ledgers: try self.ledgers(tx),
                    audit: self.auditTrail(tx), now: Date(timeIntervalSince1970: self.now()), pseudonym: self.pseudonym)
            } catch let error as ComplianceError where error.code == .unknownSubject {
                throw CoordinatorError(.notFound, "no data is held about this node")
            }
        }
    }

    /// Erases a subject (Art. 17): idempotent; an unknown subject is a 404.
    func erase(_ subject: String) async throws -> ErasureTombstone {
        let tombstone = try await write { tx in
            let service = ErasureService(
                data: tx, history: tx, signer: self.identity.signingKey, digestKey: self.identity.digestKey,
                audit: self.auditTrail(tx), now: { Date(timeIntervalSince1970: self.now()) })
            do { return try service.erase(subject: subject) } catch let error as ComplianceError
                where error.code == .unknownSubject
            {
                throw CoordinatorError(.notFound, "no data is held about node '\(subject)' and it was never erased")
            }
        }
        logger.notice("subject erased", metadata: ["digest": "\(tombstone.subjectDigest.prefix(12))"])
        return tombstone
    }

    /// Runs the retention sweeper once.
    public func sweepRetention() async throws -> RetentionReport {
        try await write { tx in
            let sweeper = try RetentionSweeper(
                policies: RetentionPolicy.defaults, store: tx, audit: self.auditTrail(tx),
                now: { Date(timeIntervalSince1970: self.now()) })
            return try sweeper.sweep()
        }
    }

    /// The records of processing generated from the configuration (Art. 30).
    func processingRecords() -> ProcessingRecords {
        ProcessingRecords.generate(
            controller: "the health organisation running this coordinator", contact: "the controller's data protection officer",
            purposes: ProcessingPurpose.allCases, retention: RetentionPolicy.defaults, delta: 1e-5, perUserEpsilonCap: 10)
    }
}

extension CampaignConfiguration {
    /// Decodes a stored configuration.
    static func decode(_ json: String) throws -> CampaignConfiguration {
        try JSONDecoder().decode(CampaignConfiguration.self, from: Data(json.utf8))
    }

    /// The canonical stored form.
    func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
