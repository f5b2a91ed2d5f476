public import Foundation

/// Imports Oura API v2 JSON documents (`{"data": [...], "next_token": …}` as the
/// `/v2/usercollection/…` endpoints return them, or a bare array of their records), from a file or a
/// folder of `.json` files. Each record's collection is recognised by its fields.
///
/// | collection | field | quantity | unit, time |
/// |---|---|---|---|
/// | `heartrate` | `bpm` | ``Quantity/heartRate`` | bpm at `timestamp` (UTC); `source` (awake, rest, sleep…) kept as `Oura (source)` |
/// | `sleep` | `heart_rate.items[i]` | ``Quantity/heartRate`` | bpm at `heart_rate.timestamp + i·interval` |
/// | `sleep` | `hrv.items[i]` | ``Quantity/heartRateVariabilityRMSSD`` | ms (Oura's HRV is rMSSD-based), interval `[t, t + interval]` |
/// | `sleep` | `average_breath` | ``Quantity/respiratoryRate`` | breaths/min over `[bedtime_start, bedtime_end]` |
/// | `sleep` | `lowest_heart_rate` | ``Quantity/restingHeartRate`` | bpm over the sleep period (Oura's resting heart rate) |
/// | `daily_readiness` | `temperature_deviation` | ``Quantity/skinTemperatureDeviation`` | °C at `timestamp` (or `day` 00:00 UTC), for one day |
///
/// Times must carry an offset (Oura writes `Z` or `±HH:MM`); zone-less ones are rejected. `null`
/// items in a series are missing samples (counted as skipped, not rejected). Not imported:
/// `average_hrv` and `average_heart_rate` (summaries of the item series), `temperature_trend_deviation`
/// (a trend), contributor scores (1–100 scores, not measurements); records of other collections are
/// counted as skipped.
public struct OuraImporter: Importer {
    /// Creates an importer.
    public init() {}

    /// The format this importer reads.
    public var format: ImportFormat { .oura }

    /// Reads an Oura JSON document, or every `.json` file in a folder.
    public func read(_ url: URL, into session: inout ImportSession) throws {
        let files = try InputFiles.files(at: url)
        let documents = files.filter { $0.pathExtension.lowercased() == "json" }
        session.skip(.unsupportedFile, count: files.count - documents.count)
        guard !documents.isEmpty else {
            throw ImportError.unrecognizedInput("expected Oura API v2 JSON documents (.json) at \(url.path), found none")
        }
        var recognized = 0
        var firstProblem: String?
        for file in documents {
            let reader: ByteReader
            do {
                reader = try ByteReader(path: file.path)
            } catch let error as ImportError {
                session.note(.init(kind: .unreadable, file: file.path, message: error.message))
                continue
            }
            var times = TimeReader(zone: nil)
            let outcome = try JSONDocument.forEachRecord(reader, member: "data", session: &session) { session, record, location in
                try Self.record(record, location: location, times: &times, session: &session)
            }
            session.countFile(bytes: reader.bytesRead)
            switch outcome {
            case .read:
                recognized += 1
            case .memberMissing:
                firstProblem = firstProblem ?? "\(file.path) is a JSON object without a data array"
                session.skip(.unsupportedFile)
            case .unrecognized(let message):
                firstProblem = firstProblem ?? "\(file.path): \(message)"
                if documents.count == 1 { break }
                try session.reject(.malformed, at: RecordLocation(file: file.path, line: 1), detail: message)
                session.note(.init(kind: .incomplete, file: file.path, line: 1, message: "no records read: \(message)"))
            }
        }
        guard recognized > 0 else {
            throw ImportError.unrecognizedInput(
                "expected Oura API v2 JSON (an object with a data array, or an array of records), found none: \(firstProblem ?? "no readable document")"
            )
        }
    }

    private static func record(
        _ record: JSONValue, location: RecordLocation, times: inout TimeReader,
        session: inout ImportSession
    ) throws {
        guard try session.requireObject(record, at: location) else { return }
        if record["bpm"] != nil {
            guard
                let timestamp = try session.requireString(
                    record["timestamp"], field: "timestamp", quantity: .heartRate,
                    at: location.appending("timestamp")),
                let time = try session.requireTime(
                    timestamp, field: "timestamp", layout: .iso, times: &times,
                    quantity: .heartRate, at: location.appending("timestamp")),
                let bpm = try session.requireNumber(
                    record["bpm"], field: "bpm", quantity: .heartRate,
                    at: location.appending("bpm"))
            else { return }
            var source = "Oura"
            if case .string(let context)? = record["source"], !context.isEmpty { source = "Oura (\(context))" }
            try session.offer(
                Measurement(quantity: .heartRate, start: time, value: bpm, source: source),
                at: location.appending("bpm"))
        } else if record["bedtime_start"] != nil || record["hrv"] != nil || record["heart_rate"] != nil {
            try sleep(record, location: location, times: &times, session: &session)
        } else if record["temperature_deviation"] != nil {
            try readiness(record, location: location, times: &times, session: &session)
        } else {
            session.skip(.unsupportedType)
        }
    }

