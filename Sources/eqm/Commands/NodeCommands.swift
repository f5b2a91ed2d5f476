import ArgumentParser
import EQMAPI
import EQMClient
import EQMCompliance
import EQMCrypto
import Foundation

struct NodeInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create the node's encrypted local store and its Ed25519 identity key.")

    @OptionGroup var storeOptions: StoreOptions
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let store = try storeOptions.open(create: true)
        let (key, created) = try mapStoreError { () throws(StoreError) in try store.identityCreatingIfNeeded() }
        struct Output: Encodable { var store: String, identity_key: String, created: Bool }
        let output = Output(store: storeOptions.store, identity_key: key.publicKey.hex, created: created)
        if json {
            try Terminal.printJSON(output)
        } else {
            print("\(created ? "created" : "existing") node identity \(key.publicKey.hex) in \(storeOptions.store)")
        }
    }
}

struct NodeEnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Enroll with a coordinator using a one-time enrollment token; saves the node token encrypted.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The coordinator's URL, e.g. http://127.0.0.1:8740.") var coordinator: String
    @Option(help: "The one-time enrollment token from the coordinator's operator.") var token: String
    @Option(help: "The coordinator's public signing key (hex) to pin; default: the key it states at enrollment.")
    var publicKey: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let store = try storeOptions.open(create: false)
        guard let identity = try mapStoreError({ () throws(StoreError) in try store.identity() }) else {
            throw CommandFailure("this store has no node identity yet: run `eqm node init` first")
        }
        let client = CoordinatorClient(baseURL: coordinator)
        let enrollment: Enrollment
        do { enrollment = try await client.enroll(enrollmentToken: token, identity: identity) } catch {
            throw CommandFailure("enrollment failed: \(error)")
        }
        if let publicKey, publicKey.lowercased() != enrollment.coordinatorKey {
            throw CommandFailure("the coordinator's key \(enrollment.coordinatorKey.prefix(16))… is not the pinned --public-key")
        }
        let saved = NodeEnrollment(
            coordinator: client.baseURL, nodeID: enrollment.nodeID, token: enrollment.token,
            coordinatorKey: enrollment.coordinatorKey,
            cohort: enrollment.cohort, enrolled: Date().timeIntervalSince1970)
        try mapStoreError { () throws(StoreError) in try store.saveEnrollment(saved) }
        struct Output: Encodable { var node_id: String, cohort: String, coordinator: String, coordinator_key: String }
        let output = Output(
            node_id: saved.nodeID, cohort: saved.cohort, coordinator: saved.coordinator, coordinator_key: saved.coordinatorKey)
        if json {
            try Terminal.printJSON(output)
        } else {
            print("enrolled as \(saved.nodeID) (cohort \(saved.cohort)) with \(saved.coordinator)")
        }
    }
}

/// `grant`, `withdraw` or `show`.
enum ConsentAction: String, ExpressibleByArgument, CaseIterable { case grant, withdraw, show }

/// The `--purpose` option (the library's ``ProcessingPurpose`` stays free of ArgumentParser).
enum PurposeOption: String, ExpressibleByArgument, CaseIterable {
    case training, evaluation, research
    var purpose: ProcessingPurpose { ProcessingPurpose(rawValue: rawValue)! }
}

struct NodeConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Grant or withdraw consent for a purpose (signed receipt), or show the current state and history.")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "grant, withdraw or show.") var action: ConsentAction
    @Option(help: "training, evaluation or research.") var purpose: PurposeOption = .training
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let store = try storeOptions.open(create: false)
        guard let enrollment = try mapStoreError({ () throws(StoreError) in try store.enrollment() }) else {
            throw CommandFailure("this node is not enrolled: run `eqm node enroll` first")
        }
        let client = CoordinatorClient(baseURL: enrollment.coordinator, token: enrollment.token)
        do {
            switch action {
            case .grant, .withdraw:
                let receipt = try await client.consent(purpose.purpose, granted: action == .grant)
                let key = try PublicKey(hex: enrollment.coordinatorKey)
                guard ConsentRegistry.isValid(receipt, publicKey: key) else {
                    throw CommandFailure("the coordinator's receipt does not verify under its enrolled key")
                }
                if json {
                    try Terminal.printJSON(receipt)
                } else {
                    print(
                        "\(action == .grant ? "granted" : "withdrew") consent for \(purpose.rawValue); receipt signed by \(receipt.signer.prefix(16))…"
                    )
                }
            case .show:
                let history = try await client.consentHistory()
                if json {
                    try Terminal.printJSON(history)
                } else {
                    for (purpose, current) in history.current.sorted(by: { $0.key < $1.key }) {
                        print("\(purpose): \(current ? "granted" : "not granted")")
                    }
                    print("\(history.history.count) recorded decisions")
                }
            }
        } catch let error as CoordinatorClientError {
            throw CommandFailure("the coordinator refused: \(error)")
        }
    }
}

struct ModelPullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download a signed model version, verify the coordinator's signature, and write model and card.",
        discussion: """
            Writes DIR/model.eqmmodel, DIR/card.json and DIR/card.sig after checking the Ed25519 signature over the card \
            (which names the model file's BLAKE2b digest) against --public-key, and that the file parses. Without \
            --public-key the key the coordinator states is used, and a warning says so.
            """)

    @Option(help: "The coordinator's URL.") var coordinator: String
    @Option(help: "The campaign id.") var campaign: String
    @Option(help: "A version number or latest.") var version: String = "latest"
    @Option(help: "Output folder (created; must not hold a release already).") var out: String
    @Option(help: "A developer (or other) API token; default: EQM_TOKEN.") var token: String?
    @Option(help: "The coordinator's Ed25519 public key (hex) to trust.") var publicKey: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        guard let token = token ?? ProcessInfo.processInfo.environment["EQM_TOKEN"], !token.isEmpty else {
            throw CommandFailure("give an API token with --token or EQM_TOKEN")
        }
        let client = CoordinatorClient(baseURL: coordinator, token: token)
        do {
            let key: PublicKey
            if let publicKey {
                key = try PublicKey(hex: publicKey)
            } else {
                key = try PublicKey(hex: try await client.info().signingKey)
                Terminal.note(
                    "warning: trusting the key the coordinator states (\(key.hex.prefix(16))…); pin it with --public-key")
            }
            let signed = try await client.verifiedModel(campaign: campaign, version: version, trusting: key)
            try ModelRelease(signed).write(to: URL(fileURLWithPath: out))
            struct Output: Encodable { var id: String, out: String, parameters: Int, epsilon: Double?, model_digest: String }
            let card = signed.card
            let output = Output(
                id: card.id, out: out, parameters: card.parameterCount, epsilon: card.privacy.epsilon,
                model_digest: card.modelDigest)
            if json {
                try Terminal.printJSON(output)
            } else {
                print(
                    "verified \(card.id): \(card.parameterCount) parameters, ε = \(card.privacy.epsilon.map { String(format: "%.3f", $0) } ?? "none"), written to \(out)"
                )
            }
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("model pull failed: \(error)")
        }
    }
}

/// Runs a store operation, turning its error into a command failure.
func mapStoreError<T>(_ body: () throws(StoreError) -> T) throws -> T {
    switch Result(catching: body) {
    case .success(let value): return value
    case .failure(let error): throw CommandFailure(error.message)
    }
}
