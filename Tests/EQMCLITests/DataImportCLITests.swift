import Foundation
import Testing

@Suite("eqm data import")
struct DataImportCLITests {
    static let lines = """
        {"timestamp": "2024-06-01T08:00:00Z", "sensor_id": "wrist-1", "measurements": {"hr": 72, "gsr": 0.8, "acc": [0, 0, 1]}}
        {"timestamp": "2024-06-01T08:00:01Z", "sensor_id": "wrist-1", "measurements": {"hr": 300}}
        {"timestamp": "2024-06-01T08:00:02Z", "sensor_id": "wrist-1", "measurements": {"hr": "73"}}
        {"timestamp": "2024-06-01T08:00:00Z", "sensor_id": "wrist-1", "measurements": {"hr": 72}}
        not json

        """

    private func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-cli-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// What every `data import` run needs besides its input: a store key file (64 hex characters,
    /// owner-only), so that no passphrase is asked for.
    private func storeArguments(in folder: URL) throws -> [String] {
        let path = folder.appendingPathComponent("node.key").path
        if !FileManager.default.fileExists(atPath: path) {
            let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            _ = FileManager.default.createFile(atPath: path, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600])
        }
        return ["--key-file", path]
    }

    @Test("--json prints the documented fields, exits 0 with rejections, and writes the quarantine under the store")
    func importJSONLines() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("data.jsonl")
        try Data(Self.lines.utf8).write(to: input)
        let store = folder.appendingPathComponent("store").path
        let result = try EQMProcess.run(
            ["data", "import", "--format", "jsonl", input.path, "--store", store, "--json"] + storeArguments(in: folder))
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(json["accepted"] as? Int == 5)
        #expect(json["rejected"] as? Int == 3)
        #expect(json["rejected_by_reason"] as? [String: Int] == ["out_of_range": 1, "wrong_type": 1, "malformed": 1])
        #expect(
            json["series"] as? [String: Int] == [
                "heart_rate": 1, "electrodermal_activity": 1, "acceleration_x": 1,
                "acceleration_y": 1, "acceleration_z": 1,
            ])
        #expect(json["duplicates"] as? Int == 1)
        let quarantine = try #require(json["quarantine"] as? String)
        #expect(quarantine.hasPrefix(store + "/quarantine/"))
        let entries = try String(contentsOfFile: quarantine, encoding: .utf8).split(separator: "\n")
        #expect(entries.count == 3)
        #expect(!entries.joined().contains("300"))
    }

    @Test("the human summary names the counts and the quarantine")
    func humanSummary() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("data.jsonl")
        try Data(Self.lines.utf8).write(to: input)
        let result = try EQMProcess.run(
            ["data", "import", "--format", "jsonl", input.path, "--store", folder.appendingPathComponent("s").path]
                + storeArguments(in: folder))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("5 measurements accepted, 3 rejected"))
        #expect(result.stdout.contains("quarantine: "))
    }

    @Test("unreadable input, a wrong format or time zone: non-zero status, a clear message on stderr, nothing on stdout")
    func failures() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("store").path
        let notes = folder.appendingPathComponent("notes.txt")
        try Data("hello".utf8).write(to: notes)
        let cases: [([String], String)] = [
            (
                [
                    "data", "import", "--format", "apple-health", folder.appendingPathComponent("missing.xml").path, "--store",
                    store,
                ], "no file or folder"
            ),
            (["data", "import", "--format", "e4", folder.path, "--store", store], "ACC.csv"),
            (["data", "import", "--format", "apple-health", notes.path, "--store", store, "--json"], "HealthData"),
            (["data", "import", "--format", "garmin", notes.path, "--store", store], "apple-health"),
            (["data", "import", "--format", "fitbit", notes.path, "--store", store, "--timezone", "Mars/Olympus"], "IANA"),
        ]
        for (arguments, message) in cases {
            let result = try EQMProcess.run(arguments + storeArguments(in: folder))
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments)")
        }
        // A failed import leaves no empty quarantine file behind.
        let quarantine = URL(fileURLWithPath: store).appendingPathComponent("quarantine")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: quarantine.path)) ?? []).isEmpty)
    }

    @Test("bench import --json reports throughput and peak memory")
    func benchImport() throws {
        let result = try EQMProcess.run(["bench", "import", "--format", "apple-health", "--size-mb", "2", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        for key in ["mb_per_second", "records_per_second", "peak_rss_mb", "records", "accepted", "seconds"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect((json["records"] as? Int ?? 0) > 1000)
    }
}
