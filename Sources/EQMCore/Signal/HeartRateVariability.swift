/// Heart rate and heart-rate variability of a series of normal-to-normal intervals, in the time
/// domain (neurokit2 `hrv_time`) and the frequency domain (neurokit2 `hrv_frequency`).
///
/// Frequency domain: the intervals (ms) are stamped at the beat that ends them and interpolated
/// with a natural cubic spline onto an even grid at ``Configuration/interpolationRate`` (4 Hz and
/// a cubic spline, as Kubios; neurokit2 uses a monotone cubic at 100 Hz, which changes nothing
/// below 0.5 Hz; linear interpolation would lose about a fifth of the power at 0.25 Hz).
/// Stretches between intervals more than ``Configuration/maximumGap`` apart are not bridged; the
/// spectrum is estimated on the longest bridged stretch if it lasts at least
/// ``Configuration/minimumSpectralDuration``. The estimate is Welch's (``PowerSpectrum``):
/// segments of ``Configuration/segmentDuration`` (50 s: two cycles of the lowest LF frequency,
/// neurokit2's rule), linear detrend, Hann window. Welch rather than Lomb–Scargle because the
/// series is short and evenly resampled anyway, its averaging lowers the variance whenever a
/// window is longer than one segment, its leakage is controlled by a known window, and it is the
/// default of neurokit2 and Kubios, so numbers compare. Band powers integrate the density over
/// `[low, high)` (rectangle rule, see ``PowerSpectrum/bandPower(from:to:)``), in ms².
///
/// Minimum lengths: HF (≥ 0.15 Hz) needs about 1 min and LF (≥ 0.04 Hz) about 2 min for a
/// reliable estimate (Task Force of the ESC/NASPE, Circulation 1996); with 60 s windows both are
/// reported, LF as a noisy short-term estimate (a 50 s Hann segment resolves about 0.04 Hz).
public struct HeartRateVariability: Sendable, Hashable {
    /// The parameters of the frequency-domain analysis.
    public struct Configuration: Sendable, Hashable {
        /// The low-frequency band, Hz.
        public var lowFrequencyBand: Range<Double>
        /// The high-frequency band, Hz.
        public var highFrequencyBand: Range<Double>
        /// The rate of the evenly resampled interval series, Hz.
        public var interpolationRate: Double
        /// The longest time between two interval stamps bridged by interpolation, seconds.
        public var maximumGap: Double
        /// The Welch segment length, seconds.
        public var segmentDuration: Double
        /// The shortest bridged stretch analysed in the frequency domain, seconds.
        public var minimumSpectralDuration: Double

        /// Creates a configuration; the defaults are the standard bands and 4 Hz resampling.
        public init(
            lowFrequencyBand: Range<Double> = 0.04..<0.15,
            highFrequencyBand: Range<Double> = 0.15..<0.4,
            interpolationRate: Double = 4,
            maximumGap: Double = 4,
            segmentDuration: Double = 50,
            minimumSpectralDuration: Double = 30
        ) {
            self.lowFrequencyBand = lowFrequencyBand
            self.highFrequencyBand = highFrequencyBand
            self.interpolationRate = interpolationRate
            self.maximumGap = maximumGap
            self.segmentDuration = segmentDuration
            self.minimumSpectralDuration = minimumSpectralDuration
        }
    }

    /// Mean heart rate, bpm (`60000 / MeanNN`).
    public var meanHeartRate: Double?
    /// SDNN, ms (sample standard deviation).
    public var sdnn: Double?
    /// RMSSD, ms (over successive differences of contiguous intervals).
    public var rmssd: Double?
    /// pNN50, % of those successive differences above 50 ms.
    public var pnn50: Double?
    /// Low-frequency power, ms².
    public var lowFrequencyPower: Double?
    /// High-frequency power, ms².
    public var highFrequencyPower: Double?
    /// LF/HF.
    public var lowToHighFrequencyRatio: Double?

    /// Creates an empty result.
    public init() {}

    /// Analyses `intervals`: time domain from 2 intervals (RMSSD and pNN50 from 2 successive
    /// differences), frequency domain as described above.
    public init(intervals: InterBeatIntervals, configuration: Configuration = Configuration()) {
        self.init()
        timeDomain(intervals)
        frequencyDomain(intervals, configuration: configuration, transforms: nil)
    }

