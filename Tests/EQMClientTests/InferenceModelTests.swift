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
}
