import Foundation
import Testing

@testable import EQMClient

/// A temporary folder holding fixture files written from string literals; removed when released.
final class ImportFixture {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Writes `text` (UTF-8) to `name` under the root, creating folders; returns its URL.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        try write(name, bytes: Array(text.utf8))
    }

    /// Writes raw bytes to `name` under the root.
    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> URL {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return url
    }

    func url(_ name: String) -> URL { root.appendingPathComponent(name) }

    var quarantineURL: URL { root.appendingPathComponent("store/quarantine/test.jsonl") }
}

/// What one import produced.
struct ImportOutcome {
    var report: ImportReport
    var measurements: [EQMClient.Measurement]
    /// The quarantine file's entries, parsed.
    var quarantine: [[String: Any]]
    /// The quarantine file's text.
    var quarantineText: String

    func measurements(_ quantity: Quantity) -> [EQMClient.Measurement] { measurements.filter { $0.quantity == quantity } }

    func rejected(_ reason: Rejection.Reason) -> Int { report.rejectedByReason[reason] ?? 0 }

    /// Quarantine entries with the given reason code.
    func quarantined(_ reason: String) -> [[String: Any]] { quarantine.filter { $0["reason"] as? String == reason } }
}

/// The clock of every import test: 2025-01-01T00:00:00Z.
let testNow = Date(timeIntervalSince1970: 1_735_689_600)

/// Runs an importer over `url` with an in-memory sink and a quarantine file in the fixture.
func runImport(
    _ importer: some Importer, _ url: URL, in fixture: ImportFixture,
    duplicateWindow: Int = 1 << 17
) throws -> ImportOutcome {
    var sink = InMemoryMeasurementSink()
    let report = try importer.run(
        url, into: &sink, validator: MeasurementValidator(now: testNow),
        quarantineURL: fixture.quarantineURL,
        configuration: .init(batchSize: 3, duplicateWindow: duplicateWindow))
    #expect(sink.isFinished)
    let text = (try? String(contentsOf: fixture.quarantineURL, encoding: .utf8)) ?? ""
    let entries = try text.split(separator: "\n").map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }
    #expect(entries.count == report.rejected, "one quarantine line per rejection")
    return ImportOutcome(report: report, measurements: sink.measurements, quarantine: entries, quarantineText: text)
}

/// Unix seconds of an ISO 8601 timestamp, computed by Foundation (an oracle independent of the importers' parser).
func unix(_ iso: String) -> Double {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = iso.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
    guard let date = formatter.date(from: iso) else {
        Issue.record("bad oracle timestamp \(iso)")
        return .nan
    }
    return date.timeIntervalSince1970
}

/// Expects two doubles to agree to within `tolerance`.
func expectClose(
    _ actual: Double?, _ expected: Double, tolerance: Double = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let actual else {
        Issue.record("expected \(expected), found nil", sourceLocation: sourceLocation)
        return
    }
    #expect(abs(actual - expected) <= tolerance, "expected \(expected), found \(actual)", sourceLocation: sourceLocation)
}

/// Expects that no quarantine entry leaks any of the given raw values.
func expectNoRawValues(_ outcome: ImportOutcome, _ values: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    for entry in outcome.quarantine {
        for key in ["detail"] {
            guard let text = entry[key] as? String else { continue }
            for value in values {
                #expect(!text.contains(value), "quarantine \(key) leaks '\(value)': \(text)", sourceLocation: sourceLocation)
            }
        }
    }
}

/// The 1-based line of the first occurrence of `needle` in `text`.
func lineNumber(of needle: String, in text: String) -> Int? {
    guard let range = text.range(of: needle) else { return nil }
    return text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
}

/// Foundation also has a `Measurement`; in this test target the name means EQM's.
typealias Measurement = EQMClient.Measurement