    private static func sleep(
        _ record: JSONValue, location: RecordLocation, times: inout TimeReader,
        session: inout ImportSession
    ) throws {
        for (member, quantity) in [("heart_rate", Quantity.heartRate), ("hrv", .heartRateVariabilityRMSSD)] {
            guard let series = record[member], series != .null else { continue }
            let seriesLocation = location.appending(member)
            guard case .object = series else {
                try session.reject(
                    .wrongType, at: seriesLocation, quantity: quantity,
                    detail: "expected an object with interval, items and timestamp in \(member), found \(series.typeDescription)")
                continue
            }
            guard
                let timestamp = try session.requireString(
                    series["timestamp"], field: "\(member).timestamp",
                    quantity: quantity, at: seriesLocation.appending("timestamp")),
                let start = try session.requireTime(
                    timestamp, field: "\(member).timestamp", layout: .iso, times: &times,
                    quantity: quantity, at: seriesLocation.appending("timestamp")),
                let interval = try session.requireNumber(
                    series["interval"], field: "\(member).interval",
                    quantity: quantity, at: seriesLocation.appending("interval"))
            else { continue }
            guard interval.isFinite, interval > 0 else {
                try session.reject(
                    .outOfRange, at: seriesLocation.appending("interval"), quantity: quantity,
                    detail: "expected a positive sample interval in \(member).interval")
                continue
            }
            guard case .array(let items)? = series["items"] else {
                try session.reject(
                    series["items"] == nil ? .missingField : .wrongType, at: seriesLocation.appending("items"),
                    quantity: quantity,
                    detail: "expected an array in \(member).items, found \(series["items"]?.typeDescription ?? "none")")
                continue
            }
            for (index, item) in items.enumerated() {
                let itemLocation = seriesLocation.appending("items[\(index)]")
                switch item {
                case .null:
                    session.skip(.missingSample)
                case .number(let value):
                    let time = start + Double(index) * interval
                    let end: Double? = quantity == .heartRateVariabilityRMSSD ? time + interval : nil
                    try session.offer(
                        Measurement(quantity: quantity, start: time, end: end, value: value, source: "Oura"),
                        at: itemLocation)
                default:
                    try session.reject(
                        .wrongType, at: itemLocation, quantity: quantity,
                        detail: "expected a number or null in \(member).items, found \(item.typeDescription)")
                }
            }
        }
        // Per-period summaries that the item series do not already hold.
        let summaries: [(String, Quantity)] = [("average_breath", .respiratoryRate), ("lowest_heart_rate", .restingHeartRate)]
        let present = summaries.filter { record[$0.0] != nil && record[$0.0] != .null }
        guard !present.isEmpty else { return }
        guard
            let bedtimeStart = try session.requireString(
                record["bedtime_start"], field: "bedtime_start",
                quantity: present[0].1, at: location.appending("bedtime_start")),
            let start = try session.requireTime(
                bedtimeStart, field: "bedtime_start", layout: .iso, times: &times,
                quantity: present[0].1, at: location.appending("bedtime_start"))
        else { return }
        var end: Double?
        if case .string(let bedtimeEnd)? = record["bedtime_end"] {
            guard
                let parsed = try session.requireTime(
                    bedtimeEnd, field: "bedtime_end", layout: .iso, times: &times,
                    quantity: present[0].1, at: location.appending("bedtime_end"))
            else { return }
            end = parsed
        }
        for (member, quantity) in present {
            guard
                let value = try session.requireNumber(
                    record[member], field: member, quantity: quantity,
                    at: location.appending(member))
            else { continue }
            try session.offer(
                Measurement(quantity: quantity, start: start, end: end, value: value, source: "Oura"),
                at: location.appending(member))
        }
    }

    private static func readiness(
        _ record: JSONValue, location: RecordLocation, times: inout TimeReader,
        session: inout ImportSession
    ) throws {
        let quantity = Quantity.skinTemperatureDeviation
        guard let deviation = record["temperature_deviation"], deviation != .null else {
            session.skip(.missingSample)
            return
        }
        let start: Double
        if case .string(let timestamp)? = record["timestamp"] {
            guard
                let parsed = try session.requireTime(
                    timestamp, field: "timestamp", layout: .iso, times: &times,
                    quantity: quantity, at: location.appending("timestamp"))
            else { return }
            start = parsed
        } else {
            // A date alone: the day's start in UTC.
            var utc = TimeReader(zone: TimeZone(identifier: "UTC"))
            guard
                let day = try session.requireString(
                    record["day"], field: "day", quantity: quantity,
                    at: location.appending("day")),
                let parsed = try session.requireTime(
                    day, field: "day", layout: .iso, times: &utc, quantity: quantity,
                    at: location.appending("day"))
            else { return }
            start = parsed
        }
        guard
            let value = try session.requireNumber(
                deviation, field: "temperature_deviation", quantity: quantity,
                at: location.appending("temperature_deviation"))
        else { return }
        try session.offer(
            Measurement(quantity: quantity, start: start, end: start + 86_400, value: value, source: "Oura"),
            at: location.appending("temperature_deviation"))
    }
}
