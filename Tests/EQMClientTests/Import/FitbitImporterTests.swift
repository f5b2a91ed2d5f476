import Foundation
import Testing

@testable import EQMClient

/// A hand-written Google Takeout `Fitbit/` folder (wearable-formats reference, section 2).
enum FitbitFixtures {
    /// Pretty-printed with " : " as Takeout writes it.
    static let heartRateJSON = """
        [{
          "dateTime" : "01/10/24 04:00:05",
          "value" : {
            "bpm" : 69,
            "confidence" : 2
          }
        },{
          "dateTime" : "01/10/24 04:00:10",
          "value" : {
            "bpm" : 71,
            "confidence" : 3
          }
        },{
          "dateTime" : "01/10/24 04:00:15",
          "value" : {
            "bpm" : "72",
            "confidence" : 3
          }
        },{
          "dateTime" : "13/45/24 04:00:20",
          "value" : {
            "bpm" : 70,
            "confidence" : 1
          }
        },{
          "dateTime" : "01/10/24 04:00:25",
          "value" : {
            "bpm" : 400,
            "confidence" : 0
          }
        }]
        """

    /// The newer Google re-export of the same heart rate, in UTC (Berlin is UTC+1 in January).
    static let heartRateCSV = """
        timestamp,beats per minute,data source
        2024-01-10T03:00:05Z,69,Pixel Watch
        2024-01-10T03:00:10Z,71,Pixel Watch
        2024-01-10T03:00:30Z,75,Pixel Watch

        """

    static let restingJSON = """
        [{
          "dateTime" : "01/10/24 00:00:00",
          "value" : { "date" : "01/10/24", "value" : 58.4, "error" : 6.2 }
        },{
          "dateTime" : "01/11/24 00:00:00",
          "value" : { "date" : null, "value" : 0, "error" : 0 }
        }]
        """

    static let hrvDetails = """
        timestamp,rmssd,coverage,low_frequency,high_frequency
        2024-01-10T02:05:00,35.123,0.98,512.4,301.2
        2024-01-10T02:10:00,not-a-number,0.98,512.4,301.2
        2024-01-10T02:15:00,,0.5,1,1

        """

    static let hrvSummary = """
        timestamp,rmssd,nremhr,entropy
        2024-01-10T00:00:00,41.7,55.2,2.9

        """

    static let minuteSpO2 = """
        timestamp,value
        2024-01-10T01:00:00Z,96.5
        2024-01-10T01:01:00Z,50.0
        2024-01-10T01:02:00Z,NaN

        """

    static let computedTemperature = """
        type,sleep_start,sleep_end,temperature_samples,nightly_temperature,baseline_relative_sample_sum,baseline_relative_sample_sum_of_squares,baseline_relative_nightly_standard_deviation,baseline_relative_sample_standard_deviation
        SKIN,2024-01-09T23:30:00,2024-01-10T07:00:00,453,33.94,-12.5,30.1,0.4,0.3

        """

    static let wristTemperature = """
        recorded_time,temperature
        2024-01-10T00:00,-0.85
        2024-01-10T00:01,-0.75

        """

    static let respiratory = """
        timestamp,daily_respiratory_rate
        2024-01-10T00:00:00,15.2

        """

