/// An element-wise activation function.
public enum ActivationFunction: String, Codable, Sendable, Hashable {
    /// max(0, x).
    case relu
    /// Hyperbolic tangent.
    case tanh
    /// Logistic sigmoid 1 / (1 + e⁻ˣ).
    case sigmoid
}

/// An element-wise activation layer (ReLU, Tanh or Sigmoid) of any input shape.
///
/// The three share one type because they differ only in the function and its derivative; the
/// derivative is taken from the cached output (ReLU: y > 0, tanh: 1 − y², sigmoid: y(1 − y)).
public final class Activation: Layer {
    /// The function applied to every element.
    public let function: ActivationFunction
    public let inputShape: [Int]
    private var output = Tensor(zeros: [0])

    /// Creates an activation layer for examples of the given shape.
    public init(_ function: ActivationFunction, shape: [Int]) {
        self.function = function
        self.inputShape = shape
    }

    public var spec: LayerSpec {
        switch function {
        case .relu: .relu
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        }
    }
    public var outputShape: [Int] { inputShape }

    public func forward(_ input: consuming Tensor, parameters: UnsafeBufferPointer<Float>, training: Bool) -> Tensor {
        var output = input
        output.scalars.withUnsafeMutableBufferPointer { values in
            switch function {
            case .relu:
                let zero = SIMD8<Float>()
                var i = 0
                let base = values.baseAddress!
                while i + 8 <= values.count {
                    // `replacing(with:where:)` lowers to one vector blend; the generic pointwiseMax does not inline.
                    let v = load8(base + i)
                    store8(base + i, v.replacing(with: zero, where: v .< zero))
                    i += 8
                }
                while i < values.count { values[i] = max(values[i], 0); i += 1 }
            case .tanh:
                Activation.apply(values, vector: SIMDMath.tanh, scalar: Math.tanh)
            case .sigmoid:
                Activation.apply(values, vector: SIMDMath.sigmoid, scalar: Activation.sigmoid)
            }
        }
        if training { self.output = output }
        return output
    }

    public func backward(_ outputGradient: Tensor, parameters: UnsafeBufferPointer<Float>, needsInputGradient: Bool) -> Tensor? {
        guard needsInputGradient else { return nil }
        var gradient = outputGradient
        gradient.scalars.withUnsafeMutableBufferPointer { g in
            output.scalars.withUnsafeBufferPointer { y in
                let gBase = g.baseAddress!, yBase = y.baseAddress!
                var i = 0
                // Eight at a time, then the tail.
                while i + 8 <= g.count {
                    let yv = load8(yBase + i), gv = load8(gBase + i)
                    switch function {
                    case .relu: store8(gBase + i, gv.replacing(with: 0, where: yv .<= 0))
                    case .tanh: store8(gBase + i, gv * (1 - yv * yv))
                    case .sigmoid: store8(gBase + i, gv * yv * (1 - yv))
                    }
                    i += 8
                }
                while i < g.count {
                    switch function {
                    case .relu: if y[i] <= 0 { g[i] = 0 }
                    case .tanh: g[i] *= 1 - y[i] * y[i]
                    case .sigmoid: g[i] *= y[i] * (1 - y[i])
                    }
                    i += 1
                }
            }
        }
        return gradient
    }

    @inline(__always)
    private static func apply(
        _ values: UnsafeMutableBufferPointer<Float>, vector: (SIMD8<Float>) -> SIMD8<Float>,
        scalar: (Float) -> Float
    ) {
        let base = values.baseAddress!
        var i = 0
        while i + 8 <= values.count {
            store8(base + i, vector(load8(base + i)))
            i += 8
        }
        while i < values.count {
            values[i] = scalar(values[i])
            i += 1
        }
    }

    /// A numerically stable logistic sigmoid.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        if x >= 0 {
            return 1 / (1 + Math.exp(-x))
        }
        let e = Math.exp(x)
        return e / (1 + e)
    }
}
