public import Foundation

/// Imports Apple Health's `export.xml` ("Export All Health Data", unzipped), streaming.
///
/// | `Record type` (`HKQuantityTypeIdentifier…`) | quantity | units accepted → canonical |
/// |---|---|---|
/// | `HeartRate` | ``Quantity/heartRate`` | `count/min` ×1, `count/s` ×60, `Hz` ×60 → bpm |
/// | `RestingHeartRate` | ``Quantity/restingHeartRate`` | as heart rate |
/// | `HeartRateVariabilitySDNN` | ``Quantity/heartRateVariabilitySDNN`` | `ms` ×1, `s` ×1000 → ms |
/// | … its `InstantaneousBeatsPerMinute` beats | ``Quantity/interBeatInterval`` | 60 000 / `bpm` → ms |
/// | `RespiratoryRate` | ``Quantity/respiratoryRate`` | as heart rate → breaths/min |
/// | `OxygenSaturation` | ``Quantity/oxygenSaturation`` | `%` holds a fraction (`0.96`) ×100 → % |
/// | `AppleSleepingWristTemperature` | ``Quantity/skinTemperature`` | `degC`, `degF`, `K` → °C |
/// | `BodyTemperature` | ``Quantity/bodyTemperature`` | `degC`, `degF`, `K` → °C |
/// | `ElectrodermalActivity` | ``Quantity/electrodermalActivity`` | `S` ×10⁶, `mS` ×10³, `mcS`/`µS`/`uS` ×1 → µS |
/// | `StepCount` | ``Quantity/stepCount`` | `count` |
///
/// Times: `startDate`/`endDate` as `yyyy-MM-dd HH:mm:ss ±HHMM` with each record's own offset, or
/// ISO 8601 as some third-party writers put there; an ISO time without an offset uses ``timeZone``
/// and is rejected (`missing_time_zone`) when none is set. `end` is kept when it differs from `start`.
///
/// Decisions:
/// - Apple's sleeping wrist temperature is stored as an absolute temperature (the Health app shows
///   the difference from the wearer's baseline, the samples are degrees), so it maps to
///   ``Quantity/skinTemperature``, not to the deviation.
/// - HRV beats: each `InstantaneousBeatsPerMinute` is one beat; its `bpm` is converted to the
///   interval that ends at that beat (60 000 / bpm ms) because interval series are what HRV features
///   need. Apple rounds `bpm` to an integer, so the interval's resolution is about 60 000/bpm² ms
///   (4–10 ms at 100–60 bpm), finer than the E4's 15.6 ms. Beats are not also emitted as heart
///   rate: the heart-rate series keeps the watch's own samples. A beat's `time` is a local clock
///   time without a date (`4:17:18.57 pm`, or 24-hour): it takes the date of the record's start in
///   the record's offset, the next day when it lies more than 12 h before the start (lists that cross
///   midnight), and must fall within 5 minutes of the record's interval; a bad beat is rejected
///   alone, never its record.
/// - `source` is the device's model (`Apple Watch, Watch6,2` from the `device` attribute) when
///   present, else `sourceName` (an app such as "Oura"): device names like "Jane's Apple Watch" are
///   personal data the features do not need.
/// - Records inside a `Correlation` are skipped as duplicates (the export repeats them at the top
///   level); other record types, category records and workouts are counted as skipped, not rejected.
/// - A file cut off mid-way keeps every record before the cut; the cut record is rejected as
///   `truncated` and a note says where. A malformed tag is rejected and reading resumes after it.
public struct AppleHealthImporter: Importer {
    /// Zone for ISO times written without an offset (Apple's own format always has one).
    public var timeZone: TimeZone?
    /// Initial read buffer size; tests make it tiny to exercise every buffer boundary.
    var bufferCapacity = 1 << 20

    /// Creates an importer.
    public init(timeZone: TimeZone? = nil) {
        self.timeZone = timeZone
    }

    /// The format this importer reads.
    public var format: ImportFormat { .appleHealth }

