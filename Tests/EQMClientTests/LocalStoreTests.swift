import EQMClient
import EQMCore
import EQMCrypto
import Foundation
import Testing

/// A temporary folder removed when the test ends.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

@Suite("Encrypted local store")
struct LocalStoreTests {
    static let fastKeyDerivation = try! PasswordKeyDerivation.Parameters(operations: 1, memoryBytes: 8 << 20)
    static let passphrase = StoreKeySource.passphrase(Array("a long passphrase".utf8))

    static func samples(_ count: Int, start: Double = 1_700_000_000, step: Double = 1) -> [StoredSample] {
        // The value is a function of the time, so overlapping batches repeat samples exactly.
        (0..<count).map {
            let time = start + Double($0) * step
            return StoredSample(start: time, value: 60 + time.truncatingRemainder(dividingBy: 40))
        }
    }

    func create(_ directory: TemporaryDirectory) throws -> LocalStore {
        try LocalStore.create(at: directory.path("store"), key: Self.passphrase, keyDerivation: Self.fastKeyDerivation)
    }

    @Test("samples written in one session read back, across days, in time order")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        let written = Self.samples(200_000, step: 1.5)  // 3.5 days of 1.5 s samples
        do {
            let store = try create(directory)
            let session = store.beginImport()
            try session.append(series: "heart_rate", samples: written.shuffled())
            try session.append(series: "eda", samples: [StoredSample(start: 1_700_000_000, end: 1_700_000_060, value: 2.5)])
            try session.commit(fingerprint: [1, 2, 3], format: "test", accepted: written.count + 1)
        }
        let store = try LocalStore.open(at: directory.path("store"), key: Self.passphrase)
        #expect(store.seriesCounts == ["heart_rate": written.count, "eda": 1])
        #expect(try store.samples(series: "heart_rate") == written)
        #expect(try store.samples(series: "eda").first?.end == 1_700_000_060)
        let window = try store.samples(series: "heart_rate", from: 1_700_000_000 + 90_000, to: 1_700_000_000 + 90_015)
        #expect(window.count == 10)
        #expect(store.previousImport(fingerprint: [1, 2, 3])?.format == "test")
    }

    @Test("re-importing the same or overlapping data does not duplicate it")
    func deduplication() throws {
        let directory = try TemporaryDirectory()
        let store = try create(directory)
        for batch in [Self.samples(1000), Self.samples(1000), Self.samples(500, start: 1_700_000_500)] {
            let session = store.beginImport()
            try session.append(series: "heart_rate", samples: batch + batch)
            try session.commit(fingerprint: nil, format: "test", accepted: batch.count)
        }
        #expect(store.seriesCounts["heart_rate"] == 1000)
    }

    @Test("bounded memory: many flushes within one session give the same result as one")
    func flushes() throws {
        let directory = try TemporaryDirectory()
        let store = try create(directory)
        let session = store.beginImport()
        let all = Self.samples(30_000, step: 10)
        for chunk in stride(from: 0, to: all.count, by: 1000) {
            try session.append(series: "heart_rate", samples: Array(all[chunk..<(chunk + 1000)]))
        }
        try session.commit(fingerprint: nil, format: "test", accepted: all.count)
        #expect(try store.samples(series: "heart_rate") == all)
        // Only the files the manifest references remain on disk.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path("store/data"))
        #expect(files.count == Set(all.map { Int($0.start / 86_400) }).count)
    }

    @Test("a wrong passphrase, the wrong kind of key and a missing key are clear errors")
    func wrongKey() throws {
        let directory = try TemporaryDirectory()
        do { let store = try create(directory); _ = store }
        func code(_ source: StoreKeySource) -> StoreError.Code? {
            do { _ = try LocalStore.open(at: directory.path("store"), key: source); return nil } catch { return error.code }
        }
        #expect(code(.passphrase(Array("not the passphrase".utf8))) == .wrongKey)
        let keyFile = directory.path("key")
        try StoreKeySource.createKeyFile(at: keyFile)
        #expect(code(.keyFile(keyFile)) == .wrongKey)
        do {
            _ = try StoreKeySource.resolve(keyFile: nil, environment: [:], prompt: false)
            Issue.record("resolved a key from nothing")
        } catch {
            #expect(error.code == .keyUnavailable)
            #expect(error.message.contains("--key-file") && error.message.contains("EQM_STORE_PASSPHRASE"))
        }
        if case .passphrase(let bytes) = try StoreKeySource.resolve(
            keyFile: nil, environment: ["EQM_STORE_PASSPHRASE": "pw"], prompt: false)
        {
            #expect(bytes == Array("pw".utf8))
        } else {
            Issue.record("environment passphrase not used")
        }
    }

    @Test("a key file opens its store; group- or world-readable and malformed key files are refused")
    func keyFiles() throws {
        let directory = try TemporaryDirectory()
        let keyFile = directory.path("node.key")
        try StoreKeySource.createKeyFile(at: keyFile)
        let store = try LocalStore.create(at: directory.path("store"), key: .keyFile(keyFile))
        try store.addLabels([LabelInterval(start: 0, end: 60, label: .relaxation, source: "cli")])
        chmod(keyFile, 0o644)
        #expect(throws: StoreError.self) { try LocalStore.open(at: directory.path("other"), key: .keyFile(keyFile)) }
        do {
            _ = try LocalStore.create(at: directory.path("store2"), key: .keyFile(keyFile))
            Issue.record("world-readable key file accepted")
        } catch {
            #expect(error.message.contains("chmod 600"))
        }
        let bad = directory.path("bad.key")
        try Data("not hex at all\n".utf8).write(to: URL(fileURLWithPath: bad))
        chmod(bad, 0o600)
        #expect(throws: StoreError.self) { try LocalStore.create(at: directory.path("store3"), key: .keyFile(bad)) }
    }

    @Test("a modified, truncated or swapped store file is detected and named")
    func tampering() throws {
        let directory = try TemporaryDirectory()
        do {
            let store = try create(directory)
            let session = store.beginImport()
            try session.append(series: "heart_rate", samples: Self.samples(10))
            try session.append(series: "eda", samples: Self.samples(10))
            try session.commit(fingerprint: nil, format: "test", accepted: 20)
        }
        let store = try LocalStore.open(at: directory.path("store"), key: Self.passphrase)
        let data = directory.url.appendingPathComponent("store/data")
        let files = try FileManager.default.contentsOfDirectory(atPath: data.path).sorted()
        #expect(files.count == 2)

        // Swap the two segments' contents: each decrypts only under its own series and day.
        let first = try Data(contentsOf: data.appendingPathComponent(files[0]))
        let second = try Data(contentsOf: data.appendingPathComponent(files[1]))
        try second.write(to: data.appendingPathComponent(files[0]))
        try first.write(to: data.appendingPathComponent(files[1]))
        for series in ["heart_rate", "eda"] {
            do {
                _ = try store.samples(series: series)
                Issue.record("swapped segment accepted")
            } catch {
                #expect(error.code == .tampered)
                #expect(error.message.contains("data/"))
            }
        }
        // Flip one byte of the manifest (after closing the store).
        _ = consume store
        let manifest = directory.url.appendingPathComponent("store/manifest.eqm")
        var bytes = try Data(contentsOf: manifest)
        bytes[bytes.count / 2] ^= 1
        try bytes.write(to: manifest)
        do {
            _ = try LocalStore.open(at: directory.path("store"), key: Self.passphrase)
            Issue.record("tampered manifest accepted")
        } catch {
            #expect(error.code == .tampered)
            #expect(error.message.contains("manifest.eqm"))
        }
    }

    @Test("an import that never commits (a crash mid-write) leaves the previous state readable, and its files are cleaned up")
    func crashSafety() throws {
        let directory = try TemporaryDirectory()
        let original = Self.samples(100)
        do {
            let store = try create(directory)
            let first = store.beginImport()
            try first.append(series: "heart_rate", samples: original)
            try first.commit(fingerprint: nil, format: "test", accepted: 100)
            // A second import writes segments but dies before its commit.
            let crashed = store.beginImport()
            try crashed.append(series: "heart_rate", samples: Self.samples(5000, start: 1_700_000_050))
            try crashed.append(series: "spo2", samples: Self.samples(10))
            // Simulate the partial state a kill leaves: flushed segment files plus a torn temporary manifest.
            try Data([1, 2, 3]).write(to: directory.url.appendingPathComponent("store/.manifest.eqm.tmp-1"))
            _ = crashed
        }
        let reopened = try LocalStore.open(at: directory.path("store"), key: Self.passphrase)
        #expect(reopened.seriesCounts == ["heart_rate": 100])
        #expect(try reopened.samples(series: "heart_rate") == original)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path("store/data"))
        #expect(files.count == 1)
    }

    @Test("a second process cannot open a store that is in use")
    func locking() throws {
        let directory = try TemporaryDirectory()
        let store = try create(directory)
        // flock locks belong to open file descriptions: a second open in the same process contends like another process.
        do {
            _ = try LocalStore.open(at: directory.path("store"), key: Self.passphrase)
            Issue.record("opened a store twice")
        } catch {
            #expect(error.code == .inUse)
        }
        _ = store
    }

    @Test("labels and artefacts are stored encrypted; repeats are ignored")
    func labelsAndArtifacts() throws {
        let directory = try TemporaryDirectory()
        let store = try create(directory)
        let interval = try LabelInterval(start: 100, end: 400, label: .stress, source: "cli")
        #expect(try store.addLabels([interval, try LabelInterval(start: 0, end: 50, label: .happy, source: "csv")]) == 2)
        #expect(try store.addLabels([interval]) == 0)
        #expect(try store.labels().map(\.label) == [.happy, .stress])
        try store.writeArtifact(name: "features", bytes: Array("hr_mean,72".utf8))
        try store.writeArtifact(name: "features", bytes: Array("hr_mean,73".utf8))
        #expect(try store.readArtifact(name: "features") == Array("hr_mean,73".utf8))
        // Nothing readable at rest.
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path("store/data")) {
            let contents = try Data(contentsOf: directory.url.appendingPathComponent("store/data/\(file)"))
            #expect(contents.range(of: Data("stress".utf8)) == nil && contents.range(of: Data("hr_mean".utf8)) == nil)
        }
    }
}

@Suite("Label files")
struct LabelCSVTests {
    @Test("ISO-8601 and Unix-second times, a header, and every bad line reported with its number and reason")
    func parsing() {
        let text = """
            start,end,label
            2024-05-01T08:30:00+02:00,2024-05-01T09:00:00+02:00,Stress
            1714550400,1714550700,relaxation
            1714550400,1714550300,happy
            1714550400,1714550700,bored
            yesterday,1714550700,sad
            1,2
            """
        let result = LabelCSVParser.parse(text)
        #expect(result.intervals.count == 2)
        #expect(result.intervals[0].label == .stress)
        #expect(result.intervals[0].start == 1_714_545_000)
        #expect(result.intervals[1].end - result.intervals[1].start == 300)
        #expect(result.rejected.map(\.line) == [4, 5, 6, 7])
        #expect(result.rejected[1].reason.contains("relaxation"))  // unknown label lists the valid ones
    }
}
