import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import EQMStorage
import Foundation
import HTTPTypes
import Logging

extension APIEndpoint {
    private static let everyone = Set(Role.allCases)
    private static let staff: Set<Role> = [.admin, .operator, .auditor, .developer]
    private static let campaignReaders: Set<Role> = [.admin, .operator, .auditor, .developer, .node]
    private static let operators: Set<Role> = [.admin, .operator]
    private static let auditors: Set<Role> = [.admin, .auditor]

    // MARK: Service
    static let health = APIEndpoint(
        .get, "/healthz", operation: "health", summary: "Liveness and database check", roles: nil, response: .json("Health"))
    static let metrics = APIEndpoint(
        .get, "/metrics", operation: "metrics", summary: "Prometheus metrics", roles: nil, response: .text)
    static let openAPI = APIEndpoint(
        .get, "/openapi.json", operation: "openapi", summary: "This document", roles: nil, response: .json("OpenAPI"))
    static let coordinator = APIEndpoint(
        .get, "/v1/coordinator", operation: "getCoordinator", summary: "The coordinator's public signing key and version",
        roles: nil,
        response: .json("CoordinatorInfo"))

    // MARK: Tokens and enrollment
    static let createToken = APIEndpoint(
        .post, "/v1/tokens", operation: "createToken", summary: "Mint an API token (shown once)", roles: [.admin],
        request: .json("TokenRequest"), response: .json("TokenIssued"), status: 201)
    static let listTokens = APIEndpoint(
        .get, "/v1/tokens", operation: "listTokens", summary: "List tokens (never their secrets)", roles: [.admin],
        response: .json("TokenList"))
    static let revokeToken = APIEndpoint(
        .delete, "/v1/tokens/{token}", operation: "revokeToken", summary: "Revoke a token", roles: [.admin], status: 204)
    static let createEnrollmentToken = APIEndpoint(
        .post, "/v1/enrollment-tokens", operation: "createEnrollmentToken", summary: "Mint a one-time node enrollment token",
        roles: operators, request: .json("EnrollmentTokenRequest"), response: .json("TokenIssued"), status: 201)
    static let enroll = APIEndpoint(
        .post, "/v1/nodes/enroll", operation: "enrollNode",
        summary: "Enroll a node with a one-time token and its Ed25519 identity key",
        roles: nil, request: .json("EnrollRequest"), response: .json("Enrollment"), status: 201)
    static let me = APIEndpoint(
        .get, "/v1/nodes/me", operation: "getNode", summary: "The calling node", roles: [.node], response: .json("NodeInfo"))

    // MARK: Consent, export, erasure
    static let publishConsentText = APIEndpoint(
        .post, "/v1/consent-texts", operation: "publishConsentText", summary: "Publish a new version of a purpose's consent text",
        roles: [.admin], request: .json("ConsentTextRequest"), response: .json("ConsentText"), status: 201)
    static let consentTexts = APIEndpoint(
        .get, "/v1/consent-texts", operation: "listConsentTexts", summary: "The current consent text of each purpose",
        roles: everyone,
        response: .json("ConsentTextList"))
    static let consent = APIEndpoint(
        .post, "/v1/nodes/me/consent", operation: "recordConsent",
        summary: "Grant or withdraw consent for a purpose (signed receipt)",
        roles: [.node], request: .json("ConsentRequest"), response: .json("ConsentReceipt"), status: 201)
    static let consentHistory = APIEndpoint(
        .get, "/v1/nodes/me/consent", operation: "getConsent", summary: "The calling node's consent history and current state",
        roles: [.node],
        response: .json("ConsentHistory"))
    static let exportMe = APIEndpoint(
        .get, "/v1/nodes/me/export", operation: "exportNode", summary: "Everything held about the calling node (Art. 15, 20)",
        roles: [.node],
        response: .json("SubjectExport"))
    static let eraseMe = APIEndpoint(
        .post, "/v1/nodes/me/erasure", operation: "eraseNode", summary: "Erase everything about the calling node (Art. 17)",
        roles: [.node],
        response: .json("ErasureTombstone"))
    static let exportNode = APIEndpoint(
        .get, "/v1/nodes/{node}/export", operation: "exportSubject",
        summary: "Everything held about a node, for a subject access request",
        roles: [.admin], response: .json("SubjectExport"))
    static let eraseNode = APIEndpoint(
        .post, "/v1/nodes/{node}/erasure", operation: "eraseSubject", summary: "Erase a node on the subject's request",
        roles: [.admin],
        response: .json("ErasureTombstone"))

