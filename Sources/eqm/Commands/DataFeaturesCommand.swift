import ArgumentParser
import EQMClient
import EQMCore
import Foundation

struct DataFeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Compute per-window physiological features from a file or folder, or from the encrypted store.",
        discussion: """
            Columns: start, end, \(WindowFeatures.names.joined(separator: ", ")). Units: bpm, ms, ms, %, ms², ms², ratio, µS, \
            count, µS, °C, °C/min, g, g, %, % (empty where a sensor is absent or covers less than half the window). \
            With --format and PATH the input is read directly (nothing is stored); without them the store's series are used \
            and the table is also saved, encrypted, in the store.
            """
    )

    @Option(
        help: "Input format when reading a file or folder: \(ImportFormat.allCases.map(\.rawValue).joined(separator: ", ")).",
        transform: ImportFormat.argument)
    var format: ImportFormat?
    @Argument(help: "The file or folder to read (omit to use the store).") var path: String?
    @Option(help: "Window length, seconds.") var window = 60.0
    @Option(help: "Step between window starts, seconds.") var step = 30.0
    @Option(help: "IANA time zone for inputs whose times carry no offset.") var timezone: String?
    @Flag(help: "Print CSV (the default).") var csv = false
    @Flag(help: "Print one JSON object instead of CSV.") var json = false
    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        guard (format == nil) == (path == nil) else {
            throw ValidationError("give --format and PATH together, or neither to use the store")
        }
        guard window >= 5 && window <= 3600, step > 0 && step <= 86_400 else {
            throw ValidationError("--window must be in 5...3600 seconds and --step positive")
        }
        guard !(csv && json) else { throw ValidationError("choose --csv or --json") }
    }

    struct Row: Encodable {
        var start: String, end: String
        var features: [String: Double]
    }

    func run() throws {
        var series = [Quantity: [StoredSample]]()
        var store: LocalStore?
        if let format, let path {
            var sink = InMemoryMeasurementSink()
            do {
                _ = try format.makeImporter(timeZone: timezone.flatMap(TimeZone.init(identifier:))).run(
                    URL(fileURLWithPath: path), into: &sink)
            } catch let error as ImportError {
                throw CommandFailure("cannot read \(path) as \(format.rawValue): \(error.message)")
            }
            for measurement in sink.measurements {
                series[measurement.quantity, default: []].append(
                    StoredSample(start: measurement.start, end: measurement.end, value: measurement.value))
            }
        } else {
            let opened = try storeOptions.open(create: false)
            for quantity in Quantity.allCases where opened.seriesCounts[quantity.rawValue] != nil {
                do { series[quantity] = try opened.samples(series: quantity.rawValue) } catch {
                    throw CommandFailure(error.message)
                }
            }
            store = opened
        }
        guard let span = SignalAssembler.span(of: series) else {
            throw CommandFailure("the input holds no time series to compute features from")
        }
        let rows: [(start: Double, end: Double, features: WindowFeatures)]
        do {
            let signals = try SignalAssembler.signals(from: series)
            rows = try FeatureExtractor().features(of: signals, from: span.start, to: span.end, window: window, step: step)
        } catch {
            throw CommandFailure("cannot compute features: \(error.message)")
        }
        let formatter = ISO8601DateFormatter()
        let table = rows.map { row in
            Row(
                start: formatter.string(from: Date(timeIntervalSince1970: row.start)),
                end: formatter.string(from: Date(timeIntervalSince1970: row.end)),
                features: Dictionary(
                    uniqueKeysWithValues: zip(WindowFeatures.names, row.features.values).compactMap { name, value in
                        value.map { (name, $0) }
                    }))
        }
        var text = "start,end," + WindowFeatures.names.joined(separator: ",") + "\n"
        for (row, raw) in zip(table, rows) {
            text +=
                row.start + "," + row.end + ","
                + raw.features.values.map { $0.map { String(format: "%.6g", $0) } ?? "" }.joined(separator: ",") + "\n"
        }
        if let store {
            do { try store.writeArtifact(name: "features-\(Int(window))s-\(Int(step))s", bytes: Array(text.utf8)) } catch {
                throw CommandFailure("cannot save the feature table: \(error.message)")
            }
        }
        if json {
            struct Output: Encodable { var window: Double, step: Double, rows: [Row] }
            try Terminal.printJSON(Output(window: window, step: step, rows: table))
        } else {
            print(text, terminator: "")
        }
    }
}
