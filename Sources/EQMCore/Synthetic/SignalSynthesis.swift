/// Renders a ``ControlTrajectory`` into sensor signals, one channel at a time.
///
/// Every function writes only its output array (no allocation per sample) and draws from its own
/// generator, so changing one channel's model leaves the others' samples unchanged.
enum SignalSynthesis {
    /// Systolic-peak times: intervals follow the heart rate, with respiratory sinus arrhythmia
    /// at the breathing frequency, a ~0.1 Hz (Mayer wave) component and white noise, all scaled
    /// so that successive differences have roughly the trajectory's RMSSD.
    static func beatTimes(duration: Double, control: ControlTrajectory, using generator: inout SeededGenerator) -> [Double] {
        var beats: [Double] = []
        beats.reserveCapacity(Int(duration * 3.2))
        let lowFrequencyPhase = generator.nextUniform(0, 2 * Double.pi)
        var time = generator.nextUniform(0.05, 0.8)
        control.heartRate.withUnsafeBufferPointer { heartRate in
            control.rmssd.withUnsafeBufferPointer { rmssd in
                control.respirationPhase.withUnsafeBufferPointer { respiration in
                    while time < duration {
                        beats.append(time)
                        let meanInterval = 60 / ControlTrajectory.value(heartRate, at: time)
                        let variability = ControlTrajectory.value(rmssd, at: time) / 1000
                        let sinusArrhythmia = 0.8 * variability * Math.sin(ControlTrajectory.value(respiration, at: time))
                        let mayerWave = 1.0 * variability * Math.sin(2 * Double.pi * 0.1 * time + lowFrequencyPhase)
                        let interval = meanInterval + sinusArrhythmia + mayerWave + 0.4 * variability * generator.nextGaussian()
                        time += Swift.min(1.5, Swift.max(0.333, interval))
                    }
                }
            }
        }
        return beats
    }

    /// Photoplethysmographic blood volume pulse at `sampleRate`: per beat an asymmetric systolic
    /// wave and a delayed dicrotic wave (leaving a notch between them), modulated by breathing,
    /// on a wandering baseline, with sensor noise and motion artefacts.
    static func bloodVolumePulse(
        duration: Double,
        sampleRate: Double,
        beats: [Double],
        control: ControlTrajectory,
        baseline: PhysiologicalBaseline,
        artefactRate: Double,
        using generator: inout SeededGenerator
    ) -> [Float] {
        let count = Int(duration * sampleRate)
        var values = [Float](repeating: 0, count: count)
        guard count > 0 else { return values }
        values.withUnsafeMutableBufferPointer { output in
            control.pulseAmplitude.withUnsafeBufferPointer { amplitude in
                control.respirationPhase.withUnsafeBufferPointer { respiration in
                    control.movement.withUnsafeBufferPointer { movement in
                        renderPulses(
                            into: output, sampleRate: sampleRate, beats: beats, amplitude: amplitude,
                            respiration: respiration, dicroticRatio: baseline.dicroticRatio, using: &generator)
                        // Breathing moves the baseline; the sensor adds broadband noise.
                        let noiseLevel = 0.025 * baseline.pulseAmplitude
                        for i in 0..<count {
                            let time = Double(i) / sampleRate
                            let wander =
                                0.12 * ControlTrajectory.value(amplitude, at: time)
                                * Math.sin(ControlTrajectory.value(respiration, at: time) + 1)
                            output[i] += Float(wander + noiseLevel * generator.nextNoise())
                        }
                        addMotionArtefacts(
                            into: output, sampleRate: sampleRate, movement: movement,
                            baseline: baseline, rate: artefactRate, using: &generator)
                    }
                }
            }
        }
        return values
    }

    private static func renderPulses(
        into output: UnsafeMutableBufferPointer<Float>,
        sampleRate: Double,
        beats: [Double],
        amplitude: UnsafeBufferPointer<Double>,
        respiration: UnsafeBufferPointer<Double>,
        dicroticRatio: Double,
        using generator: inout SeededGenerator
    ) {
        for (k, beat) in beats.enumerated() {
            let interval = k + 1 < beats.count ? beats[k + 1] - beat : (k > 0 ? beat - beats[k - 1] : 0.85)
            // Faster hearts compress the pulse wave in time.
            let scale = Swift.min(1.15, Swift.max(0.6, (interval / 0.85).squareRoot()))
            let rise = 0.07 * scale, fall = 0.10 * scale
            let dicroticDelay = 0.30 * scale, dicroticWidth = 0.09 * scale
            let height =
                ControlTrajectory.value(amplitude, at: beat)
                * (1 + 0.08 * Math.sin(ControlTrajectory.value(respiration, at: beat)))
                * (1 + 0.04 * generator.nextNoise())
            let first = Swift.max(0, Int(((beat - 4 * rise) * sampleRate).rounded(.up)))
            let last = Swift.min(output.count - 1, Int(((beat + dicroticDelay + 4 * dicroticWidth) * sampleRate)))
            guard first <= last else { continue }
            for i in first...last {
                let offset = Double(i) / sampleRate - beat
                let width = offset < 0 ? rise : fall
                let systolic = Math.exp(-offset * offset / (2 * width * width))
                let fromDicrotic = offset - dicroticDelay
                let dicrotic = dicroticRatio * Math.exp(-fromDicrotic * fromDicrotic / (2 * dicroticWidth * dicroticWidth))
                output[i] += Float(height * (systolic + dicrotic))
            }
        }
    }

