import Foundation
import Testing

@testable import EQMCore

@Suite("Model inputs")
struct ModelInputTests {
    static let clean = CohortConfiguration(users: 3, minutesPerUser: 10, seed: 17, artefactRate: 0, gapRate: 0)
    static let realistic = CohortConfiguration(users: 4, minutesPerUser: 12, seed: 23)

    // MARK: Channels and feature names

    @Test("there are six channels in the model-format order")
    func channelOrder() {
        #expect(
            ModelInputChannel.allCases.map(\.rawValue) == [
                "heartRate", "interBeatInterval", "eda", "temperature", "accelerationMagnitude", "spo2",
            ])
        #expect(ModelInputChannel.allCases.map(\.index) == Array(0..<6))
        #expect(ModelInputChannel.count == 6)
    }

    @Test("there are 48 distinct model inputs: the sixteen window features of the window and of each half")
    func featureNames() {
        let names = SummaryFeatures.names
        #expect(names.count == 48)
        #expect(SummaryFeatures.count == 48)
        #expect(Set(names).count == 48)
        #expect(Array(names.prefix(16)) == WindowFeatures.names.map { "window_" + $0 })
        #expect(Array(names[16..<32]) == WindowFeatures.names.map { "first_half_" + $0 })
        #expect(Array(names[32..<48]) == WindowFeatures.names.map { "second_half_" + $0 })
        #expect(names[SummaryFeatures.index(block: .secondHalf, feature: .edaSCRCount)] == "second_half_eda_scr_count")
        #expect(names.last == "second_half_spo2_min")
    }

    // MARK: Beat detection

    @Test("beat detection on a clean pulse matches the true heart rate within 3 bpm in every window")
    func beatDetectorMatchesGroundTruth() throws {
        let detector = BeatDetector()
        for recording in try SyntheticCohort.recordings(configuration: Self.clean) {
            let detected = detector.beatTimes(in: recording.bvp)
            let truth = recording.beatTimes
            var start = 0.0
            while start + 64 <= recording.duration {
                let trueRate = meanHeartRate(truth, from: start, to: start + 64)
                let detectedRate = meanHeartRate(detected, from: start, to: start + 64)
                #expect(abs(detectedRate - trueRate) <= 3, "window at \(start) s: \(detectedRate) vs \(trueRate) bpm")
                start += 64
            }
            // Nearly every true beat has a detection within 50 ms.
            var matched = 0
            var next = 0
            for beat in truth {
                while next < detected.count && detected[next] < beat - 0.05 { next += 1 }
                if next < detected.count && abs(detected[next] - beat) <= 0.05 { matched += 1 }
            }
            #expect(Double(matched) >= 0.98 * Double(truth.count))
            #expect(detected.count <= truth.count + truth.count / 50)
        }
    }

    @Test("beat detection finds every pulse of a regular 75 bpm train and none in a gap")
    func beatDetectorOnHandmadePulses() {
        let rate = 64.0, period = 0.8
        var values = (0..<Int(60 * rate)).map { i -> Float in
            let phase = (Double(i) / rate).truncatingRemainder(dividingBy: period) - 0.2
            return Float(100 * exp(-phase * phase / (2 * 0.08 * 0.08)))
        }
        for i in Int(20 * rate)..<Int(30 * rate) { values[i] = .nan }
        let beats = BeatDetector().beatTimes(in: SampledSignal(sampleRate: rate, values: values))
        #expect(beats.allSatisfy { $0 < 20 || $0 >= 30 })
        // Pulses peak at 0.2 + 0.8k s: 25 before the gap, 37 after it (minus edge effects).
        #expect(beats.count >= 58 && beats.count <= 62)
        for beat in beats {
            let offset = (beat - 0.2).truncatingRemainder(dividingBy: period)
            #expect(min(offset, period - offset) < 0.02)
        }
    }

    @Test("intervals from missed or extra beats are corrected or discarded")
    func intervalFiltering() {
        // Regular 0.8 s beats with gentle variability, one missed and one spurious beat.
        var beats = (0..<40).map { Double($0) * 0.8 + 0.01 * Double($0 % 3) }
        let truth = beats
        beats.remove(at: 8)
        beats.insert(24.3, at: 31)
        let accepted = BeatDetector().intervals(fromRuns: [beats])
        #expect(accepted.count >= truth.count - 1 - 4)
        #expect(accepted.intervals.allSatisfy { abs($0 - 0.8) < 0.05 })
        #expect(accepted.times.count == accepted.intervals.count)
    }

    // MARK: Resampling

    @Test("windows are resampled to steps × 6 values, channels last", arguments: [256, 64])
    func sequenceShape(steps: Int) throws {
        let recording = try SyntheticCohort.recording(for: 0, configuration: Self.clean)
        let builder = ModelInputBuilder(recording: recording)
        let input = try #require(builder.input(start: 128, duration: 64, steps: steps))
        #expect(input.count == steps * 6)
        #expect(input.allSatisfy { $0.isFinite })

        // Channel c of step t sits at t * 6 + c: heart rate and interval agree, skin conductance
        // matches the raw samples, SpO2 is a percentage.
        for t in 0..<steps {
            let heartRate = input[t * 6 + ModelInputChannel.heartRate.index]
            let interval = input[t * 6 + ModelInputChannel.interBeatInterval.index]
            #expect(heartRate > 40 && heartRate < 180)
            #expect(abs(heartRate * interval - 60_000) < 0.02 * 60_000)
            #expect(input[t * 6 + ModelInputChannel.spo2.index] > 85)
            #expect(abs(input[t * 6 + ModelInputChannel.accelerationMagnitude.index] - 1) < 1)
        }
        let edaRange = recording.eda.indices(from: 128, to: 192)
        let rawEDA = edaRange.map { recording.eda.values[$0] }.reduce(0, +) / Float(edaRange.count)
        let gridEDA = (0..<steps).map { input[$0 * 6 + ModelInputChannel.eda.index] }.reduce(0, +) / Float(steps)
        #expect(abs(gridEDA - rawEDA) < 0.01 * rawEDA)

        let trueRate = meanHeartRate(recording.beatTimes, from: 128, to: 192)
        let gridRate = (0..<steps).map { Double(input[$0 * 6]) }.reduce(0, +) / Double(steps)
        #expect(abs(gridRate - trueRate) < 3)
    }

    @Test("short gaps are bridged and windows with too much missing are dropped")
    func gapsAreFilledOrDropped() throws {
        var recording = try SyntheticCohort.recording(for: 1, configuration: Self.clean)
        // 8 s missing in the first window (12.5 %), 40 s in the second (62.5 %).
        for i in recording.eda.indices(from: 20, to: 28) { recording.eda.values[i] = .nan }
        for i in recording.eda.indices(from: 310, to: 350) { recording.eda.values[i] = .nan }
        for i in recording.bvp.indices(from: 600, to: 630) { recording.bvp.values[i] = .nan }
        let builder = ModelInputBuilder(recording: recording)
        let bridged = try #require(builder.input(start: 0, duration: 64, steps: 256))
        #expect(bridged.allSatisfy { $0.isFinite })
        // Interpolated values lie between the values at the gap's edges.
        let eda = (0..<256).map { bridged[$0 * 6 + ModelInputChannel.eda.index] }
        let before = eda[79], after = eda[112]
        for t in 80..<112 { #expect(eda[t] >= min(before, after) - 1e-4 && eda[t] <= max(before, after) + 1e-4) }
        #expect(builder.input(start: 300, duration: 64, steps: 256) == nil)
        // 30 s without a pulse leaves heart rate more than 30 % missing.
        #expect(builder.input(start: 590, duration: 64, steps: 64) == nil)
    }

    @Test("gap filling interpolates inside and holds at the ends")
    func fillGaps() {
        var values: [Float] = [.nan, .nan, 2, .nan, .nan, 5, .nan]
        let filled = values.withUnsafeMutableBufferPointer {
            ModelInputBuilder.fillGaps($0, channel: 0, stride: 1, steps: 7)
        }
        #expect(filled)
        #expect(values == [2, 2, 2, 3, 4, 5, 5])
        var empty: [Float] = [.nan, .nan]
        #expect(!empty.withUnsafeMutableBufferPointer { ModelInputBuilder.fillGaps($0, channel: 0, stride: 1, steps: 2) })
    }

    // MARK: Summary features

    @Test("summary inputs are the model-scale features of the window and its halves")
    func summaryInputsOfKnownFeatures() {
        var window = WindowFeatures()
        window.hrMean = 72
        window.hrvRMSSD = 40
        window.hrvLFHF = 2
        window.edaTonicMean = 5
        window.edaSCRCount = 4
        window.temperatureSlope = -0.2
        window.accelerationMagnitudeStandardDeviation = 0.049
        var firstHalf = window
        firstHalf.hrMean = 70
        var secondHalf = window
        secondHalf.hrMean = 75
        secondHalf.hrvRMSSD = nil
        let inputs = SummaryFeatures.inputs(window: window, firstHalf: firstHalf, secondHalf: secondHalf)
        func value(_ block: SummaryFeatures.Block, _ feature: WindowFeatures.Name) -> Float {
            inputs[SummaryFeatures.index(block: block, feature: feature)]
        }
        #expect(inputs.count == 48)
        #expect(value(.window, .hrMean) == 72)
        #expect(value(.firstHalf, .hrMean) == 70)
        #expect(value(.secondHalf, .hrMean) == 75)
        #expect(abs(value(.window, .hrvRMSSD) - Float(log(41.0))) < 1e-5)
        #expect(value(.secondHalf, .hrvRMSSD).isNaN)
        #expect(abs(value(.window, .hrvLFHF) - Float(log(2.0))) < 1e-5)
        #expect(abs(value(.window, .edaTonicMean) - Float(log(5.0))) < 1e-5)
        #expect(value(.window, .edaSCRCount) == 2)
        #expect(value(.window, .temperatureSlope) == -0.2)
        #expect(abs(value(.window, .accelerationMagnitudeStandardDeviation) - Float(log(0.05))) < 1e-5)
        #expect(value(.window, .spo2Mean).isNaN)

        var normalized: [Float] = [.nan, 7, -9, 0.5, .infinity]
        SummaryFeatures.finishNormalized(&normalized)
        #expect(normalized == [0, 5, -5, 0.5, 0])
    }

    @Test("summary inputs of a recording window match the features of the window and its halves")
    func summaryInputsOfRecording() throws {
        let recording = try SyntheticCohort.recording(for: 0, configuration: Self.clean)
        let signals = WearableSignals(recording: recording)
        let extractor = FeatureExtractor()
        let inputs = SummaryFeatures.inputs(of: signals, start: 64, duration: 64, extractor: extractor)
        let expected = SummaryFeatures.inputs(
            window: extractor.features(of: signals, from: 64, to: 128),
            firstHalf: extractor.features(of: signals, from: 64, to: 96),
            secondHalf: extractor.features(of: signals, from: 96, to: 128))
        #expect(inputs == expected)
        // Every sensor is present and clean: only LF/HF of a half may be missing.
        let required = SummaryFeatures.Block.allCases.flatMap { block in
            WindowFeatures.Name.allCases.filter { block == .window || ![.hrvLF, .hrvHF, .hrvLFHF].contains($0) }
                .map { SummaryFeatures.index(block: block, feature: $0) }
        }
        #expect(required.allSatisfy { inputs[$0].isFinite })
    }

    // MARK: Normalisation

    @Test("the normaliser gives zero mean and unit standard deviation per feature")
    func normalizerStandardizes() throws {
        var generator = SeededGenerator(seed: 1)
        let rows = 200, width = 3
        var values = [Float](repeating: 0, count: rows * width)
        for row in 0..<rows {
            values[row * width + 0] = Float(70 + 10 * generator.nextGaussian())
            values[row * width + 1] = Float(0.001 * generator.nextGaussian())
            values[row * width + 2] = 5  // constant
        }
        let normalizer = try FeatureNormalizer(fitting: values, featureCount: width)
        let normalized = normalizer.normalized(values)
        for feature in 0..<2 {
            let column = (0..<rows).map { Double(normalized[$0 * width + feature]) }
            let mean = column.reduce(0, +) / Double(rows)
            let deviation = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rows)).squareRoot()
            #expect(abs(mean) < 1e-4)
            #expect(abs(deviation - 1) < 1e-3)
        }
        #expect((0..<rows).allSatisfy { normalized[$0 * width + 2] == 0 })
        let decoded = try JSONDecoder().decode(FeatureNormalizer.self, from: JSONEncoder().encode(normalizer))
        #expect(decoded == normalizer)
    }

    @Test("the normaliser ignores missing values when fitting and keeps them missing")
    func normalizerIgnoresMissingValues() throws {
        let values: [Float] = [1, .nan, 3, .nan, 5, .nan]
        let normalizer = try FeatureNormalizer(fitting: values, featureCount: 2)
        #expect(normalizer.means == [3, 0])
        #expect(abs(normalizer.standardDeviations[0] - (8.0 / 3).squareRoot()) < 1e-5)
        #expect(normalizer.standardDeviations[1] == 1)
        let normalized = normalizer.normalized(values)
        #expect(normalized[2] == 0)
        #expect(normalized[1].isNaN)
    }

    @Test("the normaliser rejects ragged input and bad statistics")
    func normalizerRejectsBadInput() {
        #expect(throws: EQMCoreError.self) { try FeatureNormalizer(fitting: [1, 2, 3], featureCount: 2) }
        #expect(throws: EQMCoreError.self) { try FeatureNormalizer(fitting: [], featureCount: 2) }
        #expect(throws: EQMCoreError.self) { try FeatureNormalizer(means: [0, 0], standardDeviations: [1, 0]) }
        #expect(throws: EQMCoreError.self) { try FeatureNormalizer(means: [0], standardDeviations: [1, 1]) }
    }

    // MARK: Windows and datasets

    @Test("windows keep a label only when it covers at least 75 % of them")
    func windowLabels() {
        let silent = SampledSignal(sampleRate: 1, values: [Float](repeating: 0, count: 400))
        let recording = UserRecording(
            userID: "test", bvp: silent, eda: silent, temperature: silent, accelerationX: silent,
            accelerationY: silent, accelerationZ: silent, spo2: silent,
            episodes: [
                LabelledEpisode(start: 0, end: 100, label: .happy),
                LabelledEpisode(start: 100, end: 400, label: .stress),
            ]
        )
        let windows = WindowSlicer().windows(in: recording)
        // Starts 0, 32, …, 320; [64, 128) is 56 % happy and dropped, [96, 160) is 94 % stress.
        #expect(windows.map(\.start) == [0, 32, 96, 128, 160, 192, 224, 256, 288, 320])
        #expect(windows.map(\.label) == [.happy, .happy] + [EmotionLabel](repeating: .stress, count: 8))
        #expect(windows.allSatisfy { $0.labelShare >= 0.75 })
    }

    @Test("a feature dataset has valid labels, every user and per-user normalised features")
    func featureDataset() throws {
        let recordings = try SyntheticCohort.recordings(configuration: Self.realistic)
        let dataset = try WindowDataset.build(recordings: recordings, representation: .features)
        #expect(dataset.exampleShape == [48])
        #expect(dataset.exampleSize == 48)
        #expect(dataset.inputs.count == dataset.count * 48)
        #expect(dataset.labels.allSatisfy { EmotionLabel(index: $0) != nil })
        #expect(dataset.inputs.allSatisfy { $0.isFinite && abs($0) <= SummaryFeatures.clipLimit })
        #expect(dataset.users == recordings.map(\.userID))
        for recording in recordings {
            let indices = dataset.userIDs.indices.filter { dataset.userIDs[$0] == recording.userID }
            // 12 minutes: 21 windows, some dropped at episode boundaries or gaps.
            #expect(indices.count > 10 && indices.count <= 21)
            for index in indices {
                let start = dataset.windowStarts[index]
                #expect(recording.majorityLabel(from: start, to: start + 64)?.label.index == dataset.labels[index])
            }
            let heartRate = indices.map { Double(dataset.example(at: $0).first!) }
            #expect(abs(heartRate.reduce(0, +) / Double(heartRate.count)) < 0.05)
        }
        let raw = try WindowDataset.build(recordings: recordings, representation: .features, normalizePerUser: false)
        #expect(raw.labels == dataset.labels)
        let meanHeartRate = raw.example(at: 0)[raw.example(at: 0).startIndex]
        #expect(meanHeartRate > 40 && meanHeartRate < 180)
    }

    @Test("a sequence dataset has one [steps, 6] example per window", arguments: [256, 64])
    func sequenceDataset(steps: Int) throws {
        let recordings = try SyntheticCohort.recordings(configuration: Self.realistic)
        let dataset = try WindowDataset.build(recordings: recordings, representation: .sequence(steps: steps))
        let features = try WindowDataset.build(recordings: recordings, representation: .features)
        #expect(dataset.exampleShape == [steps, 6])
        #expect(dataset.inputs.count == dataset.count * steps * 6)
        #expect(dataset.count > 0)
        #expect(dataset.inputs.allSatisfy { $0.isFinite })
        // Sequences are normalised per channel over each user's steps.
        let first = recordings[0].userID
        let rows = dataset.userIDs.indices.filter { dataset.userIDs[$0] == first }.flatMap { index in
            (0..<steps).map { dataset.example(at: index)[dataset.example(at: index).startIndex + $0 * 6 + 2] }
        }
        #expect(abs(rows.reduce(0, +) / Float(rows.count)) < 1e-3)
        if steps == 256 {
            // The same windows survive whichever representation is built from the same 4 Hz grid.
            #expect(dataset.labels == features.labels)
        }
    }

    @Test("invalid dataset parameters are rejected")
    func invalidDatasetParameters() throws {
        let recordings = try SyntheticCohort.recordings(configuration: Self.clean)
        #expect(throws: EQMCoreError.self) {
            try WindowDataset.build(recordings: recordings, representation: .sequence(steps: 1))
        }
        #expect(throws: EQMCoreError.self) {
            try WindowDataset.build(recordings: recordings, representation: .features, stepSeconds: 0)
        }
        #expect(throws: EQMCoreError.self) {
            try WindowDataset(exampleShape: [48], inputs: [0], labels: [0], userIDs: ["a"], windowStarts: [0])
        }
        #expect(throws: EQMCoreError.self) {
            try WindowDataset(exampleShape: [1], inputs: [0], labels: [11], userIDs: ["a"], windowStarts: [0])
        }
    }

    @Test("splitting by user never puts one user on both sides")
    func splitByUser() throws {
        let recordings = try SyntheticCohort.recordings(configuration: Self.realistic)
        let dataset = try WindowDataset.build(recordings: recordings, representation: .features)
        let (training, heldOut) = try dataset.split(heldOutFraction: 0.25, seed: 3)
        #expect(Set(training.userIDs).isDisjoint(with: heldOut.userIDs))
        #expect(Set(heldOut.userIDs).count == 1)
        #expect(Set(training.userIDs).union(heldOut.userIDs) == Set(dataset.userIDs))
        #expect(training.count + heldOut.count == dataset.count)
        #expect(heldOut.exampleShape == [48])
        let index = try #require(dataset.userIDs.firstIndex(of: heldOut.userIDs[0]))
        #expect(Array(heldOut.example(at: 0)) == Array(dataset.example(at: index)))
        #expect(try dataset.split(heldOutFraction: 0.25, seed: 3).heldOut.userIDs == heldOut.userIDs)

        let explicit = dataset.split(heldOutUsers: [recordings[0].userID, recordings[2].userID])
        #expect(Set(explicit.heldOut.userIDs) == [recordings[0].userID, recordings[2].userID])
        #expect(!explicit.training.userIDs.contains(recordings[0].userID))
        #expect(throws: EQMCoreError.self) { try dataset.split(heldOutFraction: 1, seed: 0) }
    }
}

/// The mean heart rate, in beats per minute, of the beats in `[start, end)`.
private func meanHeartRate(_ beats: [Double], from start: Double, to end: Double) -> Double {
    let inside = beats.filter { $0 >= start && $0 < end }
    guard let first = inside.first, let last = inside.last, inside.count > 1 else { return .nan }
    return 60 * Double(inside.count - 1) / (last - first)
}
