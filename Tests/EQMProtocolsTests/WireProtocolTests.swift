import EQMCrypto
import EQMProtocols
import Foundation
import Testing

@Suite("Wire protocol")
struct WireProtocolTests {
    static func configuration(dimension: Int = 1000) throws -> (RoundConfiguration, KeyAgreementKey, [SigningKey]) {
        let simulator = try SecAggSimulator.makeRound(participants: 5, dimension: dimension, neighbors: 4, threshold: 3)
        return (simulator.configuration, simulator.coordinatorKey, simulator.identities)
    }

    @Test("the protocol has version 1")
    func version() { #expect(WireProtocol.version == 1) }

    @Test("a masked vector costs 4 bytes per parameter plus a fixed 116-byte frame (164 sealed)")
    func maskedVectorSize() throws {
        for dimension in [1, 1000, 100_000] {
            let message = MaskedInputMessage(
                roundDigest: [UInt8](repeating: 1, count: 32), sender: 3,
                vector: (0..<dimension).map { UInt32($0) }, signature: [UInt8](repeating: 2, count: 64))
            let frame = try WireFrame.encode(message)
            #expect(frame.count == 4 * dimension + 116)
            let sealed = try SealedMessage(sealing: message, to: KeyAgreementKey().publicKey)
            #expect(sealed.bytes.count == 4 * dimension + 164)
        }
    }

    @Test("control messages are compact binary: an advertisement is 184 bytes framed")
    func compactControlMessages() throws {
        let advertisement = KeyAdvertisement(
            roundDigest: [UInt8](repeating: 1, count: 32), sender: 9,
            encryptionKey: KeyAgreementKey().publicKey, maskingKey: KeyAgreementKey().publicKey,
            signature: [UInt8](repeating: 2, count: 64))
        #expect(try WireFrame.encode(advertisement).count == 12 + 4 + 32 + 4 + 32 + 32 + 4 + 64)
        let share = EncryptedShare(sender: 1, recipient: 2, ciphertext: [UInt8](repeating: 0, count: 128))
        let delivery = ShareDelivery(roundDigest: [UInt8](repeating: 1, count: 32), recipient: 2, shares: [share, share])
        #expect(try WireFrame.encode(delivery).count == 12 + 36 + 4 + 4 + 2 * 140)
        // A negative index is a malformed message, not a crash.
        var negative = advertisement
        negative.sender = -1
        expectProtocolError(.malformedMessage) { try WireFrame.encode(negative) }
    }

    @Test("frames round-trip every message kind")
    func roundTrip() throws {
        let (configuration, _, identities) = try Self.configuration(dimension: 10)
        let limits = MessageLimits(configuration: configuration)
        let digest = configuration.digest
        let key = KeyAgreementKey().publicKey
        var advertisement = KeyAdvertisement(
            roundDigest: digest, sender: 2, encryptionKey: key, maskingKey: KeyAgreementKey().publicKey,
            signature: [])
        advertisement.signature = identities[2].sign(advertisement.signedBytes)
        #expect(
            try WireFrame.decode(try WireFrame.encode(advertisement), as: KeyAdvertisement.self, limits: limits) == advertisement)
        let share = EncryptedShare(sender: 1, recipient: 2, ciphertext: [UInt8](repeating: 9, count: 128))
        let shares = ShareKeysMessage(
            roundDigest: digest, sender: 1, selfMaskCommitment: [UInt8](repeating: 4, count: 32),
            shares: [share], signature: [UInt8](repeating: 5, count: 64))
        #expect(try WireFrame.decode(try WireFrame.encode(shares), as: ShareKeysMessage.self, limits: limits) == shares)
        let masked = MaskedInputMessage(
            roundDigest: digest, sender: 4, vector: [0, 1, .max, 12_345_678, 5, 6, 7, 8, 9, 10],
            signature: [UInt8](repeating: 6, count: 64))
        #expect(try WireFrame.decode(try WireFrame.encode(masked), as: MaskedInputMessage.self, limits: limits) == masked)
        let json = try JSONEncoder().encode(masked)
        #expect(try JSONDecoder().decode(MaskedInputMessage.self, from: json) == masked)
        let request = UnmaskRequest(roundDigest: digest, survivors: [0, 1, 2], dropped: [4])
        #expect(try WireFrame.decode(try WireFrame.encode(request), as: UnmaskRequest.self, limits: limits) == request)
        let response = UnmaskResponse(
            roundDigest: digest, sender: 0, selfMaskShares: [RevealedShare(owner: 1, values: [1, 2, 3, 4, 5])],
            maskKeyShares: [], signature: [UInt8](repeating: 7, count: 64))
        #expect(try WireFrame.decode(try WireFrame.encode(response), as: UnmaskResponse.self, limits: limits) == response)
        // Bytes travel as base64 text, not arrays of numbers.
        let text = String(decoding: try JSONEncoder().encode(shares), as: UTF8.self)
        #expect(!text.contains("[9,9,9"))
        // Decoding as the wrong kind is refused.
        expectProtocolError(.unexpectedMessage) {
            try WireFrame.decode(try WireFrame.encode(request), as: KeyDirectory.self, limits: limits)
        }
    }