    /// The time-domain statistics.
    mutating func timeDomain(_ series: InterBeatIntervals) {
        let n = series.count
        guard n >= 2 else { return }
        var sum = 0.0
        for interval in series.intervals { sum += interval }
        let mean = sum / Double(n)
        var squares = 0.0
        for interval in series.intervals { squares += (interval - mean) * (interval - mean) }
        meanHeartRate = 60 / mean
        sdnn = 1000 * (squares / Double(n - 1)).squareRoot()
        var differences = 0, above50 = 0
        var differenceSquares = 0.0
        for k in 1..<n where series.isContiguous(k) {
            let difference = 1000 * (series.intervals[k] - series.intervals[k - 1])
            differences += 1
            differenceSquares += difference * difference
            if abs(difference) > 50 { above50 += 1 }
        }
        if differences >= 2 {
            rmssd = (differenceSquares / Double(differences)).squareRoot()
            pnn50 = 100 * Double(above50) / Double(differences)
        }
    }

    /// The frequency-domain powers, reusing a cached transform when its size fits.
    mutating func frequencyDomain(
        _ series: InterBeatIntervals, configuration: Configuration, transforms: FourierTransformCache?
    ) {
        let n = series.count
        guard n >= 4 else { return }
        let rate = configuration.interpolationRate
        // The longest stretch whose stamps are no more than `maximumGap` apart.
        var bestStart = 0, bestEnd = 0, bestSpan = -1.0, start = 0
        for k in 1...n where k == n || series.times[k] - series.times[k - 1] > configuration.maximumGap {
            let span = series.times[k - 1] - series.times[start]
            if span > bestSpan {
                (bestStart, bestEnd, bestSpan) = (start, k, span)
            }
            start = k
        }
        let first = series.times[bestStart], last = series.times[bestEnd - 1]
        guard last - first >= configuration.minimumSpectralDuration, bestEnd - bestStart >= 4 else { return }
        let count = Int(((last - first) * rate).rounded(.down)) + 1
        let segmentLength = Swift.min(count, Swift.max(4, Int((configuration.segmentDuration * rate).rounded())))
        guard count >= 4 else { return }
        let size = PowerSpectrum.fourierSize(forSegment: segmentLength)
        let transform = transforms?.transform(size: size) ?? FourierTransform(size: size)
        let spectrum = withUnsafeTemporaryAllocation(of: Double.self, capacity: count) { grid in
            series.times.withUnsafeBufferPointer { times in
                series.intervals.withUnsafeBufferPointer { intervals in
                    let stretchTimes = UnsafeBufferPointer(rebasing: times[bestStart..<bestEnd])
                    let stretchIntervals = UnsafeBufferPointer(rebasing: intervals[bestStart..<bestEnd])
                    Resampling.interpolate(
                        times: stretchTimes, values: stretchIntervals, start: first, rate: rate,
                        maximumGap: .infinity, method: .cubicSpline, into: grid)
                }
            }
            for i in 0..<count { grid[i] *= 1000 }
            return PowerSpectrum.welch(
                UnsafeBufferPointer(grid), sampleRate: rate, segmentLength: segmentLength, transform: transform)
        }
        let low = spectrum.bandPower(
            from: configuration.lowFrequencyBand.lowerBound, to: configuration.lowFrequencyBand.upperBound)
        let high = spectrum.bandPower(
            from: configuration.highFrequencyBand.lowerBound, to: configuration.highFrequencyBand.upperBound)
        lowFrequencyPower = low
        highFrequencyPower = high
        lowToHighFrequencyRatio = high > 0 ? low / high : nil
    }
}

/// Fourier transforms by size, built once per feature extractor (a class so that a `Sendable`
/// extractor can share it; its contents never change after creation).
final class FourierTransformCache: Sendable {
    private let transforms: [Int: FourierTransform]

    init(sizes: [Int]) {
        var transforms: [Int: FourierTransform] = [:]
        for size in sizes { transforms[size] = FourierTransform(size: size) }
        self.transforms = transforms
    }

    func transform(size: Int) -> FourierTransform? { transforms[size] }
}
