/// The serialisable description of one layer. Input sizes are not stored: they follow from the
/// model's input shape and the layers before, so a specification cannot disagree with itself.
public enum LayerSpec: Codable, Sendable, Hashable {
    /// A fully connected layer over a flat input (`[features]`).
    case dense(outputs: Int, initializer: Initializer = .heUniform)
    /// A 1-D convolution over `[steps, channels]`.
    case conv1D(outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0)
    /// Max pooling over steps of `[steps, channels]`.
    case maxPool1D(poolSize: Int, stride: Int)
    /// Average over steps: `[steps, channels]` → `[channels]`.
    case globalAveragePool1D
    /// A GRU over `[steps, features]`, returning the last state or every state.
    case gru(hidden: Int, returnSequences: Bool = false)
    /// Rectified linear unit.
    case relu
    /// Hyperbolic tangent.
    case tanh
    /// Logistic sigmoid.
    case sigmoid
    /// Inverted dropout (identity at inference).
    case dropout(rate: Float)

    /// Builds the layer for a per-example input shape.
    func makeLayer(inputShape: [Int], seed: UInt64) throws(EQMCoreError) -> any Layer {
        func sequenceShape(_ name: String) throws(EQMCoreError) -> (steps: Int, channels: Int) {
            guard inputShape.count == 2 else {
                throw .invalidShape("\(name) expects a [steps, channels] input, found \(inputShape)")
            }
            return (inputShape[0], inputShape[1])
        }
        try validateSizes()
        switch self {
        case .dense(let outputs, let initializer):
            guard inputShape.count == 1 else {
                throw .invalidShape(
                    "Dense expects a flat [features] input, found \(inputShape); add a pooling or recurrent layer first")
            }
            return try Dense(inputs: inputShape[0], outputs: outputs, initializer: initializer)
        case .conv1D(let outputChannels, let kernelSize, let stride, let padding):
            let (steps, channels) = try sequenceShape("Conv1D")
            return try Conv1D(
                steps: steps, inputChannels: channels, outputChannels: outputChannels,
                kernelSize: kernelSize, stride: stride, padding: padding)
        case .maxPool1D(let poolSize, let stride):
            let (steps, channels) = try sequenceShape("MaxPool1D")
            return try MaxPool1D(steps: steps, channels: channels, poolSize: poolSize, stride: stride)
        case .globalAveragePool1D:
            let (steps, channels) = try sequenceShape("GlobalAveragePool1D")
            return try GlobalAveragePool1D(steps: steps, channels: channels)
        case .gru(let hidden, let returnSequences):
            let (steps, features) = try sequenceShape("GRU")
            return try GRU(steps: steps, features: features, hidden: hidden, returnSequences: returnSequences)
        case .relu: return Activation(.relu, shape: inputShape)
        case .tanh: return Activation(.tanh, shape: inputShape)
        case .sigmoid: return Activation(.sigmoid, shape: inputShape)
        case .dropout(let rate): return try Dropout(rate: rate, shape: inputShape, seed: seed)
        }
    }

    /// The largest width, kernel or pool size a layer may declare; model files come from the
    /// network, so sizes are bounded before anything is allocated or multiplied.
    static let maximumSize = 65_536

    private func validateSizes() throws(EQMCoreError) {
        let sizes: [Int]
        switch self {
        case .dense(let outputs, _): sizes = [outputs]
        case .conv1D(let outputChannels, let kernelSize, let stride, let padding):
            sizes = [outputChannels, kernelSize, stride, padding + 1]
        case .maxPool1D(let poolSize, let stride): sizes = [poolSize, stride]
        case .gru(let hidden, _): sizes = [hidden]
        case .globalAveragePool1D, .relu, .tanh, .sigmoid, .dropout: sizes = []
        }
        if let bad = sizes.first(where: { $0 < 1 || $0 > Self.maximumSize }) {
            throw .invalidConfiguration("layer \(self) has a size \(bad) outside 1...\(Self.maximumSize)")
        }
    }
}
