import Foundation
import Testing

@testable import EQMClient

/// Hand-written Samsung Health CSV exports (wearable-formats reference, section 4).
enum SamsungFixtures {
    /// Metadata line, prefixed columns, trailing commas, a quoted field with a comma and a line
    /// break, and a byte order mark.
    static let heartRate =
        "\u{FEFF}" + """
            com.samsung.shealth.tracker.heart_rate,7006011,3
            com.samsung.health.heart_rate.start_time,com.samsung.health.heart_rate.end_time,com.samsung.health.heart_rate.time_offset,com.samsung.health.heart_rate.heart_rate,com.samsung.health.heart_rate.min,com.samsung.health.heart_rate.max,com.samsung.health.heart_rate.comment,com.samsung.health.heart_rate.datauuid,
            2024-06-01 08:00:00.000,2024-06-01 08:00:00.000,UTC+0900,65,65,65,,uuid-1,
            2024-06-01 08:01:00.000,2024-06-01 08:01:30.500,UTC+28550,66,60,70,"after run, tired
            second line",uuid-2,
            2024-06-01 08:02:00.000,2024-06-01 08:02:00.000,UTC+0900,,60,70,,uuid-3,
            2024-06-01 8:03,2024-06-01 08:03:00.000,UTC+0900,67,60,70,,uuid-4,
            2024-06-01 08:04:00.000,2024-06-01 08:04:00.000,UTC+0900,300,60,70,,uuid-5,

            """

    /// Stress with unprefixed columns.
    static let stress = """
        com.samsung.shealth.stress,6210001,1
        start_time,end_time,time_offset,score,min,max,algorithm,tag_id,datauuid,
        2024-06-01 09:00:00.000,2024-06-01 09:01:00.000,UTC+0200,42,30,55,2,,uuid-9,
        2024-06-01 09:10:00.000,2024-06-01 09:11:00.000,UTC+0200,high,30,55,2,,uuid-10,

        """

    static let oxygen = """
        com.samsung.shealth.tracker.oxygen_saturation,6210001,1
        com.samsung.health.oxygen_saturation.start_time,com.samsung.health.oxygen_saturation.spo2,com.samsung.health.oxygen_saturation.heart_rate,com.samsung.health.oxygen_saturation.time_offset
        2024-06-01 03:00:00.000,97,58,UTC+0900

        """
}

@Suite("Samsung Health CSV")
struct SamsungHealthImporterTests {
    @Test("an export folder imports heart rate, stress and SpO2 with UTC times and exact values")
    func exportFolder() throws {
        let fixture = try ImportFixture()
        try fixture.write(
            "samsunghealth_user_20240601/com.samsung.shealth.tracker.heart_rate.20240601120000.csv", SamsungFixtures.heartRate)
        try fixture.write("samsunghealth_user_20240601/com.samsung.shealth.stress.20240601120000.csv", SamsungFixtures.stress)
        try fixture.write(
            "samsunghealth_user_20240601/com.samsung.shealth.tracker.oxygen_saturation.20240601120000.csv", SamsungFixtures.oxygen
        )
        try fixture.write(
            "samsunghealth_user_20240601/com.samsung.shealth.step_daily_trend.20240601120000.csv",
            "com.samsung.shealth.step_daily_trend,6210001,1\nday_time,count\n1717200000000,9000\n")
        try fixture.write("samsunghealth_user_20240601/jsons/com.samsung.shealth.tracker.heart_rate/x.binning_data.json", "[]")
        let outcome = try runImport(SamsungHealthImporter(), fixture.url("samsunghealth_user_20240601"), in: fixture)

        let heartRate = outcome.measurements(.heartRate)
        #expect(heartRate.map(\.value) == [65, 66])
        expectClose(heartRate[0].start, unix("2024-06-01T08:00:00Z"))
        #expect(heartRate[0].end == nil)
        expectClose(heartRate[1].end, unix("2024-06-01T08:01:30.5Z"))
        #expect(heartRate[0].source == "Samsung Health")

        let stress = outcome.measurements(.stressScore)
        #expect(stress.map(\.value) == [42])
        expectClose(stress[0].start, unix("2024-06-01T09:00:00Z"))
        expectClose(stress[0].end, unix("2024-06-01T09:01:00Z"))
        #expect(outcome.measurements(.oxygenSaturation).map(\.value) == [97])

        let expected: [Rejection.Reason: Int] = [.missingField: 1, .invalidTimestamp: 1, .outOfRange: 1, .wrongType: 1]
        #expect(outcome.report.rejectedByReason == expected, "\(outcome.quarantineText)")
        // The step file is another data type; the jsons/ folder is binning data, not read.
        #expect(outcome.report.skipped[.unsupportedFile] == 1)
        let missing = try #require(outcome.quarantined("missing_field").first)
        #expect(missing["line"] as? Int == 6)  // after the quoted field that spans lines 4 and 5
        #expect(missing["index"] as? Int == 2)
        #expect(missing["path"] as? String == "heart_rate")
        expectNoRawValues(outcome, ["8:03", "300", "high"])
    }

    @Test("a file without the metadata line is read from its header")
    func withoutMetadata() throws {
        let fixture = try ImportFixture()
        let text = SamsungFixtures.stress.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(
            separator: "\n")
        let url = try fixture.write("com.samsung.shealth.stress.20240601.csv", text)
        let outcome = try runImport(SamsungHealthImporter(), url, in: fixture)
        #expect(outcome.measurements.map(\.value) == [42])
    }

    @Test("a header without the value column is one invalid_header rejection with a note")
    func missingColumn() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write(
            "com.samsung.shealth.tracker.heart_rate.1.csv",
            "com.samsung.shealth.tracker.heart_rate,7006011,3\nstart_time,end_time\n2024-06-01 08:00:00.000,\n")
        let outcome = try runImport(SamsungHealthImporter(), url, in: fixture)
        #expect(outcome.rejected(.invalidHeader) == 1)
        #expect(outcome.report.notes.map(\.kind) == [.incomplete])
        #expect(
            outcome.quarantine.first?["detail"] as? String
                == "expected the column heart_rate in a Samsung Health heart rate file, found none")
    }

    @Test("a quoted field left open at the end of the file is a truncated row")
    func unterminatedQuote() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write(
            "com.samsung.shealth.tracker.heart_rate.1.csv",
            "com.samsung.shealth.tracker.heart_rate,7006011,3\nstart_time,heart_rate,comment\n2024-06-01 08:00:00.000,65,ok\n2024-06-01 08:01:00.000,66,\"cut"
        )
        let outcome = try runImport(SamsungHealthImporter(), url, in: fixture)
        #expect(outcome.measurements.map(\.value) == [65])
        #expect(outcome.rejected(.truncated) == 1)
        #expect(outcome.report.isTruncated)
    }

    @Test("a folder without Samsung files is an error")
    func noSamsungFiles() throws {
        let fixture = try ImportFixture()
        try fixture.write("s/notes.csv", "a,b\n1,2\n")
        #expect {
            _ = try runImport(SamsungHealthImporter(), fixture.url("s"), in: fixture)
        } throws: { error in
            (error as? ImportError)?.code == .unrecognizedInput
        }
    }
}
