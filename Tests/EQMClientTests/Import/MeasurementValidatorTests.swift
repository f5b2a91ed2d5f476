import Foundation
import Testing

@testable import EQMClient

@Suite("Validation, duplicates and the import session")
struct MeasurementValidatorTests {
    let validator = MeasurementValidator(now: testNow)
    let t = 1_700_000_000.0

    @Test("range bounds are inclusive and values just outside are rejected", arguments: Quantity.allCases)
    func ranges(quantity: Quantity) {
        let range = quantity.plausibleRange
        for value in [range.lowerBound, range.upperBound, (range.lowerBound + range.upperBound) / 2] {
            #expect(validator.problem(with: Measurement(quantity: quantity, start: t, value: value)) == nil)
        }
        for value in [range.lowerBound - 0.001, range.upperBound + 0.001] {
            #expect(validator.problem(with: Measurement(quantity: quantity, start: t, value: value))?.reason == .outOfRange)
        }
        #expect(!quantity.unit.isEmpty)
        #expect(Quantity(rawValue: quantity.rawValue) == quantity)
    }

    @Test("non-finite values, clock sanity and intervals")
    func rules() {
        func reason(_ measurement: Measurement) -> Rejection.Reason? { validator.problem(with: measurement)?.reason }
        #expect(reason(Measurement(quantity: .heartRate, start: t, value: .nan)) == .notFinite)
        #expect(reason(Measurement(quantity: .heartRate, start: t, value: -.infinity)) == .notFinite)
        #expect(reason(Measurement(quantity: .heartRate, start: 946_684_799, value: 60)) == .timestampTooOld)
        #expect(reason(Measurement(quantity: .heartRate, start: 946_684_800, value: 60)) == nil)
        #expect(reason(Measurement(quantity: .heartRate, start: .nan, value: 60)) == .timestampTooOld)
        let now = testNow.timeIntervalSince1970
        #expect(reason(Measurement(quantity: .heartRate, start: now + 600, value: 60)) == nil)
        #expect(reason(Measurement(quantity: .heartRate, start: now + 601, value: 60)) == .timestampInFuture)
        #expect(reason(Measurement(quantity: .stepCount, start: t, end: now + 3600, value: 6)) == .timestampInFuture)
        #expect(reason(Measurement(quantity: .stepCount, start: t, end: t - 1, value: 6)) == .invalidInterval)
        #expect(reason(Measurement(quantity: .stepCount, start: t, end: t, value: 6)) == nil)
        let detail = validator.problem(with: Measurement(quantity: .heartRate, start: t, value: 999))?.detail
        #expect(detail == "expected heart rate within 25…250 bpm")
        #expect(
            validator.problem(with: Measurement(quantity: .heartRate, start: 100, value: 60))?.detail
                == "expected a time on or after 2000-01-01")
    }

    @Test("range overrides replace the defaults for their quantity only")
    func overrides() {
        let strict = MeasurementValidator(now: testNow, rangeOverrides: [.heartRate: 40...180])
        #expect(strict.problem(with: Measurement(quantity: .heartRate, start: t, value: 30))?.reason == .outOfRange)
        #expect(strict.problem(with: Measurement(quantity: .restingHeartRate, start: t, value: 30)) == nil)
    }

    @Test("exact duplicates are caught within the window; a different end or value is not a duplicate")
    func duplicateFilter() {
        var filter = DuplicateFilter(generationSize: 4)
        func seen(_ measurement: Measurement) -> Bool { filter.isDuplicate(measurement) }
        let base = Measurement(quantity: .heartRate, start: t, value: 60)
        #expect(!seen(base))
        #expect(seen(base))
        #expect(!seen(Measurement(quantity: .heartRate, start: t, end: t + 1, value: 60)))
        #expect(!seen(Measurement(quantity: .heartRate, start: t, value: 61)))
        #expect(!seen(Measurement(quantity: .restingHeartRate, start: t, value: 60)))
        #expect(!seen(Measurement(quantity: .bloodVolumePulse, start: t, value: 0)))
        #expect(seen(Measurement(quantity: .bloodVolumePulse, start: t, value: -0.0)))
        // The source does not make a measurement different.
        #expect(seen(Measurement(quantity: .heartRate, start: t, value: 60, source: "other")))
        // Within the window (generation of 4 → at least the last 4 of a quantity), then forgotten after two generations.
        for index in 1...4 { #expect(!seen(Measurement(quantity: .heartRate, start: t + Double(index), value: 60))) }
        #expect(seen(Measurement(quantity: .heartRate, start: t + 1, value: 60)))
        for index in 5...12 { #expect(!seen(Measurement(quantity: .heartRate, start: t + Double(index), value: 60))) }
        #expect(!seen(base))
    }

    @Test("the session batches accepted measurements into the sink and counts per quantity")
    func batching() throws {
        var session = ImportSession(
            sink: InMemoryMeasurementSink(), validator: validator,
            configuration: .init(batchSize: 2))
        let location = RecordLocation(file: "f")
        for index in 0..<5 {
            try session.offer(Measurement(quantity: .heartRate, start: t + Double(index), value: 60), at: location)
        }
        try session.offer(Measurement(quantity: .heartRate, start: t, value: 600), at: location)
        try session.offer(Measurement(quantity: .heartRate, start: t, value: 60), at: location)
        #expect((session.sink as? InMemoryMeasurementSink)?.batches == 2)
        let report = try session.finish()
        let sink = try #require(session.sink as? InMemoryMeasurementSink)
        #expect(sink.measurements.count == 5)
        #expect(sink.batches == 3)
        #expect(sink.isFinished)
        #expect(report.accepted == 5)
        #expect(report.series == [.heartRate: 5])
        #expect(report.rejectedByReason == [.outOfRange: 1])
        #expect(report.duplicates == 1)
        #expect(report.quarantinePath == nil)
    }

    struct FailingSink: MeasurementSink {
        struct Full: Error {}
        mutating func append(_ batch: [Measurement]) throws { throw Full() }
    }

    @Test("a sink that refuses data ends the import with a sink failure")
    func sinkFailure() throws {
        var session = ImportSession(sink: FailingSink(), validator: validator, configuration: .init(batchSize: 1))
        #expect {
            try session.offer(Measurement(quantity: .heartRate, start: t, value: 60), at: RecordLocation(file: "f"))
        } throws: { error in
            (error as? ImportError)?.code == .sinkFailure
        }
    }

    @Test("quarantine lines are valid JSON with escaped text and only the documented keys")
    func quarantineFormat() throws {
        let fixture = try ImportFixture()
        let writer = try QuarantineWriter(url: fixture.quarantineURL)
        try writer.write(
            Rejection(
                location: RecordLocation(file: "dir/\"odd\"\nname.csv", line: 3, index: 1, path: "a\\b"),
                reason: .wrongType, quantity: .stressScore, detail: "expected a number, found \u{01}text"))
        try writer.write(Rejection(location: RecordLocation(file: "plain.csv"), reason: .malformed, detail: "d"))
        try writer.close()
        let lines = try String(contentsOf: fixture.quarantineURL, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["file"] as? String == "dir/\"odd\"\nname.csv")
        #expect(first["path"] as? String == "a\\b")
        #expect(first["detail"] as? String == "expected a number, found \u{01}text")
        #expect(first["quantity"] as? String == "stress_score")
        #expect(first["reason"] as? String == "wrong_type")
        #expect(Set(first.keys) == ["file", "line", "index", "path", "quantity", "reason", "detail"])
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(Set(second.keys) == ["file", "reason", "detail"])
        #expect(Rejection.Reason.allKnown.map(\.description).count == Set(Rejection.Reason.allKnown.map(\.description)).count)
    }

    @Test("every format names its importer")
    func formats() {
        for format in ImportFormat.allCases {
            #expect(format.makeImporter().format == format)
        }
        #expect(ImportFormat(rawValue: "apple-health") == .appleHealth)
    }
}
