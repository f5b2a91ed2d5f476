public import EQMAPI
public import EQMCrypto
import Foundation

/// What a node keeps about its coordinator, in its encrypted store: where it is, the node's id
/// and API token, and the coordinator's signing key learnt at enrollment (every model and receipt
/// is checked against it).
public struct NodeEnrollment: Codable, Sendable, Hashable {
    public var coordinator: String
    public var nodeID: String
    public var token: String
    public var coordinatorKey: String
    public var cohort: String
    public var enrolled: Double

    public init(coordinator: String, nodeID: String, token: String, coordinatorKey: String, cohort: String, enrolled: Double) {
        self.coordinator = coordinator
        self.nodeID = nodeID
        self.token = token
        self.coordinatorKey = coordinatorKey
        self.cohort = cohort
        self.enrolled = enrolled
    }

    enum CodingKeys: String, CodingKey {
        case coordinator, token, cohort, enrolled
        case nodeID = "node_id"
        case coordinatorKey = "coordinator_key"
    }
}

extension LocalStore {
    static let identityArtifact = "node.identity"
    static let enrollmentArtifact = "node.enrollment"

    /// The node's Ed25519 identity, or nil before `eqm node init`.
    public func identity() throws(StoreError) -> SigningKey? {
        guard var seed = try readArtifact(name: Self.identityArtifact) else { return nil }
        defer { SecureMemory.zero(&seed) }
        guard seed.count == 32, let key = try? SigningKey(seed: SecretBytes(count: 32, initialize: { $0.copyBytes(from: seed) }))
        else { throw StoreError(.corrupted, "the node identity in the store is damaged") }
        return key
    }

    /// The identity, created (from libsodium's randomness) and stored encrypted if there is none.
    public func identityCreatingIfNeeded() throws(StoreError) -> (key: SigningKey, created: Bool) {
        if let existing = try identity() { return (existing, false) }
        let key = SigningKey()
        var seed = key.seed.withUnsafeBytes { [UInt8]($0) }
        defer { SecureMemory.zero(&seed) }
        try writeArtifact(name: Self.identityArtifact, bytes: seed)
        return (key, true)
    }

    /// The saved enrollment, or nil before `eqm node enroll`.
    public func enrollment() throws(StoreError) -> NodeEnrollment? {
        guard let bytes = try readArtifact(name: Self.enrollmentArtifact) else { return nil }
        guard let value = try? JSONDecoder().decode(NodeEnrollment.self, from: Data(bytes)) else {
            throw StoreError(.corrupted, "the saved enrollment in the store is damaged")
        }
        return value
    }

    /// Saves the enrollment (encrypted with the store's key).
    public func saveEnrollment(_ enrollment: NodeEnrollment) throws(StoreError) {
        guard let bytes = try? JSONEncoder().encode(enrollment) else {
            throw StoreError(.corrupted, "cannot encode the enrollment")
        }
        try writeArtifact(name: Self.enrollmentArtifact, bytes: [UInt8](bytes))
    }
}
