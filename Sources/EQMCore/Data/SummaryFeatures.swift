/// The 48 summary features of a window: eight statistics of each of the six
/// ``ModelInputChannel``s, computed on the window's 4 Hz grid.
///
/// Features are ordered channel by channel (in ``ModelInputChannel`` order) and, within a
/// channel, in ``Statistic`` order: `heart_rate_mean`, `heart_rate_std`, …,
/// `spo2_mean_abs_diff`. ``names`` lists them in exactly that order.
public enum SummaryFeatures {
    /// A statistic computed on each channel.
    public enum Statistic: String, CaseIterable, Sendable, Codable, Hashable {
        /// The arithmetic mean.
        case mean
        /// The population standard deviation.
        case standardDeviation
        /// The smallest value.
        case minimum
        /// The largest value.
        case maximum
        /// The 10th percentile (linear interpolation between order statistics).
        case percentile10
        /// The 90th percentile (linear interpolation between order statistics).
        case percentile90
        /// The least-squares slope against time, in channel units per minute.
        case slope
        /// The mean absolute difference between consecutive grid steps.
        case meanAbsoluteDifference

        /// The suffix used in feature names, such as `std` or `mean_abs_diff`.
        public var suffix: String {
            switch self {
            case .mean: "mean"
            case .standardDeviation: "std"
            case .minimum: "min"
            case .maximum: "max"
            case .percentile10: "p10"
            case .percentile90: "p90"
            case .slope: "slope"
            case .meanAbsoluteDifference: "mean_abs_diff"
            }
        }
    }

    /// The grid rate the features are defined on, Hz.
    public static let gridRate = 4.0

    /// The number of features: 6 channels × 8 statistics.
    public static let count = ModelInputChannel.count * Statistic.allCases.count

    /// The feature names, in output order, such as `heart_rate_mean` and `eda_slope`.
    public static let names: [String] = ModelInputChannel.allCases.flatMap { channel in
        Statistic.allCases.map { name(channel: channel, statistic: $0) }
    }

    /// The name of one feature, such as `eda_slope`.
    public static func name(channel: ModelInputChannel, statistic: Statistic) -> String {
        channel.featurePrefix + "_" + statistic.suffix
    }

    /// The position of one feature in the output.
    public static func index(channel: ModelInputChannel, statistic: Statistic) -> Int {
        channel.index * Statistic.allCases.count + Statistic.allCases.firstIndex(of: statistic)!
    }

    /// Computes the 48 features of a channels-last window (`steps × 6` values, as built by
    /// ``ModelInputBuilder``) whose steps are `stepDuration` seconds apart.
    ///
    /// - Throws: ``EQMCoreError`` (`invalidShape`) when `sequence` does not hold `steps × 6`
    ///   values or `steps < 2`.
    public static func compute(sequence: [Float], steps: Int, stepDuration: Double = 1 / gridRate) throws(EQMCoreError) -> [Float]
    {
        guard steps >= 2, sequence.count == steps * ModelInputChannel.count else {
            throw .invalidShape(
                "expected at least 2 steps of \(ModelInputChannel.count) channels, found \(sequence.count) values for \(steps) steps"
            )
        }
        var features = [Float](repeating: 0, count: count)
        sequence.withUnsafeBufferPointer { input in
            features.withUnsafeMutableBufferPointer { output in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: steps) { scratch in
                    compute(sequence: input, steps: steps, stepDuration: stepDuration, into: output, scratch: scratch)
                }
            }
        }
        return features
    }

    /// Computes the features into `output` (48 values); `scratch` holds at least `steps` values.
    static func compute(
        sequence: UnsafeBufferPointer<Float>,
        steps: Int,
        stepDuration: Double,
        into output: UnsafeMutableBufferPointer<Float>,
        scratch: UnsafeMutableBufferPointer<Float>
    ) {
        let stride = ModelInputChannel.count
        let statistics = Statistic.allCases.count
        let n = Double(steps)
        // Time in minutes, centred: Σ(t − t̄)² for t = 0..<n steps.
        let minutesPerStep = stepDuration / 60
        let meanStep = (n - 1) / 2
        let timeVariance = n * (n * n - 1) / 12 * minutesPerStep * minutesPerStep
        for channel in 0..<stride {
            var sum = 0.0, minimum = Float.infinity, maximum = -Float.infinity
            var absoluteDifferences = 0.0, covariance = 0.0
            for t in 0..<steps {
                let value = sequence[t * stride + channel]
                scratch[t] = value
                sum += Double(value)
                minimum = Swift.min(minimum, value)
                maximum = Swift.max(maximum, value)
                if t > 0 { absoluteDifferences += Double(abs(value - sequence[(t - 1) * stride + channel])) }
            }
            let mean = sum / n
            var squares = 0.0
            for t in 0..<steps {
                let deviation = Double(scratch[t]) - mean
                squares += deviation * deviation
                covariance += deviation * (Double(t) - meanStep) * minutesPerStep
            }
            var sorted = UnsafeMutableBufferPointer(rebasing: scratch[0..<steps])
            sorted.sort()
            let base = channel * statistics
            output[base + 0] = Float(mean)
            output[base + 1] = Float((squares / n).squareRoot())
            output[base + 2] = minimum
            output[base + 3] = maximum
            output[base + 4] = percentile(sorted, 0.1)
            output[base + 5] = percentile(sorted, 0.9)
            output[base + 6] = Float(covariance / timeVariance)
            output[base + 7] = Float(absoluteDifferences / (n - 1))
        }
    }

    /// The `p`-quantile of sorted values, interpolating linearly between order statistics.
    private static func percentile(_ sorted: UnsafeMutableBufferPointer<Float>, _ p: Double) -> Float {
        let position = p * Double(sorted.count - 1)
        let lower = Int(position)
        let upper = Swift.min(sorted.count - 1, lower + 1)
        let fraction = Float(position - Double(lower))
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}
