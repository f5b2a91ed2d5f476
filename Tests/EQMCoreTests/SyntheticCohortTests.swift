import Foundation
import Testing

@testable import EQMCore

@Suite("Synthetic cohorts")
struct SyntheticCohortTests {
    /// A short cohort keeps debug-build tests fast.
    static let small = CohortConfiguration(users: 4, minutesPerUser: 10, seed: 7)

    @Test("the same seed generates the same recording, bit for bit")
    func sameSeedSameRecording() throws {
        let first = try SyntheticCohort.recording(for: 1, configuration: Self.small)
        let second = try SyntheticCohort.recording(for: 1, configuration: Self.small)
        #expect(identical(first, second))
    }

    @Test("a different seed or user generates a different recording")
    func differentSeedDifferentRecording() throws {
        var other = Self.small
        other.seed = 8
        let base = try SyntheticCohort.recording(for: 1, configuration: Self.small)
        let reseeded = try SyntheticCohort.recording(for: 1, configuration: other)
        let otherUser = try SyntheticCohort.recording(for: 2, configuration: Self.small)
        #expect(!identical(base, reseeded))
        #expect(!identical(base, otherUser))
        #expect(base.userID == "synthetic-0001")
    }

    @Test("a user's recording does not depend on the size of the cohort")
    func userIndependentOfCohortSize() throws {
        var large = Self.small
        large.users = 40
        let inSmall = try SyntheticCohort.recording(for: 3, configuration: Self.small)
        let inLarge = try SyntheticCohort.recording(for: 3, configuration: large)
        #expect(identical(inSmall, inLarge))
        let all = try SyntheticCohort.recordings(configuration: Self.small)
        #expect(all.map(\.userID) == ["synthetic-0000", "synthetic-0001", "synthetic-0002", "synthetic-0003"])
        #expect(identical(all[3], inSmall))
    }

    @Test("channels have the documented rates and cover the whole recording")
    func channelRatesAndLengths() throws {
        let recording = try SyntheticCohort.recording(for: 0, configuration: Self.small)
        let seconds = 10.0 * 60
        let channels: [(SampledSignal, Double)] = [
            (recording.bvp, 64), (recording.eda, 4), (recording.temperature, 4), (recording.accelerationX, 32),
            (recording.accelerationY, 32), (recording.accelerationZ, 32), (recording.spo2, 1),
        ]
        for (signal, rate) in channels {
            #expect(signal.sampleRate == rate)
            #expect(signal.count == Int(seconds * rate))
            #expect(signal.startTime == 0)
        }
        #expect(recording.duration == seconds)
        #expect(recording.bvp.time(at: 64) == 1)
        #expect(recording.bvp.indices(from: 1, to: 2) == 64..<128)
    }

