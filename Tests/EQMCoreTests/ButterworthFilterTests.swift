import Foundation
import Testing

@testable import EQMCore

@Suite("Butterworth filters")
struct ButterworthFilterTests {
    /// A sine of `frequency` hertz, `seconds` long at `rate`.
    static func sine(_ frequency: Double, rate: Double, seconds: Double, phase: Double = 0) -> [Float] {
        (0..<Int(seconds * rate)).map { Float(sin(2 * .pi * frequency * Double($0) / rate + phase)) }
    }

    /// The peak amplitude over the middle half of `values` (away from the edges).
    static func middleAmplitude(_ values: [Float]) -> Float {
        values[(values.count / 4)..<(3 * values.count / 4)].map { abs($0) }.max()!
    }

    /// The Butterworth magnitude `1/√(1 + x^2N)` of the prototype at normalised frequency `x`.
    static func prototype(_ x: Double, order: Int) -> Double { 1 / (1 + pow(abs(x), Double(2 * order))).squareRoot() }

    /// The pre-warped analog frequency of `frequency`.
    static func warped(_ frequency: Double, rate: Double) -> Double { tan(.pi * frequency / rate) }

    static let probeFrequencies = [0.1, 0.5, 1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 31]

    @Test("low- and high-pass responses are the warped Butterworth response, −3 dB at the cut-off", arguments: 1...8)
    func lowAndHighPassResponses(order: Int) throws {
        let rate = 64.0, cutoff = 4.0
        let low = try ButterworthFilter(.lowPass(cutoff: cutoff), order: order, sampleRate: rate)
        let high = try ButterworthFilter(.highPass(cutoff: cutoff), order: order, sampleRate: rate)
        #expect(abs(low.magnitude(at: cutoff) - 0.5.squareRoot()) < 1e-9)
        #expect(abs(high.magnitude(at: cutoff) - 0.5.squareRoot()) < 1e-9)
        #expect(abs(low.magnitude(at: 0) - 1) < 1e-9)
        #expect(abs(high.magnitude(at: rate / 2) - 1) < 1e-9)
        let corner = Self.warped(cutoff, rate: rate)
        for frequency in Self.probeFrequencies {
            let x = Self.warped(frequency, rate: rate) / corner
            #expect(abs(low.magnitude(at: frequency) - Self.prototype(x, order: order)) < 1e-9)
            #expect(abs(high.magnitude(at: frequency) - Self.prototype(1 / x, order: order)) < 1e-9)
        }
        #expect(low.sections.count == (order + 1) / 2)
    }

    @Test("band-pass responses are the warped Butterworth band-pass, −3 dB at both edges", arguments: [1, 2, 3, 4])
    func bandPassResponses(order: Int) throws {
        let rate = 64.0
        let filter = try ButterworthFilter(.bandPass(low: 0.5, high: 8), order: order, sampleRate: rate)
        #expect(abs(filter.magnitude(at: 0.5) - 0.5.squareRoot()) < 1e-9)
        #expect(abs(filter.magnitude(at: 8) - 0.5.squareRoot()) < 1e-9)
        let low = Self.warped(0.5, rate: rate), high = Self.warped(8, rate: rate)
        for frequency in Self.probeFrequencies {
            let omega = Self.warped(frequency, rate: rate)
            let x = (omega * omega - low * high) / ((high - low) * omega)
            #expect(abs(filter.magnitude(at: frequency) - Self.prototype(x, order: order)) < 1e-9)
        }
        #expect(filter.sections.count == order)
    }

    @Test("a second-order low-pass at a tenth of the rate has scipy's coefficients")
    func matchesScipy() throws {
        // scipy.signal.butter(2, 0.2): b = [0.06745527, 0.13491055, 0.06745527], a = [1, −1.1429805, 0.4128016].
        let filter = try ButterworthFilter(.lowPass(cutoff: 10), order: 2, sampleRate: 100)
        let section = try #require(filter.sections.first)
        #expect(abs(section.b0 - 0.06745527) < 1e-7)
        #expect(abs(section.b1 - 0.13491055) < 1e-7)
        #expect(abs(section.b2 - 0.06745527) < 1e-7)
        #expect(abs(section.a1 + 1.1429805) < 1e-7)
        #expect(abs(section.a2 - 0.4128016) < 1e-7)
    }

