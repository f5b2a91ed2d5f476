import ArgumentParser
import EQMClient
import EQMCore
import Foundation

struct BenchImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import throughput (MB/s, records/s) and peak memory on a generated Apple Health export.xml.",
        discussion: """
            Generates a realistic export.xml of the requested size (records grouped by type as Apple writes them: \
            heart rate with metadata, steps, energy and distance, HRV with ~50-beat lists, SpO2 fractions, \
            respiratory rate, resting heart rate, wrist temperature, sleep stages, blood-pressure correlations, \
            a few out-of-range values and exact duplicates), then imports it with validation, duplicate removal and \
            a quarantine file, into a counting sink (the encrypted store is not part of this figure). Reports wall \
            time and CPU time of the import alone, MB/s, records/s and the peak resident memory (VmHWM, reset after generation \
            where the kernel allows). The file is read from the page cache after being written. Build with -c release.
            """
    )

    @Option(help: "The format to generate and import (apple-health only).", transform: ImportFormat.argument)
    var format: ImportFormat = .appleHealth
    @Option(
        name: .customLong("size-mb"), help: "Size of the generated export in MB (10^6 bytes); use ≥ 1000 for the reference run.")
    var sizeMB: Int = 64
    @Option(help: "Folder for the generated export (default: a new temporary folder).") var directory: String?
    @Flag(help: "Keep the generated export and quarantine.") var keep = false
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        var format: String, file_mb: Double, records: Int, seconds: Double, mb_per_second: Double
        var records_per_second: Double, measurements_per_second: Double, accepted: Int, rejected: Int, duplicates: Int
        var skipped: Int, peak_rss_mb: Double, peak_rss_reset: Bool, generation_seconds: Double, threads: Int, build: String
        var cpu_seconds: Double, mb_per_cpu_second: Double
    }

    func validate() throws {
        guard format == .appleHealth else {
            throw ValidationError("--format: only apple-health exports are generated for this benchmark")
        }
        guard (1...65_536).contains(sizeMB) else { throw ValidationError("--size-mb must be in 1...65536") }
    }

    func run() throws {
        let folder =
            directory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("eqm-bench-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let exportURL = folder.appendingPathComponent("export.xml")
        let quarantineURL = folder.appendingPathComponent("quarantine.jsonl")
        defer {
            if !keep {
                try? FileManager.default.removeItem(at: exportURL)
                try? FileManager.default.removeItem(at: quarantineURL)
                if directory == nil { try? FileManager.default.removeItem(at: folder) }
            }
        }
        let clock = ContinuousClock()
        let generationStart = clock.now
        var generator = AppleHealthExportGenerator(seed: 11)
        let generated = try generator.write(to: exportURL, targetBytes: sizeMB * 1_000_000) { written in
            Terminal.progress("bench import: generating export.xml \(written / 1_000_000)/\(sizeMB) MB")
        }
        let generationSeconds = (clock.now - generationStart).seconds
        Terminal.progress("bench import: importing \(generated.bytes / 1_000_000) MB")
        let reset = PeakMemory.reset()
        var sink = CountingMeasurementSink()
        let cpuStart = Self.processCPUSeconds()
        let start = clock.now
        let report = try AppleHealthImporter().run(exportURL, into: &sink, quarantineURL: quarantineURL)
        let seconds = (clock.now - start).seconds
        let cpuSeconds = Self.processCPUSeconds() - cpuStart
        Terminal.endProgress()
        let megabytes = Double(generated.bytes) / 1e6
        #if DEBUG
            let build = "debug"
        #else
            let build = "release"
        #endif
        let result = Result(
            format: format.rawValue, file_mb: round1(megabytes), records: report.recordsRead, seconds: round2(seconds),
            mb_per_second: round1(megabytes / seconds), records_per_second: (Double(report.recordsRead) / seconds).rounded(),
            measurements_per_second: (Double(report.accepted) / seconds).rounded(), accepted: report.accepted,
            rejected: report.rejected, duplicates: report.duplicates, skipped: report.skipped.values.reduce(0, +),
            peak_rss_mb: round1(Double(PeakMemory.highWaterMarkKilobytes() ?? 0) / 1024), peak_rss_reset: reset,
            generation_seconds: round2(generationSeconds), threads: 1, build: build, cpu_seconds: round2(cpuSeconds),
            mb_per_cpu_second: round1(megabytes / cpuSeconds))
        if json {
            try Terminal.printJSON(result)
        } else {
            print(
                """
                apple-health import of \(result.file_mb) MB (\(result.records) records): \(result.seconds) s, \
                \(result.mb_per_second) MB/s (\(result.mb_per_cpu_second) MB per CPU second), \(Int(result.records_per_second)) records/s, \
                peak RSS \(result.peak_rss_mb) MB (\(build) build, 1 thread)
                """)
        }
    }

    /// CPU time of this process (user + system), which a busy shared machine disturbs less than wall time.
    private static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    private func round1(_ value: Double) -> Double { (value * 10).rounded() / 10 }
    private func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}

