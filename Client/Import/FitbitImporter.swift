public import Foundation

/// Imports Fitbit data from a Google Takeout folder (`Takeout/Fitbit/…`, or any folder or single file
/// of it), streaming each file.
///
/// | file (any folder) | columns / fields | quantity | unit, time |
/// |---|---|---|---|
/// | `heart_rate-YYYY-MM-DD.json` | `[{dateTime, value: {bpm, confidence}}]` | ``Quantity/heartRate`` | bpm; `MM/DD/YY HH:MM:SS`, zone-less |
/// | `resting_heart_rate-*.json` | `[{dateTime, value: {date, value, error}}]` | ``Quantity/restingHeartRate`` | bpm; `value.date` null or `value.value` 0 → `sensor_placeholder` |
/// | `heart_rate_YYYY-MM-DD.csv` (Physical Activity_GoogleData) | `timestamp, beats per minute, data source` | ``Quantity/heartRate`` | bpm; ISO with `Z` |
/// | `Heart Rate Variability Details - *.csv` | `timestamp, rmssd, …` | ``Quantity/heartRateVariabilityRMSSD`` | ms; 5-minute windows (`end` = +300 s); zone-less ISO |
/// | `Daily Heart Rate Variability Summary - *.csv` | `timestamp, rmssd, …` | ``Quantity/heartRateVariabilityRMSSD`` | ms; nightly value; zone-less ISO |
/// | `Daily Respiratory Rate Summary - *.csv` | `timestamp, daily_respiratory_rate` | ``Quantity/respiratoryRate`` | breaths/min |
/// | `Minute SpO2 - *.csv` | `timestamp, value` | ``Quantity/oxygenSaturation`` | %; 50.0 is the device's invalid floor → `sensor_placeholder` |
/// | `Daily SpO2 - *.csv` | `timestamp, average_value, …` | ``Quantity/oxygenSaturation`` | %; same floor rule |
/// | `Computed Temperature - *.csv` | `sleep_start, sleep_end, nightly_temperature, …` | ``Quantity/skinTemperature`` | °C over the sleep span |
/// | `Device Temperature - *.csv` | `recorded_time, temperature` | ``Quantity/skinTemperature`` | °C (columns unverified) |
/// | `Wrist Temperature - *.csv` | `recorded_time, temperature` | ``Quantity/skinTemperatureDeviation`` | °C relative to baseline (unverified) |
///
/// Times without an offset are wall-clock times in ``timeZone`` (UTC when none is given, with a note
/// in the report: public descriptions disagree on whether they are local or UTC, so pass the zone the
/// account was set to). `confidence` is not kept (``Measurement`` has no field for it); the HRV
/// files' `coverage`, `low_frequency`, `high_frequency` and the summary's `nremhr`, `entropy` are not
/// imported. `Stress Score.csv` is skipped on purpose: Fitbit's score rises as stress falls, the
/// opposite of ``Quantity/stressScore``. Other files (steps, sleep, calories…) are counted as skipped.
/// Files are read ordered by the day in their names, so that the JSON and CSV copies of one day's
/// heart rate meet within the duplicate filter's window.
public struct FitbitImporter: Importer {
    /// Zone of times written without an offset; `nil` reads them as UTC.
    public var timeZone: TimeZone?

    /// Creates an importer.
    public init(timeZone: TimeZone? = nil) {
        self.timeZone = timeZone
    }

    /// The format this importer reads.
    public var format: ImportFormat { .fitbit }

    enum FileKind: Int, CaseIterable {
        case heartRateJSON, heartRateCSV, restingHeartRateJSON, heartRateVariabilityDetails, heartRateVariabilitySummary
        case respiratoryRateSummary, minuteSpO2, dailySpO2, computedTemperature, deviceTemperature, wristTemperature

