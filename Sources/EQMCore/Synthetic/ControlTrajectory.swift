/// The slowly varying physiological state of one synthetic wearer, sampled at 4 Hz: what the
/// sensor synthesizers render into signals.
///
/// Each quantity follows its episode's target through a first-order lag with its own time
/// constant (heart rate reacts within seconds, skin temperature over minutes), so the start of
/// an episode carries over some of the previous state, as real physiology does. Slow random
/// drifts and label-independent activity bursts are added on top.
struct ControlTrajectory: Sendable {
    /// Control samples per second.
    static let rate = 4.0

    /// Heart rate, beats per minute.
    var heartRate: [Double]
    /// RMSSD of beat-to-beat intervals, milliseconds.
    var rmssd: [Double]
    /// Tonic skin conductance, microsiemens.
    var tonicEDA: [Double]
    /// Skin-conductance responses per second.
    var scrRate: [Double]
    /// Mean skin-conductance-response amplitude, microsiemens.
    var scrAmplitude: [Double]
    /// Skin temperature, °C.
    var temperature: [Double]
    /// Movement intensity (root-mean-square acceleration beyond gravity), g.
    var movement: [Double]
    /// Oxygen saturation, percent.
    var spo2: [Double]
    /// Accumulated breathing phase, radians.
    var respirationPhase: [Double]
    /// Pulse-wave amplitude, arbitrary units.
    var pulseAmplitude: [Double]

    /// The number of control samples.
    var count: Int { heartRate.count }

    /// Linear interpolation of a control series at `time` seconds (clamped to the ends).
    @inline(__always)
    static func value(_ series: UnsafeBufferPointer<Double>, at time: Double) -> Double {
        let position = Swift.max(0, time * rate)
        let index = Int(position)
        guard index + 1 < series.count else { return series[series.count - 1] }
        let fraction = position - Double(index)
        return series[index] + (series[index + 1] - series[index]) * fraction
    }

    /// Builds the trajectory for `duration` seconds of the given episodes, each with the
    /// wearer's own effect profile already scaled by the episode's intensity.
    init(
        duration: Double,
        episodes: [LabelledEpisode],
        effects: [EmotionEffect],
        baseline: PhysiologicalBaseline,
        using generator: inout SeededGenerator
    ) {
        precondition(episodes.count == effects.count && !episodes.isEmpty)
        let count = Int((duration * Self.rate).rounded(.up)) + 1
        let step = 1 / Self.rate
        heartRate = [Double](repeating: 0, count: count)
        rmssd = heartRate
        tonicEDA = heartRate
        scrRate = heartRate
        scrAmplitude = heartRate
        temperature = heartRate
        movement = heartRate
        spo2 = heartRate
        respirationPhase = heartRate
        pulseAmplitude = heartRate

        // Per-quantity response speeds: the fraction of the gap to the target closed per step.
        func lag(_ timeConstant: Double) -> Double { 1 - Math.exp(-step / timeConstant) }
        let fast = lag(8), medium = lag(20), eda = lag(30), slow = lag(120)

        // Ornstein–Uhlenbeck drifts: (state, per-step decay, per-step innovation scale).
        struct Drift {
            var value = 0.0
            let decay: Double
            let innovation: Double
            init(standardDeviation: Double, timeConstant: Double, step: Double) {
                decay = Math.exp(-step / timeConstant)
                innovation = standardDeviation * (1 - decay * decay).squareRoot()
            }
            mutating func advance(_ generator: inout SeededGenerator) -> Double {
                value = value * decay + innovation * generator.nextGaussian()
                return value
            }
        }
        var heartRateDrift = Drift(standardDeviation: 3, timeConstant: 90, step: step)
        var hrvDrift = Drift(standardDeviation: 0.12, timeConstant: 60, step: step)
        var edaDrift = Drift(standardDeviation: 0.12, timeConstant: 240, step: step)
        var temperatureDrift = Drift(standardDeviation: 0.25, timeConstant: 400, step: step)
        var spo2Drift = Drift(standardDeviation: 0.3, timeConstant: 120, step: step)
        var movementEnvelope = Drift(standardDeviation: 1, timeConstant: 3, step: step)

        var state = effects[0]
        var episodeIndex = 0
        var phase = generator.nextUniform(0, 2 * Double.pi)
        var burstRemaining = 0.0
        var burstFactor = 1.0
        // Label-independent bursts of activity (reaching for something, shifting in a chair).
        let burstProbability = 0.6 / 60 * step

        for i in 0..<count {
            let time = Double(i) * step
            while episodeIndex + 1 < episodes.count && time >= episodes[episodeIndex].end { episodeIndex += 1 }
            let target = effects[episodeIndex]
            state.heartRateShift += (target.heartRateShift - state.heartRateShift) * fast
            state.hrvLogRatio += (target.hrvLogRatio - state.hrvLogRatio) * medium
            state.tonicEDALogRatio += (target.tonicEDALogRatio - state.tonicEDALogRatio) * eda
            state.scrRateLogRatio += (target.scrRateLogRatio - state.scrRateLogRatio) * fast
            state.scrAmplitudeLogRatio += (target.scrAmplitudeLogRatio - state.scrAmplitudeLogRatio) * fast
            state.temperatureShift += (target.temperatureShift - state.temperatureShift) * slow
            state.movementLogRatio += (target.movementLogRatio - state.movementLogRatio) * fast
            state.movementBurstiness += (target.movementBurstiness - state.movementBurstiness) * fast
            state.spo2Shift += (target.spo2Shift - state.spo2Shift) * medium
            state.respirationShift += (target.respirationShift - state.respirationShift) * medium
            state.pulseAmplitudeLogRatio += (target.pulseAmplitudeLogRatio - state.pulseAmplitudeLogRatio) * medium

            if burstRemaining > 0 {
                burstRemaining -= step
            } else if generator.nextUnitInterval() < burstProbability {
                burstRemaining = generator.nextUniform(4, 15)
                burstFactor = generator.nextUniform(2, 4)
            }
            let envelope = movementEnvelope.advance(&generator)
            let burstiness = state.movementBurstiness
            let moving =
                baseline.activity * Math.exp(state.movementLogRatio + burstiness * envelope - burstiness * burstiness / 2)
                * (burstRemaining > 0 ? burstFactor : 1)
            movement[i] = moving

            // Moving raises heart rate a little, whatever the state.
            let exertion = Swift.max(-2, 30 * (moving - baseline.activity))
            heartRate[i] = baseline.restingHeartRate + state.heartRateShift + heartRateDrift.advance(&generator) + exertion
            rmssd[i] = baseline.rmssd * Math.exp(state.hrvLogRatio + hrvDrift.advance(&generator))
            tonicEDA[i] = baseline.tonicEDA * Math.exp(state.tonicEDALogRatio + edaDrift.advance(&generator))
            scrRate[i] = baseline.scrRate / 60 * Math.exp(state.scrRateLogRatio)
            scrAmplitude[i] = baseline.scrAmplitude * Math.exp(state.scrAmplitudeLogRatio)
            temperature[i] = baseline.skinTemperature + state.temperatureShift + temperatureDrift.advance(&generator)
            spo2[i] = baseline.spo2 + state.spo2Shift + spo2Drift.advance(&generator)
            pulseAmplitude[i] = baseline.pulseAmplitude * Math.exp(state.pulseAmplitudeLogRatio)
            respirationPhase[i] = phase
            let breathsPerMinute = Swift.max(6, baseline.respirationRate + state.respirationShift)
            phase += 2 * Double.pi * breathsPerMinute / 60 * step
        }
    }
}