    @Test("zero-phase filtering squares the response: a sine at the cut-off keeps half its amplitude")
    func zeroPhaseHalvesAtCutoff() throws {
        let rate = 64.0
        let filter = try ButterworthFilter(.lowPass(cutoff: 4), order: 4, sampleRate: rate)
        var values = Self.sine(4, rate: rate, seconds: 20)
        filter.applyZeroPhase(&values)
        #expect(abs(Self.middleAmplitude(values) - 0.5) < 0.01)
        var causal = Self.sine(4, rate: rate, seconds: 20)
        filter.apply(&causal)
        #expect(abs(Double(Self.middleAmplitude(causal)) - 0.5.squareRoot()) < 0.01)
    }

    @Test("zero-phase filtering does not delay a wave in the passband", arguments: [0.8, 1.5, 3.0])
    func zeroPhaseHasNoLag(frequency: Double) throws {
        let rate = 64.0
        let filter = try ButterworthFilter(.bandPass(low: 0.5, high: 8), order: 3, sampleRate: rate)
        let input = Self.sine(frequency, rate: rate, seconds: 30, phase: 0.3)
        var output = input
        filter.applyZeroPhase(&output)
        let gain = filter.magnitude(at: frequency) * filter.magnitude(at: frequency)
        // Sample by sample, the output is the input scaled by the (real) zero-phase gain.
        for i in Int(5 * rate)..<Int(25 * rate) {
            #expect(abs(Double(output[i]) - gain * Double(input[i])) < 2e-3)
        }
        // The causal filter, by contrast, delays the wave.
        var causal = input
        filter.apply(&causal)
        let lagged = (Int(5 * rate)..<Int(25 * rate)).map { abs(Double(causal[$0]) - gain * Double(input[$0])) }.max()!
        #expect(lagged > 0.1)
    }

    @Test("edges: a constant passes a low-pass unchanged and a line a band-pass stays near zero")
    func edgesAreClean() throws {
        let rate = 4.0
        var constant = [Float](repeating: 7.5, count: 240)
        try ButterworthFilter(.lowPass(cutoff: 0.05), order: 2, sampleRate: rate).applyZeroPhase(&constant)
        #expect(constant.allSatisfy { abs($0 - 7.5) < 1e-4 })
        var line = (0..<240).map { Float(5 + 0.01 * Double($0)) }
        try ButterworthFilter(.highPass(cutoff: 0.05), order: 2, sampleRate: rate).applyZeroPhase(&line)
        #expect(line.allSatisfy { abs($0) < 1e-3 })
    }

    @Test("gaps stay missing and split the signal into independently filtered runs")
    func gapsSplitRuns() throws {
        let rate = 32.0
        let filter = try ButterworthFilter(.lowPass(cutoff: 2), order: 4, sampleRate: rate)
        var values = [Float](repeating: 1, count: 320)
        for i in 100..<140 { values[i] = .nan }
        values[200] = .infinity
        values[250] = 3
        filter.applyZeroPhase(&values)
        #expect((100..<140).allSatisfy { values[$0].isNaN })
        #expect(values[200].isNaN)
        // The constant run before the gap is untouched by the spike after it.
        #expect((0..<100).allSatisfy { abs(values[$0] - 1) < 1e-4 })
        #expect(values.enumerated().allSatisfy { $0.offset == 200 || (100..<140).contains($0.offset) || $0.element.isFinite })
        var single: [Float] = [.nan, 4, .nan]
        filter.applyZeroPhase(&single)
        #expect(single[1] == 4)
        var empty: [Float] = []
        filter.applyZeroPhase(&empty)
        #expect(empty.isEmpty)
    }

    @Test("invalid designs are rejected")
    func invalidDesigns() {
        #expect(throws: EQMCoreError.self) { try ButterworthFilter(.lowPass(cutoff: 4), order: 0, sampleRate: 64) }
        #expect(throws: EQMCoreError.self) { try ButterworthFilter(.lowPass(cutoff: 32), order: 2, sampleRate: 64) }
        #expect(throws: EQMCoreError.self) { try ButterworthFilter(.highPass(cutoff: 0), order: 2, sampleRate: 64) }
        #expect(throws: EQMCoreError.self) { try ButterworthFilter(.bandPass(low: 8, high: 0.5), order: 2, sampleRate: 64) }
        #expect(throws: EQMCoreError.self) { try ButterworthFilter(.lowPass(cutoff: 1), order: 2, sampleRate: .nan) }
    }
}