        init?(fileName name: String) {
            let lower = name.lowercased()
            if lower.hasPrefix("heart_rate-") && lower.hasSuffix(".json") {
                self = .heartRateJSON
            } else if lower.hasPrefix("resting_heart_rate-") && lower.hasSuffix(".json") {
                self = .restingHeartRateJSON
            } else if lower.hasPrefix("heart_rate_"), lower.hasSuffix(".csv"),
                lower.dropFirst("heart_rate_".count).first?.isNumber == true
            {
                self = .heartRateCSV
            } else if lower.hasSuffix(".csv") {
                let prefixes: [(String, FileKind)] = [
                    ("heart rate variability details", .heartRateVariabilityDetails),
                    ("daily heart rate variability summary", .heartRateVariabilitySummary),
                    ("daily respiratory rate summary", .respiratoryRateSummary),
                    ("minute spo2", .minuteSpO2),
                    ("daily spo2", .dailySpO2),
                    ("computed temperature", .computedTemperature),
                    ("device temperature", .deviceTemperature),
                    ("wrist temperature", .wristTemperature),
                ]
                guard let kind = prefixes.first(where: { lower.hasPrefix($0.0) })?.1 else { return nil }
                self = kind
            } else {
                return nil
            }
        }

        /// Whether the file's times carry no offset.
        var isZoneless: Bool { self != .heartRateCSV && self != .minuteSpO2 && self != .dailySpO2 }
    }

    /// Reads a Takeout `Fitbit` folder (any folder of its files) or one file, in day order.
    public func read(_ url: URL, into session: inout ImportSession) throws {
        let files = try InputFiles.files(at: url)
        var recognized: [(url: URL, kind: FileKind, day: String)] = []
        for file in files {
            guard let kind = FileKind(fileName: file.lastPathComponent) else {
                session.skip(.unsupportedFile)
                continue
            }
            recognized.append((file, kind, InputFiles.day(inName: file.lastPathComponent) ?? "9999"))
        }
        guard !recognized.isEmpty else {
            throw ImportError.unrecognizedInput(
                "expected Fitbit Takeout files (heart_rate-YYYY-MM-DD.json, Heart Rate Variability Details - … .csv, Minute SpO2 - … .csv, …) at \(url.path), found none"
            )
        }
        recognized.sort { ($0.day, $0.kind.rawValue, $0.url.path) < ($1.day, $1.kind.rawValue, $1.url.path) }
        if timeZone == nil, let first = recognized.first(where: { $0.kind.isZoneless }) {
            session.note(
                .init(
                    kind: .assumption, file: first.url.path,
                    message: "times without a UTC offset were read as UTC; pass a time zone (IANA name) if they are local"))
        }
        var times = TimeReader(zone: timeZone ?? TimeZone(identifier: "UTC")!)
        var readable = 0
        for file in recognized {
            let reader: ByteReader
            do {
                reader = try ByteReader(path: file.url.path)
            } catch let error as ImportError {
                session.note(.init(kind: .unreadable, file: file.url.path, message: error.message))
                continue
            }
            readable += 1
            do {
                switch file.kind {
                case .heartRateJSON, .restingHeartRateJSON:
                    try readJSON(reader, kind: file.kind, times: &times, session: &session)
                default:
                    try reader.skipByteOrderMark()
                    try readCSV(reader, kind: file.kind, times: &times, session: &session)
                }
            } catch let error as ImportError where error.code == .unreadableInput {
                session.note(.init(kind: .unreadable, file: file.url.path, message: error.message))
            }
            session.countFile(bytes: reader.bytesRead)
        }
        guard readable > 0 else {
            throw ImportError.unreadableInput("none of the \(recognized.count) Fitbit files at \(url.path) could be opened")
        }
    }

    // MARK: JSON

    private func readJSON(_ reader: ByteReader, kind: FileKind, times: inout TimeReader, session: inout ImportSession) throws {
        let outcome = try JSONDocument.forEachRecord(reader, member: nil, session: &session) { session, record, location in
            guard try session.requireObject(record, at: location) else { return }
            let quantity: Quantity = kind == .heartRateJSON ? .heartRate : .restingHeartRate
            guard
                let dateTime = try session.requireString(record["dateTime"], field: "dateTime", quantity: quantity, at: location),
                let time = try session.requireTime(
                    dateTime, field: "dateTime", layout: .fitbit, times: &times,
                    quantity: quantity, at: location)
            else { return }
            guard let value = record["value"], case .object = value else {
                let found = record["value"]
                try session.reject(
                    found == nil || found == .null ? .missingField : .wrongType, at: location.appending("value"),
                    quantity: quantity, detail: "expected an object in value, found \(found?.typeDescription ?? "none")")
                return
            }
            if kind == .heartRateJSON {
                guard
                    let bpm = try session.requireNumber(
                        value["bpm"], field: "value.bpm", quantity: quantity,
                        at: location.appending("value.bpm"))
                else { return }
                try session.offer(
                    Measurement(quantity: .heartRate, start: time, value: bpm, source: "Fitbit"),
                    at: location.appending("value.bpm"))
            } else {
                // Placeholder days carry a null date or a zero value.
                let rate = value["value"]
                if value["date"] == nil || value["date"] == .null || rate == .number(0) {
                    try session.reject(
                        .sensorPlaceholder, at: location.appending("value"), quantity: quantity,
                        detail: "expected a resting heart rate with its date, found a placeholder entry")
                    return
                }
                guard
                    let bpm = try session.requireNumber(
                        rate, field: "value.value", quantity: quantity,
                        at: location.appending("value.value"))
                else { return }
                try session.offer(
                    Measurement(quantity: .restingHeartRate, start: time, value: bpm, source: "Fitbit"),
                    at: location.appending("value.value"))
            }
        }
        if case .unrecognized(let message) = outcome {
            try session.reject(.malformed, at: RecordLocation(file: reader.path, line: 1), detail: message)
            session.note(.init(kind: .incomplete, file: reader.path, line: 1, message: "no records read: \(message)"))
        }
    }

