import Foundation
import Testing

@testable import EQMCore

@Suite("Heart rate and HRV")
struct HeartRateVariabilityTests {
    /// Beat times from a first beat and successive intervals.
    static func beats(from first: Double, intervals: [Double]) -> [Double] {
        var beats = [first]
        for interval in intervals { beats.append(beats.last! + interval) }
        return beats
    }

    /// Intervals of a resting heart: 0.8 s with respiratory sinus arrhythmia at 0.25 Hz (±40 ms),
    /// a 0.1 Hz wave (±25 ms) and deterministic beat-to-beat jitter (±20 ms).
    static func restingIntervals(count: Int) -> [Double] {
        var time = 0.0
        return (0..<count).map { k in
            let jitter = 0.02 * (Double((k * 7919) % 41) / 20 - 1)
            let interval = 0.8 + 0.04 * sin(2 * .pi * 0.25 * time) + 0.025 * sin(2 * .pi * 0.1 * time + 1) + jitter
            time += interval
            return interval
        }
    }

    /// A 64 Hz photoplethysmogram with a systolic and a dicrotic wave per beat, on a breathing baseline.
    static func pulse(beats: [Double], seconds: Double, rate: Double = 64) -> SampledSignal {
        var values = [Float](repeating: 0, count: Int(seconds * rate))
        for beat in beats {
            let first = max(0, Int((beat - 0.4) * rate)), last = min(values.count - 1, Int((beat + 0.7) * rate))
            guard first <= last else { continue }
            for i in first...last {
                let offset = Double(i) / rate - beat
                let width = offset < 0 ? 0.07 : 0.1
                values[i] += Float(100 * exp(-offset * offset / (2 * width * width)) + 40 * exp(-pow(offset - 0.3, 2) / 0.0162))
            }
        }
        for i in values.indices { values[i] += Float(10 * sin(2 * .pi * 0.25 * Double(i) / rate)) }
        return SampledSignal(sampleRate: rate, values: values)
    }

    @Test("time-domain statistics of a hand-computed interval series")
    func timeDomainByHand() throws {
        // Intervals 800, 860, 790, 830, 805 ms: mean 817 ms; deviations −17, 43, −27, 13, −12 (Σ² = 3180);
        // successive differences 60, −70, 40, −25 (Σ² = 10725), two of four above 50 ms.
        let intervals = [0.800, 0.860, 0.790, 0.830, 0.805]
        let series = InterBeatIntervals(beats: Self.beats(from: 10, intervals: intervals))
        let hrv = HeartRateVariability(intervals: series)
        #expect(abs(try #require(hrv.meanHeartRate) - 60 / 0.817) < 1e-9)
        #expect(abs(try #require(hrv.sdnn) - (3180.0 / 4).squareRoot()) < 1e-6)
        #expect(abs(try #require(hrv.rmssd) - (10725.0 / 4).squareRoot()) < 1e-6)
        #expect(abs(try #require(hrv.pnn50) - 50) < 1e-9)
        // Too short for a spectrum.
        #expect(hrv.lowFrequencyPower == nil && hrv.highFrequencyPower == nil && hrv.lowToHighFrequencyRatio == nil)
    }

    @Test("successive differences never span a gap")
    func differencesSkipGaps() throws {
        // Two runs of beats with a 10 s gap: the difference across the gap is not counted.
        let first = Self.beats(from: 0, intervals: [0.8, 0.9, 0.8])
        let second = Self.beats(from: 20, intervals: [0.8, 0.8, 0.8])
        var series = InterBeatIntervals(beats: first)
        series.append(InterBeatIntervals(beats: second))
        #expect(series.count == 6)
        #expect(!series.isContiguous(3) && series.isContiguous(4))
        let hrv = HeartRateVariability(intervals: series)
        // Differences: 100, −100 (first run), 0, 0 (second run): RMSSD = √(20000/4), pNN50 = 50 %.
        #expect(abs(try #require(hrv.rmssd) - (20000.0 / 4).squareRoot()) < 1e-6)
        #expect(abs(try #require(hrv.pnn50) - 50) < 1e-9)
    }

    @Test("a pulse train's detected beats give its true heart rate and variability")
    func pulseTrainMatchesTruth() throws {
        let intervals = Self.restingIntervals(count: 400)
        let beats = Self.beats(from: 0.5, intervals: intervals)
        let signal = Self.pulse(beats: beats, seconds: 300)
        let extractor = FeatureExtractor()
        for start in stride(from: 0.0, to: 240, by: 60) {
            let features = extractor.features(of: WearableSignals(bvp: signal), from: start, to: start + 60)
            let truth = HeartRateVariability(intervals: InterBeatIntervals(beats: beats).window(from: start, to: start + 60))
            let detectedIntervals = extractor.configuration.beatDetector.intervals(in: signal, from: start, to: start + 60)
            #expect(detectedIntervals.count >= 70)
            #expect(abs(try #require(features.hrMean) - truth.meanHeartRate!) < 0.2)
            #expect(abs(try #require(features.hrvSDNN) / truth.sdnn! - 1) < 0.03)
            #expect(abs(try #require(features.hrvRMSSD) / truth.rmssd! - 1) < 0.05)
            #expect(abs(try #require(features.hrvPNN50) - truth.pnn50!) < 5)
            #expect(abs(try #require(features.hrvHF) / truth.highFrequencyPower! - 1) < 0.1)
        }
    }

