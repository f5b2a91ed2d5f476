import Foundation
import Testing

@testable import EQMClient

/// Hand-written `export.xml` fixtures, following the structure and record shapes of real exports
/// (see the wearable-formats reference, section 1).
enum AppleHealthFixtures {
    static let header = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE HealthData [
        <!-- HealthKit Export Version: 14 -->
        <!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription)*)>
        <!ATTLIST HealthData
          locale CDATA #REQUIRED
        >
        <!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
        <!ATTLIST Record
          type          CDATA #REQUIRED
          unit          CDATA #IMPLIED
          value         CDATA #IMPLIED
          sourceName    CDATA #REQUIRED
          startDate     CDATA #REQUIRED
          endDate       CDATA #REQUIRED
        >
        <!-- Note: it's a comment with 'quotes' and a ] bracket -->
        <!ELEMENT HeartRateVariabilityMetadataList (InstantaneousBeatsPerMinute*)>
        <!ELEMENT InstantaneousBeatsPerMinute EMPTY>
        <!ATTLIST InstantaneousBeatsPerMinute bpm CDATA #REQUIRED time CDATA #REQUIRED>
        ]>
        <HealthData locale="en_US">
         <ExportDate value="2024-06-01 08:10:05 +0200"/>
         <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-01-01" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>

        """

    static let watch =
        #"sourceName="Chirath’s Apple Watch" sourceVersion="7.2" device="&lt;&lt;HKDevice: 0x281d99900&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2, software:7.2&gt;""#

    /// One record of every supported type, in every unit conversion, plus records to skip.
    static let valid =
        header + """
             <Record type="HKQuantityTypeIdentifierHeartRate" \(watch) unit="count/min" creationDate="2020-10-30 14:20:39 +1100" startDate="2020-10-30 14:18:21 +1100" endDate="2020-10-30 14:18:21 +1100" value="109">
              <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="1"/>
             </Record>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Polar &amp; Co &#x2019;s strap" unit="count/s" startDate="2020-10-30 14:19:00 +1100" endDate="2020-10-30 14:19:00 +1100" value="1.5"/>
             <Record endDate="2020-10-30 13:54:13 +1100" value="0.96" startDate="2020-10-30 13:54:13 +1100" unit="%" type="HKQuantityTypeIdentifierOxygenSaturation" sourceName="Blood Oxygen">
              <MetadataEntry key="HKMetadataKeyBarometricPressure" value="93.9474 kPa"/>
             </Record>
             <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" \(watch) unit="ms" creationDate="2021-03-27 16:18:15 +1100" startDate="2021-03-27 16:17:11 +1100" endDate="2021-03-27 16:18:15 +1100" value="45.1937">
              <HeartRateVariabilityMetadataList>
               <InstantaneousBeatsPerMinute bpm="97" time="4:17:18.57 pm"/>
               <InstantaneousBeatsPerMinute bpm="96" time="4:17:19.19 pm"/>
               <InstantaneousBeatsPerMinute bpm="100" time="16:17:19.80"/>
              </HeartRateVariabilityMetadataList>
             </Record>
             <Record type="HKQuantityTypeIdentifierRestingHeartRate" \(watch) unit="count/min" startDate="2021-03-27 00:00:00 +1100" endDate="2021-03-27 23:59:59 +1100" value="58"/>
             <Record type="HKQuantityTypeIdentifierRespiratoryRate" \(watch) unit="count/min" startDate="2021-03-28 02:00:00 +1100" endDate="2021-03-28 02:00:00 +1100" value="14.5"/>
             <Record type="HKQuantityTypeIdentifierAppleSleepingWristTemperature" \(watch) unit="degC" startDate="2022-11-01 23:10:00 +0100" endDate="2022-11-02 06:40:00 +0100" value="35.2457"/>
             <Record type="HKQuantityTypeIdentifierBodyTemperature" sourceName="Health" unit="degF" startDate="2022-11-02 08:00:00 -0500" endDate="2022-11-02 08:00:00 -0500" value="98.6"/>
             <Record type="HKQuantityTypeIdentifierElectrodermalActivity" sourceName="Lab" unit="S" startDate="2022-11-02 08:00:00 +0000" endDate="2022-11-02 08:00:00 +0000" value="2.5e-06"/>
             <Record type="HKQuantityTypeIdentifierStepCount" \(watch) unit="count" startDate="2022-11-02 08:00:00 +0100" endDate="2022-11-02 08:09:00 +0100" value="120"/>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Oura" unit="count/min" startDate="2024-01-02T03:04:05Z" endDate="2024-01-02T03:04:05.500Z" value="61"/>
             <Record type="HKCategoryTypeIdentifierSleepAnalysis" \(watch) startDate="2022-11-02 01:00:00 +0100" endDate="2022-11-02 01:30:00 +0100" value="HKCategoryValueSleepAnalysisAsleepCore"/>
             <Record type="HKQuantityTypeIdentifierActiveEnergyBurned" \(watch) unit="kcal" startDate="2022-11-02 01:00:00 +0100" endDate="2022-11-02 01:01:00 +0100" value="0.271"/>
             <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Withings" startDate="2022-11-02 09:00:00 +0100" endDate="2022-11-02 09:00:00 +0100">
              <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Withings" unit="count/min" startDate="2022-11-02 09:00:00 +0100" endDate="2022-11-02 09:00:00 +0100" value="66"/>
              <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Withings" unit="mmHg" startDate="2022-11-02 09:00:00 +0100" endDate="2022-11-02 09:00:00 +0100" value="120"/>
             </Correlation>
             <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="88.23" durationUnit="min" sourceName="Watch" startDate="2022-11-02 10:00:00 +0100" endDate="2022-11-02 11:28:00 +0100">
              <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="2022-11-02 10:00:00 +0100" endDate="2022-11-02 11:28:00 +0100" average="92.5" minimum="65" maximum="125" unit="count/min"/>
             </Workout>
            </HealthData>

            """
}

@Suite("Apple Health export.xml")
struct AppleHealthImporterTests {
    @Test("every supported record type imports with exact values, units, times and sources")
    func validExport() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write("apple_health_export/export.xml", AppleHealthFixtures.valid)
        let outcome = try runImport(AppleHealthImporter(), url, in: fixture)
        let report = outcome.report
        #expect(report.rejected == 0, "\(outcome.quarantineText)")
        #expect(report.notes.isEmpty, "\(report.notes)")
        #expect(report.duplicates == 0)

        let heartRate = outcome.measurements(.heartRate)
        #expect(heartRate.count == 3)
        expectClose(heartRate[0].start, unix("2020-10-30T14:18:21+11:00"))
        #expect(heartRate[0].value == 109)
        #expect(heartRate[0].end == nil)
        #expect(heartRate[0].source == "Apple Watch, Watch6,2")
        // count/s × 60; entities decoded in sourceName.
        #expect(heartRate[1].value == 90)
        #expect(heartRate[1].source == "Polar & Co \u{2019}s strap")
        // ISO 8601 fallback with fractional seconds.
        expectClose(heartRate[2].start, unix("2024-01-02T03:04:05Z"))
        expectClose(heartRate[2].end, unix("2024-01-02T03:04:05.5Z"))
        #expect(heartRate[2].source == "Oura")

        let oxygen = try #require(outcome.measurements(.oxygenSaturation).first)
        expectClose(oxygen.value, 96)
        expectClose(oxygen.start, unix("2020-10-30T13:54:13+11:00"))

        let sdnn = try #require(outcome.measurements(.heartRateVariabilitySDNN).first)
        #expect(sdnn.value == 45.1937)
        expectClose(sdnn.start, unix("2021-03-27T16:17:11+11:00"))
        expectClose(sdnn.end, unix("2021-03-27T16:18:15+11:00"))

        let beats = outcome.measurements(.interBeatInterval)
        #expect(beats.count == 3)
        expectClose(beats[0].start, unix("2021-03-27T16:17:18.57+11:00"), tolerance: 1e-4)
        expectClose(beats[0].value, 60_000.0 / 97)
        expectClose(beats[1].start, unix("2021-03-27T16:17:19.19+11:00"), tolerance: 1e-4)
        expectClose(beats[2].start, unix("2021-03-27T16:17:19.80+11:00"), tolerance: 1e-4)  // 24-hour clock
        expectClose(beats[2].value, 600)
        #expect(beats.allSatisfy { $0.source == "Apple Watch, Watch6,2" })

        #expect(outcome.measurements(.restingHeartRate).first?.value == 58)
        #expect(outcome.measurements(.respiratoryRate).first?.value == 14.5)
        let wrist = try #require(outcome.measurements(.skinTemperature).first)
        #expect(wrist.value == 35.2457)
        expectClose(wrist.end, unix("2022-11-02T06:40:00+01:00"))
        expectClose(outcome.measurements(.bodyTemperature).first?.value, 37, tolerance: 1e-9)
        expectClose(outcome.measurements(.electrodermalActivity).first?.value, 2.5, tolerance: 1e-9)
        let steps = try #require(outcome.measurements(.stepCount).first)
        #expect(steps.value == 120)
        expectClose(steps.end, unix("2022-11-02T08:09:00+01:00"))

        #expect(report.accepted == outcome.measurements.count)
        #expect(report.accepted == 14)
        #expect(report.series[.heartRate] == 3)
        #expect(report.series[.interBeatInterval] == 3)
        // The Correlation's two nested records are duplicates of top-level ones; sleep, energy and the workout are not imported.
        #expect(report.skipped[.correlationDuplicate] == 2)
        #expect(report.skipped[.unsupportedType] == 3)
        #expect(report.recordsRead == 13)
    }

    @Test("the folder of an unzipped export is accepted")
    func exportFolder() throws {
        let fixture = try ImportFixture()
        try fixture.write("apple_health_export/export.xml", AppleHealthFixtures.valid)
        let outcome = try runImport(AppleHealthImporter(), fixture.root, in: fixture)
        #expect(outcome.report.accepted == 14)
    }

    @Test(
        "tiny read buffers give exactly the same result as the default (every tag crosses a boundary)",
        arguments: [16, 37, 101])
    func bufferBoundaries(capacity: Int) throws {
        let fixture = try ImportFixture()
        let url = try fixture.write("export.xml", AppleHealthFixtures.valid)
        var small = AppleHealthImporter()
        small.bufferCapacity = capacity
        let reference = try runImport(AppleHealthImporter(), url, in: fixture)
        let outcome = try runImport(small, url, in: fixture)
        #expect(outcome.measurements == reference.measurements)
        #expect(outcome.report == reference.report)
    }

    static let malformed =
        AppleHealthFixtures.header + """
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" startDate="2020-10-30 14:18:21 +1100" endDate="2020-10-30 14:18:21 +1100" value="abc"/>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" startDate="2020-10-30 14:18:22 +1100" endDate="2020-10-30 14:18:22 +1100" value="NaN"/>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" startDate="2020-10-30 14:18:23 +1100" endDate="2020-10-30 14:18:23 +1100" value="400"/>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="kcal" startDate="2020-10-30 14:18:24 +1100" endDate="2020-10-30 14:18:24 +1100" value="70"/>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" startDate="2020-13-45 14:18:25 +1100" endDate="2020-10-30 14:18:25 +1100" value="71"/>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" startDate="2020-10-30T14:18:26" endDate="2020-10-30T14:18:26" value="72"/>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" startDate="2031-01-01 00:00:00 +0000" endDate="2031-01-01 00:00:00 +0000" value="73"/>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" startDate="1999-12-31 23:00:00 +0000" endDate="1999-12-31 23:00:00 +0000" value="74"/>
             <Record type="HKQuantityTypeIdentifierStepCount" sourceName="W" unit="count" startDate="2020-10-30 14:18:27 +1100" endDate="2020-10-30 14:10:00 +1100" value="75"/>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" startDate="2020-10-30 14:18:28 +1100" endDate="2020-10-30 14:18:28 +1100"/>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" startDate="2020-10-30 14:18:29 +1100" endDate="2020-10-30 14:18:29 +1100" value="77"/>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" startDate="2020-10-30 14:18:29 +1100" endDate="2020-10-30 14:18:29 +1100" value="77"/>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" value=78 startDate="2020-10-30 14:18:30 +1100"/>
             <Record type="HKQuantityTypeIdentifierOxygenSaturation" sourceName="W\u{0B}x" unit="%" startDate="2020-10-30 14:18:31 +1100" endDate="2020-10-30 14:18:31 +1100" value="96"/>
             <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="W" unit="ms" startDate="2021-03-27 16:17:11 +1100" endDate="2021-03-27 16:18:15 +1100" value="45">
              <HeartRateVariabilityMetadataList>
               <InstantaneousBeatsPerMinute bpm="97" time="25:99"/>
               <InstantaneousBeatsPerMinute bpm="x" time="4:17:19.19 pm"/>
               <InstantaneousBeatsPerMinute bpm="96" time="9:00:00.00 am"/>
               <InstantaneousBeatsPerMinute bpm="96" time="4:17:20.00 pm"/>
              </HeartRateVariabilityMetadataList>
             </Record>
             <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" startDate="2020-10-30 14:18:32 +1100" endDate="2020-10-30 14:18:32 +1100" value="79"/>
            </HealthData>

            """

    @Test("bad records are rejected one by one with a reason, a location and no raw value; the rest imports")
    func malformedRecords() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write("export.xml", Self.malformed)
        let outcome = try runImport(AppleHealthImporter(), url, in: fixture)
        let expected: [Rejection.Reason: Int] = [
            .wrongType: 2, .notFinite: 1, .outOfRange: 2, .unsupportedUnit: 1, .invalidTimestamp: 3, .missingTimeZone: 1,
            .timestampInFuture: 1, .timestampTooOld: 1, .invalidInterval: 1, .missingField: 1, .malformed: 1,
        ]
        #expect(outcome.report.rejectedByReason == expected, "\(outcome.quarantineText)")
        #expect(outcome.report.duplicates == 1)
        // 77, 79, the HRV record and its one good beat survive; the malformed tag does not stop the scan.
        #expect(outcome.measurements(.heartRate).map(\.value) == [77, 79])
        #expect(outcome.measurements(.heartRateVariabilitySDNN).count == 1)
        #expect(outcome.measurements(.interBeatInterval).count == 1)
        expectNoRawValues(outcome, ["abc", "400", "2031", "1999", "25:99", "9:00:00"])

        // Locations: the out-of-range record is the third Record.
        let outOfRange = outcome.quarantined("out_of_range")
        let first = try #require(outOfRange.first { ($0["path"] as? String)?.hasPrefix("/HealthData/Record[3]") == true })
        #expect(first["line"] as? Int == lineNumber(of: "value=\"400\"", in: Self.malformed))
        #expect(first["index"] as? Int == 2)
        #expect(first["quantity"] as? String == "heart_rate")
        #expect((first["file"] as? String)?.hasSuffix("export.xml") == true)
        #expect((first["detail"] as? String)?.contains("25…250 bpm") == true)
        let beat = try #require(
            outcome.quarantined("invalid_timestamp").first {
                ($0["path"] as? String)?.contains("InstantaneousBeatsPerMinute[1]") == true
            })
        #expect(
            beat["path"] as? String == "/HealthData/Record[15]/HeartRateVariabilityMetadataList/InstantaneousBeatsPerMinute[1]")
        #expect(outcome.quarantined("malformed").first?["path"] as? String == "/HealthData/Record[13]")
        // The beat at 9 am lies outside its record: rejected on its own.
        #expect(
            outcome.quarantined("invalid_timestamp").contains {
                ($0["path"] as? String)?.hasSuffix("InstantaneousBeatsPerMinute[3]") == true
            })
    }

    @Test("records with empty or missing attributes are rejected, never crash")
    func emptyAttributes() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write(
            "export.xml",
            AppleHealthFixtures.header + """
                 <Record type="" sourceName="" unit="" startDate="" endDate="" value=""/>
                 <Record/>
                 <Record type="HKQuantityTypeIdentifierHeartRate" unit="" value="" startDate="" endDate=""/>
                 <Record type="HKQuantityTypeIdentifierHeartRate" unit="count/min" value="70" startDate="" endDate=""/>
                 <Record type="HKQuantityTypeIdentifierHeartRate" unit="count/min" value="70" startDate="2020-10-30 14:18:21 +1100" endDate=""/>
                 <InstantaneousBeatsPerMinute bpm="60" time="1:00:00 pm"/>
                </HealthData>
                """)
        let outcome = try runImport(AppleHealthImporter(), url, in: fixture)
        #expect(outcome.report.rejectedByReason == [.missingField: 4], "\(outcome.quarantineText)")
        #expect(outcome.measurements.map(\.value) == [70])
        #expect(outcome.measurements.first?.end == nil)
    }

    @Test("a zone-less ISO time uses the configured zone when one is given")
    func zonelessWithZone() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write(
            "export.xml",
            AppleHealthFixtures.header + """
                 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="App" unit="count/min" startDate="2024-07-01T10:00:00" endDate="2024-07-01T10:00:00" value="70"/>
                </HealthData>
                """)
        let outcome = try runImport(AppleHealthImporter(timeZone: TimeZone(identifier: "Europe/Berlin")), url, in: fixture)
        expectClose(outcome.measurements.first?.start, unix("2024-07-01T08:00:00Z"))
    }

    @Test("a file cut off inside a tag keeps every record before the cut and reports the rest")
    func truncatedInsideTag() throws {
        let fixture = try ImportFixture()
        let full = AppleHealthFixtures.valid
        let cut = full.range(of: "<Record type=\"HKQuantityTypeIdentifierRestingHeartRate\"")!.upperBound
        let text = String(full[..<cut]) + " unit=\"count/mi"
        let url = try fixture.write("export.xml", text)
        let cutLine = lineNumber(of: "HKQuantityTypeIdentifierRestingHeartRate", in: text)
        let outcome = try runImport(AppleHealthImporter(), url, in: fixture)
        #expect(outcome.measurements(.heartRate).count == 2)
        #expect(outcome.measurements(.interBeatInterval).count == 3)
        #expect(outcome.rejected(.truncated) == 1)
        #expect(outcome.report.isTruncated)
        let note = try #require(outcome.report.notes.first)
        #expect(note.kind == .truncated)
        #expect(note.line == cutLine)
        #expect(outcome.quarantined("truncated").first?["line"] as? Int == cutLine)
    }

    @Test("a file cut off between records keeps them all and notes the missing end")
    func truncatedBetweenRecords() throws {
        let fixture = try ImportFixture()
        let full = AppleHealthFixtures.valid
        let cut = full.range(of: "<Record type=\"HKQuantityTypeIdentifierRestingHeartRate\"")!.lowerBound
        let url = try fixture.write("export.xml", String(full[..<cut]))
        let outcome = try runImport(AppleHealthImporter(), url, in: fixture)
        #expect(outcome.report.accepted == 7)
        #expect(outcome.report.rejected == 0)
        #expect(outcome.report.notes.map(\.kind) == [.truncated])
    }

    @Test("a beat list that crosses midnight continues on the next day")
    func beatsAcrossMidnight() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write(
            "export.xml",
            AppleHealthFixtures.header + """
                 <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="W" unit="ms" startDate="2023-05-01 23:59:40 +0200" endDate="2023-05-02 00:00:40 +0200" value="50">
                  <HeartRateVariabilityMetadataList>
                   <InstantaneousBeatsPerMinute bpm="60" time="11:59:50.00 PM"/>
                   <InstantaneousBeatsPerMinute bpm="60" time="12:00:10.50 a.m."/>
                  </HeartRateVariabilityMetadataList>
                 </Record>
                </HealthData>
                """)
        let outcome = try runImport(AppleHealthImporter(), url, in: fixture)
        let beats = outcome.measurements(.interBeatInterval)
        #expect(beats.count == 2)
        expectClose(beats.first?.start, unix("2023-05-01T23:59:50+02:00"))
        expectClose(beats.last?.start, unix("2023-05-02T00:00:10.5+02:00"))
        #expect(beats.allSatisfy { $0.value == 1000 })
    }

    @Test(
        "inputs that are not an export fail with a clear error",
        arguments: [
            ("notes.json", "{\"not\": \"xml\"}"),
            ("export.xml", "<?xml version=\"1.0\"?><Other/>"),
            ("export.xml", ""),
        ])
    func notAnExport(name: String, text: String) throws {
        let fixture = try ImportFixture()
        let url = try fixture.write(name, text)
        #expect {
            _ = try runImport(AppleHealthImporter(), url, in: fixture)
        } throws: { error in
            (error as? ImportError)?.code == .unrecognizedInput && (error as? ImportError)?.message.contains("HealthData") == true
        }
    }

    @Test("a zip archive and a missing path are refused with what to do")
    func zipAndMissing() throws {
        let fixture = try ImportFixture()
        let zip = try fixture.write("export.zip", bytes: [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0])
        #expect {
            _ = try runImport(AppleHealthImporter(), zip, in: fixture)
        } throws: { error in
            (error as? ImportError)?.message.contains("unzip") == true
        }
        #expect {
            _ = try runImport(AppleHealthImporter(), fixture.url("nowhere/export.xml"), in: fixture)
        } throws: { error in
            (error as? ImportError)?.code == .unreadableInput
        }
        #expect {
            _ = try runImport(AppleHealthImporter(), fixture.root, in: fixture)
        } throws: { error in
            (error as? ImportError)?.code == .unrecognizedInput
        }
    }
}
