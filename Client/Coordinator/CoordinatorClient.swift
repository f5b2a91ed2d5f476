public import AsyncHTTPClient
public import EQMAPI
public import EQMCompliance
public import EQMCrypto
import Foundation
public import NIOCore
public import NIOHTTP1

/// An error talking to the coordinator: its JSON error (code and message) for HTTP errors, or a
/// transport failure after the retries ran out.
public struct CoordinatorClientError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status, or nil for a transport failure.
    public var status: Int?
    /// The coordinator's error code (`not_found`, `conflict`, …), or `transport_error`.
    public var code: String
    /// What happened.
    public var message: String

    public var description: String { status.map { "HTTP \($0) \(code): \(message)" } ?? "\(code): \(message)" }
}

/// How requests are retried: exponential backoff with full jitter, on transport errors, 429 and
/// 5xx only (a 4xx other than 429 is the caller's mistake and is returned at once).
public struct RetryPolicy: Sendable, Hashable {
    public var attempts: Int
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public init(attempts: Int = 5, initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5)) {
        self.attempts = max(1, attempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }
    /// No retries (tests of failure paths).
    public static let none = RetryPolicy(attempts: 1)

    func delay(after attempt: Int) -> Duration {
        let cap = min(maximumDelay, initialDelay * (1 << min(attempt, 20)))
        let milliseconds = Double(cap.components.seconds) * 1000 + Double(cap.components.attoseconds) / 1e15
        return .milliseconds(Int64(Double.random(in: 0...max(1, milliseconds))))
    }
}

/// The coordinator's REST API over async-http-client: typed calls, bearer token, timeouts,
/// retries with backoff and jitter, JSON errors decoded.
public struct CoordinatorClient: Sendable {
    /// `http://127.0.0.1:8740` (no trailing slash).
    public let baseURL: String
    /// The API token (node, developer, …), if any.
    public var token: String?
    public var timeout: TimeAmount
    public var retry: RetryPolicy
    private let http: HTTPClient

