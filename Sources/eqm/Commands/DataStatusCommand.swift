import ArgumentParser
import EQMClient
import Foundation

struct DataStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what the encrypted local store holds: samples per series, imports, labels."
    )

    @OptionGroup var storeOptions: StoreOptions
    @Flag(help: "Print one JSON object.") var json = false

    struct Output: Encodable {
        var series: [String: Int], imports: [ImportRecord], labels: [String: Int], label_intervals: Int
    }

    func run() throws {
        let store = try storeOptions.open(create: false)
        let labels: [LabelInterval]
        do { labels = try store.labels() } catch { throw CommandFailure(error.message) }
        let output = Output(
            series: store.seriesCounts, imports: store.imports,
            labels: Dictionary(grouping: labels, by: \.label.rawValue).mapValues(\.count), label_intervals: labels.count)
        if json {
            try Terminal.printJSON(output)
            return
        }
        print(
            "store \(storeOptions.store): \(output.series.values.reduce(0, +)) samples in \(output.series.count) series, \(labels.count) label intervals, \(output.imports.count) imports"
        )
        for (series, count) in output.series.sorted(by: { $0.key < $1.key }) {
            print("  \(series.padding(toLength: 30, withPad: " ", startingAt: 0)) \(count)")
        }
        for record in output.imports { print("  imported \(record.format) on \(record.importedAt): \(record.accepted) accepted") }
    }
}