    static func writeTakeout(_ fixture: ImportFixture) throws -> URL {
        try fixture.write("Takeout/Fitbit/Global Export Data/heart_rate-2024-01-10.json", heartRateJSON)
        try fixture.write("Takeout/Fitbit/Global Export Data/resting_heart_rate-2024-01-01.json", restingJSON)
        try fixture.write("Takeout/Fitbit/Global Export Data/steps-2024-01-10.json", "[]")
        try fixture.write("Takeout/Fitbit/Physical Activity_GoogleData/heart_rate_2024-01-10.csv", heartRateCSV)
        try fixture.write("Takeout/Fitbit/Heart Rate Variability/Heart Rate Variability Details - 2024-01-10.csv", hrvDetails)
        try fixture.write(
            "Takeout/Fitbit/Heart Rate Variability/Daily Heart Rate Variability Summary - 2024-01-(11).csv", hrvSummary)
        try fixture.write("Takeout/Fitbit/Heart Rate Variability/Daily Respiratory Rate Summary - 2024-01-10.csv", respiratory)
        try fixture.write("Takeout/Fitbit/Oxygen Saturation (SpO2)/Minute SpO2 - 2024-01-10.csv", minuteSpO2)
        try fixture.write("Takeout/Fitbit/Temperature/Computed Temperature - 2024-01-10.csv", computedTemperature)
        try fixture.write("Takeout/Fitbit/Temperature/Wrist Temperature - 2024-01-10.csv", wristTemperature)
        try fixture.write(
            "Takeout/Fitbit/Stress Score/Stress Score.csv",
            "DATE,UPDATED_AT,STRESS_SCORE\n2024-01-10T00:00:00,2024-01-10T07:00:00.000,79\n")
        return fixture.url("Takeout/Fitbit")
    }
}

@Suite("Fitbit Google Takeout")
struct FitbitImporterTests {
    @Test("a Takeout folder imports every supported file with exact values, local times in the given zone")
    func takeoutFolder() throws {
        let fixture = try ImportFixture()
        let url = try FitbitFixtures.writeTakeout(fixture)
        let outcome = try runImport(FitbitImporter(timeZone: TimeZone(identifier: "Europe/Berlin")), url, in: fixture)
        let report = outcome.report

        // JSON 04:00:05 Berlin = 03:00:05Z; the Google CSV repeats two of the samples exactly: duplicates.
        let heartRate = outcome.measurements(.heartRate)
        #expect(heartRate.map(\.value) == [69, 71, 75])
        expectClose(heartRate[0].start, unix("2024-01-10T03:00:05Z"))
        #expect(heartRate[0].source == "Fitbit")
        expectClose(heartRate[2].start, unix("2024-01-10T03:00:30Z"))
        #expect(heartRate[2].source == "Pixel Watch")
        #expect(report.duplicates == 2)

        let resting = try #require(outcome.measurements(.restingHeartRate).first)
        #expect(resting.value == 58.4)
        expectClose(resting.start, unix("2024-01-09T23:00:00Z"))

        let rmssd = outcome.measurements(.heartRateVariabilityRMSSD)
        #expect(rmssd.map(\.value) == [35.123, 41.7])
        expectClose(rmssd[0].start, unix("2024-01-10T01:05:00Z"))
        expectClose(rmssd[0].end, unix("2024-01-10T01:10:00Z"))

        let oxygen = outcome.measurements(.oxygenSaturation)
        #expect(oxygen.map(\.value) == [96.5])
        expectClose(oxygen[0].start, unix("2024-01-10T01:00:00Z"))

        let skin = try #require(outcome.measurements(.skinTemperature).first)
        #expect(skin.value == 33.94)
        expectClose(skin.start, unix("2024-01-09T22:30:00Z"))
        expectClose(skin.end, unix("2024-01-10T06:00:00Z"))
        #expect(outcome.measurements(.skinTemperatureDeviation).map(\.value) == [-0.85, -0.75])
        #expect(outcome.measurements(.respiratoryRate).map(\.value) == [15.2])

        let expected: [Rejection.Reason: Int] = [
            .wrongType: 2, .invalidTimestamp: 1, .outOfRange: 1, .sensorPlaceholder: 2, .missingField: 1, .notFinite: 1,
        ]
        #expect(report.rejectedByReason == expected, "\(outcome.quarantineText)")
        // steps-…json and Stress Score.csv are not read.
        #expect(report.skipped[.unsupportedFile] == 2)
        #expect(report.notes.isEmpty, "\(report.notes)")
        expectNoRawValues(outcome, ["not-a-number", "400", "13/45", "50.0"])

        let wrongType = try #require(outcome.quarantined("wrong_type").first { ($0["path"] as? String) == "[2].value.bpm" })
        #expect(wrongType["line"] as? Int == lineNumber(of: "\"72\"", in: FitbitFixtures.heartRateJSON).map { $0 - 3 })
        #expect((wrongType["detail"] as? String)?.contains("found a string") == true)
        let placeholder = try #require(outcome.quarantined("sensor_placeholder").first { ($0["path"] as? String) == "[1].value" })
        #expect(placeholder["line"] as? Int == 4)
    }

