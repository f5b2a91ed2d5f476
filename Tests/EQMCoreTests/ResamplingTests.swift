import Foundation
import Testing

@testable import EQMCore

@Suite("Resampling and spectra")
struct ResamplingTests {
    @Test("irregular samples of a line interpolate exactly onto a uniform grid")
    func irregularLineIsExact() throws {
        let times = [0.0, 0.31, 0.9, 1.45, 2.0, 3.7, 4.05]
        let values = times.map { 3 - 2 * $0 }
        let grid = try Resampling.interpolate(times: times, values: values, start: 0, rate: 4, count: 17)
        for (k, value) in grid.enumerated() {
            #expect(abs(value - (3 - 2 * Double(k) / 4)) < 1e-12)
        }
    }

    @Test("gaps longer than the maximum and points outside the samples are missing")
    func gapsAreMissing() throws {
        let times = [1.0, 2.0, 3.0, 8.0, 9.0, .nan, 10.0]
        let values = [1.0, 2.0, .nan, 8.0, 9.0, 9.5, 10.0]
        // Valid samples: 1, 2, 8, 9, 10 (the NaN value and the NaN time are skipped).
        let grid = try Resampling.interpolate(times: times, values: values, start: 0, rate: 1, count: 12, maximumGap: 3)
        #expect(grid[0].isNaN)
        #expect(grid[1] == 1 && grid[2] == 2)
        #expect((3...7).allSatisfy { grid[$0].isNaN })
        #expect(grid[8] == 8 && grid[9] == 9 && grid[10] == 10)
        #expect(grid[11].isNaN)
        let bridged = try Resampling.interpolate(times: times, values: values, start: 0, rate: 1, count: 12)
        #expect(abs(bridged[5] - 5) < 1e-12)
    }

    @Test("interpolation rejects descending times and mismatched lengths")
    func interpolationRejectsBadInput() {
        #expect(throws: EQMCoreError.self) {
            try Resampling.interpolate(times: [0, 2, 1], values: [0, 1, 2] as [Double], start: 0, rate: 1, count: 3)
        }
        #expect(throws: EQMCoreError.self) {
            try Resampling.interpolate(times: [0, 1], values: [0] as [Double], start: 0, rate: 1, count: 3)
        }
        #expect(throws: EQMCoreError.self) {
            try Resampling.interpolate(times: [0, 1], values: [0, 1] as [Double], start: 0, rate: 0, count: 3)
        }
        #expect(
            (try? Resampling.interpolate(times: [], values: [] as [Double], start: 0, rate: 1, count: 2))?.allSatisfy(\.isNaN)
                == true)
    }

    @Test("upsampling a line is exact; downsampling keeps it away from the edges")
    func resampleLine() throws {
        let line = SampledSignal(startTime: 10, sampleRate: 4, values: (0..<400).map { Float(2 + 0.05 * Double($0)) })
        let up = try Resampling.resample(line, to: 10)
        #expect(up.startTime == 10 && up.sampleRate == 10)
        #expect(up.count == 998)
        for (k, value) in up.values.enumerated() {
            #expect(abs(Double(value) - (2 + 0.05 * Double(k) * 0.4)) < 1e-4)
        }
        let down = try Resampling.resample(line, to: 1)
        #expect(down.count == 100)
        for k in 5..<95 { #expect(abs(Double(down.values[k]) - (2 + 0.05 * Double(k) * 4)) < 1e-3) }
    }

    @Test("decimation keeps waves below the new Nyquist frequency and removes those above")
    func decimationAntiAliases() throws {
        let rate = 64.0
        func sine(_ frequency: Double) -> SampledSignal {
            SampledSignal(sampleRate: rate, values: (0..<1920).map { Float(sin(2 * .pi * frequency * Double($0) / rate)) })
        }
        let kept = try Resampling.decimate(sine(1), by: 8)
        #expect(kept.sampleRate == 8 && kept.count == 240)
        for k in 40..<200 { #expect(abs(Double(kept.values[k]) - sin(2 * .pi * Double(k) / 8)) < 0.01) }
        // 7 Hz would alias to 1 Hz at 8 Hz; the anti-alias filter removes it.
        let removed = try Resampling.decimate(sine(7), by: 8)
        #expect(removed.values[40..<200].allSatisfy { abs($0) < 0.01 })
        #expect(throws: EQMCoreError.self) { try Resampling.decimate(sine(1), by: 0) }
    }

    @Test("resampling keeps gaps missing")
    func resampleKeepsGaps() throws {
        var values = [Float](repeating: 1, count: 64 * 10)
        for i in 128..<192 { values[i] = .nan }
        let signal = SampledSignal(sampleRate: 64, values: values)
        let down = try Resampling.resample(signal, to: 4)
        // Samples 128..<192 are missing: outputs 8...11 (at samples 128, 144, 160, 176).
        #expect((8..<12).allSatisfy { down.values[$0].isNaN })
        #expect(down.values[..<8].allSatisfy { abs($0 - 1) < 1e-3 })
        #expect(down.values[12...].allSatisfy { abs($0 - 1) < 1e-3 })
    }

    @Test("Welch's spectrum integrates to the variance and puts a sine's power at its frequency")
    func welchSpectrum() throws {
        let rate = 4.0
        var generator = SeededGenerator(seed: 9)
        let noise = (0..<1200).map { _ in generator.nextGaussian() }
        let white = try PowerSpectrum.welch(noise, sampleRate: rate, segmentLength: 200)
        let mean = noise.reduce(0, +) / Double(noise.count)
        let variance = noise.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(noise.count)
        let total = white.bandPower(from: 0, to: 3)
        #expect(abs(total / variance - 1) < 0.15)
        #expect(white.segmentCount == 11)

        // A 0.25 Hz sine of amplitude 30 has power 30² / 2 = 450, all within ±0.05 Hz.
        let wave = (0..<240).map { 30 * sin(2 * .pi * 0.25 * Double($0) / rate + 0.4) }
        let spectrum = try PowerSpectrum.welch(wave, sampleRate: rate, segmentLength: 200)
        #expect(spectrum.segmentCount == 2)
        #expect(abs(spectrum.bandPower(from: 0.2, to: 0.3) / 450 - 1) < 0.05)
        #expect(spectrum.bandPower(from: 0, to: 0.15) < 5)
        #expect(throws: EQMCoreError.self) { try PowerSpectrum.welch([1, 2, .nan, 4, 5], sampleRate: 4, segmentLength: 4) }
        #expect(throws: EQMCoreError.self) { try PowerSpectrum.welch([1, 2], sampleRate: 4, segmentLength: 4) }
    }
}