    @Test("an unknown version is refused with a clear error, in the frame header and in the body")
    func unknownVersion() throws {
        let (configuration, coordinator, identities) = try Self.configuration()
        let limits = MessageLimits(configuration: configuration)
        let request = UnmaskRequest(roundDigest: configuration.digest, survivors: [0], dropped: [])
        var frame = try WireFrame.encode(request)
        frame[5] = 2
        let error = expectProtocolError(.unsupportedVersion) {
            try WireFrame.decode(frame, as: UnmaskRequest.self, limits: limits)
        }
        #expect(error?.message == "expected protocol version 1, found 2")
        // A message of version 3 arriving as JSON (a tool, a log) is refused by the state machine.
        let future = KeyDirectory(version: 3, roundDigest: configuration.digest, recipient: 0, advertisements: [])
        let decoded = try JSONDecoder().decode(KeyDirectory.self, from: try JSONEncoder().encode(future))
        #expect(decoded.version == 3)
        var client = try SecAggClient(configuration: configuration, identity: identities[0])
        _ = try client.advertiseKeys()
        expectProtocolError(.unsupportedVersion) { try client.receive(decoded) }
        #expect(client.stage == .awaitingKeyDirectory)
        // At the server, through a sealed envelope.
        var server = try SecAggServer(configuration: configuration, coordinatorKey: coordinator)
        var advertisement = KeyAdvertisement(
            version: 2, roundDigest: configuration.digest, sender: 0,
            encryptionKey: KeyAgreementKey().publicKey, maskingKey: KeyAgreementKey().publicKey, signature: [])
        advertisement.signature = []
        expectProtocolError(.unsupportedVersion) {
            try server.receive(try SealedMessage(sealing: advertisement, to: coordinator.publicKey))
        }
        // A configuration of another version.
        var configurationV2 = configuration
        configurationV2.version = 2
        expectProtocolError(.unsupportedVersion) { try configurationV2.validate() }
    }

    @Test("size limits are checked before decoding or opening")
    func sizeLimits() throws {
        let (configuration, coordinator, _) = try Self.configuration(dimension: 1000)
        let limits = MessageLimits(configuration: configuration)
        // An oversized body of garbage is reported as too large, not as malformed: it was never parsed.
        let limit = limits.maximumBodySize(for: .keyAdvertisement)
        var frame = Array("EQMW".utf8) + [0, 1, MessageKind.keyAdvertisement.rawValue, 0]
        let length = UInt32(limit + 1)
        frame += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        frame += [UInt8](repeating: 0x7B, count: limit + 1)
        let error = expectProtocolError(.messageTooLarge) {
            try WireFrame.decode(frame, as: KeyAdvertisement.self, limits: limits)
        }
        #expect(error?.message == "a key advertisement body is at most \(limit) bytes in this round, found \(limit + 1)")
        // A just-in-limit garbage body is malformed.
        var fitting = Array(frame.prefix(8))
        fitting += [0, 0, UInt8(limit >> 8), UInt8(limit & 0xFF)] + [UInt8](repeating: 0x7B, count: limit)
        expectProtocolError(.malformedMessage) { try WireFrame.decode(fitting, as: KeyAdvertisement.self, limits: limits) }
        // The server refuses an oversized envelope before decrypting it.
        var server = try SecAggServer(configuration: configuration, coordinatorKey: coordinator)
        let huge = SealedMessage(bytes: [UInt8](repeating: 0, count: limits.maximumFrameSize + SealedMessage.overhead + 1))
        expectProtocolError(.messageTooLarge) { try server.receive(huge) }
        // The masked-input limit is exactly one vector of the round's dimension.
        #expect(limits.maximumBodySize(for: .maskedInput) == 4 * 1000 + MaskedInputMessage.fixedBodyLength)
        // Truncated and garbled frames.
        expectProtocolError(.malformedMessage) { try WireFrame.decode([1, 2, 3], as: KeyAdvertisement.self, limits: limits) }
        var wrongMagic = try WireFrame.encode(UnmaskRequest(roundDigest: configuration.digest, survivors: [], dropped: []))
        wrongMagic[0] = 0x58
        expectProtocolError(.malformedMessage) { try WireFrame.decode(wrongMagic, as: UnmaskRequest.self, limits: limits) }
    }

    @Test("canonical signed bytes are deterministic and cover every signed field")
    func canonicalBytes() throws {
        let digest = [UInt8](repeating: 3, count: 32)
        let c = KeyAgreementKey().publicKey, s = KeyAgreementKey().publicKey
        let advertisement = KeyAdvertisement(roundDigest: digest, sender: 1, encryptionKey: c, maskingKey: s, signature: [])
        #expect(
            advertisement.signedBytes
                == KeyAdvertisement(
                    roundDigest: digest, sender: 1, encryptionKey: c, maskingKey: s,
                    signature: [9]
                ).signedBytes)
        var variants = [advertisement.signedBytes]
        var changed = advertisement
        changed.sender = 2
        variants.append(changed.signedBytes)
        changed = advertisement
        changed.roundDigest[0] = 4
        variants.append(changed.signedBytes)
        changed = advertisement
        changed.encryptionKey = s
        changed.maskingKey = c
        variants.append(changed.signedBytes)
        #expect(Set(variants).count == variants.count)
        // Not JSON: the bytes start with the length-prefixed protocol identifier.
        #expect(Array(advertisement.signedBytes.prefix(4)) == [0, 0, 0, UInt8(WireProtocol.identifier.utf8.count)])
        let masked = MaskedInputMessage(roundDigest: digest, sender: 0, vector: [1, 2, 3], signature: [])
        var flipped = masked
        flipped.vector[2] = 4
        #expect(masked.signedBytes != flipped.signedBytes)
    }

    @Test("the round configuration digest binds every field and survives JSON")
    func configurationDigest() throws {
        let (configuration, _, _) = try Self.configuration()
        let decoded = try JSONDecoder().decode(RoundConfiguration.self, from: try JSONEncoder().encode(configuration))
        #expect(decoded == configuration)
        #expect(decoded.digest == configuration.digest)
        var changed = configuration
        changed.threshold = 4
        #expect(changed.digest != configuration.digest)
        changed = configuration
        changed.roundID += 1
        #expect(changed.digest != configuration.digest)
    }
}
