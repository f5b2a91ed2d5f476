/// A set of input examples with their label indices, stored contiguously.
public struct LabelledExamples: Sendable {
    /// The shape of one example.
    public let exampleShape: [Int]
    /// All examples back to back, row-major.
    public let inputs: [Float]
    /// Label indices (``EmotionLabel/index``), one per example.
    public let labels: [Int]

    /// Creates a set, checking sizes and label range.
    public init(exampleShape: [Int], inputs: [Float], labels: [Int]) throws(EQMCoreError) {
        let width = exampleShape.reduce(1, *)
        guard width > 0 else { throw .invalidShape("example shape must have positive dimensions, found \(exampleShape)") }
        guard inputs.count == width * labels.count else {
            throw .invalidShape(
                "\(labels.count) labels need \(width * labels.count) input values for shape \(exampleShape), found \(inputs.count)"
            )
        }
        if let bad = labels.first(where: { $0 < 0 || $0 >= EmotionLabel.count }) {
            throw .invalidData("label index \(bad) out of range 0..<\(EmotionLabel.count)")
        }
        guard inputs.allSatisfy({ $0.isFinite }) else { throw .invalidData("inputs contain NaN or infinite values") }
        self.exampleShape = exampleShape
        self.inputs = inputs
        self.labels = labels
    }

    /// The number of examples.
    public var count: Int { labels.count }

    /// The number of scalars per example.
    public var exampleWidth: Int { exampleShape.reduce(1, *) }

    /// Gathers the given examples into a batch tensor and their labels.
    public func batch(_ indices: some Collection<Int>) -> (input: Tensor, labels: [Int]) {
        let width = exampleWidth
        var scalars = [Float]()
        scalars.reserveCapacity(indices.count * width)
        var batchLabels = [Int]()
        batchLabels.reserveCapacity(indices.count)
        inputs.withUnsafeBufferPointer { all in
            for index in indices {
                scalars.append(contentsOf: UnsafeBufferPointer(rebasing: all[(index * width)..<((index + 1) * width)]))
                batchLabels.append(labels[index])
            }
        }
        return (Tensor(uncheckedShape: [indices.count] + exampleShape, scalars: scalars), batchLabels)
    }
}
