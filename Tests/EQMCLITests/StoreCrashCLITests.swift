import Foundation
import Testing

/// The store's crash safety with a real process and a real SIGKILL, and re-import detection.
@Suite("Encrypted store through the command line")
struct StoreCrashCLITests {
    static func folder() throws -> (URL, [String]) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let key = url.appendingPathComponent("node.key")
        _ = FileManager.default.createFile(
            atPath: key.path, contents: Data((String(repeating: "5a", count: 32) + "\n").utf8),
            attributes: [.posixPermissions: 0o600])
        return (url, ["--store", url.appendingPathComponent("store").path, "--key-file", key.path])
    }

    static func jsonLines(count: Int, start: Int, acceleration: Bool) -> String {
        var text = ""
        text.reserveCapacity(count * 110)
        let formatter = ISO8601DateFormatter()
        for index in 0..<count {
            let time = formatter.string(from: Date(timeIntervalSince1970: Double(start + index)))
            let measurements =
                acceleration ? "\"hr\": \(60 + index % 50), \"acc\": [0.\(index % 9), 0.1, 0.98]" : "\"hr\": \(60 + index % 50)"
            text += "{\"timestamp\": \"\(time)\", \"sensor_id\": \"w\", \"measurements\": {\(measurements)}}\n"
        }
        return text
    }

    @Test("re-importing the same file is recognised; an overlapping file adds only what is new")
    func reimport() throws {
        let (folder, store) = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("a.jsonl"), overlap = folder.appendingPathComponent("b.jsonl")
        try Data(Self.jsonLines(count: 100, start: 1_717_000_000, acceleration: false).utf8).write(to: first)
        try Data(Self.jsonLines(count: 100, start: 1_717_000_050, acceleration: false).utf8).write(to: overlap)
        #expect(
            try EQMProcess.run(["data", "import", "--format", "jsonl", first.path, "--json"] + store).json()["accepted"] as? Int
                == 100)
        let again = try EQMProcess.run(["data", "import", "--format", "jsonl", first.path, "--json"] + store)
        #expect(again.status == 0)
        #expect(try again.json()["accepted"] as? Int == 0)
        _ = try EQMProcess.run(["data", "import", "--format", "jsonl", overlap.path, "--json"] + store)
        let status = try EQMProcess.run(["data", "status", "--json"] + store).json()
        #expect((status["series"] as? [String: Int])?["heart_rate"] == 150)
    }

    @Test("a SIGKILL in the middle of a large import leaves the previous state readable and consistent")
    func killMidImport() throws {
        let (folder, store) = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let small = folder.appendingPathComponent("small.jsonl"), large = folder.appendingPathComponent("large.jsonl")
        try Data(Self.jsonLines(count: 100, start: 1_700_000_000, acceleration: false).utf8).write(to: small)
        // 300,000 lines × 4 measurements: past the store's flush threshold, so segment files are
        // written (and could be torn) long before the import would commit.
        try Data(Self.jsonLines(count: 300_000, start: 1_710_000_000, acceleration: true).utf8).write(to: large)
        #expect(
            try EQMProcess.run(["data", "import", "--format", "jsonl", small.path, "--json"] + store).json()["accepted"] as? Int
                == 100)
        let data = folder.appendingPathComponent("store/data")
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: data.path))

        let process = Process()
        process.executableURL = EQMProcess.executable
        process.arguments = ["data", "import", "--format", "jsonl", large.path] + store
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Kill as soon as the import has written new segment files (bounded: at most 60 s).
        let deadline = Date().addingTimeInterval(60)
        var sawWrite = false
        while process.isRunning && Date() < deadline {
            let now = Set((try? FileManager.default.contentsOfDirectory(atPath: data.path)) ?? [])
            if !now.subtracting(before).isEmpty { sawWrite = true; break }
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(sawWrite, "the import finished or stalled before writing segments; the kill did not land mid-write")

        let status = try EQMProcess.run(["data", "status", "--json"] + store)
        #expect(status.status == 0, "\(status.stderr)")
        let json = try status.json()
        #expect(json["series"] as? [String: Int] == ["heart_rate": 100])
        #expect((json["imports"] as? [Any])?.count == 1)
        // Opening the store removed the killed import's unreferenced files.
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: data.path)) == before)
        // And the store works: the large import can run again to completion.
        let retry = try EQMProcess.run(["data", "import", "--format", "jsonl", large.path, "--json"] + store)
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(try retry.json()["accepted"] as? Int == 1_200_000)
    }
}
