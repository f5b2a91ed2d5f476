import EQMClient
import EQMCompliance
import EQMCore
import EQMCrypto
import Foundation
import Testing

@Suite("Node data, journal and live windows")
struct NodeRuntimeTests {
    static let origin = 1_760_000_000.0

    func storeWithSyntheticUser(_ directory: TemporaryDirectory, minutes: Double = 8) throws -> LocalStore {
        let store = try LocalStore.create(
            at: directory.path("store"), key: LocalStoreTests.passphrase, keyDerivation: LocalStoreTests.fastKeyDerivation)
        try NodeData.importSynthetic(
            user: 3, cohort: CohortConfiguration(users: 4, minutesPerUser: minutes, seed: 5), origin: Self.origin, into: store)
        return store
    }

    @Test("a synthetic user written to the store gives the recording's windows back")
    func storeExamplesMatchTheRecording() throws {
        let directory = try TemporaryDirectory()
        let store = try storeWithSyntheticUser(directory)
        let cohort = CohortConfiguration(users: 4, minutesPerUser: 8, seed: 5)
        let recording = try SyntheticCohort.recording(for: 3, configuration: cohort)
        let (stored, origin) = try #require(try NodeData.recording(series: try NodeData.series(in: store), labels: try store.labels()))
        #expect(origin == Self.origin)
        let direct = try WindowDataset.build(recordings: [recording], representation: .features, normalizePerUser: false)
        let fromStore = try WindowDataset.build(recordings: [stored], representation: .features, normalizePerUser: false)
        // The synthetic gaps (NaN) are not stored; the store's recording ends at its last real sample
        // and bridges gaps of up to 3 samples, so the last window may be lost and a few features move.
        #expect(abs(fromStore.count - direct.count) <= 1 && fromStore.count >= 8)
        let common = min(fromStore.count, direct.count)
        #expect(Array(fromStore.labels.prefix(common)) == Array(direct.labels.prefix(common)))
        let agreeing = (0..<common).filter { index in
            zip(fromStore.example(at: index), direct.example(at: index)).allSatisfy { a, b in
                (a.isNaN && b.isNaN) || abs(a - b) <= 1e-3 * max(1, abs(b))
            }
        }
        #expect(agreeing.count * 10 >= common * 8, "\(agreeing.count) of \(common) windows agree")

        let examples = try NodeData.examples(in: store, spec: .mlp())
        #expect(examples.count == fromStore.count && examples.inputs.allSatisfy(\.isFinite))
        let sequences = try NodeData.examples(in: store, spec: .cnn())
        #expect(sequences.exampleShape == [256, 6] && sequences.count == fromStore.count)
    }

    @Test("a store without data or labels gives a clear error")
    func emptyStoreIsAnError() throws {
        let directory = try TemporaryDirectory()
        let store = try LocalStore.create(
            at: directory.path("store"), key: LocalStoreTests.passphrase, keyDerivation: LocalStoreTests.fastKeyDerivation)
        #expect(throws: NodeError.self) { try NodeData.examples(in: store, spec: .mlp()) }
    }

    @Test("a missing channel becomes NaN on the common grid, not a shifted signal")
    func missingChannelIsNaN() throws {
        let series: [Quantity: [StoredSample]] = [
            .electrodermalActivity: (0..<400).map { StoredSample(start: Self.origin + Double($0) * 0.25, value: 2) }
        ]
        let (recording, origin) = try #require(try NodeData.recording(series: series, labels: []))
        #expect(origin == Self.origin)
        #expect(recording.eda.values.allSatisfy { $0 == 2 })
        #expect(recording.bvp.values.allSatisfy(\.isNaN) && recording.bvp.sampleRate == 64)
    }

    @Test("the journal's ε is the RDP accountant's for the rounds taken, without sampling amplification")
    func journalEpsilon() throws {
        var journal = NodeJournal()
        #expect(try journal.epsilon(delta: 1e-5).isEmpty)
        for round in 1...4 {
            journal.participations.append(
                .init(campaign: "c1", round: round, noiseMultiplier: 1.2, clipNorm: 1, privacy: "distributed", time: 0))
        }
        let expected = try LedgerAccountants.rdp.epsilon(
            [MechanismDescription(samplingRate: 1, noiseMultiplier: 1.2, steps: 4, clipNorm: 1, secureAggregation: true, mode: "")],
            1e-5)
        #expect(abs(try journal.epsilon(delta: 1e-5)["c1"]! - expected) < 1e-9)
        journal.participations.append(.init(campaign: "c2", round: 1, noiseMultiplier: 0, clipNorm: 1, privacy: "none", time: 0))
        #expect(try journal.epsilon(delta: 1e-5)["c2"] == .infinity)

        // A round left pending by a killed process counts, unconfirmed.
        journal.pending = .init(campaign: "c1", round: 5, noiseMultiplier: 1.2, clipNorm: 1, privacy: "distributed", time: 0)
        let settled = journal.settleInterrupted()
        #expect(settled)
        #expect(journal.pending == nil && journal.participations.last?.confirmed == false)
        #expect(try journal.epsilon(delta: 1e-5)["c1"]! > expected)
        let settledAgain = journal.settleInterrupted()
        #expect(!settledAgain)
    }

    @Test("the journal persists encrypted in the store")
    func journalPersists() throws {
        let directory = try TemporaryDirectory()
        var journal = NodeJournal()
        journal.rounds["c/1/training"] = "completed"
        journal.currentModel = "c/v1"
        do {
            let store = try LocalStore.create(
                at: directory.path("store"), key: LocalStoreTests.passphrase, keyDerivation: LocalStoreTests.fastKeyDerivation)
            #expect(try store.journal() == NodeJournal())
            try store.saveJournal(journal)
        }
        let reopened = try LocalStore.open(at: directory.path("store"), key: LocalStoreTests.passphrase)
        #expect(try reopened.journal() == journal)
    }