    // MARK: CSV

    private struct Columns {
        var time: Int
        var timeName: String
        var end: Int?
        var value: Int
        var valueName: String
        var source: Int?
    }

    private func readCSV(_ reader: ByteReader, kind: FileKind, times: inout TimeReader, session: inout ImportSession) throws {
        let (timeName, endName, valueName, quantity): (String, String?, String, Quantity) =
            switch kind {
            case .heartRateCSV: ("timestamp", nil, "beats per minute", .heartRate)
            case .heartRateVariabilityDetails, .heartRateVariabilitySummary:
                ("timestamp", nil, "rmssd", .heartRateVariabilityRMSSD)
            case .respiratoryRateSummary: ("timestamp", nil, "daily_respiratory_rate", .respiratoryRate)
            case .minuteSpO2: ("timestamp", nil, "value", .oxygenSaturation)
            case .dailySpO2: ("timestamp", nil, "average_value", .oxygenSaturation)
            case .computedTemperature: ("sleep_start", "sleep_end", "nightly_temperature", .skinTemperature)
            case .deviceTemperature: ("recorded_time", nil, "temperature", .skinTemperature)
            case .wristTemperature: ("recorded_time", nil, "temperature", .skinTemperatureDeviation)
            case .heartRateJSON, .restingHeartRateJSON: ("", nil, "", .heartRate)
            }
        try CSVFile.read(
            reader, session: &session,
            columns: { (header: CSVHeader) -> Result<Columns, CSVFile.HeaderProblem> in
                let missing = [timeName, valueName].filter { header.column($0) == nil }
                guard missing.isEmpty, let time = header.column(timeName), let value = header.column(valueName) else {
                    return .failure(.missing(missing, in: "a Fitbit \(quantity.displayName) file"))
                }
                return .success(
                    Columns(
                        time: time, timeName: timeName, end: endName.flatMap { header.column($0) }, value: value,
                        valueName: valueName, source: header.column("data source")))
            },
            row: { session, columns, fields, location in
                let valueLocation = location.column(columns.valueName)
                guard
                    let start = try session.requireTime(
                        fields.field(columns.time), field: columns.timeName, layout: .iso,
                        times: &times, quantity: quantity, at: location.column(columns.timeName)),
                    let value = try session.requireNumber(
                        fields.field(columns.value), field: columns.valueName,
                        quantity: quantity, at: valueLocation)
                else { return }
                var end: Double?
                if kind == .heartRateVariabilityDetails {
                    end = start + 300
                } else if let endColumn = columns.end, !fields.field(endColumn).isEmpty {
                    guard
                        let parsed = try session.requireTime(
                            fields.field(endColumn), field: endName ?? "end", layout: .iso,
                            times: &times, quantity: quantity, at: location.column(endName ?? "end"))
                    else { return }
                    end = parsed
                }
                if quantity == .oxygenSaturation, value == 50 {
                    try session.reject(
                        .sensorPlaceholder, at: valueLocation, quantity: quantity,
                        detail: "expected an SpO2 reading, found Fitbit's invalid-reading floor of 50 %")
                    return
                }
                let source = columns.source.map { fields.field($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "Fitbit"
                try session.offer(
                    Measurement(quantity: quantity, start: start, end: end, value: value, source: source),
                    at: valueLocation)
            })
    }
}