/// The process's resident-memory high-water mark, from /proc (Linux).
enum PeakMemory {
    /// VmHWM in kilobytes, or `nil` where /proc is unavailable.
    static func highWaterMarkKilobytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }

    /// Resets the high-water mark to the current RSS (writes 5 to /proc/self/clear_refs); `false` when not allowed.
    static func reset() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }
}

/// Writes a synthetic Apple Health export with the structure and proportions of a real one.
private struct AppleHealthExportGenerator {
    private var random: SeededGenerator
    private var buffer: [UInt8] = []

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
        buffer.reserveCapacity(9 << 20)
    }

    private enum Kind: CaseIterable {
        case heartRate, stepCount, activeEnergy, distance, basalEnergy, heartRateVariability, respiratoryRate
        case oxygenSaturation, restingHeartRate, wristTemperature, sleep, bloodPressure

        /// Share of the file's bytes, roughly as in real watch-wearer exports.
        var share: Double {
            switch self {
            case .heartRate: 0.42
            case .stepCount: 0.12
            case .activeEnergy: 0.14
            case .distance: 0.07
            case .basalEnergy: 0.08
            case .heartRateVariability: 0.06
            case .respiratoryRate: 0.03
            case .oxygenSaturation: 0.02
            case .restingHeartRate: 0.005
            case .wristTemperature: 0.003
            case .sleep: 0.03
            case .bloodPressure: 0.012
            }
        }

        /// Mean seconds between the first two records (later ones spread over the file's time span).
        var cadence: Double {
            switch self {
            case .heartRate: 300
            case .stepCount, .activeEnergy, .distance: 600
            case .basalEnergy: 900
            case .heartRateVariability: 7200
            case .respiratoryRate: 1800
            case .oxygenSaturation: 3600
            case .restingHeartRate, .wristTemperature: 86_400
            case .sleep: 3600
            case .bloodPressure: 86_400 * 3
            }
        }
    }

    private static let watch =
        "sourceName=\"Jane&#8217;s Apple Watch\" sourceVersion=\"10.1\" device=\"&lt;&lt;HKDevice: 0x283a5c8c0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2, software:10.1&gt;\""
    private static let phone =
        "sourceName=\"Jane&#8217;s iPhone\" sourceVersion=\"17.1\" device=\"&lt;&lt;HKDevice: 0x283a5d1a0&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone, hardware:iPhone14,5, software:17.1&gt;\""

    private static let header = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE HealthData [
        <!-- HealthKit Export Version: 14 -->
        <!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription)*)>
        <!ATTLIST HealthData locale CDATA #REQUIRED>
        <!ELEMENT ExportDate EMPTY>
        <!ATTLIST ExportDate value CDATA #REQUIRED>
        <!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
        <!ATTLIST Record type CDATA #REQUIRED unit CDATA #IMPLIED value CDATA #IMPLIED sourceName CDATA #REQUIRED sourceVersion CDATA #IMPLIED device CDATA #IMPLIED creationDate CDATA #IMPLIED startDate CDATA #REQUIRED endDate CDATA #REQUIRED>
        <!-- Note: Heart Rate Variability records captured by Apple Watch may include an associated list of instantaneous beats-per-minute readings. -->
        <!ELEMENT HeartRateVariabilityMetadataList (InstantaneousBeatsPerMinute*)>
        <!ELEMENT InstantaneousBeatsPerMinute EMPTY>
        <!ATTLIST InstantaneousBeatsPerMinute bpm CDATA #REQUIRED time CDATA #REQUIRED>
        ]>
        <HealthData locale="en_US">
         <ExportDate value="2024-06-01 08:10:05 +0200"/>
         <Me HKCharacteristicTypeIdentifierDateOfBirth="" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexNotSet" HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet" HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse="None"/>

        """

    /// Writes the export; returns its size and number of top-level records.
    mutating func write(to url: URL, targetBytes: Int, progress: (Int) -> Void) throws -> (bytes: Int, records: Int) {
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: url)
        else {
            throw CommandFailure("cannot create \(url.path)")
        }
        defer { try? handle.close() }
        var written = 0
        var records = 0
        func flush(force: Bool = false) throws {
            guard force || buffer.count >= 8 << 20 else { return }
            try handle.write(contentsOf: buffer)
            written += buffer.count
            buffer.removeAll(keepingCapacity: true)
            progress(written)
        }
        append(Self.header)
        let footer = "</HealthData>\n"
        let budget = max(0, targetBytes - Self.header.utf8.count - footer.utf8.count)
        for kind in Kind.allCases {
            let kindBudget = Int(Double(budget) * kind.share / Kind.allCases.reduce(0) { $0 + $1.share })
            let kindStart = written + buffer.count
            // Spread each type over 2015-01-01 … 2024-06-01 whatever the file size (denser for larger files),
            // so that nothing lands in the future.
            let first = 1_420_070_400.0, last = 1_717_200_000.0
            var time = first
            var step = kind.cadence
            var measured = false
            var previous = ""
            while written + buffer.count - kindStart < kindBudget {
                time += step * (0.5 + unit())
                records += record(kind, at: time, previous: &previous)
                if !measured {
                    measured = true
                    let recordBytes = Double(max(1, written + buffer.count - kindStart))
                    step = (last - first) * recordBytes / Double(max(1, kindBudget))
                }
                try flush()
            }
        }
        append(footer)
        try flush(force: true)
        return (written, records)
    }

    private mutating func unit() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
    private mutating func integer(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(random.next() % UInt64(range.count))
    }

    private mutating func append(_ text: String) { buffer.append(contentsOf: text.utf8) }

    /// Appends one top-level element; returns how many top-level `Record`s it holds.
    private mutating func record(_ kind: Kind, at time: Double, previous: inout String) -> Int {
        switch kind {
        case .heartRate:
            // About 1 in 200 samples written twice, 1 in 5000 corrupt.
            if !previous.isEmpty, integer(0...199) == 0 {
                append(previous)
                return 1
            }
            let value = integer(0...4999) == 0 ? 400 : integer(48...150)
            let date = Self.date(time)
            var text =
                " <Record type=\"HKQuantityTypeIdentifierHeartRate\" \(Self.watch) unit=\"count/min\" creationDate=\"\(Self.date(time + 60))\" startDate=\"\(date)\" endDate=\"\(date)\" value=\"\(value)\""
            if integer(0...2) == 0 {
                text += "/>\n"
            } else {
                text +=
                    ">\n  <MetadataEntry key=\"HKMetadataKeyHeartRateMotionContext\" value=\"\(integer(0...2))\"/>\n </Record>\n"
            }
            append(text)
            previous = text
        case .stepCount:
            append(
                " <Record type=\"HKQuantityTypeIdentifierStepCount\" \(integer(0...1) == 0 ? Self.phone : Self.watch) unit=\"count\" creationDate=\"\(Self.date(time + 700))\" startDate=\"\(Self.date(time))\" endDate=\"\(Self.date(time + 540))\" value=\"\(integer(5...900))\"/>\n"
            )
        case .activeEnergy, .basalEnergy, .distance:
            let (type, unit, value): (String, String, String) =
                switch kind {
                case .activeEnergy: ("ActiveEnergyBurned", "kcal", "0.\(integer(100...999))")
                case .basalEnergy: ("BasalEnergyBurned", "kcal", "1.\(integer(100...999))")
                default: ("DistanceWalkingRunning", "km", "0.0\(integer(10...99))")
                }
            append(
                " <Record type=\"HKQuantityTypeIdentifier\(type)\" \(Self.watch) unit=\"\(unit)\" creationDate=\"\(Self.date(time + 700))\" startDate=\"\(Self.date(time))\" endDate=\"\(Self.date(time + 60))\" value=\"\(value)\"/>\n"
            )
        case .heartRateVariability:
            let beats = integer(40...60)
            append(
                " <Record type=\"HKQuantityTypeIdentifierHeartRateVariabilitySDNN\" \(Self.watch) unit=\"ms\" creationDate=\"\(Self.date(time + 64))\" startDate=\"\(Self.date(time))\" endDate=\"\(Self.date(time + 62))\" value=\"\(integer(15...110)).\(integer(1000...9999))\">\n  <HeartRateVariabilityMetadataList>\n"
            )
            var beat = time + 1
            for _ in 0..<beats {
                let bpm = integer(55...95)
                append("   <InstantaneousBeatsPerMinute bpm=\"\(bpm)\" time=\"\(Self.clock(beat))\"/>\n")
                beat += 60 / Double(bpm)
            }
            append("  </HeartRateVariabilityMetadataList>\n </Record>\n")
        case .respiratoryRate:
            append(
                " <Record type=\"HKQuantityTypeIdentifierRespiratoryRate\" \(Self.watch) unit=\"count/min\" creationDate=\"\(Self.date(time + 300))\" startDate=\"\(Self.date(time))\" endDate=\"\(Self.date(time + 120))\" value=\"\(integer(11...19)).5\"/>\n"
            )
        case .oxygenSaturation:
            append(
                " <Record type=\"HKQuantityTypeIdentifierOxygenSaturation\" sourceName=\"Blood Oxygen\" sourceVersion=\"1\" unit=\"%\" creationDate=\"\(Self.date(time))\" startDate=\"\(Self.date(time))\" endDate=\"\(Self.date(time))\" value=\"0.\(integer(92...99))\">\n  <MetadataEntry key=\"HKMetadataKeyBarometricPressure\" value=\"93.9474 kPa\"/>\n </Record>\n"
            )
        case .restingHeartRate:
            append(
                " <Record type=\"HKQuantityTypeIdentifierRestingHeartRate\" \(Self.watch) unit=\"count/min\" creationDate=\"\(Self.date(time))\" startDate=\"\(Self.date(time - 86_000))\" endDate=\"\(Self.date(time))\" value=\"\(integer(48...70))\"/>\n"
            )
        case .wristTemperature:
            append(
                " <Record type=\"HKQuantityTypeIdentifierAppleSleepingWristTemperature\" \(Self.watch) unit=\"degC\" creationDate=\"\(Self.date(time))\" startDate=\"\(Self.date(time - 25_000))\" endDate=\"\(Self.date(time))\" value=\"35.\(integer(1000...9999))\"/>\n"
            )
        case .sleep:
            append(
                " <Record type=\"HKCategoryTypeIdentifierSleepAnalysis\" \(Self.watch) creationDate=\"\(Self.date(time + 900))\" startDate=\"\(Self.date(time))\" endDate=\"\(Self.date(time + 870))\" value=\"HKCategoryValueSleepAnalysisAsleepCore\"/>\n"
            )
        case .bloodPressure:
            let date = Self.date(time)
            let source = "sourceName=\"Withings\" sourceVersion=\"6.2\""
            let systolic = integer(105...135), diastolic = integer(65...85)
            append(
                " <Correlation type=\"HKCorrelationTypeIdentifierBloodPressure\" \(source) creationDate=\"\(date)\" startDate=\"\(date)\" endDate=\"\(date)\">\n  <Record type=\"HKQuantityTypeIdentifierBloodPressureSystolic\" \(source) unit=\"mmHg\" creationDate=\"\(date)\" startDate=\"\(date)\" endDate=\"\(date)\" value=\"\(systolic)\"/>\n  <Record type=\"HKQuantityTypeIdentifierBloodPressureDiastolic\" \(source) unit=\"mmHg\" creationDate=\"\(date)\" startDate=\"\(date)\" endDate=\"\(date)\" value=\"\(diastolic)\"/>\n </Correlation>\n <Record type=\"HKQuantityTypeIdentifierBloodPressureSystolic\" \(source) unit=\"mmHg\" creationDate=\"\(date)\" startDate=\"\(date)\" endDate=\"\(date)\" value=\"\(systolic)\"/>\n <Record type=\"HKQuantityTypeIdentifierBloodPressureDiastolic\" \(source) unit=\"mmHg\" creationDate=\"\(date)\" startDate=\"\(date)\" endDate=\"\(date)\" value=\"\(diastolic)\"/>\n"
            )
            return 2
        }
        return 1
    }

    /// Central European offsets: +0200 from April to October, +0100 otherwise (DST changes inside the file).
    private static func offsetHours(_ time: Double) -> Int {
        let month = civil(time).month
        return (4...10).contains(month) ? 2 : 1
    }

    /// `yyyy-MM-dd HH:mm:ss ±HHMM` in the sample's local offset.
    private static func date(_ time: Double) -> String {
        let hours = offsetHours(time)
        let local = civil(time + Double(hours * 3600))
        return
            "\(pad(local.year, 4))-\(pad(local.month, 2))-\(pad(local.day, 2)) \(pad(local.seconds / 3600, 2)):\(pad(local.seconds / 60 % 60, 2)):\(pad(local.seconds % 60, 2)) +0\(hours)00"
    }

    /// A beat time as the en_US locale writes it: `4:17:18.57 pm`.
    private static func clock(_ time: Double) -> String {
        let local = time + Double(offsetHours(time) * 3600)
        let seconds = local - (local / 86_400).rounded(.down) * 86_400
        let whole = Int(seconds)
        let hour = whole / 3600
        let centiseconds = Int((seconds - Double(whole)) * 100)
        let hour12 = hour % 12 == 0 ? 12 : hour % 12
        return "\(hour12):\(pad(whole / 60 % 60, 2)):\(pad(whole % 60, 2)).\(pad(centiseconds, 2)) \(hour < 12 ? "am" : "pm")"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func civil(_ time: Double) -> (year: Int, month: Int, day: Int, seconds: Int) {
        let days = Int((time / 86_400).rounded(.down))
        let seconds = Int(time) - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day, seconds)
    }
}

/// A sink that only counts, so the import benchmark measures parsing and validation, not storage.
struct CountingMeasurementSink: MeasurementSink {
    private(set) var count = 0
    private(set) var batches = 0

    mutating func append(_ batch: [EQMClient.Measurement]) throws {
        count += batch.count
        batches += 1
    }
}
