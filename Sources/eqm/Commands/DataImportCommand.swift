import ArgumentParser
import EQMClient
import Foundation

extension ImportFormat {
    /// Parses `--format`, naming the valid formats when the value is not one.
    static func argument(_ text: String) throws -> ImportFormat {
        guard let format = ImportFormat(rawValue: text) else {
            throw ValidationError("unknown format '\(text)'; expected one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return format
    }
}

struct DataImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import wearable data: normalise units, validate, de-duplicate, quarantine rejected records.",
        discussion: """
            Formats: apple-health (export.xml or its folder), fitbit (a Google Takeout Fitbit folder or file), \
            oura (Oura API v2 JSON documents), samsung (Samsung Health CSV export folder or file), e4 (Empatica E4 \
            session folder), jsonl (generic JSON lines). Rejected records go to a quarantine file under \
            STORE/quarantine/ (location and reason only, never the values). The exit status is 0 when the input \
            was read, even if records were rejected; it is non-zero when the input cannot be read at all.
            """
    )

    @Option(
        help: "The input format: \(ImportFormat.allCases.map(\.rawValue).joined(separator: ", ")).",
        transform: ImportFormat.argument)
    var format: ImportFormat
    @Argument(help: "The file or folder to import.") var path: String
    @OptionGroup var storeOptions: StoreOptions
    @Option(
        name: .customLong("timezone"),
        help: "IANA time zone (e.g. Europe/Berlin) for times written without an offset (Fitbit); default UTC.")
    var timezone: String?
    @Flag(help: "Print one JSON object.") var json = false

    struct Output: Encodable {
        struct Note: Encodable {
            var kind: String, file: String, line: Int?, message: String
        }
        var format: String
        var accepted: Int, rejected: Int, duplicates: Int
        var rejected_by_reason: [String: Int]
        var series: [String: Int]
        var skipped: [String: Int]
        var quarantine: String
        var notes: [Note]
        var records: Int, files: Int, bytes: Int
    }

    func validate() throws {
        if let timezone, TimeZone(identifier: timezone) == nil {
            throw ValidationError("--timezone: unknown time zone '\(timezone)'; expected an IANA name such as Europe/Berlin")
        }
    }

    func run() throws {
        let localStore = try storeOptions.open(create: true)
        // Re-importing the same content is recognised and skipped; overlapping content is merged
        // without duplicates by the store either way.
        let fingerprint: [UInt8]
        do { fingerprint = try SourceFingerprint.compute(path: path) } catch let error as StoreError {
            throw CommandFailure("cannot read \(path): \(error.message)")
        }
        if let previous = localStore.previousImport(fingerprint: fingerprint) {
            let message =
                "\(path) was already imported on \(previous.importedAt) (\(previous.accepted) measurements); nothing to do"
            if json {
                try Terminal.printJSON(
                    Output(
                        format: format.rawValue, accepted: 0, rejected: 0, duplicates: 0, rejected_by_reason: [:],
                        series: [:], skipped: [:], quarantine: "",
                        notes: [.init(kind: "already_imported", file: path, line: nil, message: message)],
                        records: 0, files: 0, bytes: 0))
            } else {
                print(message)
            }
            return
        }
        let storeURL = URL(fileURLWithPath: storeOptions.store, isDirectory: true)
        let quarantineURL = storeURL.appendingPathComponent("quarantine", isDirectory: true)
            .appendingPathComponent(Self.quarantineFileName(format: format))
        let importer = format.makeImporter(timeZone: timezone.flatMap(TimeZone.init(identifier:)))
        var sink = localStore.beginImport()
        let report: ImportReport
        do {
            report = try importer.run(URL(fileURLWithPath: path), into: &sink, quarantineURL: quarantineURL)
            try sink.commit(fingerprint: fingerprint, format: format.rawValue, accepted: report.accepted)
        } catch let error as ImportError {
            Self.removeIfEmpty(quarantineURL)
            throw CommandFailure("cannot import \(path) as \(format.rawValue): \(error.message)")
        } catch let error as StoreError {
            throw CommandFailure("cannot store the import of \(path): \(error.message)")
        }
        let output = Output(
            format: format.rawValue, accepted: report.accepted, rejected: report.rejected, duplicates: report.duplicates,
            rejected_by_reason: Dictionary(uniqueKeysWithValues: report.rejectedByReason.map { ($0.key.description, $0.value) }),
            series: Dictionary(uniqueKeysWithValues: report.series.map { ($0.key.rawValue, $0.value) }),
            skipped: Dictionary(uniqueKeysWithValues: report.skipped.map { ($0.key.description, $0.value) }),
            quarantine: quarantineURL.path,
            notes: report.notes.map { .init(kind: $0.kind.description, file: $0.file, line: $0.line, message: $0.message) },
            records: report.recordsRead, files: report.filesRead, bytes: report.bytesRead)
        if json {
            try Terminal.printJSON(output)
        } else {
            print(Self.summary(report, path: path, format: format, quarantine: quarantineURL.path))
        }
    }

    static func quarantineFileName(format: ImportFormat, now: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withTimeZone]
        let stamp = formatter.string(from: now).replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
        let suffix = UUID().uuidString.prefix(8).lowercased()
        return "import-\(format.rawValue)-\(stamp)-\(suffix).jsonl"
    }

    private static func removeIfEmpty(_ url: URL) {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue
        if size == 0 { try? FileManager.default.removeItem(at: url) }
    }

    static func summary(_ report: ImportReport, path: String, format: ImportFormat, quarantine: String) -> String {
        var lines = [
            "\(path) (\(format.rawValue)): \(report.accepted) measurement\(report.accepted == 1 ? "" : "s") accepted, \(report.rejected) rejected, \(report.duplicates) duplicates dropped"
        ]
        for quantity in Quantity.allCases {
            if let count = report.series[quantity] {
                lines.append("  \(quantity.rawValue.padding(toLength: 30, withPad: " ", startingAt: 0)) \(count)")
            }
        }
        if !report.rejectedByReason.isEmpty {
            let reasons = report.rejectedByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines.append("rejected by reason: " + reasons.joined(separator: ", "))
        }
        if !report.skipped.isEmpty {
            let reasons = report.skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines.append("skipped: " + reasons.joined(separator: ", "))
        }
        lines.append("quarantine: \(quarantine)")
        lines += report.notes.map { "note: \($0)" }
        return lines.joined(separator: "\n")
    }
}