    /// Movement of the sensor on the skin: bursts of large, slow oscillations lasting 1–6 s,
    /// more frequent the more the wearer moves relative to their usual activity.
    private static func addMotionArtefacts(
        into output: UnsafeMutableBufferPointer<Float>,
        sampleRate: Double,
        movement: UnsafeBufferPointer<Double>,
        baseline: PhysiologicalBaseline,
        rate: Double,
        using generator: inout SeededGenerator
    ) {
        guard rate > 0 else { return }
        let duration = Double(output.count) / sampleRate
        let maximumBoost = 4.0
        let maximumRate = rate / 60 * maximumBoost
        var time = generator.nextExponential(mean: 1 / maximumRate)
        while time < duration {
            let boost = Swift.min(maximumBoost, ControlTrajectory.value(movement, at: time) / baseline.activity)
            // Thinning turns the constant-rate process into one that follows movement.
            if generator.nextUnitInterval() * maximumBoost < boost {
                let length = generator.nextUniform(1, 6)
                let size = generator.nextUniform(0.5, 3) * baseline.pulseAmplitude
                let slow = 2 * Double.pi * generator.nextUniform(0.3, 1.5)
                let quick = 2 * Double.pi * generator.nextUniform(1.5, 4)
                let slowPhase = generator.nextUniform(0, 2 * Double.pi)
                let quickPhase = generator.nextUniform(0, 2 * Double.pi)
                let first = Int((time * sampleRate).rounded(.up))
                let last = Swift.min(output.count - 1, Int((time + length) * sampleRate))
                if first <= last {
                    for i in first...last {
                        let offset = Double(i) / sampleRate - time
                        let envelope = 0.5 - 0.5 * Math.cos(2 * Double.pi * offset / length)
                        let wave = Math.sin(slow * offset + slowPhase) + 0.5 * Math.sin(quick * offset + quickPhase)
                        output[i] += Float(size * envelope * wave)
                    }
                }
            }
            time += generator.nextExponential(mean: 1 / maximumRate)
        }
    }

    /// Skin conductance at `sampleRate`: the tonic level plus phasic skin-conductance responses
    /// (bi-exponential: rise over about 1.5 s, recovery with a 4 s time constant) arriving as a
    /// Poisson process whose rate and amplitude follow the trajectory, plus sensor noise.
    static func electrodermalActivity(
        duration: Double,
        sampleRate: Double,
        control: ControlTrajectory,
        using generator: inout SeededGenerator
    ) -> [Float] {
        let count = Int(duration * sampleRate)
        var values = [Float](repeating: 0, count: count)
        let riseTime = 0.75, recoveryTime = 4.0
        // Peak of exp(−t/recovery) − exp(−t/rise), to normalise responses to unit height.
        let peakTime = Math.log(recoveryTime / riseTime) * riseTime * recoveryTime / (recoveryTime - riseTime)
        let peak = Math.exp(-peakTime / recoveryTime) - Math.exp(-peakTime / riseTime)
        let responseSamples = Int(25 * sampleRate)
        values.withUnsafeMutableBufferPointer { output in
            control.tonicEDA.withUnsafeBufferPointer { tonic in
                control.scrRate.withUnsafeBufferPointer { rate in
                    control.scrAmplitude.withUnsafeBufferPointer { amplitude in
                        let step = 1 / sampleRate
                        for i in 0..<count {
                            let time = Double(i) * step
                            output[i] += Float(ControlTrajectory.value(tonic, at: time) * (1 + 0.004 * generator.nextNoise()))
                            // At most one response starts per sample interval (rate × step ≪ 1).
                            guard generator.nextUnitInterval() < ControlTrajectory.value(rate, at: time) * step else { continue }
                            let onset = time + generator.nextUnitInterval() * step
                            let height =
                                ControlTrajectory.value(amplitude, at: time)
                                * Swift.min(4, generator.nextExponential(mean: 1)) / peak
                            for j in (i + 1)..<Swift.min(count, i + 1 + responseSamples) {
                                let since = Double(j) * step - onset
                                output[j] += Float(height * (Math.exp(-since / recoveryTime) - Math.exp(-since / riseTime)))
                            }
                        }
                        for i in 0..<count { output[i] = Swift.max(0.01, output[i]) }
                    }
                }
            }
        }
        return values
    }