    @Test("live records: one record or an array; bad messages are refused whole with the reason")
    func liveRecords() throws {
        let one = try LiveRecords.parse(
            Array(
                #"{"timestamp":"2025-01-01T00:00:00.5Z","sensor_id":"w","measurements":{"bvp":1.5,"acc":[0,0,1],"x":3}}"#.utf8))
        #expect(one.count == 4)
        #expect(one.first { $0.quantity == .bloodVolumePulse }?.start == 1_735_689_600.5)
        let stream = try SyntheticStream(user: 0, minutes: 2, seed: 1, origin: Self.origin)
        #expect(try LiveRecords.parse(Array(stream.message(second: 3).utf8)).count == 64 + 32 * 3 + 4 * 2 + 1)

        let bad: [(String, String)] = [
            (#"{"timestamp":"2025-01-01T00:00:00","sensor_id":"w","measurements":{}}"#, "RFC 3339"),
            (#"{"timestamp":"2025-01-01T00:00:00Z","measurements":{}}"#, "sensor_id"),
            (#"{"timestamp":"2025-01-01T00:00:00Z","sensor_id":"w","measurements":{"acc":[1,2]}}"#, "acc"),
            (#"{"timestamp":"2025-01-01T00:00:00Z","sensor_id":"w","measurements":{"bvp":"high"}}"#, "bvp"),
            (#"[{"timestamp":"2025-01-01T00:00:00Z","sensor_id":"w","measurements":{}}, 3]"#, "record 1"),
            (#"{"timestamp": "#, "not one JSON value"),
        ]
        for (message, reason) in bad {
            #expect {
                try LiveRecords.parse(Array(message.utf8))
            } throws: { error in
                (error as? NodeError)?.message.contains(reason) == true
            }
        }
    }

    @Test("live windows close every 32 s once 64 s are seen, skip silences, and give finite inputs")
    func liveWindows() throws {
        let stream = try SyntheticStream(user: 1, minutes: 5, seed: 2, origin: Self.origin)
        var windower = try LiveWindower(spec: .mlp())
        var closed: [LiveWindower.Window] = []
        var closedAt: [Int] = []
        for second in 0..<130 {
            let windows = try windower.append(try LiveRecords.parse(Array(stream.message(second: second).utf8)))
            closed += windows
            closedAt += windows.map { _ in second }
        }
        #expect(closed.map(\.start) == [Self.origin, Self.origin + 32, Self.origin + 64])
        #expect(closedAt == [64, 96, 128])
        for window in closed {
            let input = try #require(window.input, "\(window.problem ?? "")")
            #expect(input.count == 48 && input.allSatisfy(\.isFinite))
        }
        // An hour of silence: the windows cut short by it are reported without input, the empty
        // ones are skipped, and windows resume with the data.
        let later = try windower.append(try LiveRecords.parse(Array(stream.message(second: 3700).utf8)))
        #expect(!later.isEmpty && later.allSatisfy { $0.input == nil && $0.problem != nil })
        var resumed = later
        for second in 3701..<3850 {
            resumed += try windower.append(try LiveRecords.parse(Array(stream.message(second: second).utf8)))
        }
        #expect(resumed.count < 10, "empty windows were emitted: \(resumed.count)")
        #expect(resumed.contains { $0.input != nil && $0.start >= Self.origin + 3700 })

        // The CNN's windows are sequences.
        var sequences = try LiveWindower(spec: .cnn())
        var inputs: [[Float]] = []
        for second in 0..<66 {
            inputs += try sequences.append(try LiveRecords.parse(Array(stream.message(second: second).utf8))).compactMap(\.input)
        }
        #expect(inputs.count == 1 && inputs[0].count == 256 * 6)
    }

    @Test("a sample timed in the future or an overfull buffer refuses the message whole")
    func refusals() throws {
        var windower = try LiveWindower(spec: .mlp())
        let now = 1_760_000_000.0
        let glitch = [Measurement(quantity: .bloodVolumePulse, start: now + 86_400, value: 1)]
        #expect(throws: LiveWindower.Refusal.self) { try windower.append(glitch, now: now) }
        let flood = (0..<(LiveWindower.maximumBuffered + 1)).map {
            Measurement(quantity: .electrodermalActivity, start: now + Double($0) * 1e-4, value: 2)
        }
        #expect(throws: LiveWindower.Refusal.self) { try windower.append(flood, now: now) }
        // Nothing of a refused message was kept: the stream goes on from the next good one.
        let stream = try SyntheticStream(user: 0, minutes: 2, seed: 1, origin: now)
        var closed: [LiveWindower.Window] = []
        for second in 0..<65 {
            closed += try windower.append(try LiveRecords.parse(Array(stream.message(second: second).utf8)), now: now + 100)
        }
        #expect(closed.count == 1 && closed[0].start == now && closed[0].input != nil)
    }

    @Test("a window without pulse data has no input and says why")
    func windowWithoutPulse() throws {
        var windower = try LiveWindower(spec: .mlp())
        var closed: [LiveWindower.Window] = []
        for second in 0..<70 {
            let stamp = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Self.origin + Double(second)))
            closed += try windower.append(
                try LiveRecords.parse(
                    Array(#"{"timestamp":"\#(stamp)","sensor_id":"ring","measurements":{"skin_temp":33.1,"spo2":97}}"#.utf8)))
        }
        #expect(closed.count == 1)
        #expect(closed.first?.input == nil && closed.first?.problem?.contains("missing") == true)
    }
}
