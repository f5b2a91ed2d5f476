/// Turns a window of a ``UserRecording`` into the six ``ModelInputChannel``s on a uniform time
/// grid, stored channels-last (`[steps × 6]`, step-major: channel `c` of step `t` is at `t * 6 + c`).
///
/// Heart rate and inter-beat interval come from the artefact-corrected intervals of a
/// ``BeatDetector`` (Kubios correction, implausible intervals and residual outliers dropped),
/// interpolated linearly to the grid. The other
/// channels are averaged over each grid step when they are sampled at least as fast as the grid,
/// and interpolated linearly otherwise. Missing stretches are bridged by linear interpolation,
/// unless more than ``maximumMissingFraction`` of any channel is missing, in which case the
/// window is dropped.
///
/// Beats are detected once, when the builder is created, so building many windows is cheap.
public struct ModelInputBuilder: Sendable {
    /// The number of values per grid step.
    public static let channelCount = ModelInputChannel.count

    /// The largest fraction of a channel that may be missing in a window before it is dropped.
    public var maximumMissingFraction: Double
    /// The longest stretch between two accepted beat intervals that is bridged by interpolation,
    /// in seconds; longer stretches count as missing heart-rate data.
    public var maximumBeatGap: Double

    /// The detected beat times, in seconds.
    public let detectedBeats: [Double]
    /// Times of the accepted beat intervals (the time of the beat that ends each interval).
    let intervalTimes: [Double]
    /// The accepted beat intervals, seconds.
    let intervals: [Double]
    /// The regularly sampled channels (skin conductance, temperature, acceleration magnitude,
    /// SpO2) with their positions within a step.
    private let regularChannels: [(signal: SampledSignal, channel: Int)]

    /// Prepares `recording` for windowing: detects its beats and computes the acceleration magnitude.
    public init(
        recording: UserRecording,
        beatDetector: BeatDetector = BeatDetector(),
        maximumMissingFraction: Double = 0.3,
        maximumBeatGap: Double = 3
    ) {
        self.maximumMissingFraction = maximumMissingFraction
        self.maximumBeatGap = maximumBeatGap
        let runs = beatDetector.beatRuns(in: recording.bvp, range: 0..<recording.bvp.count)
        detectedBeats = runs.flatMap { $0 }
        let accepted = beatDetector.intervals(fromRuns: runs)
        intervalTimes = accepted.times
        intervals = accepted.intervals
        let magnitude = Self.magnitude(recording.accelerationX, recording.accelerationY, recording.accelerationZ)
        regularChannels = [
            (recording.eda, ModelInputChannel.eda.index),
            (recording.temperature, ModelInputChannel.temperature.index),
            (magnitude, ModelInputChannel.accelerationMagnitude.index),
            (recording.spo2, ModelInputChannel.spo2.index),
        ]
    }

    /// The window `[start, start + duration)` as `steps × 6` values, or `nil` when too much of a
    /// channel is missing.
    ///
    /// - Precondition: `steps > 0` and `duration > 0`.
    public func input(start: Double, duration: Double, steps: Int) -> [Float]? {
        var values = [Float](repeating: 0, count: steps * Self.channelCount)
        let complete = values.withUnsafeMutableBufferPointer { fill($0, start: start, duration: duration, steps: steps) }
        return complete ? values : nil
    }

