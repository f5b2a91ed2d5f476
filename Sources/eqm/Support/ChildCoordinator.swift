import Foundation

/// `eqm coordinator serve` in a child process on loopback (benchmarks measure its memory apart
/// from the simulated nodes'), with its admin token read from its first-start output.
final class ChildCoordinator {
    let process: Process
    let port: Int
    let adminToken: String
    let folder: URL

    /// Starts a coordinator with a fresh data folder under `folder`.
    init(folder: URL, database: String? = nil, logLevel: String = "warning") throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let portFile = folder.appendingPathComponent("port"), log = folder.appendingPathComponent("coordinator.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments =
            [
                "coordinator", "serve", "--data-dir", folder.appendingPathComponent("data").path, "--port", "0", "--port-file",
                portFile.path,
                "--log-level", logLevel,
            ] + (database.map { ["--database", $0] } ?? [])
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var bound = 0
        while Date() < deadline && process.isRunning && bound == 0 {
            bound = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0) } ?? 0
            if bound == 0 { usleep(20_000) }
        }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard bound > 0, let token = text.firstMatch(of: /eqm_[0-9a-f]{12}_[0-9a-f]{64}/) else {
            process.terminate()
            throw CommandFailure("the coordinator did not start: \(text.suffix(500))")
        }
        port = bound
        adminToken = String(token.0)
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Peak resident memory of the child so far, in bytes (Linux VmHWM).
    var peakMemory: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }

    /// CPU seconds (user + system) the child has used so far (Linux /proc, 100 ticks per second).
    var cpuSeconds: Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Graceful stop (SIGTERM), then SIGKILL after 20 s.
    func stop() {
        process.terminate()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
