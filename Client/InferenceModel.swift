public import EQMCore
import Foundation

/// A trained model loaded for inference, as a developer or a node uses it.
///
/// Signature verification of models pulled from a coordinator arrives with the registry (issue 6/7);
/// this type already refuses corrupted or foreign files through ``ModelFile``'s checksum.
public struct InferenceModel {
    /// The model.
    public let model: SequentialModel
    /// The file header (architecture, metadata).
    public let header: ModelFile.Header

    /// Loads and verifies a model file.
    public init(contentsOf path: String) throws {
        let url = URL(fileURLWithPath: path)
        let data = try Data(contentsOf: url)
        (model, header) = try ModelFile.decode(Array(data))
    }

    /// Predicts the state for one input example.
    public func predict(_ example: [Float]) throws -> Prediction {
        try model.predict(example)
    }
}