    /// Reads an `export.xml`, or the export folder (`apple_health_export/`) containing one.
    public func read(_ url: URL, into session: inout ImportSession) throws {
        let file = try Self.locateExport(url)
        let reader = try ByteReader(path: file.path, initialCapacity: bufferCapacity)
        try reader.fill(minimum: 4)
        if reader.available >= 4, reader.base[0] == 0x50, reader.base[1] == 0x4B, reader.base[2] == 3, reader.base[3] == 4 {
            throw ImportError.unrecognizedInput(
                "expected Apple Health's export.xml, found a zip archive at \(file.path): unzip export.zip and pass apple_health_export/export.xml"
            )
        }
        var parser = AppleHealthParser(reader: reader, file: file.path, timeZone: timeZone)
        try parser.run(into: &session)
        session.countFile(bytes: reader.bytesRead)
    }

    /// The export file for a path: the file itself, or `export.xml` in the folder or its
    /// `apple_health_export/` subfolder.
    static func locateExport(_ url: URL) throws -> URL {
        guard try InputFiles.isDirectory(url) else { return url }
        for candidate in ["export.xml", "apple_health_export/export.xml"] {
            let file = url.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: file.path) { return file }
        }
        throw ImportError.unrecognizedInput(
            "expected export.xml in \(url.path) or its apple_health_export folder, found none")
    }
}

/// The state machine behind ``AppleHealthImporter``.
private struct AppleHealthParser {
    private enum Conversion {
        case scale(Double)
        case fahrenheit
        case kelvin

        @inline(__always)
        func apply(_ value: Double) -> Double {
            switch self {
            case .scale(let factor): value * factor
            case .fahrenheit: (value - 32) * 5 / 9
            case .kelvin: value - 273.15
            }
        }
    }

    /// A top-level HRV record whose beats are being read.
    private struct OpenHRVRecord {
        var index: Int
        var start: Double
        var end: Double
        var offset: Int
        var source: String?
        var beats = 0
    }

    private static let types: [(identifier: [UInt8], quantity: Quantity)] =
        ([
            ("HKQuantityTypeIdentifierHeartRate", .heartRate),
            ("HKQuantityTypeIdentifierStepCount", .stepCount),
            ("HKQuantityTypeIdentifierHeartRateVariabilitySDNN", .heartRateVariabilitySDNN),
            ("HKQuantityTypeIdentifierRestingHeartRate", .restingHeartRate),
            ("HKQuantityTypeIdentifierRespiratoryRate", .respiratoryRate),
            ("HKQuantityTypeIdentifierOxygenSaturation", .oxygenSaturation),
            ("HKQuantityTypeIdentifierAppleSleepingWristTemperature", .skinTemperature),
            ("HKQuantityTypeIdentifierBodyTemperature", .bodyTemperature),
            ("HKQuantityTypeIdentifierElectrodermalActivity", .electrodermalActivity),
        ] as [(String, Quantity)]).map { (Array($0.0.utf8), $0.1) }

    let reader: ByteReader
    let file: String
    var scanner: XMLTagScanner
    var converter: LocalTimeConverter?

    private var sawRoot = false
    private var sawRootEnd = false
    private var reportedTruncation = false
    private var correlationDepth = 0
    private var recordIndex = -1
    private var openRecord: OpenHRVRecord?
    private var recordIsOpen = false
    // Records come grouped by type, unit and device: remember the last of each.
    private var lastType: [UInt8] = []
    private var lastQuantity: Quantity?
    private var lastUnit: [UInt8] = []
    private var lastUnitQuantity: Quantity?
    private var lastConversion: Conversion?
    private var sourceCache: [(key: [UInt8], value: String)] = []

    init(reader: ByteReader, file: String, timeZone: TimeZone?) {
        self.reader = reader
        self.file = file
        self.scanner = XMLTagScanner(reader)
        self.converter = timeZone.map(LocalTimeConverter.init)
    }