    /// Creates a client; `http` defaults to the shared client.
    public init(
        baseURL: String, token: String? = nil, timeout: TimeAmount = .seconds(30), retry: RetryPolicy = RetryPolicy(),
        http: HTTPClient = .shared
    ) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.token = token
        self.timeout = timeout
        self.retry = retry
        self.http = http
    }

    /// The largest response body accepted (a model with a million parameters, base64, fits).
    public static let maximumResponse = 64 << 20

    /// Sends a request and returns the body of a 2xx response.
    public func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json")
        async throws(CoordinatorClientError) -> [UInt8]
    {
        var lastError = CoordinatorClientError(status: nil, code: "transport_error", message: "no attempt was made")
        for attempt in 0..<retry.attempts {
            if attempt > 0 { try? await Task.sleep(for: retry.delay(after: attempt - 1)) }
            var request = HTTPClientRequest(url: baseURL + path)
            request.method = method
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            if let body {
                request.headers.add(name: "Content-Type", value: contentType)
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            do {
                let response = try await http.execute(request, timeout: timeout)
                let bytes = Array(try await response.body.collect(upTo: Self.maximumResponse).readableBytesView)
                let status = Int(response.status.code)
                if (200..<300).contains(status) { return bytes }
                let decoded = try? JSONDecoder().decode(APIErrorBody.self, from: Data(bytes))
                lastError = CoordinatorClientError(
                    status: status, code: decoded?.error.code ?? "http_error", message: decoded?.error.message ?? "HTTP \(status)"
                )
                guard status == 429 || status >= 500 else { throw lastError }
            } catch let error as CoordinatorClientError {
                throw error
            } catch {
                lastError = CoordinatorClientError(status: nil, code: "transport_error", message: "\(error)")
            }
        }
        throw lastError
    }

    /// A JSON request with a JSON response.
    public func json<Response: Decodable>(
        _ method: HTTPMethod, _ path: String, body: (some Encodable)? = String?.none, as type: Response.Type = Response.self
    ) async throws(CoordinatorClientError) -> Response {
        var payload: [UInt8]?
        if let body {
            do { payload = [UInt8](try JSONEncoder().encode(body)) } catch {
                throw CoordinatorClientError(status: nil, code: "encoding_error", message: "\(error)")
            }
        }
        let bytes = try await send(method, path, body: payload)
        do { return try JSONDecoder().decode(Response.self, from: Data(bytes)) } catch {
            throw CoordinatorClientError(
                status: nil, code: "decoding_error", message: "unexpected \(Response.self) response: \(error)")
        }
    }

    // MARK: Typed calls

    /// The coordinator's version and public signing key.
    public func info() async throws(CoordinatorClientError) -> CoordinatorInfo { try await json(.GET, "/v1/coordinator") }

    /// The node's current tasks.
    public func tasks() async throws(CoordinatorClientError) -> [NodeTask] {
        try await json(.GET, "/v1/nodes/me/tasks", as: TaskList.self).tasks
    }

    /// Submits a sealed protocol message for a stage.
    public func submit(campaign: String, round: Int, stage: Int, message: [UInt8]) async throws(CoordinatorClientError) {
        _ = try await send(
            .POST, "/v1/campaigns/\(campaign)/rounds/\(round)/stages/\(stage)", body: message,
            contentType: "application/octet-stream")
    }

    /// The coordinator's output of a stage for this node; nil while it is not ready (409).
    public func stageOutput(campaign: String, round: Int, stage: Int) async throws(CoordinatorClientError) -> [UInt8]? {
        do { return try await send(.GET, "/v1/campaigns/\(campaign)/rounds/\(round)/stages/\(stage)") } catch {
            if error.status == 409 { return nil }
            throw error
        }
    }

    /// Records consent for a purpose.
    public func consent(_ purpose: ProcessingPurpose, granted: Bool) async throws(CoordinatorClientError) -> ConsentReceipt {
        try await json(.POST, "/v1/nodes/me/consent", body: ConsentRequest(purpose: purpose, granted: granted))
    }

    /// Everything the coordinator holds about the calling node (Art. 15, 20), with its own ε per campaign.
    public func exportMe() async throws(CoordinatorClientError) -> SubjectExport {
        try await json(.GET, "/v1/nodes/me/export")
    }

    /// Asks the coordinator to erase everything about the calling node (Art. 17); the token stops
    /// working. Returns the signed tombstone.
    public func eraseMe() async throws(CoordinatorClientError) -> ErasureTombstone {
        var once = self
        once.retry = .none  // a retried erasure would meet a revoked token
        return try await once.json(.POST, "/v1/nodes/me/erasure")
    }

    /// The node's consent state per purpose and its history.
    public func consentHistory() async throws(CoordinatorClientError) -> ConsentHistory {
        try await json(.GET, "/v1/nodes/me/consent")
    }

    /// A signed model version as served (number or `latest`).
    public func modelRelease(campaign: String, version: String) async throws(CoordinatorClientError) -> ModelReleaseBody {
        try await json(.GET, "/v1/campaigns/\(campaign)/models/\(version)")
    }
}

extension CoordinatorClient {
    /// Enrolls a node: proves possession of the identity key and spends the one-time token.
    /// The returned enrollment carries the node's API token.
    public func enroll(enrollmentToken: String, identity: SigningKey) async throws(CoordinatorClientError) -> Enrollment {
        let parts = enrollmentToken.split(separator: "_")
        guard parts.count == 3 else {
            throw CoordinatorClientError(
                status: nil, code: "invalid_token", message: "an enrollment token looks like eqm_<id>_<secret>")
        }
        let proof = identity.sign(EnrollRequest.proofMessage(tokenID: String(parts[1]), identityKey: identity.publicKey.hex))
        var anonymous = self
        anonymous.token = nil
        anonymous.retry = .none
        return try await anonymous.json(
            .POST, "/v1/nodes/enroll",
            body: EnrollRequest(enrollmentToken: enrollmentToken, identityKey: identity.publicKey.hex, proof: proof.hexString))
    }

