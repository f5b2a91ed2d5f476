public import Foundation

/// Imports the generic JSON-lines format, one record per line:
/// `{"timestamp": "2024-06-01T08:00:00Z", "sensor_id": "wrist-1", "measurements": {"hr": 72, "acc": [0.01, -0.02, 0.98]}}`,
/// from a file or every `.jsonl`/`.ndjson`/`.json` file in a folder.
///
/// | key in `measurements` | quantity | unit |
/// |---|---|---|
/// | `hr` | ``Quantity/heartRate`` | bpm |
/// | `resting_hr` | ``Quantity/restingHeartRate`` | bpm |
/// | `hrv_rmssd` | ``Quantity/heartRateVariabilityRMSSD`` | ms |
/// | `hrv_sdnn` | ``Quantity/heartRateVariabilitySDNN`` | ms |
/// | `ibi` | ``Quantity/interBeatInterval`` | ms |
/// | `gsr`, `eda` | ``Quantity/electrodermalActivity`` | µS |
/// | `skin_temp` | ``Quantity/skinTemperature`` | °C |
/// | `body_temp` | ``Quantity/bodyTemperature`` | °C |
/// | `spo2` | ``Quantity/oxygenSaturation`` | % on the 0–100 scale (not Apple's fraction) |
/// | `resp_rate` | ``Quantity/respiratoryRate`` | breaths/min |
/// | `bvp` | ``Quantity/bloodVolumePulse`` | a.u. |
/// | `steps` | ``Quantity/stepCount`` | count |
/// | `stress` | ``Quantity/stressScore`` | 0–100 |
/// | `acc` | ``Quantity/accelerationX``/`Y`/`Z` | `[x, y, z]` in g, exactly three numbers |
///
/// Contract: `timestamp` is RFC 3339 with `Z` or an offset (zone-less times are rejected);
/// `sensor_id` is a non-empty string and becomes the measurement's `source`; `measurements` is an
/// object. A broken line (bad JSON, a missing timestamp or sensor) is rejected whole; a bad value
/// rejects only that value. `null` means missing (nothing to import); unknown keys are counted as
/// skipped; `NaN`/`Infinity` tokens are read and rejected as `not_finite`. Blank lines are ignored.
/// Exact duplicates are removed by the session; lines need not be in time order (the store orders).
public struct JSONLinesImporter: Importer {
    /// Creates an importer.
    public init() {}

    /// The format this importer reads.
    public var format: ImportFormat { .jsonl }

    static let fields: [String: Quantity] = [
        "hr": .heartRate, "resting_hr": .restingHeartRate, "hrv_rmssd": .heartRateVariabilityRMSSD,
        "hrv_sdnn": .heartRateVariabilitySDNN, "ibi": .interBeatInterval, "gsr": .electrodermalActivity,
        "eda": .electrodermalActivity, "skin_temp": .skinTemperature, "body_temp": .bodyTemperature,
        "spo2": .oxygenSaturation, "resp_rate": .respiratoryRate, "bvp": .bloodVolumePulse, "steps": .stepCount,
        "stress": .stressScore,
    ]

    /// Reads a JSON-lines file, or every `.jsonl`, `.ndjson` and `.json` file in a folder.
    public func read(_ url: URL, into session: inout ImportSession) throws {
        let directory = try InputFiles.isDirectory(url)
        let files = try InputFiles.files(at: url)
        let lineFiles = directory ? files.filter { ["jsonl", "ndjson", "json"].contains($0.pathExtension.lowercased()) } : files
        session.skip(.unsupportedFile, count: files.count - lineFiles.count)
        guard !lineFiles.isEmpty else {
            throw ImportError.unrecognizedInput("expected JSON-lines files (.jsonl, .ndjson) at \(url.path), found none")
        }
        var readable = 0
        for file in lineFiles {
            let reader: ByteReader
            do {
                reader = try ByteReader(path: file.path)
                try reader.skipByteOrderMark()
            } catch let error as ImportError {
                session.note(.init(kind: .unreadable, file: file.path, message: error.message))
                continue
            }
            readable += 1
            try readLines(reader, session: &session)
            session.countFile(bytes: reader.bytesRead)
        }
        guard readable > 0 else { throw ImportError.unreadableInput("none of the files at \(url.path) could be opened") }
    }