    private func recordPath(_ index: Int) -> String { "/HealthData/Record[\(index + 1)]" }

    private func location(index: Int? = nil, path: String? = nil) -> RecordLocation {
        RecordLocation(file: file, line: reader.line(at: scanner.tagStart), index: index, path: path)
    }

    mutating func run(into session: inout ImportSession) throws {
        loop: while true {
            switch try scanner.next() {
            case .start(let selfClosing):
                try startTag(selfClosing: selfClosing, session: &session)
            case .end:
                endTag()
            case .malformed(let detail):
                let line = reader.line(at: scanner.tagStart)
                if scanner.isNamedStartTag, scanner.nameIs("Record"), correlationDepth == 0 {
                    // Count it, so that the paths of the records after it stay right.
                    recordIndex += 1
                    session.countRecord()
                    try session.reject(
                        .malformed,
                        at: RecordLocation(
                            file: file, line: line, index: recordIndex,
                            path: recordPath(recordIndex)), detail: detail)
                } else {
                    try session.reject(.malformed, at: RecordLocation(file: file, line: line), detail: detail)
                }
            case .truncated:
                let line = reader.line(at: scanner.tagStart)
                guard sawRoot else { break loop }
                try session.reject(
                    .truncated, at: RecordLocation(file: file, line: line),
                    detail: "expected a complete element, found the end of the file")
                session.note(
                    .init(
                        kind: .truncated, file: file, line: line,
                        message: "the file ends inside an element; the \(recordIndex + 1) records before it were read"))
                reportedTruncation = true
                break loop
            case .endOfFile:
                break loop
            }
        }
        guard sawRoot else {
            throw ImportError.unrecognizedInput("expected an Apple Health export (a HealthData element) in \(file), found none")
        }
        if !sawRootEnd, !reportedTruncation {
            let line = reader.line(at: reader.start)
            session.note(
                .init(
                    kind: .truncated, file: file, line: line,
                    message: "the file ends before </HealthData>; the \(recordIndex + 1) records before line \(line) were read"))
        }
    }

    private mutating func endTag() {
        if scanner.nameIs("Record") {
            openRecord = nil
            recordIsOpen = false
        } else if scanner.nameIs("Correlation") {
            correlationDepth = max(0, correlationDepth - 1)
        } else if scanner.nameIs("HealthData") {
            sawRootEnd = true
        }
    }

    private mutating func startTag(selfClosing: Bool, session: inout ImportSession) throws {
        if scanner.nameIs("Record") {
            openRecord = nil
            recordIsOpen = !selfClosing
            if correlationDepth > 0 {
                session.skip(.correlationDuplicate)
                return
            }
            recordIndex += 1
            session.countRecord()
            try record(selfClosing: selfClosing, session: &session)
        } else if scanner.nameIs("InstantaneousBeatsPerMinute") {
            if openRecord != nil { try beat(session: &session) }
        } else if scanner.nameIs("Correlation") {
            if !selfClosing { correlationDepth += 1 }
        } else if scanner.nameIs("HealthData") {
            sawRoot = true
        } else if correlationDepth == 0, !recordIsOpen,
            scanner.nameIs("Workout") || scanner.nameIs("ActivitySummary")
                || scanner.nameIs("ClinicalRecord") || scanner.nameIs("Audiogram") || scanner.nameIs("VisionPrescription")
        {
            session.skip(.unsupportedType)
        }
    }

    // MARK: Records

    /// The quantity of a (non-empty) type identifier.
    private mutating func quantity(of raw: UnsafeRawBufferPointer) -> Quantity? {
        if raw.count == lastType.count, !raw.isEmpty,
            lastType.withUnsafeBytes({ memcmp($0.baseAddress!, raw.baseAddress!, raw.count) }) == 0
        {
            return lastQuantity
        }
        lastType = Array(raw)
        lastQuantity = Self.types.first { $0.identifier.count == raw.count && $0.identifier.elementsEqual(raw) }?.quantity
        return lastQuantity
    }

