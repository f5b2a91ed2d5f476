/// A layer of a ``SequentialModel``.
///
/// Layers hold no parameters of their own: the model keeps every parameter in one flat vector
/// (the vector federated updates are deltas of) and hands each layer its slice. A layer keeps what
/// it needs from the last `forward(training: true)` to run `backward`, and from `backward` to
/// produce parameter gradients: either summed over the batch or, for DP-SGD, weighted per example
/// after per-example norms are known (book-keeping clipping: one forward and one backward pass).
///
/// Shapes: `inputShape`/`outputShape` are per example; tensors passed in are batched, batch first.
public protocol Layer: AnyObject {
    /// The serialisable description of this layer.
    var spec: LayerSpec { get }
    /// The per-example input shape.
    var inputShape: [Int] { get }
    /// The per-example output shape.
    var outputShape: [Int] { get }
    /// The number of trainable parameters (this layer's slice of the model's flat vector).
    var parameterCount: Int { get }

    /// Writes initial parameter values into this layer's slice.
    func initializeParameters(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout SeededGenerator)

    /// Computes the layer's output for a batch; with `training`, keeps what `backward` needs and
    /// applies training-only behaviour (dropout).
    func forward(_ input: consuming Tensor, parameters: UnsafeBufferPointer<Float>, training: Bool) -> Tensor

    /// Back-propagates the gradient of the loss with respect to the last training forward's output.
    ///
    /// Returns the gradient with respect to the input when `needsInputGradient` (the first layer
    /// of a model does not need it), and keeps what parameter gradients need.
    func backward(_ outputGradient: Tensor, parameters: UnsafeBufferPointer<Float>, needsInputGradient: Bool) -> Tensor?

    /// Adds `Σᵢ wᵢ·gᵢ` to `gradients`, where `gᵢ` is example i's gradient of this layer's parameters
    /// from the last `backward`, and `wᵢ = 1` when `exampleWeights` is nil.
    func accumulateGradients(into gradients: UnsafeMutableBufferPointer<Float>, exampleWeights: UnsafeBufferPointer<Float>?)

    /// Adds `‖gᵢ‖²` (this layer's share of example i's squared gradient norm) to `norms[i]`.
    func addPerExampleSquaredNorms(into norms: UnsafeMutableBufferPointer<Float>)
}

extension Layer {
    public var parameterCount: Int { 0 }
    public func initializeParameters(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout SeededGenerator) {}
    public func accumulateGradients(
        into gradients: UnsafeMutableBufferPointer<Float>, exampleWeights: UnsafeBufferPointer<Float>?
    ) {}
    public func addPerExampleSquaredNorms(into norms: UnsafeMutableBufferPointer<Float>) {}
}

/// Weight initialisation schemes.
public enum Initializer: String, Codable, Sendable, Hashable {
    /// Uniform in ±√(6 / (fanIn + fanOut)) (Glorot & Bengio 2010); for tanh/sigmoid layers.
    case glorotUniform
    /// Uniform in ±√(6 / fanIn) (He et al. 2015); for ReLU layers.
    case heUniform

    /// Fills `weights` for a layer with the given fan-in and fan-out.
    public func fill(
        _ weights: UnsafeMutableBufferPointer<Float>, fanIn: Int, fanOut: Int,
        using generator: inout SeededGenerator
    ) {
        let limit: Double
        switch self {
        case .glorotUniform: limit = (6.0 / Double(max(1, fanIn + fanOut))).squareRoot()
        case .heUniform: limit = (6.0 / Double(max(1, fanIn))).squareRoot()
        }
        for i in weights.indices {
            weights[i] = Float((generator.nextUnitInterval() * 2 - 1) * limit)
        }
    }
}

extension Tensor {
    /// Reads this tensor's scalars through a pointer (no copy).
    @inline(__always)
    func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
}

/// Creates an array of `count` scalars written in place by `body` (no zero-fill pass).
@inline(__always)
func makeScalars(count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: max(count, 1)) { buffer, initialized in
        if count > 0 { body(buffer.baseAddress!) }
        initialized = count
    }
}