    @Test("without a zone, zone-less times are read as UTC and the report says so")
    func defaultZone() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write("heart_rate-2024-01-10.json", FitbitFixtures.heartRateJSON)
        let outcome = try runImport(FitbitImporter(), url, in: fixture)
        expectClose(outcome.measurements.first?.start, unix("2024-01-10T04:00:05Z"))
        #expect(outcome.report.notes.map(\.kind) == [.assumption])
    }

    @Test("local times across a DST change use the offset in force at each time")
    func daylightSaving() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write(
            "Heart Rate Variability Details - 2024-03-10.csv",
            """
            timestamp,rmssd,coverage,low_frequency,high_frequency
            2024-03-10T01:30:00,30,1,1,1
            2024-03-10T03:30:00,31,1,1,1
            2024-11-03T00:30:00,32,1,1,1

            """)
        let outcome = try runImport(FitbitImporter(timeZone: TimeZone(identifier: "America/New_York")), url, in: fixture)
        let starts = outcome.measurements.map(\.start)
        #expect(starts.count == 3)
        expectClose(starts[0], unix("2024-03-10T06:30:00Z"))  // EST, UTC-5
        expectClose(starts[1], unix("2024-03-10T07:30:00Z"))  // EDT, UTC-4
        expectClose(starts[2], unix("2024-11-03T04:30:00Z"))
    }

    @Test("a heart-rate file cut off mid-record keeps the records before the cut")
    func truncatedJSON() throws {
        let fixture = try ImportFixture()
        let text = FitbitFixtures.heartRateJSON
        let cut = text.range(of: "\"bpm\" : \"72\"")!.lowerBound
        let url = try fixture.write("heart_rate-2024-01-10.json", String(text[..<cut]))
        let outcome = try runImport(FitbitImporter(timeZone: TimeZone(identifier: "UTC")), url, in: fixture)
        #expect(outcome.measurements.map(\.value) == [69, 71])
        #expect(outcome.rejected(.truncated) == 1)
        #expect(outcome.report.isTruncated)
    }

    @Test("invalid JSON stops that file with a note; other files still import")
    func invalidJSON() throws {
        let fixture = try ImportFixture()
        try fixture.write(
            "a/heart_rate-2024-01-10.json", #"[{"dateTime": "01/10/24 04:00:05", "value": {"bpm": 69}} {"dateTime": "#)
        try fixture.write("a/heart_rate-2024-01-11.json", #"[{"dateTime": "01/11/24 04:00:05", "value": {"bpm": 70}}]"#)
        try fixture.write("a/heart_rate-2024-01-12.json", "not json at all")
        let outcome = try runImport(FitbitImporter(timeZone: TimeZone(identifier: "UTC")), fixture.url("a"), in: fixture)
        #expect(outcome.measurements.map(\.value) == [69, 70])
        #expect(outcome.rejected(.malformed) == 2)
        #expect(outcome.report.notes.map(\.kind) == [.incomplete, .incomplete])
    }

    @Test("a folder without Fitbit files is an error")
    func noFitbitFiles() throws {
        let fixture = try ImportFixture()
        try fixture.write("x/readme.txt", "hello")
        #expect {
            _ = try runImport(FitbitImporter(), fixture.url("x"), in: fixture)
        } throws: { error in
            (error as? ImportError)?.code == .unrecognizedInput
        }
    }
}
