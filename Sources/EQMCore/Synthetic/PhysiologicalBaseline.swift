/// One synthetic wearer's resting physiology and sensor fit: the individual baseline that
/// affective states shift away from.
struct PhysiologicalBaseline: Sendable {
    /// Resting heart rate, beats per minute (55–80).
    var restingHeartRate: Double
    /// Resting RMSSD of the beat-to-beat intervals, milliseconds.
    var rmssd: Double
    /// Tonic skin conductance at rest, microsiemens (1–10).
    var tonicEDA: Double
    /// Spontaneous skin-conductance responses per minute at rest.
    var scrRate: Double
    /// Mean amplitude of a skin-conductance response at rest, microsiemens.
    var scrAmplitude: Double
    /// Wrist skin temperature at rest, °C (31–35).
    var skinTemperature: Double
    /// Oxygen saturation at rest, percent (95–99).
    var spo2: Double
    /// Usual movement intensity: root-mean-square acceleration beyond gravity, in g.
    var activity: Double
    /// Breaths per minute at rest.
    var respirationRate: Double
    /// Pulse-wave amplitude in the device's arbitrary units.
    var pulseAmplitude: Double
    /// Height of the dicrotic wave relative to the systolic peak.
    var dicroticRatio: Double
    /// Dominant frequency of the wearer's arm movements, Hz.
    var movementFrequency: Double
    /// How strongly this wearer's physiology responds to affective states (1 is typical).
    var reactivity: Double
    /// The usual direction of gravity in the device frame (unit vector).
    var gravity: SIMD3<Double>

    /// Draws a wearer at random.
    static func draw(using generator: inout SeededGenerator) -> PhysiologicalBaseline {
        let restingHeartRate = generator.nextUniform(55, 80)
        // Faster resting hearts tend to vary less beat to beat.
        let rmssd = 42 * Math.exp(0.3 * generator.nextGaussian()) * (67 / restingHeartRate)
        let gravity = SIMD3(
            generator.nextUniform(-0.3, 0.3),
            generator.nextUniform(-0.6, 0.0),
            generator.nextUniform(0.6, 1.0)
        )
        return PhysiologicalBaseline(
            restingHeartRate: restingHeartRate,
            rmssd: Swift.min(110, Swift.max(12, rmssd)),
            tonicEDA: Math.exp(generator.nextUniform(0, Math.log(10))),
            scrRate: generator.nextUniform(1, 3),
            scrAmplitude: Math.exp(generator.nextUniform(Math.log(0.05), Math.log(0.3))),
            skinTemperature: generator.nextUniform(31, 35),
            spo2: generator.nextUniform(95, 99),
            activity: generator.nextUniform(0.02, 0.06),
            respirationRate: generator.nextUniform(12, 18),
            pulseAmplitude: generator.nextUniform(50, 150),
            dicroticRatio: generator.nextUniform(0.3, 0.5),
            movementFrequency: generator.nextUniform(1.5, 3),
            reactivity: Math.exp(0.2 * generator.nextGaussian()),
            gravity: gravity / (gravity * gravity).sum().squareRoot()
        )
    }
}