    private func readLines(_ reader: ByteReader, session: inout ImportSession) throws {
        let file = reader.path
        var times = TimeReader(zone: nil)
        var index = 0
        var lastSensor = ""
        while let result = try reader.nextLine() {
            let location: RecordLocation
            let value: JSONValue
            switch result {
            case .tooLong(let number):
                session.countRecord()
                try session.reject(
                    .malformed, at: RecordLocation(file: file, line: number, index: index),
                    detail: "expected a JSON object on one line of at most \(reader.maximumCapacity) bytes, found a longer line")
                index += 1
                continue
            case .line(let bytes, let number, let terminated):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                session.countRecord()
                location = RecordLocation(file: file, line: number, index: index)
                index += 1
                do {
                    value = try Self.parseLine(bytes)
                } catch let error as JSONStreamReader.SyntaxError {
                    if !terminated && error.isEndOfInput {
                        try session.reject(.truncated, at: location, detail: error.message)
                        session.note(
                            .init(
                                kind: .truncated, file: file, line: number,
                                message: "the last line is cut off; the lines before it were read"))
                    } else {
                        try session.reject(.malformed, at: location, detail: error.message)
                    }
                    continue
                }
            }
            guard try session.requireObject(value, at: location) else { continue }
            guard
                let timestamp = try session.requireString(
                    value["timestamp"], field: "timestamp", quantity: nil,
                    at: location.appending("timestamp")),
                let time = try session.requireTime(
                    timestamp, field: "timestamp", layout: .iso, times: &times,
                    quantity: nil, at: location.appending("timestamp")),
                let sensor = try session.requireString(
                    value["sensor_id"], field: "sensor_id", quantity: nil,
                    at: location.appending("sensor_id"))
            else { continue }
            guard !sensor.isEmpty else {
                try session.reject(
                    .missingField, at: location.appending("sensor_id"),
                    detail: "expected a non-empty sensor_id, found an empty string")
                continue
            }
            // Keep one copy of a repeated sensor name.
            if sensor != lastSensor { lastSensor = sensor }
            guard case .object(let measurements)? = value["measurements"] else {
                let found = value["measurements"]
                try session.reject(
                    found == nil || found == .null ? .missingField : .wrongType, at: location.appending("measurements"),
                    detail: "expected an object in measurements, found \(found?.typeDescription ?? "none")")
                continue
            }
            for (key, field) in measurements {
                let fieldLocation = location.appending("measurements.\(key)")
                if field == .null { continue }
                if key == "acc" {
                    guard case .array(let axes) = field, axes.count == 3 else {
                        try session.reject(
                            .wrongType, at: fieldLocation, quantity: .accelerationX,
                            detail: "expected acc as an array of exactly 3 numbers, found \(Self.describe(field))")
                        continue
                    }
                    for (axis, quantity) in zip(axes, [Quantity.accelerationX, .accelerationY, .accelerationZ]) {
                        guard case .number(let number) = axis else {
                            try session.reject(
                                .wrongType, at: fieldLocation, quantity: quantity,
                                detail: "expected acc as an array of exactly 3 numbers, found \(axis.typeDescription) in it")
                            continue
                        }
                        try session.offer(
                            Measurement(quantity: quantity, start: time, value: number, source: lastSensor),
                            at: fieldLocation)
                    }
                    continue
                }
                guard let quantity = Self.fields[key] else {
                    session.skip(.unknownField)
                    continue
                }
                guard case .number(let number) = field else {
                    try session.reject(
                        .wrongType, at: fieldLocation, quantity: quantity,
                        detail: "expected a number in measurements.\(key), found \(field.typeDescription)")
                    continue
                }
                try session.offer(
                    Measurement(quantity: quantity, start: time, value: number, source: lastSensor), at: fieldLocation)
            }
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        if case .array(let items) = value { return "an array of \(items.count)" }
        return value.typeDescription
    }

    /// Parses one line as a single JSON value with nothing after it.
    private static func parseLine(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        try JSONStreamReader.parseSingleValue(bytes)
    }
}
