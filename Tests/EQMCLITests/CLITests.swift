import Foundation
import Testing

/// Runs the built `eqm` executable (next to the test bundle in the build folder).
struct EQMProcess {
    var status: Int32
    var stdout: String
    var stderr: String

    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("eqm")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/eqm")
    }

    static func run(_ arguments: [String]) throws -> EQMProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice  // never a terminal: commands must not prompt in tests
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return EQMProcess(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        return try #require(object as? [String: Any])
    }
}

@Suite("eqm command line")
struct CLITests {
    @Test("the top level lists every command group")
    func groups() throws {
        let result = try EQMProcess.run(["--help"])
        #expect(result.status == 0)
        for group in ["demo", "simulate", "bench", "data", "privacy", "audit", "model", "coordinator", "node"] {
            #expect(result.stdout.contains(group), "missing group \(group)")
        }
    }

    @Test("bench infer --json prints the documented fields")
    func benchInfer() throws {
        let result = try EQMProcess.run(["bench", "infer", "--model", "mlp", "--iterations", "200", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(json["model"] as? String == "mlp")
        #expect((json["p50_microseconds"] as? Double ?? -1) > 0)
        #expect((json["p99_microseconds"] as? Double ?? -1) >= (json["p50_microseconds"] as? Double ?? 0))
    }

    @Test("bench train --json prints the documented fields")
    func benchTrain() throws {
        let result = try EQMProcess.run([
            "bench", "train", "--model", "gru", "--dp", "on", "--seconds", "0.2", "--repeats", "1", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        for key in ["model", "dp", "batch", "samples_per_second", "threads"] { #expect(json[key] != nil, "missing \(key)") }
        #expect(json["dp"] as? Bool == true)
        #expect(json["batch"] as? Int == 32)
    }

    @Test("bench features --json reports windows per second")
    func benchFeatures() throws {
        let result = try EQMProcess.run([
            "bench", "features", "--users", "1", "--minutes", "10", "--seconds", "0.2", "--repeats", "1", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((try result.json()["windows_per_second"] as? Double ?? 0) > 0)
    }

    @Test("bench secagg --json runs a whole SecAgg+ round with dropouts and reports the documented fields")
    func benchSecAgg() throws {
        let result = try EQMProcess.run([
            "bench", "secagg", "--clients", "20", "--params", "1000", "--dropout", "0.1",
            "--neighbors", "10", "--threshold", "6", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        for key in [
            "clients", "params", "dropout", "neighbors", "threshold", "server_seconds", "client_seconds_mean", "total_seconds",
            "max_abs_error", "bytes_per_client",
        ] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect((json["max_abs_error"] as? Double ?? 1) < 1e-3)
    }

    @Test(
        "errors go to stderr with a non-zero status",
        arguments: [
            ["bench", "train", "--model", "transformer"],
            ["model", "inspect", "/nonexistent/model.eqmmodel"],
            ["bench", "infer", "--iterations", "0"],
        ])
    func errors(arguments: [String]) throws {
        let result = try EQMProcess.run(arguments)
        #expect(result.status != 0)
        #expect(!result.stderr.isEmpty)
        #expect(result.stdout.isEmpty)
    }
}

@Suite("eqm demo")
struct DemoCLITests {
    @Test("a small demo trains, reports held-out metrics as JSON and writes a model that inspects cleanly")
    func smallDemo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("demo.eqmmodel").path
        let result = try EQMProcess.run([
            "demo", "--central", "--users", "8", "--minutes", "10", "--epochs", "2", "--batch", "32",
            "--out", path, "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect((json["epochs"] as? [Any])?.count == 2)
        #expect(json["dp"] as? Bool == true)
        let accuracy = try #require(json["held_out_accuracy"] as? Double)
        #expect((0...1).contains(accuracy))
        #expect((json["held_out_users"] as? Int ?? 0) >= 1)

        let inspect = try EQMProcess.run(["model", "inspect", path, "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let metadata = try #require(try inspect.json()["metadata"] as? [String: String])
        #expect(metadata["trained_by"] == "eqm demo")
    }

    @Test("out-of-range options are refused before any work")
    func invalidOptions() throws {
        let result = try EQMProcess.run(["demo", "--central", "--users", "1"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--users"))
    }
}

@Suite("eqm node label")
struct NodeLabelCLITests {
    @Test("labels go into the encrypted store; unknown labels list the valid ones; a missing key says what is needed")
    func labels() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-label-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("node.key")
        // 32 bytes of key as hex, mode 600.
        try Data((String(repeating: "ab", count: 32) + "\n").utf8).write(to: keyFile)
        chmod(keyFile.path, 0o600)
        let store = directory.appendingPathComponent("store").path
        let base = ["node", "label", "--store", store, "--key-file", keyFile.path]

        let first = try EQMProcess.run(
            base + [
                "--start", "2024-05-01T08:30:00+02:00", "--end", "2024-05-01T09:00:00+02:00",
                "--label", "stress", "--json",
            ])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try first.json()["added"] as? Int == 1)
        let repeatRun = try EQMProcess.run(
            base + ["--start", "1714545000", "--end", "1714546800", "--label", "Stress", "--json"])
        #expect(try repeatRun.json()["added"] as? Int == 0)

        let unknown = try EQMProcess.run(base + ["--start", "1", "--end", "2", "--label", "bored"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("concentration"))

        let noKey = try EQMProcess.run(["node", "label", "--store", store, "--start", "1", "--end", "2", "--label", "sad"])
        #expect(noKey.status != 0)
        #expect(noKey.stderr.contains("--key-file") && noKey.stderr.contains("EQM_STORE_PASSPHRASE"))
    }
}
