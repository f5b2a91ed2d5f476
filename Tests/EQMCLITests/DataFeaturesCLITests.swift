import EQMCore
import Foundation
import Testing

@Suite("eqm data features")
struct DataFeaturesCLITests {
    /// Writes a synthetic recording as an Empatica E4 session folder (first row start time, second
    /// row sample rate; ACC in 1/64 g).
    static func writeE4(_ recording: UserRecording, start: Double, to folder: URL) throws {
        func write(_ name: String, _ columns: [[Float]], rate: Double, scale: Float = 1) throws {
            var text = Array(repeating: String(format: "%.1f", start), count: columns.count).joined(separator: ", ") + "\n"
            text += Array(repeating: String(format: "%.6f", rate), count: columns.count).joined(separator: ", ") + "\n"
            for index in 0..<columns[0].count {
                let values = columns.map {
                    $0[index].isNaN ? "" : String(format: scale == 1 ? "%.4f" : "%.0f", $0[index] * scale)
                }
                text += values.joined(separator: ",") + "\n"
            }
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }
        try write("BVP.csv", [recording.bvp.values], rate: 64)
        try write("EDA.csv", [recording.eda.values], rate: 4)
        try write("TEMP.csv", [recording.temperature.values], rate: 4)
        try write(
            "ACC.csv", [recording.accelerationX.values, recording.accelerationY.values, recording.accelerationZ.values], rate: 32,
            scale: 64)
    }

    @Test("an E4 session gives one CSV row per window with heart rate near the truth; the store route saves the table encrypted")
    func e4() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-features-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let session = folder.appendingPathComponent("session")
        try FileManager.default.createDirectory(at: session, withIntermediateDirectories: true)
        let recording = try SyntheticCohort.recording(
            for: 0, configuration: CohortConfiguration(users: 1, minutesPerUser: 6, seed: 3))
        try Self.writeE4(recording, start: 1_717_000_000, to: session)

        let result = try EQMProcess.run([
            "data", "features", "--format", "e4", session.path, "--window", "60", "--step", "30", "--csv",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(
            lines.first
                == "start,end,hr_mean,hrv_sdnn,hrv_rmssd,hrv_pnn50,hrv_lf,hrv_hf,hrv_lf_hf,eda_tonic_mean,eda_scr_count,eda_scr_amplitude_mean,temp_mean,temp_slope,acc_mag_mean,acc_mag_std,spo2_mean,spo2_min"
        )
        #expect(lines.count >= 1 + 9)  // 6 minutes in 60 s windows every 30 s
        let first = lines[1].split(separator: ",", omittingEmptySubsequences: false)
        #expect(first.count == 18)
        #expect(first[16].isEmpty && first[17].isEmpty)  // no SpO2 in an E4 session
        let measuredHR = try #require(Double(first[2]))
        let beats = recording.beatTimes.filter { $0 >= 0 && $0 < 60 }
        let trueHR = Double(beats.count - 1) / (beats.last! - beats.first!) * 60
        #expect(abs(measuredHR - trueHR) < 5, "hr_mean \(measuredHR) vs true \(trueHR)")
        #expect((try #require(Double(first[14]))) > 0.8)  // acceleration magnitude ≈ 1 g with gravity

        // Through the store: import, then features from the store (saved as an encrypted artefact).
        let key = folder.appendingPathComponent("node.key")
        _ = FileManager.default.createFile(
            atPath: key.path, contents: Data(String(repeating: "c3", count: 32).utf8), attributes: [.posixPermissions: 0o600])
        let store = ["--store", folder.appendingPathComponent("store").path, "--key-file", key.path]
        #expect(try EQMProcess.run(["data", "import", "--format", "e4", session.path] + store).status == 0)
        let fromStore = try EQMProcess.run(["data", "features", "--json"] + store)
        #expect(fromStore.status == 0, "\(fromStore.stderr)")
        let rows = try #require(try fromStore.json()["rows"] as? [[String: Any]])
        #expect(rows.count == lines.count - 1)
    }
}