    /// Downloads the version with a model id (`CAMPAIGN/vN`, as tasks and campaigns name it) and
    /// verifies it; a malformed id is an error, never a silent fall-back to `latest`.
    public func verifiedModel(id: String, trusting key: PublicKey) async throws -> SignedModel {
        guard let (campaign, version) = ModelCard.parseID(id) else {
            throw CoordinatorClientError(
                status: nil, code: "invalid_model_id", message: "'\(id.prefix(80))' is not a model id CAMPAIGN/vN")
        }
        return try await verifiedModel(campaign: campaign, version: String(version), trusting: key)
    }

    /// Downloads a model version and verifies it against the trusted coordinator key: signature,
    /// digest and file format.
    public func verifiedModel(campaign: String, version: String, trusting key: PublicKey) async throws -> SignedModel {
        let release = try await modelRelease(campaign: campaign, version: version)
        guard let signature = [UInt8](hex: release.signature), let model = Data(base64Encoded: release.model) else {
            throw CoordinatorClientError(
                status: nil, code: "decoding_error", message: "the model release is not hex/base64 encoded")
        }
        let signed = try SignedModel(cardJSON: release.card, signature: signature, model: [UInt8](model))
        _ = try signed.verify(trusting: key)
        return signed
    }
}

extension CoordinatorClient {
    /// Every campaign (staff roles).
    public func campaigns() async throws(CoordinatorClientError) -> [CampaignView] {
        try await json(.GET, "/v1/campaigns", as: CampaignList.self).campaigns
    }

    /// A campaign's DP ledger export (auditor, admin).
    public func ledger(campaign: String) async throws(CoordinatorClientError) -> ChainExport {
        try await json(.GET, "/v1/audit/ledger/\(campaign)")
    }

    /// The audit trail export (auditor, admin).
    public func auditTrail() async throws(CoordinatorClientError) -> ChainExport {
        try await json(.GET, "/v1/audit/trail")
    }
}

extension CoordinatorClient {
    /// Publishes a consent text version (admin).
    public func publishConsentText(_ purpose: ProcessingPurpose, text: String) async throws(CoordinatorClientError) -> ConsentText
    {
        try await json(.POST, "/v1/consent-texts", body: ConsentTextRequest(purpose: purpose, text: text))
    }

    /// Mints an API token (admin); the secret is in the answer only.
    public func createToken(role: Role, label: String) async throws(CoordinatorClientError) -> TokenIssued {
        try await json(.POST, "/v1/tokens", body: TokenRequest(role: role, label: label))
    }

    /// Mints a one-time enrollment token (admin, operator).
    public func createEnrollmentToken(label: String) async throws(CoordinatorClientError) -> TokenIssued {
        try await json(.POST, "/v1/enrollment-tokens", body: EnrollmentTokenRequest(label: label))
    }

    /// Creates a campaign (admin, operator).
    public func createCampaign(_ configuration: CampaignConfiguration) async throws(CoordinatorClientError) -> CampaignView {
        try await json(.POST, "/v1/campaigns", body: configuration)
    }

    /// A campaign with its privacy spend.
    public func campaign(_ id: String) async throws(CoordinatorClientError) -> CampaignView {
        try await json(.GET, "/v1/campaigns/\(id)")
    }

    /// A campaign's rounds (admin, operator, auditor).
    public func rounds(campaign: String) async throws(CoordinatorClientError) -> [RoundView] {
        try await json(.GET, "/v1/campaigns/\(campaign)/rounds", as: RoundList.self).rounds
    }
}

extension CoordinatorClient {
    /// Reports the node's evaluation for an evaluation round.
    public func submitEvaluation(campaign: String, round: Int, _ submission: EvaluationSubmission)
        async throws(CoordinatorClientError)
    {
        let _: Accepted = try await json(.POST, "/v1/campaigns/\(campaign)/rounds/\(round)/evaluation", body: submission)
    }

    /// Aggregated federated evaluations of a campaign (staff roles).
    public func evaluations(campaign: String) async throws(CoordinatorClientError) -> [EvaluationResult] {
        try await json(.GET, "/v1/campaigns/\(campaign)/evaluations", as: EvaluationList.self).evaluations
    }
}
