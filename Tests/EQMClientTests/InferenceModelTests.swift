import EQMClient
import EQMCore
import Foundation
import Testing

@Suite("Inference model files")
struct InferenceModelTests {
    @Test("loads a saved model and predicts; refuses a corrupted file")
    func loadAndPredict() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try SequentialModel(spec: .mlp(), seed: 4)
        var bytes = ModelFile.encode(model)
        let path = directory.appendingPathComponent("model.eqmmodel").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let loaded = try InferenceModel(contentsOf: path)
        let example = [Float](repeating: 0.5, count: 48)
        #expect(try loaded.predict(example) == model.predict(example))

        bytes[100] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: EQMCoreError.self) { try InferenceModel(contentsOf: path) }
    }

    @Test("predicts every 64 s window of a recording's samples, as the live windows do")
    func predictsRecordingWindows() throws {
        let model = try SequentialModel(spec: .mlp(), seed: 4)
        let inference = try InferenceModel(modelFile: ModelFile.encode(model))
        let stream = try SyntheticStream(user: 2, minutes: 3, seed: 5, origin: 1_760_000_000)
        let measurements = try (0..<130).flatMap { try LiveRecords.parse(Array(stream.message(second: $0).utf8)) }
        let windows = try inference.predict(measurements.shuffled())
        #expect(windows.map(\.start) == [1_760_000_000, 1_760_000_032, 1_760_000_064])
        #expect(windows.allSatisfy { $0.prediction != nil && $0.end == $0.start + 64 })

        // The same standardisation through the live windower gives the same predictions.
        var series = [Quantity: [StoredSample]]()
        for measurement in measurements {
            series[measurement.quantity, default: []].append(StoredSample(start: measurement.start, value: measurement.value))
        }
        let normalizer = try LiveWindower.fitNormalizer(spec: .mlp(), data: NodeData.Snapshot(series: series, labels: []))
        var windower = try LiveWindower(spec: .mlp(), normalizer: normalizer)
        let live = try (0..<130).flatMap { try windower.append(try LiveRecords.parse(Array(stream.message(second: $0).utf8))) }
        #expect(try live.map { try model.predict(try #require($0.input)) } == windows.map(\.prediction!))
    }
}
