import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import Foundation
import Testing

@Suite("Model releases")
struct ModelReleaseTests {
    /// A small real model: 4 features → 3 → 11 labels (59 parameters).
    static func modelBytes(seed: UInt64 = 7) throws -> [UInt8] {
        ModelFile.encode(try SequentialModel(spec: .mlp(inputs: 4, hidden: [3]), seed: seed), metadata: ["campaign": "demo"])
    }

    static func card(model: [UInt8], key: SigningKey) throws -> ModelCard {
        try ModelCard(
            campaign: "demo", version: 2, parent: "demo/v1", round: 12,
            created: Date(timeIntervalSince1970: 1_760_000_000), model: model, participants: 37,
            metrics: ModelCard.Metrics(examples: 900, accuracy: 0.61, macroF1: 0.55, loss: 1.12, round: 12),
            privacy: ModelCard.Privacy(
                epsilon: 2.75, delta: 1e-5, accountant: "pld", accountantVersion: "1.0.0 grid=1e-4",
                mode: .distributed, noiseMultiplier: 1.1, clipNorm: 1, rounds: 12),
            serverOptimizer: ServerOptimizerConfiguration.fedAdam().description, coordinatorKey: key.publicKey)
    }

    static func signed(key: SigningKey) throws -> SignedModel {
        let model = try modelBytes()
        return try SignedModel.sign(card: card(model: model, key: key), model: model, key: key)
    }

    /// The verification error of `release`, or nil when it verifies.
    static func failure(_ release: () throws -> SignedModel, trusting key: PublicKey) -> ComplianceError? {
        do {
            _ = try release().verify(trusting: key)
            return nil
        } catch let error as ComplianceError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("eqm-release-\(UUID().uuidString)")
    }

    @Test("sign then verify returns the card, which describes the model file")
    func roundTrip() throws {
        let key = SigningKey()
        let signed = try Self.signed(key: key)
        let card = try signed.verify(trusting: key.publicKey)
        #expect(card == signed.card)
        #expect(card.id == "demo/v2")
        #expect(card.format == ModelCard.currentFormat)
        #expect(card.parameterCount == 59)
        #expect(card.labels == EmotionLabel.allCases.map(\.rawValue))
        #expect(card.modelDigest == Blake2b.hash(signed.model).hexString)
        #expect(card.architecture == "input [4] → dense(3) → relu → dense(11)")
        #expect(card.coordinatorKey == key.publicKey.hex)
        #expect(card.created == "2025-10-09T08:53:20.000Z")
        #expect(card.privacy.unit == "user-level (add/remove one participant)")
        #expect(card.serverOptimizer == "fedadam(lr=0.01, beta1=0.9, beta2=0.99, tau=0.001)")
        #expect(card.intendedUse.contains("wearable") && card.limitations.contains("Not a medical device"))
        #expect(signed.cardJSON == (try HashChain.canonicalJSON(card)))
        #expect(!signed.cardJSON.contains("\n"))
        #expect(signed.signature.count == 64)
        // Anyone holding the release can reassemble and verify it.
        let received = try SignedModel(cardJSON: signed.cardJSON, signature: signed.signature, model: signed.model)
        #expect(try received.verify(trusting: key.publicKey) == card)
    }

    @Test("flipping any byte of the model fails the digest check")
    func modelTampering() throws {
        let key = SigningKey()
        let signed = try Self.signed(key: key)
        for index in signed.model.indices {
            var model = signed.model
            model[index] ^= 0x01
            let error = Self.failure(
                { try SignedModel(cardJSON: signed.cardJSON, signature: signed.signature, model: model) },
                trusting: key.publicKey)
            #expect(error?.code == .verificationFailed)
            #expect(error?.message.contains("not the signed model digest") == true, "byte \(index): \(String(describing: error))")
        }
        let truncated = Self.failure(
            { try SignedModel(cardJSON: signed.cardJSON, signature: signed.signature, model: signed.model.dropLast(4)) },
            trusting: key.publicKey)
        #expect(truncated?.message.contains("not the signed model digest") == true)
    }

    @Test("flipping any byte of the card JSON fails: the signature, or the card no longer parses")
    func cardTampering() throws {
        let key = SigningKey()
        let signed = try Self.signed(key: key)
        let json = Array(signed.cardJSON.utf8)
        var badSignatures = 0, unreadable = 0
        for index in json.indices {
            var bytes = json
            bytes[index] ^= 0x01
            let error = Self.failure(
                {
                    try SignedModel(
                        cardJSON: String(decoding: bytes, as: UTF8.self), signature: signed.signature, model: signed.model)
                }, trusting: key.publicKey)
            #expect(error?.code == .verificationFailed, "byte \(index)")
            if error?.message.contains("signature does not verify") == true {
                badSignatures += 1
            } else if error?.message.contains("not a valid model card") == true {
                unreadable += 1
            } else {
                Issue.record("byte \(index): unexpected \(String(describing: error))")
            }
        }
        #expect(badSignatures > 0 && unreadable > 0)
        // A meaningful edit that still parses is caught by the signature.
        var card = signed.card
        card.participants = 38
        let edited = Self.failure(
            { try SignedModel(cardJSON: try HashChain.canonicalJSON(card), signature: signed.signature, model: signed.model) },
            trusting: key.publicKey)
        #expect(edited?.message.contains("signature does not verify") == true)
    }

