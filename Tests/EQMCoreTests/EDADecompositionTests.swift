import Foundation
import Testing

@testable import EQMCore

@Suite("Electrodermal activity")
struct EDADecompositionTests {
    /// A skin-conductance response of unit height: rise with a 0.75 s, recovery with a 4 s time constant.
    static func response(_ since: Double) -> Double {
        guard since > 0 else { return 0 }
        let rise = 0.75, recovery = 4.0
        let peakTime = log(recovery / rise) * rise * recovery / (recovery - rise)
        let peak = exp(-peakTime / recovery) - exp(-peakTime / rise)
        return (exp(-since / recovery) - exp(-since / rise)) / peak
    }

    /// The time from onset to the peak of ``response(_:)``.
    static let peakDelay = log(4 / 0.75) * 0.75 * 4 / (4 - 0.75)

    /// 4 Hz skin conductance: a tonic level with the given responses (onset, amplitude) on top.
    static func trace(tonic: Double, responses: [(onset: Double, amplitude: Double)], seconds: Double) -> SampledSignal {
        let rate = 4.0
        let values = (0..<Int(seconds * rate)).map { i -> Float in
            let time = Double(i) / rate
            return Float(tonic + responses.reduce(0) { $0 + $1.amplitude * response(time - $1.onset) })
        }
        return SampledSignal(sampleRate: rate, values: values)
    }

    static let responses: [(onset: Double, amplitude: Double)] = [
        (10, 0.10), (35, 0.30), (62, 0.50), (90, 0.20), (110, 0.02), (130, 0.08), (160, 0.40),
    ]

    @Test("responses above the threshold are found with their amplitudes and times; a small one is not")
    func knownResponses() throws {
        let signal = Self.trace(tonic: 5, responses: Self.responses, seconds: 180)
        let decomposition = try EDADecomposition(signal)
        let found = decomposition.responses
        let expected = Self.responses.filter { $0.amplitude >= 0.05 }
        #expect(found.count == expected.count)
        for (response, truth) in zip(found, expected) {
            #expect(abs(response.amplitude / truth.amplitude - 1) < 0.04, "\(response) vs \(truth)")
            #expect(response.onset > truth.onset - 2 && response.onset <= truth.onset + 0.5)
            #expect(abs(response.peak - (truth.onset + Self.peakDelay)) <= 0.5)
        }
    }

    @Test("tonic and phasic components add up to the clean signal; the tonic level is the mean")
    func tonicAndPhasic() throws {
        let signal = Self.trace(tonic: 5, responses: Self.responses, seconds: 180)
        let decomposition = try EDADecomposition(signal)
        for i in 40..<(signal.count - 40) {
            let sum = decomposition.tonic.values[i] + decomposition.phasic.values[i]
            #expect(abs(sum - decomposition.clean.values[i]) < 2e-3)
        }
        let mean = signal.values.reduce(0) { $0 + Double($1) } / Double(signal.count)
        let features = FeatureExtractor().features(of: WearableSignals(eda: signal), from: 0, to: 180)
        #expect(abs(try #require(features.edaTonicMean) - mean) < 0.01)
        #expect(try #require(features.edaSCRCount) == 6)
        let amplitudes = Self.responses.filter { $0.amplitude >= 0.05 }.map(\.amplitude)
        let meanAmplitude = amplitudes.reduce(0, +) / Double(amplitudes.count)
        #expect(abs(try #require(features.edaSCRAmplitudeMean) / meanAmplitude - 1) < 0.04)
    }

    @Test("a window counts only its own responses")
    func windowCounts() throws {
        let signal = Self.trace(tonic: 2, responses: Self.responses, seconds: 180)
        let extractor = FeatureExtractor()
        // [0, 60): responses at 10 and 35 s.
        let first = extractor.features(of: WearableSignals(eda: signal), from: 0, to: 60)
        #expect(first.edaSCRCount == 2)
        #expect(abs(try #require(first.edaSCRAmplitudeMean) - 0.2) < 0.008)
        #expect(abs(try #require(first.edaTonicMean) - 2) < 0.1)
    }

    @Test("a calm trace with sensor noise has no responses and no mean amplitude")
    func noResponsesInNoise() throws {
        // 0.01 µS white noise, ten times the Empatica E4's resolution.
        var generator = SeededGenerator(seed: 4)
        let values = (0..<2400).map { _ in Float(8 + 0.01 * generator.nextGaussian()) }
        let signal = SampledSignal(sampleRate: 4, values: values)
        #expect(try EDADecomposition(signal).responses.isEmpty)
        let features = FeatureExtractor().features(of: WearableSignals(eda: signal), from: 0, to: 60)
        #expect(features.edaSCRCount == 0)
        #expect(features.edaSCRAmplitudeMean == nil)
        #expect(abs(try #require(features.edaTonicMean) - 8) < 0.02)
    }

    @Test("gaps end a response in progress and stay missing in every component")
    func gaps() throws {
        var signal = Self.trace(tonic: 5, responses: Self.responses, seconds: 180)
        // A gap over the rise of the 62 s response.
        for i in signal.indices(from: 61, to: 64) { signal.values[i] = .nan }
        let decomposition = try EDADecomposition(signal)
        let gap = signal.indices(from: 61, to: 64)
        #expect(decomposition.phasic.values[gap].allSatisfy { $0.isNaN })
        #expect(decomposition.tonic.values[gap].allSatisfy { $0.isNaN })
        #expect(decomposition.responses.allSatisfy { $0.onset < 61 || $0.onset >= 64 })
        #expect(decomposition.responses.count >= 4)
    }
}
