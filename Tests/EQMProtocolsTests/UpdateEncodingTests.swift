import EQMCrypto
import EQMProtocols
import Foundation
import Testing

@Suite("Quantisation")
struct UpdateEncodingTests {
    @Test(
        "headroom: the worst-case sum of the largest cohort plus the noise tail fits in 31 bits",
        arguments: [(PrivacyMode.none, 0.0), (.distributed, 1.0), (.local, 0.8)])
    func headroom(mode: PrivacyMode, sigma: Double) throws {
        for n in [10, 1000, 10_000] {
            let encoding = try UpdateEncoding.calibrated(
                dimension: 100_000, clipNorm: 0.5, maximumContributors: n, privacy: mode,
                noiseMultiplier: sigma, survivorFloor: n * 8 / 10)
            let z = (2 * log(2 * 100_000 / encoding.overflowProbability)).squareRoot()
            let worst = Double(n) * (encoding.scale * 0.5 + 1) + z * (Double(n) * Double(encoding.nodeNoiseVariance)).squareRoot()
            #expect(worst <= Double(Int32.max))
            // …and the scale is not needlessly small: 1% more would not fit.
            let tighter =
                Double(n) * (encoding.scale * 1.01 * 0.5 + 1) + z * (Double(n) * Double(encoding.nodeNoiseVariance)).squareRoot()
            #expect(tighter > Double(Int32.max) || encoding.nodeNoiseVariance >= DiscreteGaussianSampler.maximumVariance / 2)
            try encoding.validate()
        }
    }

    @Test("the largest cohort all at +C (and all at −C) on one coordinate does not wrap")
    func worstCaseDoesNotWrap() throws {
        let n = 1000, dimension = 8
        let encoding = try UpdateEncoding.calibrated(dimension: dimension, clipNorm: 1, maximumContributors: n)
        for sign: Float in [1, -1] {
            var update = [Float](repeating: 0, count: dimension)
            update[3] = sign * 5  // clipped to norm 1
            var generator = TestGenerator(seed: 1)
            var sum = [UInt32](repeating: 0, count: dimension)
            for _ in 0..<n {
                let encoded = try encoding.encode(update, using: &generator)
                for index in 0..<dimension { sum[index] &+= encoded[index] }
            }
            let decoded = try encoding.decode(sum: sum)
            #expect(abs(decoded[3] - Double(sign) * Double(n)) <= Double(n) / encoding.scale)
            #expect(decoded[0] == 0)
        }
    }

    @Test("clipping to C and bounded weights")
    func clippingAndWeights() throws {
        let encoding = try UpdateEncoding.calibrated(dimension: 4, clipNorm: 1, maximumContributors: 10)
        var generator = TestGenerator(seed: 2)
        let decoded = try encoding.decode(sum: try encoding.encode([3, 4, 0, 0], weight: 0.5, using: &generator))
        #expect(abs(decoded[0] - 0.3) <= 1 / encoding.scale)
        #expect(abs(decoded[1] - 0.4) <= 1 / encoding.scale)
        expectProtocolError(.invalidInput) { try encoding.encode([1, 0, 0, 0], weight: 1.5) }
        expectProtocolError(.invalidInput) { try encoding.encode([.nan, 0, 0, 0]) }
        expectProtocolError(.invalidVectorLength) { try encoding.encode([1, 0, 0]) }
    }

    @Test("stochastic rounding is unbiased")
    func unbiased() throws {
        let encoding = try UpdateEncoding.calibrated(dimension: 1, clipNorm: 1, maximumContributors: 10)
        // A value a third of the way between two steps.
        let value = Float((100 + 1.0 / 3) / encoding.scale)
        var generator = TestGenerator(seed: 3)
        var total = 0.0
        let trials = 30_000
        for _ in 0..<trials { total += Double(Int32(bitPattern: try encoding.encode([value], using: &generator)[0])) }
        let mean = total / Double(trials)
        let expected = Double(value) * encoding.scale
        // Standard error √(p(1−p)/N) ≈ 0.0027; allow 5 of them.
        #expect(abs(mean - expected) < 0.014)
    }

    @Test("decoding is signed and centred")
    func signedDecoding() throws {
        let encoding = try UpdateEncoding.calibrated(dimension: 3, clipNorm: 1, maximumContributors: 10)
        let decoded = try encoding.decode(sum: [UInt32.max, 0x7FFF_FFFF, 0x8000_0000])
        #expect(decoded[0] == -1 / encoding.scale)
        #expect(decoded[1] == Double(Int32.max) / encoding.scale)
        #expect(decoded[2] == Double(Int32.min) / encoding.scale)
    }

    @Test("calibration refuses impossible settings")
    func invalid() {
        expectProtocolError(.invalidConfiguration) {
            try UpdateEncoding.calibrated(dimension: 10, clipNorm: 0, maximumContributors: 10)
        }
        expectProtocolError(.invalidConfiguration) {
            try UpdateEncoding.calibrated(
                dimension: 10, clipNorm: 1, maximumContributors: 10, privacy: .distributed, noiseMultiplier: 0)
        }
        expectProtocolError(.invalidConfiguration) {
            try UpdateEncoding.calibrated(dimension: 10, clipNorm: 1, maximumContributors: 10, privacy: .none, noiseMultiplier: 1)
        }
    }
}
