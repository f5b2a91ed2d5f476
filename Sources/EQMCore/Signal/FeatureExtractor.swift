/// Computes the ``WindowFeatures`` of a window of ``WearableSignals``.
///
/// Each window is analysed from its own samples only (no look-ahead or look-back), so a node can
/// compute features in real time and the same window always gives the same features. A sensor's
/// features are `nil` when it is absent or when less than ``Configuration/minimumCoverage`` of
/// the window is covered: finite samples for sampled signals, the summed accepted intervals for
/// heart rate and HRV. Nothing here traps on bad data: gaps, empty windows and absent sensors
/// give `nil` features.
///
/// Processing per sensor:
/// - BVP → ``BeatDetector`` (Elgendi peaks, Kubios artefact correction) → ``HeartRateVariability``.
///   Without BVP, device intervals (``WearableSignals/interBeatIntervals``) are used as given.
/// - EDA → ``EDADecomposition`` → tonic mean, SCR count and mean amplitude (SCRs peaking in the window).
/// - Temperature → mean and least-squares slope against time (°C/min).
/// - Acceleration → per-sample magnitude → mean and population standard deviation.
/// - SpO2 → mean and minimum.
public struct FeatureExtractor: Sendable {
    /// What the extractor does with each sensor.
    public struct Configuration: Sendable, Hashable {
        /// Beat detection and interval correction.
        public var beatDetector: BeatDetector
        /// HRV frequency-domain analysis.
        public var heartRateVariability: HeartRateVariability.Configuration
        /// EDA decomposition and SCR threshold.
        public var eda: EDADecomposition.Configuration
        /// The smallest covered fraction of the window for a sensor's features.
        public var minimumCoverage: Double

        /// Creates a configuration; see each type for its defaults.
        public init(
            beatDetector: BeatDetector = BeatDetector(),
            heartRateVariability: HeartRateVariability.Configuration = .init(),
            eda: EDADecomposition.Configuration = .init(),
            minimumCoverage: Double = 0.5
        ) {
            self.beatDetector = beatDetector
            self.heartRateVariability = heartRateVariability
            self.eda = eda
            self.minimumCoverage = minimumCoverage
        }
    }

    /// The configuration.
    public let configuration: Configuration
    private let transforms: FourierTransformCache