    @Test("flipping any byte of the signature, or truncating it, fails")
    func signatureTampering() throws {
        let key = SigningKey()
        let signed = try Self.signed(key: key)
        for index in signed.signature.indices {
            var signature = signed.signature
            signature[index] ^= 0x80
            let error = Self.failure(
                { try SignedModel(cardJSON: signed.cardJSON, signature: signature, model: signed.model) },
                trusting: key.publicKey)
            #expect(error?.code == .verificationFailed)
            #expect(error?.message.contains("signature does not verify") == true, "byte \(index)")
        }
        let short = Self.failure(
            { try SignedModel(cardJSON: signed.cardJSON, signature: Array(signed.signature.prefix(63)), model: signed.model) },
            trusting: key.publicKey)
        #expect(short?.message == "model card signature is 63 bytes, expected 64")
    }

    @Test("a release signed by another coordinator key is refused, naming the signer")
    func otherKey() throws {
        let key = SigningKey(), trusted = SigningKey()
        let signed = try Self.signed(key: key)
        let error = Self.failure({ signed }, trusting: trusted.publicKey)
        #expect(error?.code == .verificationFailed)
        #expect(error?.message.contains("is signed by coordinator key \(key.publicKey.hex.prefix(16))") == true)
        #expect(error?.message.contains("not by the trusted key \(trusted.publicKey.hex.prefix(16))") == true)
        // A card naming the trusted key but signed by another key is just a bad signature.
        let model = try Self.modelBytes()
        let impostor = try SignedModel(
            cardJSON: try HashChain.canonicalJSON(Self.card(model: model, key: trusted)),
            signature: key.sign(Array("eqm.model.card.v1|".utf8)), model: model)
        #expect(Self.failure({ impostor }, trusting: trusted.publicKey)?.message.contains("signature does not verify") == true)
    }

