/// The architecture of a sequential model: its per-example input shape and its layers.
///
/// Every model ends in ``EmotionLabel/count`` logits; ``SequentialModel`` checks this.
public struct ModelSpec: Codable, Sendable, Hashable {
    /// The per-example input shape: `[features]` or `[steps, channels]`.
    public var inputShape: [Int]
    /// The layers, first to last.
    public var layers: [LayerSpec]

    /// Creates a specification.
    public init(inputShape: [Int], layers: [LayerSpec]) {
        self.inputShape = inputShape
        self.layers = layers
    }

    /// The reference MLP: 48 features → 64 → 64 → 11 with ReLU.
    public static func mlp(inputs: Int = 48, hidden: [Int] = [64, 64]) -> ModelSpec {
        var layers = [LayerSpec]()
        for width in hidden { layers += [.dense(outputs: width), .relu] }
        layers.append(.dense(outputs: EmotionLabel.count, initializer: .glorotUniform))
        return ModelSpec(inputShape: [inputs], layers: layers)
    }

    /// The reference CNN: 6 channels × 256 steps; Conv1D(6→16, k=7), ReLU, MaxPool(2),
    /// Conv1D(16→32, k=5), ReLU, MaxPool(2), global average pool, Dense(32→11).
    public static func cnn(channels: Int = 6, steps: Int = 256) -> ModelSpec {
        ModelSpec(
            inputShape: [steps, channels],
            layers: [
                .conv1D(outputChannels: 16, kernelSize: 7), .relu, .maxPool1D(poolSize: 2, stride: 2),
                .conv1D(outputChannels: 32, kernelSize: 5), .relu, .maxPool1D(poolSize: 2, stride: 2),
                .globalAveragePool1D,
                .dense(outputs: EmotionLabel.count, initializer: .glorotUniform),
            ])
    }

    /// The reference GRU: 6 features × 64 steps, hidden 32, last state → Dense(32→11).
    public static func gru(features: Int = 6, steps: Int = 64, hidden: Int = 32) -> ModelSpec {
        ModelSpec(
            inputShape: [steps, features],
            layers: [
                .gru(hidden: hidden),
                .dense(outputs: EmotionLabel.count, initializer: .glorotUniform),
            ])
    }

    /// The built-in architectures by name (`mlp`, `cnn`, `gru`).
    public static func named(_ name: String) throws(EQMCoreError) -> ModelSpec {
        switch name.lowercased() {
        case "mlp": return .mlp()
        case "cnn": return .cnn()
        case "gru": return .gru()
        default: throw .invalidConfiguration("unknown model '\(name.prefix(40))'; expected one of mlp, cnn, gru")
        }
    }
}
