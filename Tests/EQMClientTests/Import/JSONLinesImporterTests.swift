import Foundation
import Testing

@testable import EQMClient

@Suite("Generic JSON lines")
struct JSONLinesImporterTests {
    static let lines = """
        {"timestamp": "2024-06-01T08:00:00Z", "sensor_id": "wrist-1", "measurements": {"hr": 72, "hrv_rmssd": 41.5, "gsr": 0.82, "skin_temp": 33.1, "spo2": 97, "acc": [0.01, -0.02, 0.98]}}
        {"timestamp": "2024-06-01T10:00:01+02:00", "sensor_id": "wrist-1", "measurements": {"hr": 73, "mood": 3, "steps": null}}

        {"timestamp": "2024-06-01T08:00:02Z", "sensor_id": "wrist-1", "measurements": {"acc": [0.1, 0.2]}}
        {"timestamp": "2024-06-01T08:00:03Z", "sensor_id": "wrist-1", "measurements": {"hr": "74"}}
        {"timestamp": "2024-06-01T08:00:04Z", "sensor_id": "wrist-1", "measurements": {"hr": NaN, "gsr": Infinity, "skin_temp": -Infinity}}
        {"timestamp": "2024-06-01T08:00:05", "sensor_id": "wrist-1", "measurements": {"hr": 75}}
        {"timestamp": "2024-06-01T08:00:06Z", "sensor_id": "wrist-1", "measurements": {"hr": 76,}}
        {"timestamp": "2024-06-01T08:00:00Z", "sensor_id": "wrist-1", "measurements": {"hr": 72, "hrv_rmssd": 41.5, "gsr": 0.82, "skin_temp": 33.1, "spo2": 97, "acc": [0.01, -0.02, 0.98]}}
        {"timestamp": "2024-06-01T08:00:07Z", "sensor_id": "wrist-1", "measurements": {"hr": 300, "spo2": 0.97}}
        {"timestamp": "2024-06-01T08:00:08Z", "sensor_id": "", "measurements": {"hr": 70}}
        {"timestamp": "2024-06-01T08:00:09Z", "sensor_id": "wrist-1", "measurements": [1, 2]}
        [1, 2, 3]
        {"timestamp": 1717228810, "sensor_id": "chest-2", "measurements": {"hr": 70}}
        {"timestamp": "2024-06-01T07:59:00Z", "sensor_id": "chest-2", "measurements": {"hr": 68, "acc": [0.0, "x", 1.0]}}
        {"timestamp": "2024-06-01T08:00:10Z", "sensor_id": "wrist-1", "measu
        """

    @Test("valid lines import per measurement; bad lines and values are rejected with their reason")
    func lines() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write("stream.jsonl", Self.lines)
        let outcome = try runImport(JSONLinesImporter(), url, in: fixture)
        let t0 = unix("2024-06-01T08:00:00Z")

        let heartRate = outcome.measurements(.heartRate)
        #expect(heartRate.map(\.value) == [72, 73, 68])
        #expect(heartRate.map(\.start) == [t0, t0 + 1, t0 - 60])
        #expect(heartRate.map(\.source) == ["wrist-1", "wrist-1", "chest-2"])
        #expect(outcome.measurements(.heartRateVariabilityRMSSD).map(\.value) == [41.5])
        #expect(outcome.measurements(.electrodermalActivity).map(\.value) == [0.82])
        #expect(outcome.measurements(.skinTemperature).map(\.value) == [33.1])
        #expect(outcome.measurements(.oxygenSaturation).map(\.value) == [97])
        #expect(outcome.measurements(.accelerationX).map(\.value) == [0.01, 0])
        #expect(outcome.measurements(.accelerationY).map(\.value) == [-0.02])
        #expect(outcome.measurements(.accelerationZ).map(\.value) == [0.98, 1])

        let expected: [Rejection.Reason: Int] = [
            .wrongType: 6, .notFinite: 3, .missingTimeZone: 1, .malformed: 1, .outOfRange: 2, .missingField: 1, .truncated: 1,
        ]
        #expect(outcome.report.rejectedByReason == expected, "\(outcome.quarantineText)")
        #expect(outcome.report.duplicates == 8)  // line 9 repeats line 1 exactly
        #expect(outcome.report.skipped[.unknownField] == 1)
        #expect(outcome.report.recordsRead == 15)  // the blank line is not a record
        #expect(outcome.report.notes.map(\.kind) == [.truncated])

        let acc = try #require(outcome.quarantined("wrong_type").first { ($0["line"] as? Int) == 4 })
        #expect(acc["path"] as? String == "measurements.acc")
        #expect(acc["detail"] as? String == "expected acc as an array of exactly 3 numbers, found an array of 2")
        #expect(outcome.quarantined("missing_time_zone").first?["path"] as? String == "timestamp")
        #expect(outcome.quarantined("malformed").first?["line"] as? Int == 8)
        #expect(outcome.quarantined("truncated").first?["line"] as? Int == 16)
        expectNoRawValues(outcome, ["\"74\"", "300", "0.97"])
    }

    @Test("a folder of JSON-lines files is read file by file")
    func folder() throws {
        let fixture = try ImportFixture()
        try fixture.write(
            "lines/a.jsonl", #"{"timestamp": "2024-06-01T08:00:00Z", "sensor_id": "s", "measurements": {"hr": 70}}"# + "\n")
        try fixture.write(
            "lines/b.ndjson", #"{"timestamp": "2024-06-01T08:00:01Z", "sensor_id": "s", "measurements": {"hr": 71}}"# + "\n")
        try fixture.write("lines/notes.txt", "ignored")
        let outcome = try runImport(JSONLinesImporter(), fixture.url("lines"), in: fixture)
        #expect(outcome.measurements.map(\.value) == [70, 71])
        #expect(outcome.report.filesRead == 2)
        #expect(outcome.report.skipped[.unsupportedFile] == 1)
    }
}
