import Foundation
import Testing

@testable import EQMClient

/// Hand-written Oura API v2 responses (wearable-formats reference, section 3).
enum OuraFixtures {
    static let heartrate = """
        {
          "data": [
            {"bpm": 60, "source": "awake", "timestamp": "2021-11-01T01:00:00+00:00"},
            {"bpm": 62, "source": "rest", "timestamp": "2021-11-01T01:05:00+00:00", "timestamp_unix": 1635728700000},
            {"bpm": "61", "source": "rest", "timestamp": "2021-11-01T01:10:00+00:00"},
            {"bpm": 59, "source": "rest", "timestamp": "2021-11-01T01:15:00"}
          ],
          "next_token": null
        }
        """

    static let sleep = """
        {"data": [{
          "id": "8f9a5221-639e-4a85-81cb-4065ef23f979",
          "average_breath": 15.125,
          "average_heart_rate": 52.3,
          "average_hrv": 66,
          "bedtime_start": "2022-08-10T02:20:41-04:00",
          "bedtime_end": "2022-08-10T09:20:41-04:00",
          "day": "2022-08-10",
          "heart_rate": {"interval": 300.0, "items": [51, 53, null, null, 44], "timestamp": "2022-08-10T02:20:41.000-04:00"},
          "hrv": {"interval": 300.0, "items": [70, "high", 64], "timestamp": "2022-08-10T02:20:41.000-04:00"},
          "lowest_heart_rate": 44,
          "movement_30_sec": "1112221",
          "type": "long_sleep"
        }], "next_token": null}
        """

    static let readiness = """
        {"data": [
          {"id": "r1", "day": "2021-10-27", "score": 86, "temperature_deviation": -0.2, "temperature_trend_deviation": 0.1,
           "timestamp": "2021-10-27T00:00:00+00:00", "contributors": {"activity_balance": 56, "body_temperature": 98}},
          {"id": "r2", "day": "2021-10-28", "score": 80, "temperature_deviation": null, "timestamp": "2021-10-28T00:00:00+00:00"},
          {"id": "r3", "day": "2021-10-29", "score": 81, "temperature_deviation": 0.35}
        ], "next_token": "abc"}
        """
}

@Suite("Oura API v2 JSON")
struct OuraImporterTests {
    @Test("heart rate, sleep series and readiness temperature import with exact values and times")
    func documents() throws {
        let fixture = try ImportFixture()
        try fixture.write("oura/heartrate.json", OuraFixtures.heartrate)
        try fixture.write("oura/sleep.json", OuraFixtures.sleep)
        try fixture.write("oura/daily_readiness.json", OuraFixtures.readiness)
        try fixture.write("oura/README.txt", "exported with the API")
        let outcome = try runImport(OuraImporter(), fixture.url("oura"), in: fixture)

        let heartRate = outcome.measurements(.heartRate)
        // Files are read in name order: daily_readiness, heartrate, sleep.
        #expect(heartRate.map(\.value) == [60, 62, 51, 53, 44])
        expectClose(heartRate[0].start, unix("2021-11-01T01:00:00Z"))
        #expect(heartRate[0].source == "Oura (awake)")
        let sleepStart = unix("2022-08-10T06:20:41Z")
        expectClose(heartRate[2].start, sleepStart)
        expectClose(heartRate[4].start, sleepStart + 4 * 300)
        #expect(heartRate[4].source == "Oura")

        let hrv = outcome.measurements(.heartRateVariabilityRMSSD)
        #expect(hrv.map(\.value) == [70, 64])
        expectClose(hrv[1].start, sleepStart + 600)
        expectClose(hrv[1].end, sleepStart + 900)

        let breath = try #require(outcome.measurements(.respiratoryRate).first)
        #expect(breath.value == 15.125)
        expectClose(breath.start, sleepStart)
        expectClose(breath.end, sleepStart + 7 * 3600)
        #expect(outcome.measurements(.restingHeartRate).map(\.value) == [44])

        let deviation = outcome.measurements(.skinTemperatureDeviation)
        #expect(deviation.map(\.value) == [-0.2, 0.35])
        expectClose(deviation[0].start, unix("2021-10-27T00:00:00Z"))
        expectClose(deviation[0].end, unix("2021-10-28T00:00:00Z"))
        expectClose(deviation[1].start, unix("2021-10-29T00:00:00Z"))  // from `day`

        let expected: [Rejection.Reason: Int] = [.wrongType: 2, .missingTimeZone: 1]
        #expect(outcome.report.rejectedByReason == expected, "\(outcome.quarantineText)")
        #expect(outcome.report.skipped[.missingSample] == 3)  // two null heart-rate items, one null deviation
        #expect(outcome.report.skipped[.unsupportedFile] == 1)
        let item = try #require(outcome.quarantined("wrong_type").first { ($0["path"] as? String) == "data[0].hrv.items[1]" })
        #expect((item["file"] as? String)?.hasSuffix("sleep.json") == true)
        #expect(item["line"] as? Int == 1)
        #expect(outcome.quarantined("missing_time_zone").first?["path"] as? String == "data[3].timestamp")
        #expect(outcome.quarantined("missing_time_zone").first?["line"] as? Int == 6)
    }

    @Test("a bare array of records is accepted; records of other collections are skipped")
    func bareArray() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write(
            "page.json",
            """
            [{"bpm": 58, "source": "sleep", "timestamp": "2021-11-01T03:00:00Z"},
             {"day": "2021-11-01", "score": 80, "contributors": {"deep_sleep": 90}}]
            """)
        let outcome = try runImport(OuraImporter(), url, in: fixture)
        #expect(outcome.measurements.map(\.value) == [58])
        #expect(outcome.report.skipped[.unsupportedType] == 1)
    }

    @Test("a document cut off inside the data array keeps the records before the cut")
    func truncated() throws {
        let fixture = try ImportFixture()
        let text = OuraFixtures.heartrate
        let url = try fixture.write("heartrate.json", String(text[..<text.range(of: "{\"bpm\": \"61\"")!.upperBound]))
        let outcome = try runImport(OuraImporter(), url, in: fixture)
        #expect(outcome.measurements.map(\.value) == [60, 62])
        #expect(outcome.rejected(.truncated) == 1)
        #expect(outcome.report.isTruncated)
    }

    @Test("a single file that is not an Oura document is an error")
    func notOura() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write("other.json", #"{"items": [1, 2, 3]}"#)
        #expect {
            _ = try runImport(OuraImporter(), url, in: fixture)
        } throws: { error in
            (error as? ImportError)?.code == .unrecognizedInput
        }
    }
}