    /// Writes the window `[start, start + duration)` into `output` (`steps × 6` values) and
    /// returns whether it is usable; `false` means too much of a channel is missing and the
    /// contents of `output` are unspecified.
    ///
    /// - Precondition: `steps > 0`, `duration > 0` and `output.count == steps * 6`.
    public func fill(_ output: UnsafeMutableBufferPointer<Float>, start: Double, duration: Double, steps: Int) -> Bool {
        precondition(steps > 0 && duration > 0, "a window needs positive steps and duration")
        precondition(
            output.count == steps * Self.channelCount, "expected \(steps * Self.channelCount) values, found \(output.count)")
        let stride = Self.channelCount
        let limit = maximumMissingFraction
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * steps) { scratch in
            let sums = UnsafeMutableBufferPointer(rebasing: scratch[0..<steps])
            let counts = UnsafeMutableBufferPointer(rebasing: scratch[steps..<(2 * steps)])
            let beatsMissing = resampleBeats(output, start: start, duration: duration, steps: steps)
            guard beatsMissing <= limit else { return false }
            for (signal, channel) in regularChannels {
                let missing = Self.resample(
                    signal, start: start, duration: duration, steps: steps,
                    into: output, channel: channel, stride: stride, sums: sums, counts: counts
                )
                guard missing <= limit else { return false }
            }
            for channel in ModelInputChannel.allCases {
                guard Self.fillGaps(output, channel: channel.index, stride: stride, steps: steps) else { return false }
            }
            return true
        }
    }

    // MARK: Beat intervals

    /// Interpolates heart rate and inter-beat interval at the centre of each step; returns the
    /// larger missing fraction (steps not bridged by accepted intervals).
    private func resampleBeats(_ output: UnsafeMutableBufferPointer<Float>, start: Double, duration: Double, steps: Int) -> Double
    {
        let heartRate = ModelInputChannel.heartRate.index
        let interval = ModelInputChannel.interBeatInterval.index
        let stride = Self.channelCount
        let stepDuration = duration / Double(steps)
        var missing = 0
        // The first accepted interval at or after the window (binary search), then walk forwards.
        var next = lowerBound(intervalTimes, start)
        for t in 0..<steps {
            let centre = start + (Double(t) + 0.5) * stepDuration
            while next < intervalTimes.count && intervalTimes[next] <= centre { next += 1 }
            // intervalTimes[next - 1] <= centre < intervalTimes[next]
            var value = Double.nan
            let hasBefore = next > 0, hasAfter = next < intervalTimes.count
            if hasBefore && hasAfter {
                let t0 = intervalTimes[next - 1], t1 = intervalTimes[next]
                if t1 - t0 <= maximumBeatGap {
                    value = intervals[next - 1] + (intervals[next] - intervals[next - 1]) * (centre - t0) / (t1 - t0)
                }
            } else if hasBefore && centre - intervalTimes[next - 1] <= maximumBeatGap / 2 {
                value = intervals[next - 1]
            } else if hasAfter && intervalTimes[next] - centre <= maximumBeatGap / 2 {
                value = intervals[next]
            }
            if value.isNaN {
                missing += 1
                output[t * stride + heartRate] = .nan
                output[t * stride + interval] = .nan
            } else {
                output[t * stride + heartRate] = Float(60 / value)
                output[t * stride + interval] = Float(1000 * value)
            }
        }
        return Double(missing) / Double(steps)
    }

    private func lowerBound(_ sorted: [Double], _ value: Double) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    // MARK: Regularly sampled channels

    /// Resamples one channel into every `stride`-th value of `output` starting at `channel`;
    /// steps with no data are `NaN`. Returns the fraction of the window's samples that are missing.
    static func resample(
        _ signal: SampledSignal,
        start: Double,
        duration: Double,
        steps: Int,
        into output: UnsafeMutableBufferPointer<Float>,
        channel: Int,
        stride: Int,
        sums: UnsafeMutableBufferPointer<Double>,
        counts: UnsafeMutableBufferPointer<Double>
    ) -> Double {
        let stepDuration = duration / Double(steps)
        let rate = signal.sampleRate
        let range = signal.indices(from: start, to: start + duration)
        let expected = Swift.max(1, Int((duration * rate).rounded()))
        return signal.values.withUnsafeBufferPointer { values in
            var finite = 0
            for i in range where values[i].isFinite { finite += 1 }
            if rate * stepDuration >= 1 - 1e-9 {
                // At least one sample per step: average the samples falling in each step.
                for t in 0..<steps {
                    sums[t] = 0
                    counts[t] = 0
                }
                for i in range {
                    let value = values[i]
                    guard value.isFinite else { continue }
                    let position = (signal.time(at: i) - start) / stepDuration + 1e-9
                    let step = Swift.min(steps - 1, Swift.max(0, Int(position)))
                    sums[step] += Double(value)
                    counts[step] += 1
                }
                for t in 0..<steps {
                    output[t * stride + channel] = counts[t] > 0 ? Float(sums[t] / counts[t]) : .nan
                }
            } else {
                // Slower than the grid: interpolate between the neighbouring samples.
                for t in 0..<steps {
                    let centre = start + (Double(t) + 0.5) * stepDuration
                    let position = (centre - signal.startTime) * rate
                    let lower = Int(position.rounded(.down))
                    let fraction = Float(position - Double(lower))
                    let a = lower >= 0 && lower < values.count ? values[lower] : .nan
                    let b = lower + 1 >= 0 && lower + 1 < values.count ? values[lower + 1] : .nan
                    let value: Float
                    if a.isFinite && b.isFinite {
                        value = a + (b - a) * fraction
                    } else if a.isFinite && fraction <= 0.5 {
                        value = a
                    } else if b.isFinite && fraction >= 0.5 {
                        value = b
                    } else {
                        value = .nan
                    }
                    output[t * stride + channel] = value
                }
            }
            return Double(expected - Swift.min(expected, finite)) / Double(expected)
        }
    }

    /// Replaces `NaN` steps of one channel by linear interpolation between the nearest finite
    /// steps (holding the nearest value at the ends). Returns `false` when the channel has no
    /// finite step at all.
    static func fillGaps(_ output: UnsafeMutableBufferPointer<Float>, channel: Int, stride: Int, steps: Int) -> Bool {
        var previous = -1
        var t = 0
        while t < steps {
            if output[t * stride + channel].isFinite {
                previous = t
                t += 1
                continue
            }
            var next = t
            while next < steps && !output[next * stride + channel].isFinite { next += 1 }
            switch (previous >= 0, next < steps) {
            case (false, false):
                return false
            case (true, false):
                let value = output[previous * stride + channel]
                for u in t..<next { output[u * stride + channel] = value }
            case (false, true):
                let value = output[next * stride + channel]
                for u in t..<next { output[u * stride + channel] = value }
            case (true, true):
                let a = output[previous * stride + channel], b = output[next * stride + channel]
                let span = Float(next - previous)
                for u in t..<next { output[u * stride + channel] = a + (b - a) * Float(u - previous) / span }
            }
            t = next
        }
        return true
    }

    /// The magnitude of three equally sampled axes (`NaN` where any axis is missing).
    static func magnitude(_ x: SampledSignal, _ y: SampledSignal, _ z: SampledSignal) -> SampledSignal {
        let count = Swift.min(x.count, y.count, z.count)
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let a = x.values[i], b = y.values[i], c = z.values[i]
            values[i] = (a * a + b * b + c * c).squareRoot()
        }
        return SampledSignal(startTime: x.startTime, sampleRate: x.sampleRate, values: values)
    }
}
