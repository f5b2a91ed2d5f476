/// Z-scores values feature by feature with statistics from one user's own windows, so that a
/// model sees deviations from that person's baseline rather than their absolute physiology.
///
/// Values are read as rows of ``featureCount``: the 48 ``SummaryFeatures`` of each window, or the 6
/// channels of each step of a sequence (so a sequence channel is normalised over all steps of
/// all the user's windows).
public struct FeatureNormalizer: Sendable, Codable, Hashable {
    /// The smallest standard deviation divided by, so a (nearly) constant feature maps to about
    /// zero instead of amplifying rounding noise.
    public static let defaultMinimumStandardDeviation: Float = 1e-3

    /// The mean of each feature.
    public var means: [Float]
    /// The standard deviation of each feature, floored at the minimum given when fitting.
    public var standardDeviations: [Float]

    /// The number of features per row.
    public var featureCount: Int { means.count }

    /// Creates a normaliser from known statistics.
    ///
    /// - Throws: ``EQMCoreError`` (`invalidConfiguration`) when the arrays are empty or differ in
    ///   length, or a standard deviation is not positive and finite.
    public init(means: [Float], standardDeviations: [Float]) throws(EQMCoreError) {
        guard !means.isEmpty, means.count == standardDeviations.count else {
            throw .invalidConfiguration(
                "expected equal, non-zero numbers of means and standard deviations, found \(means.count) and \(standardDeviations.count)"
            )
        }
        guard standardDeviations.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .invalidConfiguration("expected positive, finite standard deviations")
        }
        self.means = means
        self.standardDeviations = standardDeviations
    }

    /// Fits the mean and standard deviation of each of `featureCount` features over `values`,
    /// read as consecutive rows of `featureCount` values; missing (non-finite) values are ignored,
    /// and stay missing when normalised.
    ///
    /// - Throws: ``EQMCoreError`` (`invalidShape`) when `featureCount` is not positive or
    ///   `values` is empty or not a whole number of rows.
    public init(
        fitting values: [Float],
        featureCount: Int,
        minimumStandardDeviation: Float = defaultMinimumStandardDeviation
    ) throws(EQMCoreError) {
        guard featureCount > 0, !values.isEmpty, values.count % featureCount == 0 else {
            throw .invalidShape(
                "expected a non-empty whole number of rows of \(featureCount) features, found \(values.count) values")
        }
        self = values.withUnsafeBufferPointer {
            FeatureNormalizer(fitting: $0, featureCount: featureCount, minimumStandardDeviation: minimumStandardDeviation)
        }
    }

    /// Fits over whole rows of a buffer (unchecked; the buffer holds at least one whole row).
    /// Non-finite values (missing features) are left out of each feature's statistics; a feature
    /// with no finite value gets mean 0 and standard deviation 1.
    init(fitting values: UnsafeBufferPointer<Float>, featureCount: Int, minimumStandardDeviation: Float) {
        let rows = values.count / featureCount
        var sums = [Double](repeating: 0, count: featureCount)
        var counts = [Int](repeating: 0, count: featureCount)
        for row in 0..<rows {
            for feature in 0..<featureCount {
                let value = values[row * featureCount + feature]
                guard value.isFinite else { continue }
                sums[feature] += Double(value)
                counts[feature] += 1
            }
        }
        let means = sums.indices.map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : 0 }
        var squares = [Double](repeating: 0, count: featureCount)
        for row in 0..<rows {
            for feature in 0..<featureCount {
                let value = values[row * featureCount + feature]
                guard value.isFinite else { continue }
                let deviation = Double(value) - means[feature]
                squares[feature] += deviation * deviation
            }
        }
        self.means = means.map { Float($0) }
        self.standardDeviations = squares.indices.map { feature in
            counts[feature] > 0
                ? Swift.max(minimumStandardDeviation, Float((squares[feature] / Double(counts[feature])).squareRoot()))
                : 1
        }
    }

    /// Normalises `values` (whole rows of ``featureCount``) in place: `(x − mean) / std`.
    ///
    /// - Precondition: `values.count` is a multiple of ``featureCount``.
    public func normalize(_ values: inout [Float]) {
        values.withUnsafeMutableBufferPointer { normalize($0) }
    }

    /// Returns `values` (whole rows of ``featureCount``) normalised.
    ///
    /// - Precondition: `values.count` is a multiple of ``featureCount``.
    public func normalized(_ values: [Float]) -> [Float] {
        var copy = values
        normalize(&copy)
        return copy
    }

    /// Normalises a buffer of whole rows in place.
    func normalize(_ values: UnsafeMutableBufferPointer<Float>) {
        let width = featureCount
        precondition(values.count % width == 0, "expected whole rows of \(width) features, found \(values.count) values")
        means.withUnsafeBufferPointer { means in
            standardDeviations.withUnsafeBufferPointer { deviations in
                var i = 0
                while i < values.count {
                    for feature in 0..<width {
                        values[i + feature] = (values[i + feature] - means[feature]) / deviations[feature]
                    }
                    i += width
                }
            }
        }
    }
}
