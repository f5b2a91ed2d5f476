import Foundation
import Testing

@testable import EQMClient

/// A hand-written Empatica E4 session folder (wearable-formats reference, section 5).
enum E4Fixtures {
    static let start = 1_560_279_825.0

    static let acc = """
        1560279825.000000, 1560279825.000000, 1560279825.000000
        32.000000, 32.000000, 32.000000
        -61,25,6
        -60,26,64
        -62,x,7
        -63,24
        """
    static let bvp = """
        1560279825.00
        64.000000
        -0.00
        12.34
        NaN
        abc
        -15.71

        """
    static let eda = """
        1560279825.000000
        4.000000
        0.000000
        0.020499
        0.021780

        """
    static let temp = """
        1560279825.000000
        4.000000
        32.13
        32.15
        65.00

        """
    static let hr = """
        1560279835.000000
        1.000000
        93.00
        92.50

        """
    static let ibi = """
        1560279825.000000, IBI
        83.503822,0.609403
        84.113225,0.609403
        84.722628,3.5
        85.3
        """

    static func writeSession(_ fixture: ImportFixture, folder: String = "S2_E4_Data") throws -> URL {
        try fixture.write("\(folder)/ACC.csv", acc)
        try fixture.write("\(folder)/BVP.csv", bvp)
        try fixture.write("\(folder)/EDA.csv", eda)
        try fixture.write("\(folder)/TEMP.csv", temp)
        try fixture.write("\(folder)/HR.csv", hr)
        try fixture.write("\(folder)/IBI.csv", ibi)
        try fixture.write("\(folder)/tags.csv", "1560279900.12\n")
        try fixture.write("\(folder)/info.txt", "E4 session")
        return fixture.url(folder)
    }
}

@Suite("Empatica E4 folders")
struct EmpaticaE4ImporterTests {
    @Test("every signal imports at start + i / rate with E4 units converted")
    func session() throws {
        let fixture = try ImportFixture()
        let url = try E4Fixtures.writeSession(fixture)
        let outcome = try runImport(EmpaticaE4Importer(), url, in: fixture)
        let start = E4Fixtures.start

        let x = outcome.measurements(.accelerationX)
        let counts: [Double] = [-61, -60, -62]
        #expect(x.map(\.value) == counts.map { $0 / 64 })
        let accTimes: [Double] = [0, 1, 2].map { start + $0 / 32 }
        #expect(x.map(\.start) == accTimes)
        let y: [Double] = [25, 26]
        #expect(outcome.measurements(.accelerationY).map(\.value) == y.map { $0 / 64 })
        let z: [Double] = [6, 64, 7]
        #expect(outcome.measurements(.accelerationZ).map(\.value) == z.map { $0 / 64 })
        #expect(x.allSatisfy { $0.source == "Empatica E4" && $0.end == nil })

        let bvp = outcome.measurements(.bloodVolumePulse)
        #expect(bvp.map(\.value) == [0, 12.34, -15.71])
        // The rejected rows keep their sample slots: -15.71 is the fifth sample.
        let bvpTimes: [Double] = [0, 1, 4].map { start + $0 / 64 }
        #expect(bvp.map(\.start) == bvpTimes)

        let eda = outcome.measurements(.electrodermalActivity)
        #expect(eda.map(\.value) == [0, 0.020499, 0.021780])
        #expect(eda.last?.start == start + 0.5)
        #expect(outcome.measurements(.skinTemperature).map(\.value) == [32.13, 32.15])
        let heartRate = outcome.measurements(.heartRate)
        #expect(heartRate.map(\.value) == [93, 92.5])
        let heartRateTimes: [Double] = [start + 10, start + 11]
        #expect(heartRate.map(\.start) == heartRateTimes)

        let intervals = outcome.measurements(.interBeatInterval)
        #expect(intervals.count == 2)
        expectClose(intervals.first?.value, 609.403)
        expectClose(intervals.first?.start, start + 83.503822)

        let expected: [Rejection.Reason: Int] = [
            .wrongType: 2, .notFinite: 1, .truncated: 2, .outOfRange: 2,
        ]
        #expect(outcome.report.rejectedByReason == expected, "\(outcome.quarantineText)")
        #expect(outcome.report.skipped[.unsupportedFile] == 2)
        let axis = try #require(outcome.quarantined("wrong_type").first { ($0["path"] as? String) == "y" })
        #expect((axis["file"] as? String)?.hasSuffix("ACC.csv") == true)
        #expect(axis["line"] as? Int == 5)
        #expect(axis["index"] as? Int == 2)
        #expect(axis["quantity"] as? String == "acceleration_y")
        expectNoRawValues(outcome, ["65", "3500", "abc"])
    }

    @Test(
        "a header with an implausible start or rate is one invalid_header rejection, not one per sample",
        arguments: ["0\n4.000000\n32.1\n32.2\n", "1560279825.0\n0\n32.1\n", "1560279825.0\n", ""])
    func invalidHeader(text: String) throws {
        let fixture = try ImportFixture()
        let url = try fixture.write("s/TEMP.csv", text)
        let outcome = try runImport(EmpaticaE4Importer(), url, in: fixture)
        #expect(outcome.report.accepted == 0)
        #expect(outcome.report.rejectedByReason == [.invalidHeader: 1])
        #expect(outcome.report.notes.map(\.kind) == [.incomplete])
    }

    @Test("sessions in sub-folders are all read; a folder without E4 files is an error")
    func subfolders() throws {
        let fixture = try ImportFixture()
        _ = try E4Fixtures.writeSession(fixture, folder: "WESAD/S2/S2_E4_Data")
        _ = try E4Fixtures.writeSession(fixture, folder: "WESAD/S3/S3_E4_Data")
        let outcome = try runImport(EmpaticaE4Importer(), fixture.url("WESAD"), in: fixture)
        // Two identical sessions: the second is entirely exact duplicates.
        #expect(outcome.report.accepted == 20)
        #expect(outcome.report.duplicates == 20)
        #expect(outcome.report.filesRead == 12)

        try fixture.write("empty/readme.md", "nothing")
        #expect {
            _ = try runImport(EmpaticaE4Importer(), fixture.url("empty"), in: fixture)
        } throws: { error in
            (error as? ImportError)?.code == .unrecognizedInput && (error as? ImportError)?.message.contains("ACC.csv") == true
        }
    }
}
