import EQMCrypto
import EQMProtocols
import Testing

@Suite("An honest client never reveals both secrets of a peer")
struct DisclosureTests {
    @Test("a request naming a peer both as survivor and as dropped is refused")
    func bothListsRefused() throws {
        var round = try RoundHarness(participants: 6, neighbors: 5, threshold: 3)
        _ = try round.advertise()
        _ = try round.share()
        let request = try round.mask { _ in [UInt32](repeating: 7, count: 64) }
        let greedy = UnmaskRequest(roundDigest: request.roundDigest, survivors: request.survivors, dropped: [3])
        let error = expectProtocolError(.refusedDisclosure) { try round.clients[0].receive(greedy) }
        #expect(error?.message.contains("participant 3") == true)
        #expect(round.clients[0].disclosedSecrets.isEmpty)
        #expect(round.clients[0].stage == .awaitingUnmaskRequest)
    }

    @Test("a second request that flips a peer from survivor to dropped is refused")
    func flipRefused() throws {
        var round = try RoundHarness(participants: 6, neighbors: 5, threshold: 3)
        _ = try round.advertise()
        _ = try round.share()
        let request = try round.mask { _ in [UInt32](repeating: 7, count: 64) }
        _ = try round.clients[0].receive(request)
        #expect(round.clients[0].disclosedSecrets[3] == .selfMaskSeed)
        // The same request again is answered (a retry after a lost response)…
        _ = try round.clients[0].receive(request)
        // …but one that now calls participant 3 dropped would expose its mask key too.
        let flipped = UnmaskRequest(
            roundDigest: request.roundDigest, survivors: request.survivors.filter { $0 != 3 }, dropped: [3])
        expectProtocolError(.refusedDisclosure) { try round.clients[0].receive(flipped) }
        #expect(round.clients[0].disclosedSecrets[3] == .selfMaskSeed)
        // A request that calls this client itself dropped is refused too.
        let selfDropped = UnmaskRequest(
            roundDigest: request.roundDigest, survivors: request.survivors.filter { $0 != 1 }, dropped: [1])
        expectProtocolError(.refusedDisclosure) { try round.clients[1].receive(selfDropped) }
    }

    @Test("across a whole round with dropouts, no holder reveals both shares of one owner")
    func wholeRound() throws {
        var round = try RoundHarness(participants: 16, neighbors: 8, threshold: 5)
        _ = try round.advertise()
        _ = try round.share()
        let inputs = RoundHarness.inputs(participants: 16, dimension: 64, seed: 9)
        let request = try round.mask(Array(0..<14)) { inputs[$0] }  // 14 and 15 drop after sharing
        #expect(request.dropped == [14, 15])
        var revealed = [Int: [Int: DisclosedSecret]]()  // holder → owner → kind
        for index in request.survivors {
            let sealed = try round.clients[index].receive(request)
            let response = try round.open(sealed, as: UnmaskResponse.self)
            for share in response.selfMaskShares {
                #expect(revealed[index, default: [:]][share.owner] == nil)
                revealed[index, default: [:]][share.owner] = .selfMaskSeed
            }
            for share in response.maskKeyShares {
                #expect(
                    revealed[index, default: [:]][share.owner] == nil, "holder \(index) revealed both secrets of \(share.owner)")
                revealed[index, default: [:]][share.owner] = .maskKey
                #expect([14, 15].contains(share.owner))
            }
            try round.server.receive(sealed)
        }
        let result = try round.server.finish()
        #expect(result.sum == RoundHarness.plainSum(inputs, of: Array(0..<14)))
    }

    @Test("descriptions and errors never contain key or share material")
    func redaction() throws {
        var round = try RoundHarness(participants: 5, neighbors: 4, threshold: 3)
        _ = try round.advertise()
        _ = try round.share()
        let request = try round.mask { _ in [UInt32](repeating: 1, count: 64) }
        let response = try round.open(try round.clients[0].receive(request), as: UnmaskResponse.self)
        let value = String(response.selfMaskShares[0].values[0])
        #expect(!String(describing: response).contains(value))
        #expect(!String(reflecting: response.selfMaskShares).contains(value))
        #expect(String(describing: round.clients[0]) == "SecAggClient(participant 0, finished)")
        var dumped = ""
        dump(round.clients[0], to: &dumped)
        #expect(!dumped.contains("SecretBytes") && !dumped.contains("heldShares"))
        let share = ShamirShare(point: 3, values: [123_456_789])
        #expect(!share.description.contains("123456789"))
    }
}