    private mutating func conversion(of raw: UnsafeRawBufferPointer, for quantity: Quantity) -> Conversion? {
        if quantity == lastUnitQuantity, raw.count == lastUnit.count,
            lastUnit.withUnsafeBytes({ memcmp($0.baseAddress!, raw.baseAddress!, raw.count) }) == 0
        {
            return lastConversion
        }
        lastUnit = Array(raw)
        lastUnitQuantity = quantity
        let unit = XMLTagScanner.string(raw)
        let conversion: Conversion?
        switch quantity {
        case .heartRate, .restingHeartRate, .respiratoryRate:
            conversion =
                switch unit {
                case "count/min": .scale(1)
                case "count/s", "Hz": .scale(60)
                default: nil
                }
        case .heartRateVariabilitySDNN:
            conversion = unit == "ms" ? .scale(1) : unit == "s" ? .scale(1000) : nil
        case .oxygenSaturation:
            conversion = unit == "%" ? .scale(100) : nil
        case .skinTemperature, .bodyTemperature:
            conversion =
                switch unit {
                case "degC": .scale(1)
                case "degF": .fahrenheit
                case "K": .kelvin
                default: nil
                }
        case .electrodermalActivity:
            conversion =
                switch unit {
                case "S": .scale(1e6)
                case "mS": .scale(1e3)
                case "mcS", "µS", "uS": .scale(1)
                default: nil
                }
        case .stepCount:
            conversion = unit == "count" ? .scale(1) : nil
        default:
            conversion = nil
        }
        lastConversion = conversion
        return conversion
    }

    /// `source`: the device model when the record names a device, else the source (app) name.
    /// Exports repeat a handful of sources millions of times: a small cache of raw attribute bytes
    /// avoids decoding them again.
    private mutating func source(device: UnsafeRawBufferPointer?, sourceName: UnsafeRawBufferPointer?) -> String? {
        guard let raw = device ?? sourceName else { return nil }
        let kind: UInt8 = device != nil ? 1 : 0
        for (index, entry) in sourceCache.enumerated()
        where entry.key.count == raw.count + 1 && entry.key[raw.count] == kind
            && entry.key.withUnsafeBytes({ memcmp($0.baseAddress!, raw.baseAddress!, raw.count) }) == 0
        {
            if index > 0 { sourceCache.swapAt(index, index - 1) }
            return entry.value
        }
        let value = device != nil ? Self.deviceModel(raw) : XMLTagScanner.string(raw)
        if sourceCache.count == 16 { sourceCache.removeLast() }
        sourceCache.append((Array(raw) + [kind], value))
        return value
    }

