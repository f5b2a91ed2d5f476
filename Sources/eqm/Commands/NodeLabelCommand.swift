import ArgumentParser
import EQMClient
import EQMCore
import Foundation

struct NodeLabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Record self-reported states: one interval, or a CSV file of start,end,label.",
        discussion: """
            Times are ISO-8601 with an offset (2024-05-01T08:30:00+02:00) or Unix seconds. Labels: \
            \(EmotionLabel.allCases.map(\.rawValue).joined(separator: ", ")). Labels are stored encrypted in the node's store; \
            repeats of a stored interval are ignored.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "Start of the interval.") var start: String?
    @Option(help: "End of the interval.") var end: String?
    @Option(help: "The state.") var label: String?
    @Option(help: "A CSV file of start,end,label lines instead of one interval.") var csv: String?
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        var added: Int, rejected: Int, rejected_lines: [RejectedLine], total: Int
        struct RejectedLine: Encodable { var line: Int, reason: String }
    }

    func validate() throws {
        let single = start != nil || end != nil || label != nil
        guard single != (csv != nil) else { throw ValidationError("give either --csv FILE or all of --start, --end and --label") }
        if single && (start == nil || end == nil || label == nil) {
            throw ValidationError("--start, --end and --label go together")
        }
    }

    func run() throws {
        let parsed: LabelCSVParser.Result
        if let csv {
            guard let text = try? String(contentsOfFile: csv, encoding: .utf8) else {
                throw CommandFailure("cannot read \(csv) as UTF-8 text")
            }
            parsed = LabelCSVParser.parse(text, source: "csv")
        } else {
            parsed = LabelCSVParser.parse("\(start!),\(end!),\(label!)", source: "cli")
            if let problem = parsed.rejected.first { throw CommandFailure(problem.reason) }
        }
        let store = try storeOptions.open(create: true)
        let added: Int
        let total: Int
        do {
            added = try store.addLabels(parsed.intervals)
            total = try store.labels().count
        } catch {
            throw CommandFailure(error.message)
        }
        let result = Result(
            added: added, rejected: parsed.rejected.count,
            rejected_lines: parsed.rejected.map { .init(line: $0.line, reason: $0.reason) }, total: total)
        if json {
            try Terminal.printJSON(result)
        } else {
            print("\(added) label interval(s) added, \(parsed.rejected.count) rejected; \(total) in the store")
            for line in result.rejected_lines { Terminal.note("  line \(line.line): \(line.reason)") }
        }
    }
}