    // MARK: Campaigns and rounds
    static let createCampaign = APIEndpoint(
        .post, "/v1/campaigns", operation: "createCampaign", summary: "Create a campaign (releases its initial model version)",
        roles: operators,
        request: .json("CampaignConfiguration"), response: .json("Campaign"), status: 201)
    static let listCampaigns = APIEndpoint(
        .get, "/v1/campaigns", operation: "listCampaigns", summary: "List campaigns", roles: staff,
        response: .json("CampaignList"))
    static let getCampaign = APIEndpoint(
        .get, "/v1/campaigns/{campaign}", operation: "getCampaign", summary: "A campaign with its privacy spend", roles: staff,
        response: .json("Campaign"))
    static let setCampaignStatus = APIEndpoint(
        .post, "/v1/campaigns/{campaign}/status", operation: "setCampaignStatus", summary: "Pause, resume or stop a campaign",
        roles: operators,
        request: .json("CampaignStatusRequest"), response: .json("Campaign"))
    static let listRounds = APIEndpoint(
        .get, "/v1/campaigns/{campaign}/rounds", operation: "listRounds", summary: "The campaign's rounds",
        roles: [.admin, .operator, .auditor],
        response: .json("RoundList"))
    static let tasks = APIEndpoint(
        .get, "/v1/nodes/me/tasks", operation: "getTasks", summary: "Rounds the calling node is selected for, with their stage",
        roles: [.node],
        response: .json("TaskList"))
    static let submit = APIEndpoint(
        .post, "/v1/campaigns/{campaign}/rounds/{round}/stages/{stage}", operation: "submitStageMessage",
        summary: "Submit the node's sealed SecAgg+ message for a stage", roles: [.node], request: .binary,
        response: .json("Accepted"),
        status: 202, maximumBody: APIEndpoint.largestBody)
    static let stageOutput = APIEndpoint(
        .get, "/v1/campaigns/{campaign}/rounds/{round}/stages/{stage}", operation: "getStageOutput",
        summary: "The coordinator's stage output for the calling node (key directory, share delivery, unmask request)",
        roles: [.node],
        response: .binary)

    static let submitEvaluation = APIEndpoint(
        .post, "/v1/campaigns/{campaign}/rounds/{round}/evaluation", operation: "submitEvaluation",
        summary: "Report the node's evaluation of its cohort's model version on its own held-out data (counts only)",
        roles: [.node], request: .json("EvaluationSubmission"), response: .json("Accepted"), status: 202)
    static let listEvaluations = APIEndpoint(
        .get, "/v1/campaigns/{campaign}/evaluations", operation: "listEvaluations",
        summary: "Aggregated federated evaluations per round and model version (A/B cohorts compared)", roles: staff,
        response: .json("EvaluationList"))

    // MARK: Model registry
    static let listModels = APIEndpoint(
        .get, "/v1/campaigns/{campaign}/models", operation: "listModels", summary: "Model versions with lineage",
        roles: campaignReaders,
        response: .json("ModelList"))
    static let getModel = APIEndpoint(
        .get, "/v1/campaigns/{campaign}/models/{version}", operation: "getModel",
        summary: "A signed model version (a number or `latest`), with its card", roles: campaignReaders,
        response: .json("ModelRelease"))
    static let promoteModel = APIEndpoint(
        .post, "/v1/campaigns/{campaign}/models/{version}/promote", operation: "promoteModel",
        summary: "Serve a version (to everyone or to one A/B cohort)", roles: operators, request: .json("PromoteRequest"),
        response: .json("ModelSummary"))
    static let rollbackModel = APIEndpoint(
        .post, "/v1/campaigns/{campaign}/models/{version}/rollback", operation: "rollbackModel",
        summary: "Withdraw a version; the previous one is served again", roles: operators, response: .json("ModelSummary"))

    // MARK: Audit and records
    static let ledger = APIEndpoint(
        .get, "/v1/audit/ledger/{campaign}", operation: "getLedger", summary: "The campaign's DP budget ledger (chain export)",
        roles: auditors,
        response: .json("ChainExport"))
    static let trail = APIEndpoint(
        .get, "/v1/audit/trail", operation: "getAuditTrail", summary: "The audit trail (chain export)", roles: auditors,
        response: .json("ChainExport"))
    static let sweep = APIEndpoint(
        .post, "/v1/retention/sweep", operation: "sweepRetention", summary: "Run the retention sweeper now", roles: [.admin],
        response: .json("RetentionReport"))
    static let records = APIEndpoint(
        .get, "/v1/records-of-processing", operation: "getRecordsOfProcessing", summary: "Records of processing (Art. 30)",
        roles: auditors,
        response: .json("ProcessingRecords"))
    static let events = APIEndpoint(
        .get, "/v1/events", operation: "streamEvents", summary: "WebSocket stream of round and registry events", roles: everyone,
        response: .json("Event"), status: 101)

    /// Every endpoint, in document order.
    public static let all: [APIEndpoint] = [
        health, metrics, openAPI, coordinator, createToken, listTokens, revokeToken, createEnrollmentToken, enroll, me,
        publishConsentText, consentTexts, consent, consentHistory, exportMe, eraseMe, exportNode, eraseNode, createCampaign,
        listCampaigns, getCampaign, setCampaignStatus, listRounds, tasks, submit, stageOutput, submitEvaluation, listEvaluations,
        listModels, getModel,
        promoteModel, rollbackModel, ledger, trail, sweep, records, events,
    ]
}