    @Test("episodes cover the recording, back to back, within the configured lengths")
    func episodesCoverRecording() throws {
        let configuration = CohortConfiguration(users: 3, minutesPerUser: 30, seed: 11, episodeMinutes: 2...5)
        for recording in try SyntheticCohort.recordings(configuration: configuration) {
            let episodes = recording.episodes
            let first = try #require(episodes.first)
            #expect(first.start == 0)
            #expect(episodes.last?.end == recording.duration)
            for (previous, next) in zip(episodes, episodes.dropFirst()) { #expect(previous.end == next.start) }
            for episode in episodes.dropLast() { #expect(episode.duration >= 120 - 1e-9 && episode.duration <= 300 + 1e-9) }
            // The last episode may absorb a remainder shorter than one minute.
            #expect(episodes.last!.duration >= 60 - 1e-9 && episodes.last!.duration <= 360 + 1e-9)
            #expect(recording.label(at: 0) == first.label)
        }
    }

    @Test("values stay in physiological ranges, apart from gaps")
    func physiologicalRanges() throws {
        let configuration = CohortConfiguration(users: 6, minutesPerUser: 15, seed: 3, artefactRate: 1, gapRate: 0.2)
        for recording in try SyntheticCohort.recordings(configuration: configuration) {
            let beats = recording.beatTimes
            for (a, b) in zip(beats, beats.dropFirst()) {
                let heartRate = 60 / (b - a)
                #expect(heartRate >= 40 && heartRate <= 180)
            }
            #expect(finite(recording.eda).allSatisfy { $0 > 0 && $0 < 60 })
            #expect(finite(recording.temperature).allSatisfy { $0 > 25 && $0 < 40 })
            #expect(finite(recording.spo2).allSatisfy { $0 >= 85 && $0 <= 100 })
            #expect(finite(recording.bvp).allSatisfy { abs($0) < 5_000 })
            for i in 0..<recording.accelerationX.count {
                let x = recording.accelerationX.values[i], y = recording.accelerationY.values[i]
                let z = recording.accelerationZ.values[i]
                let magnitude = (x * x + y * y + z * z).squareRoot()
                #expect(magnitude > 0.2 && magnitude < 8, "acceleration magnitude \(magnitude) g")
            }
            let restingEDA = finite(recording.eda).reduce(0, +) / Float(finite(recording.eda).count)
            #expect(restingEDA > 0.5 && restingEDA < 25)
        }
    }

    @Test("gaps appear only when asked for")
    func gapsFollowGapRate() throws {
        let clean = CohortConfiguration(users: 1, minutesPerUser: 10, seed: 5, artefactRate: 0, gapRate: 0)
        let gappy = CohortConfiguration(users: 1, minutesPerUser: 10, seed: 5, artefactRate: 0, gapRate: 1)
        let cleanRecording = try SyntheticCohort.recording(for: 0, configuration: clean)
        let gappyRecording = try SyntheticCohort.recording(for: 0, configuration: gappy)
        for signal in [cleanRecording.bvp, cleanRecording.eda, cleanRecording.temperature, cleanRecording.spo2] {
            #expect(signal.missingCount == 0)
        }
        for signal in [gappyRecording.bvp, gappyRecording.eda, gappyRecording.temperature, gappyRecording.spo2] {
            #expect(signal.missingCount > 0)
            // About ten 2–8 s gaps in ten minutes: well under a third of the channel.
            #expect(Double(signal.missingCount) < 0.3 * Double(signal.count))
        }
    }

    @Test("affective states move physiology in the expected directions")
    func stateEffectsHaveExpectedDirection() throws {
        // A near-uniform label mix gives every user most states.
        let configuration = CohortConfiguration(
            users: 16, minutesPerUser: 36, seed: 21, labelConcentration: 1_000, artefactRate: 0, gapRate: 0
        )
        // Per state, each user's deviation from their own average: differences for heart rate and
        // temperature, ratios for RMSSD, skin conductance and movement.
        var deviations: [EmotionLabel: [Summary]] = [:]
        for recording in try SyntheticCohort.recordings(configuration: configuration) {
            var perLabel: [EmotionLabel: [Summary]] = [:]
            for episode in recording.episodes {
                // The settled second half of the episode.
                let settled = summary(recording, from: (episode.start + episode.end) / 2, to: episode.end)
                perLabel[episode.label, default: []].append(settled)
            }
            let userMean = Summary.mean(perLabel.values.flatMap { $0 })
            for (label, summaries) in perLabel {
                let own = Summary.mean(summaries)
                deviations[label, default: []].append(
                    Summary(
                        heartRate: own.heartRate - userMean.heartRate, rmssd: own.rmssd / userMean.rmssd,
                        eda: own.eda / userMean.eda, temperature: own.temperature - userMean.temperature,
                        movement: own.movement / userMean.movement
                    )
                )
            }
        }
        func average(_ label: EmotionLabel, _ value: KeyPath<Summary, Double>) throws -> Double {
            let summaries = try #require(deviations[label])
            return Summary.mean(summaries)[keyPath: value]
        }
        #expect(try average(.stress, \.heartRate) > average(.relaxation, \.heartRate) + 8)
        #expect(try average(.fear, \.heartRate) > average(.neutral, \.heartRate) + 5)
        #expect(try average(.relaxation, \.rmssd) > average(.stress, \.rmssd) * 1.3)
        #expect(try average(.relaxation, \.rmssd) > average(.anxiety, \.rmssd) * 1.3)
        #expect(try average(.fear, \.eda) > average(.relaxation, \.eda) * 1.2)
        #expect(try average(.stress, \.temperature) < average(.relaxation, \.temperature) - 0.3)
        #expect(try average(.angry, \.movement) > average(.concentration, \.movement) * 2)
        #expect(try average(.happy, \.movement) > average(.sad, \.movement) * 1.5)
    }

    @Test("label mixes are non-IID, more so at low concentration")
    func labelMixesAreNonIID() throws {
        func meanLargestShare(_ concentration: Double) throws -> Double {
            let configuration = CohortConfiguration(users: 50, seed: 9, labelConcentration: concentration)
            let mixes = try (0..<50).map { index throws(EQMCoreError) in
                try SyntheticCohort.labelMix(for: index, configuration: configuration)
            }
            for mix in mixes { #expect(abs(mix.reduce(0, +) - 1) < 1e-9) }
            return mixes.map { $0.max()! }.reduce(0, +) / Double(mixes.count)
        }
        let skewed = try meanLargestShare(0.1)
        let uniform = try meanLargestShare(1_000)
        #expect(skewed > 0.5)
        #expect(uniform < 0.15)

        // With the default concentration users' actual episode mixes differ markedly.
        let recordings = try SyntheticCohort.recordings(configuration: CohortConfiguration(users: 8, minutesPerUser: 60, seed: 4))
        let shares = recordings.map { recording -> [Double] in
            var seconds = [Double](repeating: 0, count: EmotionLabel.count)
            for episode in recording.episodes { seconds[episode.label.index] += episode.duration }
            return seconds.map { $0 / recording.duration }
        }
        var distance = 0.0, pairs = 0
        for i in shares.indices {
            for j in shares.indices where j > i {
                distance += zip(shares[i], shares[j]).map { abs($0 - $1) }.reduce(0, +) / 2
                pairs += 1
            }
        }
        #expect(distance / Double(pairs) > 0.4, "mean total-variation distance between users' label mixes")
    }

    @Test(
        "invalid configurations are rejected with what was expected and found",
        arguments: [
            (CohortConfiguration(users: 0, seed: 1), "found 0"),
            (CohortConfiguration(users: 2, minutesPerUser: 0.5, seed: 1), "found 0.5"),
            (CohortConfiguration(users: 2, seed: 1, labelConcentration: 0), "found 0.0"),
            (CohortConfiguration(users: 2, seed: 1, episodeMinutes: 0.1...3), "found 0.1...3.0"),
            (CohortConfiguration(users: 2, seed: 1, artefactRate: -1), "found -1.0"),
            (CohortConfiguration(users: 2, seed: 1, gapRate: .nan), "found nan"),
        ]
    )
    func invalidConfiguration(configuration: CohortConfiguration, found: String) {
        #expect {
            try SyntheticCohort.recording(for: 0, configuration: configuration)
        } throws: { error in
            guard let error = error as? EQMCoreError else { return false }
            return error.code == .invalidConfiguration && error.message.contains(found)
        }
    }

    @Test("a user index outside the cohort is rejected")
    func userIndexOutOfRange() {
        #expect(throws: EQMCoreError.self) { try SyntheticCohort.recording(for: 4, configuration: Self.small) }
        #expect(throws: EQMCoreError.self) { try SyntheticCohort.recording(for: -1, configuration: Self.small) }
    }

    @Test("configurations round-trip through JSON")
    func configurationCodable() throws {
        let configuration = CohortConfiguration(
            users: 12, minutesPerUser: 45, seed: 99, labelConcentration: 0.3, episodeMinutes: 1...4)
        let data = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(CohortConfiguration.self, from: data) == configuration)
    }
}

// MARK: Helpers

private struct Summary {
    var heartRate: Double
    var rmssd: Double
    var eda: Double
    var temperature: Double
    var movement: Double