    /// Creates an extractor.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        let rate = configuration.heartRateVariability.interpolationRate
        let segment = Swift.max(4, Int((configuration.heartRateVariability.segmentDuration * rate).rounded()))
        // The transform for full segments and the common shorter ones (windows under one segment).
        var sizes = Set<Int>()
        var length = 4
        while length <= segment {
            sizes.insert(PowerSpectrum.fourierSize(forSegment: length))
            length *= 2
        }
        sizes.insert(PowerSpectrum.fourierSize(forSegment: segment))
        transforms = FourierTransformCache(sizes: Array(sizes))
    }

    /// The features of `[start, end)`.
    public func features(of signals: WearableSignals, from start: Double, to end: Double) -> WindowFeatures {
        var features = WindowFeatures()
        guard end > start, start.isFinite, end.isFinite else { return features }
        let heart = heartRateVariability(of: signals, from: start, to: end)
        features.hrMean = heart.meanHeartRate
        features.hrvSDNN = heart.sdnn
        features.hrvRMSSD = heart.rmssd
        features.hrvPNN50 = heart.pnn50
        features.hrvLF = heart.lowFrequencyPower
        features.hrvHF = heart.highFrequencyPower
        features.hrvLFHF = heart.lowToHighFrequencyRatio
        if let eda = signals.eda { electrodermal(eda, from: start, to: end, into: &features) }
        if let temperature = signals.temperature { self.temperature(temperature, from: start, to: end, into: &features) }
        if let acceleration = signals.acceleration {
            self.acceleration(acceleration, from: start, to: end, into: &features)
        }
        if let spo2 = signals.spo2 { oxygenSaturation(spo2, from: start, to: end, into: &features) }
        return features
    }

    /// The features of consecutive windows of `window` seconds every `step` seconds from `start`,
    /// each lying entirely before `end` (the rows of `eqm data features`).
    ///
    /// - Throws: ``EQMCoreError`` (`invalidConfiguration`) when the window or step is not positive
    ///   and finite or the span is not finite.
    public func features(
        of signals: WearableSignals, from start: Double, to end: Double, window: Double, step: Double
    ) throws(EQMCoreError) -> [(start: Double, end: Double, features: WindowFeatures)] {
        guard window > 0 && window.isFinite && step > 0 && step.isFinite else {
            throw .invalidConfiguration("window and step must be positive seconds, found \(window) and \(step)")
        }
        guard start.isFinite && end.isFinite else {
            throw .invalidConfiguration("expected a finite span, found [\(start), \(end))")
        }
        var rows: [(start: Double, end: Double, features: WindowFeatures)] = []
        var index = 0.0
        while start + index * step + window <= end + 1e-9 {
            // Multiply rather than accumulate, so long recordings do not drift.
            let windowStart = start + index * step
            rows.append((windowStart, windowStart + window, features(of: signals, from: windowStart, to: windowStart + window)))
            index += 1
        }
        return rows
    }

    /// Heart rate and HRV of `[start, end)`: from the pulse when there is one, otherwise from the
    /// device's intervals; empty when the intervals cover too little of the window.
    public func heartRateVariability(of signals: WearableSignals, from start: Double, to end: Double)
        -> HeartRateVariability
    {
        let intervals: InterBeatIntervals
        if let bvp = signals.bvp {
            intervals = configuration.beatDetector.intervals(in: bvp, from: start, to: end)
        } else if let given = signals.interBeatIntervals {
            intervals = given.window(from: start, to: end)
        } else {
            return HeartRateVariability()
        }
        var covered = 0.0
        for interval in intervals.intervals { covered += interval }
        var result = HeartRateVariability()
        guard covered >= configuration.minimumCoverage * (end - start) else { return result }
        result.timeDomain(intervals)
        result.frequencyDomain(intervals, configuration: configuration.heartRateVariability, transforms: transforms)
        return result
    }

    // MARK: Sensors

    /// Whether `signal` has enough finite samples in `range` for a window of `duration` seconds.
    private func isCovered(_ signal: SampledSignal, range: Range<Int>, duration: Double) -> Bool {
        guard !range.isEmpty else { return false }
        var finite = 0
        signal.values.withUnsafeBufferPointer { values in
            for i in range where values[i].isFinite { finite += 1 }
        }
        return Double(finite) >= Swift.max(1, configuration.minimumCoverage * duration * signal.sampleRate)
    }

    private func electrodermal(_ eda: SampledSignal, from start: Double, to end: Double, into features: inout WindowFeatures) {
        let range = eda.window(from: start, to: end)
        guard isCovered(eda, range: range, duration: end - start),
            let decomposition = try? EDADecomposition(eda, from: start, to: end, configuration: configuration.eda)
        else { return }
        features.edaTonicMean = Self.mean(decomposition.tonic.values[...])
        let responses = decomposition.responses
        features.edaSCRCount = Double(responses.count)
        if !responses.isEmpty {
            var sum = 0.0
            for response in responses { sum += response.amplitude }
            features.edaSCRAmplitudeMean = sum / Double(responses.count)
        }
    }

    private func temperature(
        _ temperature: SampledSignal, from start: Double, to end: Double, into features: inout WindowFeatures
    ) {
        let range = temperature.window(from: start, to: end)
        guard isCovered(temperature, range: range, duration: end - start) else { return }
        let (mean, slope) = Self.meanAndSlope(temperature, range: range)
        features.temperatureMean = mean
        features.temperatureSlope = slope.map { $0 * 60 }
    }

    private func acceleration(
        _ axes: (x: SampledSignal, y: SampledSignal, z: SampledSignal), from start: Double, to end: Double,
        into features: inout WindowFeatures
    ) {
        let (x, y, z) = axes
        // Magnitudes need the three axes on one clock.
        guard x.sampleRate == y.sampleRate, x.sampleRate == z.sampleRate, x.startTime == y.startTime,
            x.startTime == z.startTime
        else { return }
        let range = x.window(from: start, to: end).clamped(to: 0..<Swift.min(x.count, y.count, z.count))
        guard !range.isEmpty else { return }
        var count = 0
        var sum = 0.0, squares = 0.0
        x.values.withUnsafeBufferPointer { xs in
            y.values.withUnsafeBufferPointer { ys in
                z.values.withUnsafeBufferPointer { zs in
                    // One pass with a shift (the first magnitude) keeps the variance well conditioned.
                    var shift = Double.nan
                    for i in range {
                        let a = Double(xs[i]), b = Double(ys[i]), c = Double(zs[i])
                        let magnitude = (a * a + b * b + c * c).squareRoot()
                        guard magnitude.isFinite else { continue }
                        if shift.isNaN { shift = magnitude }
                        let deviation = magnitude - shift
                        sum += deviation
                        squares += deviation * deviation
                        count += 1
                    }
                    if count > 0 {
                        let meanDeviation = sum / Double(count)
                        sum = shift + meanDeviation
                        squares = Swift.max(0, squares / Double(count) - meanDeviation * meanDeviation)
                    }
                }
            }
        }
        guard Double(count) >= Swift.max(1, configuration.minimumCoverage * (end - start) * x.sampleRate) else { return }
        features.accelerationMagnitudeMean = sum
        features.accelerationMagnitudeStandardDeviation = squares.squareRoot()
    }

    private func oxygenSaturation(_ spo2: SampledSignal, from start: Double, to end: Double, into features: inout WindowFeatures)
    {
        let range = spo2.window(from: start, to: end)
        guard isCovered(spo2, range: range, duration: end - start) else { return }
        var minimum = Float.infinity
        for i in range where spo2.values[i].isFinite { minimum = Swift.min(minimum, spo2.values[i]) }
        features.spo2Mean = Self.mean(spo2.values[range])
        features.spo2Minimum = Double(minimum)
    }

    // MARK: Statistics

    /// The mean of the finite values, `nil` when there are none.
    static func mean(_ values: ArraySlice<Float>) -> Double? {
        var sum = 0.0
        var count = 0
        for value in values where value.isFinite {
            sum += Double(value)
            count += 1
        }
        return count > 0 ? sum / Double(count) : nil
    }

    /// The mean of the finite samples in `range` and the least-squares slope against time (per
    /// second; `nil` with fewer than two samples).
    static func meanAndSlope(_ signal: SampledSignal, range: Range<Int>) -> (mean: Double?, slope: Double?) {
        var count = 0
        var timeSum = 0.0, valueSum = 0.0
        signal.values.withUnsafeBufferPointer { values in
            for i in range where values[i].isFinite {
                timeSum += Double(i)
                valueSum += Double(values[i])
                count += 1
            }
        }
        guard count > 0 else { return (nil, nil) }
        let meanIndex = timeSum / Double(count), mean = valueSum / Double(count)
        guard count >= 2 else { return (mean, nil) }
        var covariance = 0.0, variance = 0.0
        signal.values.withUnsafeBufferPointer { values in
            for i in range where values[i].isFinite {
                let t = Double(i) - meanIndex
                covariance += t * (Double(values[i]) - mean)
                variance += t * t
            }
        }
        return (mean, covariance / variance * signal.sampleRate)
    }
}
