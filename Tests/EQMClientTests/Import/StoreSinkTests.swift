import Foundation
import Testing

@testable import EQMClient

@Suite("Importing into the encrypted local store")
struct StoreSinkTests {
    @Test("an import lands in the store's series once committed; a second import of the same file adds nothing")
    func importIntoStore() throws {
        let fixture = try ImportFixture()
        let input = try fixture.write(
            "data.jsonl",
            """
            {"timestamp": "2024-06-01T08:00:00Z", "sensor_id": "w", "measurements": {"hr": 72, "gsr": 0.8}}
            {"timestamp": "2024-06-01T08:00:01Z", "sensor_id": "w", "measurements": {"hr": 73, "hrv_rmssd": 40}}
            {"timestamp": "2024-06-02T08:00:00Z", "sensor_id": "w", "measurements": {"hr": 300}}

            """)
        let keyFile = fixture.url("node.key").path
        try StoreKeySource.createKeyFile(at: keyFile)
        let store = try LocalStore.create(at: fixture.url("store").path, key: .keyFile(keyFile))
        for _ in 0..<2 {
            var session = store.beginImport()
            let report = try JSONLinesImporter().run(input, into: &session, validator: MeasurementValidator(now: testNow))
            #expect(report.accepted == 4)
            try session.commit(fingerprint: nil, format: "jsonl", accepted: report.accepted)
        }
        #expect(store.seriesCounts == ["heart_rate": 2, "electrodermal_activity": 1, "heart_rate_variability_rmssd": 1])
        let heartRate = try store.samples(series: "heart_rate")
        #expect(heartRate.map(\.value) == [72, 73])
        #expect(heartRate.first?.start == unix("2024-06-01T08:00:00Z"))
    }
}
