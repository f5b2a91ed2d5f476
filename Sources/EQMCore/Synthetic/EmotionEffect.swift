/// How an affective state moves a wearer's physiology away from their own neutral baseline.
///
/// The profiles follow the direction of effects reported in the affective-computing literature
/// (for example WESAD and the DEAP/AMIGOS physiological studies): high-arousal states raise heart
/// rate, skin-conductance level and response rate and lower heart-rate variability; stress, fear
/// and anxiety cool the extremities through vasoconstriction; relaxation slows breathing and
/// raises variability; anger and joy come with movement, sadness and concentration with
/// stillness. Magnitudes are illustrative, chosen so that states overlap but remain separable.
struct EmotionEffect: Sendable {
    /// Heart-rate change, beats per minute.
    var heartRateShift: Double
    /// Natural log of the RMSSD ratio to neutral.
    var hrvLogRatio: Double
    /// Natural log of the tonic skin-conductance ratio to neutral.
    var tonicEDALogRatio: Double
    /// Natural log of the skin-conductance-response rate ratio to neutral.
    var scrRateLogRatio: Double
    /// Natural log of the skin-conductance-response amplitude ratio to neutral.
    var scrAmplitudeLogRatio: Double
    /// Skin-temperature change the wearer drifts towards, °C.
    var temperatureShift: Double
    /// Natural log of the movement-intensity ratio to the wearer's usual activity.
    var movementLogRatio: Double
    /// Standard deviation of the log movement envelope: how bursty movement is (absolute).
    var movementBurstiness: Double
    /// Oxygen-saturation change, percentage points.
    var spo2Shift: Double
    /// Breathing-rate change, breaths per minute.
    var respirationShift: Double
    /// Natural log of the pulse-amplitude ratio to neutral (below zero: vasoconstriction).
    var pulseAmplitudeLogRatio: Double

    /// The population profile of each state, indexed by ``EmotionLabel/index``.
    static let profiles: [EmotionEffect] = EmotionLabel.allCases.map(profile(for:))

    // swift-format-ignore
    private static func profile(for label: EmotionLabel) -> EmotionEffect {
        //                   HR bpm  ln HRV ln EDA ln SCRs ln amp  °C    ln move burst SpO2 % br/min ln pulse
        switch label {
        case .neutral:       .init( 0,    0,     0,     0,     0,     0,     0,     0.3,  0,     0,   0)
        case .happy:         .init( 7,   -0.10,  0.10,  0.4,   0.2,   0.15,  0.9,   0.5,  0,     2,   0.05)
        case .sad:           .init(-3,   -0.15, -0.10, -0.6,  -0.3,  -0.15, -0.7,   0.2, -0.2,  -2,  -0.05)
        case .angry:         .init(15,   -0.45,  0.30,  1.1,   0.7,   0.25,  1.1,   0.9, -0.2,   5,  -0.15)
        case .fear:          .init(17,   -0.55,  0.35,  1.4,   0.8,  -0.50, -0.3,   0.6, -0.4,   6,  -0.35)
        case .surprise:      .init(10,   -0.20,  0.20,  1.3,   1.0,   0,     0.4,   0.8,  0,     3,  -0.10)
        case .disgust:       .init( 3,   -0.20,  0.12,  0.7,   0.4,  -0.20, -0.1,   0.4, -0.2,   1,  -0.15)
        case .stress:        .init(11,   -0.50,  0.25,  1.0,   0.5,  -0.70, -0.1,   0.3, -0.3,   4,  -0.30)
        case .anxiety:       .init( 9,   -0.45,  0.20,  0.8,   0.3,  -0.45,  0.5,   0.5, -0.3,   5,  -0.25)
        case .relaxation:    .init(-6,    0.35, -0.20, -1.2,  -0.4,   0.45, -1.0,   0.2,  0.3,  -4,   0.20)
        case .concentration: .init( 2,   -0.25,  0.05,  0,    -0.1,  -0.10, -1.3,   0.1,  0,    -1,  -0.05)
        }
    }

    private init(
        _ heartRateShift: Double, _ hrvLogRatio: Double, _ tonicEDALogRatio: Double, _ scrRateLogRatio: Double,
        _ scrAmplitudeLogRatio: Double, _ temperatureShift: Double, _ movementLogRatio: Double,
        _ movementBurstiness: Double, _ spo2Shift: Double, _ respirationShift: Double, _ pulseAmplitudeLogRatio: Double
    ) {
        self.heartRateShift = heartRateShift
        self.hrvLogRatio = hrvLogRatio
        self.tonicEDALogRatio = tonicEDALogRatio
        self.scrRateLogRatio = scrRateLogRatio
        self.scrAmplitudeLogRatio = scrAmplitudeLogRatio
        self.temperatureShift = temperatureShift
        self.movementLogRatio = movementLogRatio
        self.movementBurstiness = movementBurstiness
        self.spo2Shift = spo2Shift
        self.respirationShift = respirationShift
        self.pulseAmplitudeLogRatio = pulseAmplitudeLogRatio
    }

    /// The neutral profile: no change from baseline.
    static var neutral: EmotionEffect { profiles[EmotionLabel.neutral.index] }

    /// This profile with every change from neutral multiplied by `factor` (an episode's intensity
    /// or a wearer's reactivity).
    func scaled(by factor: Double) -> EmotionEffect {
        let neutralBurstiness = Self.neutral.movementBurstiness
        return EmotionEffect(
            heartRateShift * factor, hrvLogRatio * factor, tonicEDALogRatio * factor, scrRateLogRatio * factor,
            scrAmplitudeLogRatio * factor, temperatureShift * factor, movementLogRatio * factor,
            neutralBurstiness + (movementBurstiness - neutralBurstiness) * factor, spo2Shift * factor,
            respirationShift * factor, pulseAmplitudeLogRatio * factor
        )
    }

    /// This profile with individual variation added: each change is perturbed by a normal draw
    /// of `spread` times the effect's typical size, so no two wearers express a state alike.
    func individualized(spread: Double, using generator: inout SeededGenerator) -> EmotionEffect {
        func jitter(_ value: Double, _ scale: Double) -> Double { value + spread * scale * generator.nextGaussian() }
        return EmotionEffect(
            jitter(heartRateShift, 5), jitter(hrvLogRatio, 0.2), jitter(tonicEDALogRatio, 0.12),
            jitter(scrRateLogRatio, 0.5), jitter(scrAmplitudeLogRatio, 0.3), jitter(temperatureShift, 0.25),
            jitter(movementLogRatio, 0.5), Swift.max(0.05, jitter(movementBurstiness, 0.15)), jitter(spo2Shift, 0.15),
            jitter(respirationShift, 1.5), jitter(pulseAmplitudeLogRatio, 0.1)
        )
    }
}