    /// `name` and `hardware` from a device description such as
    /// `<<HKDevice: 0x…>, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2, software:7.2>`.
    private static func deviceModel(_ raw: UnsafeRawBufferPointer) -> String {
        let bytes = XMLTagScanner.decode(raw)
        func field(_ key: String) -> String? {
            let pattern = Array((key + ":").utf8)
            guard bytes.count >= pattern.count else { return nil }
            for start in 0...(bytes.count - pattern.count) where bytes[start..<start + pattern.count].elementsEqual(pattern) {
                // Only at the start or after ", " (so that "name:" does not match inside "hostname:").
                guard start == 0 || bytes[start - 1] == UInt8(ascii: " ") else { continue }
                var end = start + pattern.count
                while end < bytes.count, bytes[end] != UInt8(ascii: ">"),
                    !(bytes[end] == UInt8(ascii: ",") && end + 1 < bytes.count && bytes[end + 1] == UInt8(ascii: " "))
                {
                    end += 1
                }
                let value = String(decoding: bytes[(start + pattern.count)..<end], as: UTF8.self)
                    .trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            return nil
        }
        let parts = [field("name"), field("hardware")].compactMap { $0 }
        return parts.isEmpty ? "Apple Health device" : parts.joined(separator: ", ")
    }

    private mutating func time(_ raw: UnsafeRawBufferPointer) -> (seconds: Double, offset: Int)?? {
        guard let parsed = TimestampParser.parseISO(raw) else { return .some(nil) }
        if let offset = parsed.offsetSeconds { return (parsed.localSeconds - Double(offset), offset) }
        guard var converter else { return nil }
        let unix = converter.unixSeconds(fromLocal: parsed.localSeconds)
        self.converter = converter
        return (unix, Int((parsed.localSeconds - unix).rounded()))
    }

    private mutating func record(selfClosing: Bool, session: inout ImportSession) throws {
        var type: UnsafeRawBufferPointer?, unit: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?
        var startDate: UnsafeRawBufferPointer?, endDate: UnsafeRawBufferPointer?
        var sourceName: UnsafeRawBufferPointer?, device: UnsafeRawBufferPointer?
        for attribute in scanner.attributes {
            let length = attribute.nameEnd - attribute.nameStart
            switch length {
            case 4:
                if scanner.equals(attribute.nameStart, attribute.nameEnd, "type") {
                    type = scanner.raw(attribute)
                } else if scanner.equals(attribute.nameStart, attribute.nameEnd, "unit") {
                    unit = scanner.raw(attribute)
                }
            case 5 where scanner.equals(attribute.nameStart, attribute.nameEnd, "value"): value = scanner.raw(attribute)
            case 6 where scanner.equals(attribute.nameStart, attribute.nameEnd, "device"): device = scanner.raw(attribute)
            case 7 where scanner.equals(attribute.nameStart, attribute.nameEnd, "endDate"): endDate = scanner.raw(attribute)
            case 9 where scanner.equals(attribute.nameStart, attribute.nameEnd, "startDate"): startDate = scanner.raw(attribute)
            case 10 where scanner.equals(attribute.nameStart, attribute.nameEnd, "sourceName"):
                sourceName = scanner.raw(attribute)
            default: break
            }
        }
        let index = recordIndex
        guard let type, !type.isEmpty else {
            try session.reject(
                .missingField, at: location(index: index, path: recordPath(index)),
                detail: "expected a type attribute on Record, found none")
            return
        }
        guard let quantity = quantity(of: type) else {
            session.skip(.unsupportedType)
            return
        }
        guard let value, !value.isEmpty else {
            try session.reject(
                .missingField, at: location(index: index, path: recordPath(index)), quantity: quantity,
                detail: "expected a value attribute on a \(quantity.displayName) record, found none")
            return
        }
        guard let unit, !unit.isEmpty else {
            try session.reject(
                .missingField, at: location(index: index, path: recordPath(index)), quantity: quantity,
                detail: "expected a unit attribute on a \(quantity.displayName) record, found none")
            return
        }
        guard let conversion = conversion(of: unit, for: quantity) else {
            try session.reject(
                .unsupportedUnit, at: location(index: index, path: recordPath(index)), quantity: quantity,
                detail: "expected a \(quantity.displayName) unit this importer converts, found \(Self.describeUnit(unit))")
            return
        }
        let number =
            memchr(value.baseAddress!, Int32(UInt8(ascii: "&")), value.count) == nil
            ? NumberParser.parseDouble(value)
            : XMLTagScanner.decode(value).withUnsafeBytes { NumberParser.parseDouble($0) }
        guard let number else {
            try session.reject(
                .wrongType, at: location(index: index, path: recordPath(index)), quantity: quantity,
                detail: "expected a number in the value attribute, found text")
            return
        }
        guard let startDate, !startDate.isEmpty else {
            try session.reject(
                .missingField, at: location(index: index, path: recordPath(index)), quantity: quantity,
                detail: "expected a startDate attribute, found none")
            return
        }
        guard let startResult = time(startDate) else {
            try session.reject(
                .missingTimeZone, at: location(index: index, path: recordPath(index)), quantity: quantity,
                detail: "expected startDate with a UTC offset, found none (set a time zone for zone-less times)")
            return
        }
        guard let start = startResult else {
            try session.reject(
                .invalidTimestamp, at: location(index: index, path: recordPath(index)), quantity: quantity,
                detail: "expected startDate as yyyy-MM-dd HH:mm:ss ±HHMM or ISO 8601, found another layout or an impossible date")
            return
        }
        var end: Double?
        if let endDate, !endDate.isEmpty {
            guard let endResult = time(endDate), let parsedEnd = endResult else {
                try session.reject(
                    .invalidTimestamp, at: location(index: index, path: recordPath(index)), quantity: quantity,
                    detail: "expected endDate as yyyy-MM-dd HH:mm:ss ±HHMM or ISO 8601, found another layout")
                return
            }
            if parsedEnd.seconds != start.seconds { end = parsedEnd.seconds }
        }
        let source = source(device: device, sourceName: sourceName)
        let measurement = Measurement(
            quantity: quantity, start: start.seconds, end: end, value: conversion.apply(number),
            source: source)
        try session.offer(measurement, at: location(index: index, path: recordPath(index)))
        if quantity == .heartRateVariabilitySDNN, !selfClosing {
            openRecord = OpenHRVRecord(
                index: index, start: start.seconds, end: end ?? start.seconds, offset: start.offset,
                source: source)
        }
    }

    private static func describeUnit(_ raw: UnsafeRawBufferPointer) -> String {
        // Units are metadata, not values; still, quote only short, unit-like text.
        let text = XMLTagScanner.string(raw)
        let unitLike =
            text.count <= 16
            && text.unicodeScalars.allSatisfy {
                $0.properties.isAlphabetic || "/%°µ^-.0123456789".unicodeScalars.contains($0)
            }
        return unitLike ? "'\(text)'" : "another unit"
    }

    // MARK: HRV beats

    private mutating func beat(session: inout ImportSession) throws {
        guard var record = openRecord else { return }
        record.beats += 1
        openRecord = record
        var path: String {
            recordPath(record.index) + "/HeartRateVariabilityMetadataList/InstantaneousBeatsPerMinute[\(record.beats)]"
        }
        let bpmRaw = scanner.rawValue(of: "bpm")
        let timeRaw = scanner.rawValue(of: "time")
        guard let bpmRaw, let timeRaw else {
            try session.reject(
                .missingField, at: location(index: record.index, path: path), quantity: .interBeatInterval,
                detail: "expected bpm and time attributes on a beat, found \(bpmRaw == nil ? "no bpm" : "no time")")
            return
        }
        guard let bpm = NumberParser.parseDouble(bpmRaw) else {
            try session.reject(
                .wrongType, at: location(index: record.index, path: path), quantity: .interBeatInterval,
                detail: "expected a number in the bpm attribute, found text")
            return
        }
        guard bpm > 0 else {
            try session.reject(
                .outOfRange, at: location(index: record.index, path: path), quantity: .interBeatInterval,
                detail: "expected a positive beat rate")
            return
        }
        guard let clock = TimestampParser.parseClockTime(timeRaw) else {
            try session.reject(
                .invalidTimestamp, at: location(index: record.index, path: path), quantity: .interBeatInterval,
                detail: "expected a beat time such as 4:17:18.57 pm or 16:17:18.57, found another layout")
            return
        }
        let localStart = record.start + Double(record.offset)
        let midnight = (localStart / 86_400).rounded(.down) * 86_400
        var local = midnight + clock
        if local < localStart - 43_200 { local += 86_400 }
        let time = local - Double(record.offset)
        guard time >= record.start - 300, time <= record.end + 300 else {
            try session.reject(
                .invalidTimestamp, at: location(index: record.index, path: path), quantity: .interBeatInterval,
                detail: "expected a beat time within 5 minutes of its HRV record's interval")
            return
        }
        try session.offer(
            Measurement(quantity: .interBeatInterval, start: time, value: 60_000 / bpm, source: record.source),
            at: location(index: record.index, path: path))
    }
}
