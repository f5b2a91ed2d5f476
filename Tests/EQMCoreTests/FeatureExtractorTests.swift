import Foundation
import Testing

@testable import EQMCore

@Suite("Window features")
struct FeatureExtractorTests {
    static let extractor = FeatureExtractor()

    @Test("the sixteen features have the documented names, order and units")
    func namesAndUnits() {
        #expect(
            WindowFeatures.names == [
                "hr_mean", "hrv_sdnn", "hrv_rmssd", "hrv_pnn50", "hrv_lf", "hrv_hf", "hrv_lf_hf", "eda_tonic_mean",
                "eda_scr_count", "eda_scr_amplitude_mean", "temp_mean", "temp_slope", "acc_mag_mean", "acc_mag_std",
                "spo2_mean", "spo2_min",
            ])
        #expect(
            WindowFeatures.Name.allCases.map(\.unit) == [
                "bpm", "ms", "ms", "%", "ms²", "ms²", "ratio", "µS", "count", "µS", "°C", "°C/min", "g", "g", "%", "%",
            ])
        #expect(WindowFeatures.Name.allCases.map(\.index) == Array(0..<16))
        var features = WindowFeatures()
        for name in WindowFeatures.Name.allCases { features[name] = Double(name.index) }
        #expect(features.values == (0..<16).map { Double($0) })
        #expect(features.spo2Minimum == 15 && features.hrvLFHF == 6)
    }

    @Test("a linear temperature ramp has its slope in °C per minute and its mean")
    func temperatureRamp() throws {
        // 33 °C rising 0.5 °C/min, 4 Hz, starting at t = 100 s.
        let values = (0..<4 * 300).map { Float(33 + 0.5 * Double($0) / 4 / 60) }
        let signal = SampledSignal(startTime: 100, sampleRate: 4, values: values)
        let features = Self.extractor.features(of: WearableSignals(temperature: signal), from: 160, to: 220)
        #expect(abs(try #require(features.temperatureSlope) - 0.5) < 1e-4)
        // Samples at 160, 160.25, …, 219.75 s: mean time 189.875 s, 89.875 s after the start.
        let expectedMean: Double = 33 + 0.5 * 89.875 / 60
        #expect(abs(try #require(features.temperatureMean) - expectedMean) < 1e-4)
        // Gaps do not bias a least-squares slope.
        var gappy = signal
        for i in gappy.indices(from: 170, to: 185) { gappy.values[i] = .nan }
        let withGap = Self.extractor.features(of: WearableSignals(temperature: gappy), from: 160, to: 220)
        #expect(abs(try #require(withGap.temperatureSlope) - 0.5) < 1e-4)
    }

    @Test("constant and oscillating acceleration have the magnitude statistics they should")
    func acceleration() throws {
        let count = 32 * 60
        func axis(_ value: (Int) -> Double) -> SampledSignal {
            SampledSignal(sampleRate: 32, values: (0..<count).map { Float(value($0)) })
        }
        let still = Self.extractor.features(
            of: WearableSignals(acceleration: (axis { _ in 0.6 }, axis { _ in 0 }, axis { _ in -0.8 })), from: 0, to: 60)
        #expect(abs(try #require(still.accelerationMagnitudeMean) - 1) < 1e-6)
        #expect(try #require(still.accelerationMagnitudeStandardDeviation) < 1e-6)
        // z = 1 + 0.1 sin(2π t): magnitude 1 + 0.1 sin, mean 1, population standard deviation 0.1/√2.
        let moving = Self.extractor.features(
            of: WearableSignals(
                acceleration: (axis { _ in 0 }, axis { _ in 0 }, axis { 1 + 0.1 * sin(2 * .pi * Double($0) / 32) })),
            from: 0, to: 60)
        #expect(abs(try #require(moving.accelerationMagnitudeMean) - 1) < 1e-6)
        #expect(abs(try #require(moving.accelerationMagnitudeStandardDeviation) - 0.1 / 2.0.squareRoot()) < 1e-5)
    }

    @Test("SpO2 mean and minimum ignore missing samples")
    func oxygenSaturation() throws {
        var values: [Float] = (0..<60).map { [97, 96, 98, 95][$0 % 4] }
        values[10] = .nan
        values[11] = .nan
        let features = Self.extractor.features(
            of: WearableSignals(spo2: SampledSignal(sampleRate: 1, values: values)), from: 0, to: 60)
        let finite = values.filter(\.isFinite).map(Double.init)
        #expect(abs(try #require(features.spo2Mean) - finite.reduce(0, +) / Double(finite.count)) < 1e-9)
        #expect(features.spo2Minimum == 95)
    }

    @Test("device inter-beat intervals stand in for a missing pulse signal")
    func deviceIntervals() throws {
        let beats = (0..<100).map { Double($0) * 0.75 }
        let series = InterBeatIntervals(beats: beats)
        let features = Self.extractor.features(of: WearableSignals(interBeatIntervals: series), from: 0, to: 60)
        #expect(abs(try #require(features.hrMean) - 80) < 1e-9)
        #expect(try #require(features.hrvSDNN) < 1e-9)
        #expect(features.hrvPNN50 == 0)
        #expect(throws: EQMCoreError.self) { try InterBeatIntervals(times: [1, 2], intervals: [0.8]) }
        #expect(throws: EQMCoreError.self) { try InterBeatIntervals(times: [2, 1], intervals: [0.8, 0.8]) }
        #expect(throws: EQMCoreError.self) { try InterBeatIntervals(times: [1, 2], intervals: [0.8, -1]) }
    }

    @Test("absent sensors, empty or missing data and odd windows give nil features, never a crash")
    func robustness() throws {
        let none = WindowFeatures()
        #expect(Self.extractor.features(of: WearableSignals(), from: 0, to: 60) == none)
        let empty = SampledSignal(sampleRate: 4, values: [])
        let emptySignals = WearableSignals(
            bvp: SampledSignal(sampleRate: 64, values: []), eda: empty, temperature: empty,
            acceleration: (empty, empty, empty), spo2: SampledSignal(sampleRate: 1, values: []))
        #expect(Self.extractor.features(of: emptySignals, from: 0, to: 60) == none)
        let recording = try SyntheticCohort.recording(
            for: 0, configuration: CohortConfiguration(users: 1, minutesPerUser: 5, seed: 3))
        let signals = WearableSignals(recording: recording)
        for (start, end) in [
            (0.0, 0.0), (60, 30), (1e6, 1e6 + 60), (-1e300, -1e300 + 60), (-.infinity, 60), (.nan, 60), (0, .nan),
        ] {
            #expect(Self.extractor.features(of: signals, from: start, to: end) == none, "[\(start), \(end))")
        }
        // Tiny windows do not trap; a 1 s window has too few beats for heart rate.
        #expect(Self.extractor.features(of: signals, from: 10, to: 11).hrMean == nil)
        _ = Self.extractor.features(of: signals, from: 10, to: 10.01)

        var missing = recording
        for signal in [\UserRecording.bvp, \.eda, \.temperature, \.spo2] {
            for i in missing[keyPath: signal].values.indices { missing[keyPath: signal].values[i] = .nan }
        }
        let allMissing = Self.extractor.features(of: WearableSignals(recording: missing), from: 0, to: 60)
        #expect(allMissing.hrMean == nil && allMissing.edaTonicMean == nil && allMissing.temperatureMean == nil)
        #expect(allMissing.spo2Mean == nil)
        #expect(allMissing.accelerationMagnitudeMean != nil)

        // 40 % of a window is too little; 60 % is enough.
        var partial = recording
        for i in partial.temperature.indices(from: 60, to: 96) { partial.temperature.values[i] = .nan }
        for i in partial.temperature.indices(from: 120, to: 144) { partial.temperature.values[i] = .nan }
        let covered = WearableSignals(recording: partial)
        #expect(Self.extractor.features(of: covered, from: 60, to: 120).temperatureMean == nil)
        #expect(Self.extractor.features(of: covered, from: 120, to: 180).temperatureMean != nil)
    }

    @Test("consecutive windows cover a span at the requested step")
    func consecutiveWindows() throws {
        let recording = try SyntheticCohort.recording(
            for: 0, configuration: CohortConfiguration(users: 1, minutesPerUser: 5, seed: 3))
        let signals = WearableSignals(recording: recording)
        let rows = try Self.extractor.features(of: signals, from: 0, to: 300, window: 60, step: 30)
        #expect(rows.map(\.start) == [0, 30, 60, 90, 120, 150, 180, 210, 240])
        #expect(rows.allSatisfy { $0.end == $0.start + 60 })
        #expect(rows[3].features == Self.extractor.features(of: signals, from: 90, to: 150))
        #expect(throws: EQMCoreError.self) { try Self.extractor.features(of: signals, from: 0, to: 300, window: 0, step: 30) }
        #expect(throws: EQMCoreError.self) {
            try Self.extractor.features(of: signals, from: 0, to: .infinity, window: 60, step: 30)
        }
        #expect(try Self.extractor.features(of: signals, from: 0, to: 30, window: 60, step: 30).isEmpty)
    }

    @Test("every feature is present on a clean synthetic recording and in a physiological range")
    func syntheticRanges() throws {
        let recording = try SyntheticCohort.recording(
            for: 2, configuration: CohortConfiguration(users: 3, minutesPerUser: 10, seed: 8, artefactRate: 0, gapRate: 0))
        let signals = WearableSignals(recording: recording)
        for start in stride(from: 0.0, through: 540, by: 60) {
            let features = Self.extractor.features(of: signals, from: start, to: start + 60)
            #expect(features.values.allSatisfy { $0 != nil } || features.edaSCRAmplitudeMean == nil)
            #expect((40...180).contains(try #require(features.hrMean)))
            #expect((5...200).contains(try #require(features.hrvRMSSD)))
            #expect((0...100).contains(try #require(features.hrvPNN50)))
            #expect(try #require(features.hrvLF) >= 0 && (try #require(features.hrvHF)) > 0)
            #expect((0.5...20).contains(try #require(features.edaTonicMean)))
            #expect((28...38).contains(try #require(features.temperatureMean)))
            #expect(abs(try #require(features.accelerationMagnitudeMean) - 1) < 0.3)
            #expect((85...100).contains(try #require(features.spo2Minimum)))
            #expect(try #require(features.spo2Minimum) <= (try #require(features.spo2Mean)))
        }
    }
}