    @Test("the coordinator refuses to sign an inconsistent card")
    func signingChecks() throws {
        let key = SigningKey()
        let model = try Self.modelBytes()
        let card = try Self.card(model: model, key: key)
        func code(_ card: ModelCard, _ model: [UInt8], _ key: SigningKey) -> ComplianceError.Code? {
            do {
                _ = try SignedModel.sign(card: card, model: model, key: key)
                return nil
            } catch let error as ComplianceError { return error.code } catch { return nil }
        }
        #expect(code(card, model, key) == nil)
        #expect(code(card, try Self.modelBytes(seed: 8), key) == .invalidInput)  // another model
        #expect(code(card, model, SigningKey()) == .invalidInput)  // another key
        var wrongCount = card
        wrongCount.parameterCount = 60
        #expect(code(wrongCount, model, key) == .invalidInput)
        var wrongID = card
        wrongID.id = "other/v2"
        #expect(code(wrongID, model, key) == .invalidInput)
        var noEpsilon = card
        noEpsilon.privacy.epsilon = nil
        #expect(code(noEpsilon, model, key) == .invalidInput)
        var negativeVersion = card
        negativeVersion.version = -1
        negativeVersion.id = "demo/v-1"
        #expect(code(negativeVersion, model, key) == .invalidInput)
        var badAccuracy = card
        badAccuracy.metrics?.accuracy = 1.5
        #expect(code(badAccuracy, model, key) == .invalidInput)
        #expect(throws: ComplianceError.self) {
            try ModelCard(
                campaign: "demo", version: 1, created: Date(), model: Array("not a model".utf8), participants: 1,
                privacy: card.privacy, serverOptimizer: "fedavg(lr=1.0)", coordinatorKey: key.publicKey)
        }
    }

    @Test("a campaign's initial model (v0) and a model trained without noise can be released")
    func initialAndNoiseless() throws {
        let key = SigningKey()
        let model = try Self.modelBytes()
        let initial = try ModelCard(
            campaign: "c0a1b2c3", version: 0, created: Date(timeIntervalSince1970: 0), model: model, participants: 0,
            privacy: ModelCard.Privacy(
                epsilon: 0, delta: 1e-5, accountant: "rdp", accountantVersion: "1", mode: .distributed,
                noiseMultiplier: 1.1, clipNorm: 1, rounds: 0),
            serverOptimizer: "fedavg(lr=1.0)", coordinatorKey: key.publicKey)
        #expect(initial.id == "c0a1b2c3/v0")
        #expect(try SignedModel.sign(card: initial, model: model, key: key).verify(trusting: key.publicKey) == initial)
        // Without noise there is no guarantee: ε is dropped rather than claimed (or encoded as ∞).
        let noiseless = ModelCard.Privacy(
            epsilon: .infinity, delta: 1e-5, accountant: "rdp", accountantVersion: "1", mode: .none, noiseMultiplier: 0,
            clipNorm: 1, rounds: 3)
        #expect(noiseless.epsilon == nil)
        var card = initial
        card.privacy = noiseless
        #expect(try SignedModel.sign(card: card, model: model, key: key).cardJSON.contains("\"epsilon\"") == false)
    }

    @Test("a validly signed card for a model file that does not parse, or disagrees with it, is refused")
    func unparsableModel() throws {
        let key = SigningKey()
        let model = try Self.modelBytes()
        // Only a hand-made release can get here: sign() refuses it.
        func forge(_ bytes: [UInt8], edit: (inout ModelCard) -> Void = { _ in }) throws -> SignedModel {
            var card = try Self.card(model: model, key: key)
            card.modelDigest = Blake2b.hash(bytes).hexString
            edit(&card)
            let json = try HashChain.canonicalJSON(card)
            return try SignedModel(
                cardJSON: json, signature: key.sign(Array((SignedModel.signatureDomain + json).utf8)), model: bytes)
        }
        let garbage = try forge(Array("EQMMODEL but nothing else of a model file".utf8))
        #expect(Self.failure({ garbage }, trusting: key.publicKey)?.message.contains("does not parse") == true)
        let miscounted = try forge(model) { $0.parameterCount = 60 }
        #expect(
            Self.failure({ miscounted }, trusting: key.publicKey)?.message
                == "model file of demo/v2 holds 59 parameters, the card says 60")
    }

    @Test("a release directory round-trips, is never overwritten, and refuses missing, oversized or edited files")
    func directory() throws {
        let key = SigningKey()
        let signed = try Self.signed(key: key)
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try ModelRelease(signed).write(to: directory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["card.json", "card.sig", "model.eqmmodel"])
        let cardText = try String(contentsOf: directory.appendingPathComponent("card.json"), encoding: .utf8)
        #expect(cardText.contains("\n  \"campaign\" : \"demo\""))
        let read = try ModelRelease.read(from: directory)
        #expect(read.signedModel == signed)
        #expect(try read.signedModel.verify(trusting: key.publicKey) == signed.card)

        #expect(throws: ComplianceError.self) { try ModelRelease(signed).write(to: directory) }

        // Re-indenting card.json keeps its meaning and so its signature.
        let compact = try JSONSerialization.data(
            withJSONObject: JSONSerialization.jsonObject(with: Data(cardText.utf8)), options: [])
        try compact.write(to: directory.appendingPathComponent("card.json"))
        #expect(try ModelRelease.read(from: directory).signedModel.verify(trusting: key.publicKey) == signed.card)

        func failure(_ mutate: (URL) throws -> Void) throws -> ComplianceError? {
            let copy = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: copy) }
            try ModelRelease(signed).write(to: copy)
            try mutate(copy)
            do {
                _ = try ModelRelease.read(from: copy).signedModel.verify(trusting: key.publicKey)
                return nil
            } catch let error as ComplianceError { return error }
        }
        let missing = try failure { try FileManager.default.removeItem(at: $0.appendingPathComponent("card.sig")) }
        #expect(missing?.code == .invalidInput)
        #expect(missing?.message == "the release directory has no readable card.sig")
        let oversized = try failure {
            try Data(count: ModelRelease.maximumCardBytes + 1).write(to: $0.appendingPathComponent("card.json"))
        }
        #expect(oversized?.code == .invalidInput)
        #expect(oversized?.message.contains("more than the 1048576 a release may hold") == true)
        let edited = try failure { copy in
            let url = copy.appendingPathComponent("card.json")
            let text = try String(contentsOf: url, encoding: .utf8)
            try text.replacingOccurrences(of: "\"participants\" : 37", with: "\"participants\" : 3")
                .write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(edited?.code == .verificationFailed)
        #expect(edited?.message.contains("signature does not verify") == true)
        let flippedModel = try failure { copy in
            let url = copy.appendingPathComponent("model.eqmmodel")
            var bytes = try Data(contentsOf: url)
            bytes[bytes.count / 2] ^= 0x04
            try bytes.write(to: url)
        }
        #expect(flippedModel?.message.contains("not the signed model digest") == true)
        let notHex = try failure { try Data("zz\n".utf8).write(to: $0.appendingPathComponent("card.sig")) }
        #expect(notHex?.code == .verificationFailed)
        #expect(notHex?.message == "card.sig is not hexadecimal")
        let garbled = try failure { try Data("{".utf8).write(to: $0.appendingPathComponent("card.json")) }
        #expect(garbled?.message.contains("card.json is not a valid model card") == true)
    }
}

@Suite struct ModelIDTests {
    @Test func idsRoundTripAndMalformedIDsAreRefused() {
        let parsed = ModelCard.parseID(ModelCard.id(campaign: "c1a2/x", version: 12))
        #expect(parsed?.campaign == "c1a2/x" && parsed?.version == 12)
        for bad in ["", "c1", "c1/", "c1/v", "c1/vx", "/v3", "c1/v-1", "latest"] {
            #expect(ModelCard.parseID(bad) == nil, "\(bad)")
        }
    }
}