    @Test("a known 0.1 Hz or 0.25 Hz modulation puts its power in LF or HF", arguments: [(0.1, true), (0.25, false)])
    func sinusoidalModulation(frequency: Double, isLowFrequency: Bool) throws {
        // RR(t) = 800 + 50 sin(2π f t) ms has power 50²/2 = 1250 ms² at f.
        var beats = [0.0]
        while beats.last! < 330 { beats.append(beats.last! + 0.8 + 0.05 * sin(2 * .pi * frequency * beats.last!)) }
        let series = InterBeatIntervals(beats: beats)
        let signals = WearableSignals(interBeatIntervals: series)
        let extractor = FeatureExtractor()
        for (start, duration) in [(10.0, 300.0), (20.0, 60.0), (150.0, 60.0)] {
            let features = extractor.features(of: signals, from: start, to: start + duration)
            let low = try #require(features.hrvLF), high = try #require(features.hrvHF)
            let ratio = try #require(features.hrvLFHF)
            let inBand = isLowFrequency ? low : high, outOfBand = isLowFrequency ? high : low
            // The in-band power is the sine's, less what a finite Hann window leaks out of the band.
            #expect(abs(inBand / 1250 - 1) < (duration > 100 ? 0.05 : 0.15), "\(duration) s window: \(inBand) ms²")
            #expect(outOfBand < 0.05 * inBand)
            #expect(isLowFrequency ? ratio > 20 : ratio < 0.05)
        }
    }

    @Test("Kubios classification finds a missed, an extra and an ectopic beat; rejection drops or repairs them")
    func artefactsAreFoundAndHandled() throws {
        let intervals = Self.restingIntervals(count: 120)
        let truth = Self.beats(from: 1, intervals: intervals)
        var beats = truth
        beats.remove(at: 30)  // missed beat: one long interval
        beats.insert((beats[60] + beats[61]) / 2 - 0.05, at: 61)  // extra beat splitting an interval
        beats[90] -= 0.25  // ectopic (premature) beat: short then long
        let artefacts = BeatArtefactCorrection.find(in: beats)
        #expect(artefacts.missed == [30])
        #expect(artefacts.extra == [61])
        // The premature beat shortens interval 90 and lengthens 91; either may carry the label.
        #expect(artefacts.ectopic.contains(90) || artefacts.ectopic.contains(91))
        // Neighbours of an artefact may be labelled too (the interval after the extra beat, the
        // short half of the ectopic pair), but nothing far from the three artefacts is.
        let labelled = artefacts.ectopic + artefacts.longOrShort + artefacts.missed + artefacts.extra
        #expect(labelled.allSatisfy { index in [30, 61, 90].contains { abs($0 - index) <= 1 } })

        // Repair restores beats close to the truth; rejection keeps only true intervals.
        let repaired = BeatArtefactCorrection.corrected(beats).beats
        #expect(repaired.count == truth.count)
        let rejected = BeatArtefactCorrection.rejected(beats)
        let trueIntervals = InterBeatIntervals(beats: truth)
        for (time, interval) in zip(rejected.times, rejected.intervals) {
            let index = try #require(trueIntervals.times.firstIndex { abs($0 - time) < 1e-9 })
            #expect(abs(trueIntervals.intervals[index] - interval) < 1e-9)
        }
        // Lost: the two halves of the missed interval, the two intervals at the ectopic beat and one neighbour.
        #expect(rejected.count >= trueIntervals.count - 6)
        // A regular rhythm has no artefacts at all.
        #expect(BeatArtefactCorrection.find(in: (0..<100).map { Double($0) * 0.75 }).count == 0)
    }

    @Test("heart rate on a synthetic cohort with motion artefacts stays close to the truth")
    func syntheticCohortHeartRate() throws {
        let configuration = CohortConfiguration(users: 3, minutesPerUser: 10, seed: 11)
        let extractor = FeatureExtractor()
        var ratios: [Double] = []
        for recording in try SyntheticCohort.recordings(configuration: configuration) {
            let signals = WearableSignals(recording: recording)
            let truth = InterBeatIntervals(beats: recording.beatTimes)
            for start in stride(from: 0.0, through: recording.duration - 60, by: 60) {
                let features = extractor.features(of: signals, from: start, to: start + 60)
                let expected = HeartRateVariability(intervals: truth.window(from: start, to: start + 60))
                #expect(abs(try #require(features.hrMean) - expected.meanHeartRate!) < 2)
                ratios.append(try #require(features.hrvRMSSD) / expected.rmssd!)
            }
        }
        ratios.sort()
        #expect(abs(ratios[ratios.count / 2] - 1) < 0.05)
        #expect(ratios[ratios.count * 9 / 10] < 1.3)
    }
}
