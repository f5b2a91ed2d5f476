public import EQMCore

/// Turns stored or imported measurement series into the uniformly sampled ``WearableSignals`` the
/// feature extractor works on.
///
/// Each continuous sensor is put on a uniform grid at its canonical rate (BVP 64 Hz, acceleration
/// 32 Hz, EDA and skin temperature 4 Hz, SpO2 1 Hz) by linear interpolation; grid points farther
/// than `maximumGap` sample periods from data are missing (NaN), so gaps stay gaps. Device
/// inter-beat intervals are used as they are. Heart-rate samples alone (without pulse or beat
/// intervals) give no HRV: 1/HR is not a beat interval.
public enum SignalAssembler {
    /// Canonical grid rates, Hz.
    public static let rates: [Quantity: Double] = [
        .bloodVolumePulse: 64, .accelerationX: 32, .accelerationY: 32, .accelerationZ: 32,
        .electrodermalActivity: 4, .skinTemperature: 4, .oxygenSaturation: 1,
    ]

    /// The most grid points one sensor may span (about 12 days of a 64 Hz pulse signal).
    public static let maximumGridPoints = 64_000_000

    /// Assembles signals from series of (time, value) in canonical units, keyed by quantity.
    public static func signals(from series: [Quantity: [StoredSample]], maximumGap: Double = 3) throws(EQMCoreError)
        -> WearableSignals
    {
        func grid(_ quantity: Quantity, start: Double? = nil, end: Double? = nil) throws(EQMCoreError) -> SampledSignal? {
            guard let samples = series[quantity], samples.count >= 2, let rate = rates[quantity] else { return nil }
            let sorted = samples.sorted { $0.start < $1.start }
            let first = start ?? sorted.first!.start, last = end ?? sorted.last!.start
            let span = last - first
            // A grid over months of a 64 Hz sensor would not fit in memory: refuse clearly rather than drop the sensor.
            guard span * rate < Double(maximumGridPoints) else {
                throw .invalidData(
                    "\(quantity.rawValue) spans \(Int(span / 3600)) hours; at \(Int(rate)) Hz that exceeds \(maximumGridPoints) grid points — compute features over a shorter time range"
                )
            }
            let count = Int((span * rate).rounded(.down)) + 1
            guard count >= 2 else { return nil }
            let values = try Resampling.interpolate(
                times: sorted.map(\.start), values: sorted.map(\.value), start: first, rate: rate,
                count: count, maximumGap: maximumGap / rate)
            return SampledSignal(startTime: first, sampleRate: rate, values: values.map(Float.init))
        }
        var signals = WearableSignals()
        signals.bvp = try grid(.bloodVolumePulse)
        signals.eda = try grid(.electrodermalActivity)
        signals.temperature = try grid(.skinTemperature)
        signals.spo2 = try grid(.oxygenSaturation)
        // The three axes share one grid: the span common to all of them.
        if let x = series[.accelerationX], let y = series[.accelerationY], let z = series[.accelerationZ],
            let start = [x, y, z].compactMap({ $0.map(\.start).min() }).max(),
            let end = [x, y, z].compactMap({ $0.map(\.start).max() }).min(), end > start,
            let gx = try grid(.accelerationX, start: start, end: end), let gy = try grid(.accelerationY, start: start, end: end),
            let gz = try grid(.accelerationZ, start: start, end: end)
        {
            signals.acceleration = (gx, gy, gz)
        }
        if let beats = series[.interBeatInterval], !beats.isEmpty {
            var times = [Double](), intervals = [Double]()
            for sample in beats.sorted(by: { $0.start < $1.start }) where sample.value > 0 {
                // A device interval ends at its timestamp; keep strictly ascending times.
                guard times.last.map({ sample.start > $0 }) ?? true else { continue }
                times.append(sample.start)
                intervals.append(sample.value / 1000)
            }
            signals.interBeatIntervals = try InterBeatIntervals(times: times, intervals: intervals)
        }
        return signals
    }

    /// The time span the series cover.
    public static func span(of series: [Quantity: [StoredSample]]) -> (start: Double, end: Double)? {
        let times = series.values.flatMap { $0.map(\.start) }
        guard let start = times.min(), let end = times.max(), end > start else { return nil }
        return (start, end)
    }
}