    /// Skin temperature at `sampleRate`: the trajectory plus thermistor noise.
    static func skinTemperature(
        duration: Double,
        sampleRate: Double,
        control: ControlTrajectory,
        using generator: inout SeededGenerator
    ) -> [Float] {
        let count = Int(duration * sampleRate)
        var values = [Float](repeating: 0, count: count)
        control.temperature.withUnsafeBufferPointer { temperature in
            for i in 0..<count {
                values[i] = Float(ControlTrajectory.value(temperature, at: Double(i) / sampleRate) + 0.01 * generator.nextNoise())
            }
        }
        return values
    }

    /// Three-axis acceleration at `sampleRate`, in g: gravity in the current posture (which
    /// changes every couple of minutes, whatever the state) plus arm movement, modelled per axis
    /// as a narrow-band random oscillation around the wearer's movement frequency scaled by the
    /// trajectory's movement intensity, plus sensor noise.
    static func acceleration(
        duration: Double,
        sampleRate: Double,
        control: ControlTrajectory,
        baseline: PhysiologicalBaseline,
        using generator: inout SeededGenerator
    ) -> (x: [Float], y: [Float], z: [Float]) {
        let count = Int(duration * sampleRate)
        var x = [Float](repeating: 0, count: count)
        var y = x
        var z = x
        // AR(2) resonator with a 1 Hz bandwidth; its stationary variance normalises it to unit RMS.
        let radius = Math.exp(-Double.pi * 1 / sampleRate)
        let a1 = 2 * radius * Math.cos(2 * Double.pi * baseline.movementFrequency / sampleRate)
        let a2 = -radius * radius
        let variance = (1 - a2) / ((1 + a2) * ((1 - a2) * (1 - a2) - a1 * a1))
        let gain = 1 / variance.squareRoot()
        var state = (SIMD3<Double>(), SIMD3<Double>())
        var gravity = baseline.gravity
        var nextPostureChange = generator.nextExponential(mean: 120)
        control.movement.withUnsafeBufferPointer { movement in
            for i in 0..<count {
                let time = Double(i) / sampleRate
                if time >= nextPostureChange {
                    let tilted =
                        baseline.gravity
                        + 0.35 * SIMD3(generator.nextGaussian(), generator.nextGaussian(), generator.nextGaussian())
                    gravity = tilted / (tilted * tilted).sum().squareRoot()
                    nextPostureChange += generator.nextExponential(mean: 120)
                }
                let drive = SIMD3(generator.nextNoise(), generator.nextNoise(), generator.nextNoise())
                let current = a1 * state.0 + a2 * state.1 + drive
                state = (current, state.0)
                let noise = SIMD3(generator.nextNoise(), generator.nextNoise(), generator.nextNoise())
                let sample = gravity + ControlTrajectory.value(movement, at: time) * gain * current + 0.004 * noise
                x[i] = Float(sample.x)
                y[i] = Float(sample.y)
                z[i] = Float(sample.z)
            }
        }
        return (x, y, z)
    }

    /// Oxygen saturation at `sampleRate`, percent: the trajectory plus oximeter noise that grows
    /// with movement, capped at 100.
    static func oxygenSaturation(
        duration: Double,
        sampleRate: Double,
        control: ControlTrajectory,
        baseline: PhysiologicalBaseline,
        using generator: inout SeededGenerator
    ) -> [Float] {
        let count = Int(duration * sampleRate)
        var values = [Float](repeating: 0, count: count)
        control.spo2.withUnsafeBufferPointer { spo2 in
            control.movement.withUnsafeBufferPointer { movement in
                for i in 0..<count {
                    let time = Double(i) / sampleRate
                    let restlessness = Swift.min(3, ControlTrajectory.value(movement, at: time) / baseline.activity)
                    let value =
                        ControlTrajectory.value(spo2, at: time) + 0.25 * (0.7 + 0.3 * restlessness) * generator.nextNoise()
                    values[i] = Float(Swift.min(100, Swift.max(85, value)))
                }
            }
        }
        return values
    }

    /// Marks runs of 2–8 s as missing (`NaN`), starting as a Poisson process with `ratePerMinute`.
    static func insertGaps(
        into values: inout [Float], sampleRate: Double, ratePerMinute: Double, using generator: inout SeededGenerator
    ) {
        guard ratePerMinute > 0, !values.isEmpty else { return }
        let duration = Double(values.count) / sampleRate
        var time = generator.nextExponential(mean: 60 / ratePerMinute)
        while time < duration {
            let length = generator.nextUniform(2, 8)
            let first = Int((time * sampleRate).rounded(.up))
            let last = Swift.min(values.count, Int(((time + length) * sampleRate).rounded(.up)))
            if first < last {
                for i in first..<last { values[i] = .nan }
            }
            time += length + generator.nextExponential(mean: 60 / ratePerMinute)
        }
    }
}
