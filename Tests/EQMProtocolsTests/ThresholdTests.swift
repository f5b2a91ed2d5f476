import EQMCrypto
import EQMProtocols
import Testing

@Suite("Below threshold")
struct ThresholdTests {
    @Test("too few masked inputs: the server refuses to unmask and stays in its stage")
    func tooFewSurvivors() throws {
        var round = try RoundHarness(participants: 10, neighbors: 9, threshold: 5, minimumSurvivors: 6)
        _ = try round.advertise()
        _ = try round.share()
        let inputs = RoundHarness.inputs(participants: 10, dimension: 64, seed: 1)
        for index in 0..<5 {
            try round.server.receive(
                try round.clients[index].receive(try round.server.shareDelivery(for: index), input: inputs[index]))
        }
        let error = expectProtocolError(.belowThreshold) { try round.server.closeMaskedInputs() }
        #expect(error?.message.contains("at least 6") == true)
        #expect(round.server.stage == .collectingMaskedInputs)
        // A late sixth input lets the round finish correctly.
        try round.server.receive(try round.clients[5].receive(try round.server.shareDelivery(for: 5), input: inputs[5]))
        let request = try round.server.closeMaskedInputs()
        let result = try round.unmask(request)
        #expect(result.sum == RoundHarness.plainSum(inputs, of: Array(0..<6)))
    }

    @Test("too few unmask responses: a clear error instead of a wrong sum, then success when more arrive")
    func tooFewResponses() throws {
        var round = try RoundHarness(participants: 8, neighbors: 7, threshold: 5)
        _ = try round.advertise()
        _ = try round.share()
        let inputs = RoundHarness.inputs(participants: 8, dimension: 64, seed: 2)
        let request = try round.mask(Array(0..<7)) { inputs[$0] }  // participant 7 drops after sharing
        // Five responders: each of them holds shares of the others only, so their own seeds have 4 of 5.
        for index in 0..<5 { try round.server.receive(try round.clients[index].receive(request)) }
        let error = expectProtocolError(.belowThreshold) { try round.server.finish() }
        #expect(error?.message.contains("threshold of 5") == true)
        #expect(round.server.stage == .collectingUnmaskResponses)
        try round.server.receive(try round.clients[5].receive(request))
        let result = try round.server.finish()
        #expect(result.sum == RoundHarness.plainSum(inputs, of: Array(0..<7)))
    }

    @Test("a client refuses to reveal shares when fewer than the minimum survived")
    func clientRefusesSmallSurvivorSet() throws {
        var round = try RoundHarness(participants: 6, neighbors: 5, threshold: 3, minimumSurvivors: 4)
        _ = try round.advertise()
        _ = try round.share()
        let request = try round.mask { _ in [UInt32](repeating: 1, count: 64) }
        let forged = UnmaskRequest(roundDigest: request.roundDigest, survivors: [0, 1, 2], dropped: [3, 4, 5])
        expectProtocolError(.belowThreshold) { try round.clients[0].receive(forged) }
        #expect(round.clients[0].stage == .awaitingUnmaskRequest)
        #expect(round.clients[0].disclosedSecrets.isEmpty)
    }

    @Test("a client refuses to mask with fewer than t neighbours that shared")
    func clientRefusesFewShares() throws {
        var round = try RoundHarness(participants: 6, neighbors: 5, threshold: 4)
        _ = try round.advertise()
        _ = try round.share()
        var delivery = try round.server.shareDelivery(for: 0)
        delivery.shares = Array(delivery.shares.prefix(3))
        expectProtocolError(.belowThreshold) { try round.clients[0].receive(delivery, input: [UInt32](repeating: 0, count: 64)) }
        #expect(round.clients[0].stage == .awaitingShares)
    }

    @Test("a corrupt revealed share is detected: other shares are used, or the round fails clearly")
    func corruptShare() throws {
        for extraResponders in [true, false] {
            var round = try RoundHarness(participants: 7, neighbors: 6, threshold: 4, minimumSurvivors: 4)
            _ = try round.advertise()
            _ = try round.share()
            let inputs = RoundHarness.inputs(participants: 7, dimension: 64, seed: 3)
            let request = try round.mask(Array(0..<6)) { inputs[$0] }  // 6 drops after sharing
            // With six responders one liar leaves a clean window of four shares; with five, two liars do not.
            let responders = extraResponders ? Array(0..<6) : Array(0..<5)
            let liars = extraResponders ? [0] : [0, 1]
            for index in responders {
                var response = try round.open(try round.clients[index].receive(request), as: UnmaskResponse.self)
                if liars.contains(index) {
                    // A liar changes its share of participant 6's mask key, and re-signs. (The change is
                    // large: a tiny one may only touch the scalar bits X25519 clamps away, which
                    // reconstructs an equivalent key and the right sum.)
                    response.maskKeyShares[0].values[0] =
                        (response.maskKeyShares[0].values[0] + (1 << 40)) % ShamirSecretSharing.prime
                    response.signature = round.identities[index].sign(response.signedBytes)
                }
                try round.server.receive(try round.seal(response))
            }
            if extraResponders {
                let result = try round.server.finish()
                #expect(result.sum == RoundHarness.plainSum(inputs, of: Array(0..<6)))
            } else {
                expectProtocolError(.reconstructionFailed) { try round.server.finish() }
                #expect(round.server.stage == .collectingUnmaskResponses)
            }
        }
    }
}
