/// A dense, row-major Float32 tensor with contiguous storage.
///
/// Batched layer inputs put the batch first: `[batch, features]` for dense layers and
/// `[batch, steps, channels]` (channels last) for sequence layers, so that one example, and one
/// convolution window of consecutive steps, is one contiguous run of memory.
public struct Tensor: Sendable, Equatable {
    /// The extent of each dimension.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.product`.
    public var scalars: [Float]

    /// Creates a tensor from a shape and matching scalars.
    public init(shape: [Int], scalars: [Float]) throws(EQMCoreError) {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw .invalidShape("expected non-negative dimensions, found \(shape)")
        }
        let count = shape.reduce(1, *)
        guard count == scalars.count else {
            throw .invalidShape("shape \(shape) needs \(count) scalars, found \(scalars.count)")
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// Creates a tensor of zeros.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.scalars = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    /// Internal unchecked initialiser for layer outputs whose shape is known to match.
    init(uncheckedShape shape: [Int], scalars: [Float]) {
        assert(shape.reduce(1, *) == scalars.count)
        self.shape = shape
        self.scalars = scalars
    }

    /// The number of elements.
    public var count: Int { scalars.count }

    /// The size of the first (batch) dimension.
    public var batchSize: Int { shape.first ?? 0 }

    /// The shape of one example (all dimensions after the first).
    public var exampleShape: [Int] { Array(shape.dropFirst()) }

    /// The number of scalars in one example.
    public var exampleCount: Int { shape.dropFirst().reduce(1, *) }

    /// Returns the same scalars with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) throws(EQMCoreError) -> Tensor {
        try Tensor(shape: newShape, scalars: scalars)
    }

    /// Element access by a multi-dimensional index (bounds-checked; for tests and tools, not hot loops).
    public subscript(_ index: Int...) -> Float {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index rank \(index.count) does not match tensor rank \(shape.count)")
        var flat = 0
        for (dimension, position) in index.enumerated() {
            precondition(position >= 0 && position < shape[dimension], "index \(index) out of bounds for \(shape)")
            flat = flat * shape[dimension] + position
        }
        return flat
    }

    /// Stacks examples of equal shape into a batch `[examples.count] + shape`.
    public static func batch(_ examples: [[Float]], exampleShape: [Int]) throws(EQMCoreError) -> Tensor {
        let width = exampleShape.reduce(1, *)
        var scalars = [Float]()
        scalars.reserveCapacity(width * examples.count)
        for (index, example) in examples.enumerated() {
            guard example.count == width else {
                throw .invalidShape("example \(index) has \(example.count) values, expected \(width) for shape \(exampleShape)")
            }
            scalars.append(contentsOf: example)
        }
        return Tensor(uncheckedShape: [examples.count] + exampleShape, scalars: scalars)
    }
}
