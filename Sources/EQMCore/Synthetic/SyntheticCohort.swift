/// Generates physiologically plausible, labelled multi-sensor recordings for a cohort of
/// synthetic wearers, for demos, tests and benchmarks.
///
/// Each user has an individual baseline (resting heart rate 55–80 bpm, heart-rate variability,
/// tonic skin conductance 1–10 µS, skin temperature 31–35 °C, SpO2 95–99 %, activity level), an
/// individual way of expressing each affective state, and a label mix drawn from a Dirichlet
/// distribution (``CohortConfiguration/labelConcentration``), so cohorts are non-IID as real
/// federations are. The recording is covered by consecutive episodes; every state shifts heart
/// rate, heart-rate variability, skin conductance, skin temperature, movement, breathing and SpO2
/// in its own direction, with per-episode intensity and slow drifts so that states overlap.
///
/// Generation is deterministic: user `i` depends only on the configuration's seed and `i`.
public enum SyntheticCohort {
    /// The blood-volume-pulse sampling rate, Hz.
    public static let bvpRate = 64.0
    /// The skin-conductance and skin-temperature sampling rate, Hz.
    public static let edaRate = 4.0
    /// The accelerometer sampling rate, Hz.
    public static let accelerationRate = 32.0
    /// The oxygen-saturation sampling rate, Hz.
    public static let spo2Rate = 1.0

    /// How much each wearer's expression of a state differs from the population profile, in
    /// units of each effect's typical size.
    static let individualSpread = 0.4
    /// The range of an episode's intensity relative to the wearer's profile.
    static let episodeIntensity = 0.6...1.3

    /// The identifier of user `userIndex`, such as `"synthetic-0007"`.
    public static func userID(for userIndex: Int) -> String {
        let digits = String(userIndex)
        return "synthetic-" + String(repeating: "0", count: Swift.max(0, 4 - digits.count)) + digits
    }

    /// Generates the recording of one user of the cohort.
    ///
    /// - Throws: ``EQMCoreError`` (`invalidConfiguration`) when the configuration is invalid or
    ///   `userIndex` is not in `0..<configuration.users`.
    public static func recording(for userIndex: Int, configuration: CohortConfiguration) throws(EQMCoreError) -> UserRecording {
        try configuration.validate()
        guard userIndex >= 0 && userIndex < configuration.users else {
            throw .invalidConfiguration("user index must be in 0..<\(configuration.users), found \(userIndex)")
        }
        return generate(userIndex: userIndex, configuration: configuration)
    }

    /// Generates every user's recording, in user order.
    ///
    /// - Throws: ``EQMCoreError`` (`invalidConfiguration`) when the configuration is invalid.
    public static func recordings(configuration: CohortConfiguration) throws(EQMCoreError) -> [UserRecording] {
        try configuration.validate()
        return (0..<configuration.users).map { generate(userIndex: $0, configuration: configuration) }
    }

    /// The label mix user `userIndex` draws episodes from: one probability per
    /// ``EmotionLabel``, in `allCases` order.
    ///
    /// - Throws: ``EQMCoreError`` (`invalidConfiguration`) as ``recording(for:configuration:)``.
    public static func labelMix(for userIndex: Int, configuration: CohortConfiguration) throws(EQMCoreError) -> [Double] {
        try configuration.validate()
        guard userIndex >= 0 && userIndex < configuration.users else {
            throw .invalidConfiguration("user index must be in 0..<\(configuration.users), found \(userIndex)")
        }
        var generator = Streams(userIndex: userIndex, seed: configuration.seed).generator(.labelMix)
        return generator.nextDirichlet(count: EmotionLabel.count, concentration: configuration.labelConcentration)
    }

    /// Independent random streams per user and per concern, so that each part of a recording
    /// can change without shifting the others.
    private struct Streams {
        enum Concern: UInt64 {
            case baseline = 1, labelMix, episodes, effects, control, beats, bvp, eda, temperature, acceleration, spo2, gaps
        }
        let user: SeededGenerator
        init(userIndex: Int, seed: UInt64) {
            user = SeededGenerator(seed: seed).derived(UInt64(userIndex))
        }
        func generator(_ concern: Concern) -> SeededGenerator { user.derived(concern.rawValue) }
    }