    static func mean(_ values: [Summary]) -> Summary {
        let n = Double(values.count)
        return Summary(
            heartRate: values.map(\.heartRate).reduce(0, +) / n, rmssd: values.map(\.rmssd).reduce(0, +) / n,
            eda: values.map(\.eda).reduce(0, +) / n, temperature: values.map(\.temperature).reduce(0, +) / n,
            movement: values.map(\.movement).reduce(0, +) / n
        )
    }
}

/// Ground-truth summaries of `[start, end)`: heart rate and RMSSD from the true beats, mean skin
/// conductance and temperature, and the standard deviation of the acceleration magnitude.
private func summary(_ recording: UserRecording, from start: Double, to end: Double) -> Summary {
    let beats = recording.beatTimes.filter { $0 >= start && $0 < end }
    let intervals = zip(beats, beats.dropFirst()).map { $1 - $0 }
    let differences = zip(intervals, intervals.dropFirst()).map { ($1 - $0) * ($1 - $0) }
    func mean(_ signal: SampledSignal) -> Double {
        let values = signal.indices(from: start, to: end).map { Double(signal.values[$0]) }.filter(\.isFinite)
        return values.reduce(0, +) / Double(values.count)
    }
    let magnitudes = recording.accelerationX.indices(from: start, to: end).map { i -> Double in
        let x = Double(recording.accelerationX.values[i]), y = Double(recording.accelerationY.values[i])
        let z = Double(recording.accelerationZ.values[i])
        return (x * x + y * y + z * z).squareRoot()
    }
    let magnitudeMean = magnitudes.reduce(0, +) / Double(magnitudes.count)
    let magnitudeSpread = (magnitudes.map { ($0 - magnitudeMean) * ($0 - magnitudeMean) }.reduce(0, +) / Double(magnitudes.count))
        .squareRoot()
    return Summary(
        heartRate: 60 * Double(intervals.count) / intervals.reduce(0, +),
        rmssd: 1000 * (differences.reduce(0, +) / Double(differences.count)).squareRoot(),
        eda: mean(recording.eda),
        temperature: mean(recording.temperature),
        movement: magnitudeSpread
    )
}

private func finite(_ signal: SampledSignal) -> [Float] { signal.values.filter(\.isFinite) }

/// Bitwise equality of two signals (NaN gaps compare equal to NaN gaps).
private func identical(_ a: SampledSignal, _ b: SampledSignal) -> Bool {
    a.startTime == b.startTime && a.sampleRate == b.sampleRate && a.values.map(\.bitPattern) == b.values.map(\.bitPattern)
}

private func identical(_ a: UserRecording, _ b: UserRecording) -> Bool {
    a.userID == b.userID && a.episodes == b.episodes && a.beatTimes == b.beatTimes
        && identical(a.bvp, b.bvp) && identical(a.eda, b.eda) && identical(a.temperature, b.temperature)
        && identical(a.accelerationX, b.accelerationX) && identical(a.accelerationY, b.accelerationY)
        && identical(a.accelerationZ, b.accelerationZ) && identical(a.spo2, b.spo2)
}

@Suite("Sampled signals")
struct SampledSignalEdgeTests {
    @Test("open-ended and non-finite index queries clamp instead of trapping")
    func openEnded() {
        let signal = SampledSignal(startTime: 100, sampleRate: 4, values: [Float](repeating: 1, count: 40))
        #expect(signal.indices(from: -.infinity, to: .infinity) == 0..<40)
        #expect(signal.indices(from: .nan, to: 105) == 0..<20)
        #expect(signal.indices(from: -1e300, to: 1e300) == 0..<40)
        #expect(signal.firstIndex(atOrAfter: -.infinity) == 0)
    }
}
