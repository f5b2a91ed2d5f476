/// The affective states EQM recognises; every model has exactly these outputs, in this order.
///
/// The raw values are the stable, lower-case names used in files, APIs and label CSVs; the order
/// (`allCases`) is the order of a model's output units and never changes within a model format version.
public enum EmotionLabel: String, CaseIterable, Codable, Sendable, Hashable, CustomStringConvertible {
    case neutral, happy, sad, angry, fear, surprise, disgust, stress, anxiety, relaxation, concentration

    /// The number of labels (a model's output width).
    public static let count = allCases.count

    /// The output index of this label.
    public var index: Int { Self.allCases.firstIndex(of: self)! }

    /// The label at an output index.
    public init?(index: Int) {
        guard index >= 0 && index < Self.allCases.count else { return nil }
        self = Self.allCases[index]
    }

    /// Parses a label name (case-insensitive, surrounding spaces ignored).
    ///
    /// - Throws: ``EQMCoreError`` naming the valid labels when `name` is not one of them.
    public static func parse(_ name: String) throws(EQMCoreError) -> EmotionLabel {
        let normalized = name.trimmingSpaces().lowercased()
        guard let label = EmotionLabel(rawValue: normalized) else {
            throw .invalidData(
                "unknown label '\(name.prefix(40))'; expected one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return label
    }

    public var description: String { rawValue }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