    private static func generate(userIndex: Int, configuration: CohortConfiguration) -> UserRecording {
        let streams = Streams(userIndex: userIndex, seed: configuration.seed)
        let duration = configuration.minutesPerUser * 60

        var baselineGenerator = streams.generator(.baseline)
        let baseline = PhysiologicalBaseline.draw(using: &baselineGenerator)

        var mixGenerator = streams.generator(.labelMix)
        let mix = mixGenerator.nextDirichlet(count: EmotionLabel.count, concentration: configuration.labelConcentration)
        var episodeGenerator = streams.generator(.episodes)
        let episodes = makeEpisodes(duration: duration, mix: mix, minutes: configuration.episodeMinutes, using: &episodeGenerator)

        // The wearer's own version of each state, then each episode's intensity.
        var effectGenerator = streams.generator(.effects)
        let personal = EmotionEffect.profiles.enumerated().map { index, profile in
            index == EmotionLabel.neutral.index
                ? profile
                : profile.individualized(spread: individualSpread, using: &effectGenerator).scaled(by: baseline.reactivity)
        }
        let episodeEffects = episodes.map { episode in
            personal[episode.label.index].scaled(
                by: effectGenerator.nextUniform(episodeIntensity.lowerBound, episodeIntensity.upperBound)
            )
        }

        var controlGenerator = streams.generator(.control)
        let control = ControlTrajectory(
            duration: duration, episodes: episodes, effects: episodeEffects, baseline: baseline, using: &controlGenerator
        )

        var beatGenerator = streams.generator(.beats)
        let beats = SignalSynthesis.beatTimes(duration: duration, control: control, using: &beatGenerator)
        var bvpGenerator = streams.generator(.bvp)
        var bvp = SignalSynthesis.bloodVolumePulse(
            duration: duration, sampleRate: bvpRate, beats: beats, control: control, baseline: baseline,
            artefactRate: configuration.artefactRate, using: &bvpGenerator
        )
        var edaGenerator = streams.generator(.eda)
        var eda = SignalSynthesis.electrodermalActivity(
            duration: duration, sampleRate: edaRate, control: control, using: &edaGenerator)
        var temperatureGenerator = streams.generator(.temperature)
        var temperature = SignalSynthesis.skinTemperature(
            duration: duration, sampleRate: edaRate, control: control, using: &temperatureGenerator
        )
        var accelerationGenerator = streams.generator(.acceleration)
        let acceleration = SignalSynthesis.acceleration(
            duration: duration, sampleRate: accelerationRate, control: control, baseline: baseline, using: &accelerationGenerator
        )
        var spo2Generator = streams.generator(.spo2)
        var spo2 = SignalSynthesis.oxygenSaturation(
            duration: duration, sampleRate: spo2Rate, control: control, baseline: baseline, using: &spo2Generator
        )

        var gapGenerator = streams.generator(.gaps)
        let gapRate = configuration.gapRate
        SignalSynthesis.insertGaps(into: &bvp, sampleRate: bvpRate, ratePerMinute: gapRate, using: &gapGenerator)
        SignalSynthesis.insertGaps(into: &eda, sampleRate: edaRate, ratePerMinute: gapRate, using: &gapGenerator)
        SignalSynthesis.insertGaps(into: &temperature, sampleRate: edaRate, ratePerMinute: gapRate, using: &gapGenerator)
        SignalSynthesis.insertGaps(into: &spo2, sampleRate: spo2Rate, ratePerMinute: gapRate, using: &gapGenerator)

        return UserRecording(
            userID: userID(for: userIndex),
            bvp: SampledSignal(sampleRate: bvpRate, values: bvp),
            eda: SampledSignal(sampleRate: edaRate, values: eda),
            temperature: SampledSignal(sampleRate: edaRate, values: temperature),
            accelerationX: SampledSignal(sampleRate: accelerationRate, values: acceleration.x),
            accelerationY: SampledSignal(sampleRate: accelerationRate, values: acceleration.y),
            accelerationZ: SampledSignal(sampleRate: accelerationRate, values: acceleration.z),
            spo2: SampledSignal(sampleRate: spo2Rate, values: spo2),
            episodes: episodes,
            beatTimes: beats
        )
    }

    /// Consecutive episodes covering `[0, duration)`, labels drawn from `mix`. A remainder
    /// shorter than half the minimum episode is merged into the last episode.
    private static func makeEpisodes(
        duration: Double,
        mix: [Double],
        minutes: ClosedRange<Double>,
        using generator: inout SeededGenerator
    ) -> [LabelledEpisode] {
        var episodes: [LabelledEpisode] = []
        var start = 0.0
        while start < duration {
            var end = start + 60 * generator.nextUniform(minutes.lowerBound, minutes.upperBound)
            if duration - end < 30 * minutes.lowerBound { end = duration }
            let label = EmotionLabel(index: generator.nextIndex(weights: mix))!
            episodes.append(LabelledEpisode(start: start, end: Swift.min(end, duration), label: label))
            start = end
        }
        return episodes
    }
}
