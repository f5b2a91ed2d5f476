/// Vectorised elementary functions on eight floats, for the activation-heavy loops (GRU gates,
/// sigmoid and tanh layers) where calling libm per element dominated the profile.
enum SIMDMath {
    /// eˣ with the Cephes `expf` range reduction and polynomial (relative error ≈ 2·10⁻⁷ over the
    /// clamped range [−87.3, 88.7]; inputs outside it saturate to ≈ 0 or ≈ 3.4·10³⁸).
    @inline(__always)
    static func exp(_ input: SIMD8<Float>) -> SIMD8<Float> {
        let x = input.clamped(lowerBound: SIMD8(repeating: -87.3), upperBound: SIMD8(repeating: 88.7))
        // n = round(x / ln 2) with the 1.5·2²³ trick: adding it pushes the fraction out of the mantissa.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = x * 1.442_695_04 + magic
        let n = shifted - magic
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * r * r + r + 1
        // 2ⁿ from the integer that now sits in the low mantissa bits of `shifted`.
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: SIMD8<Float>.self)
        return y * scale
    }

    /// The logistic sigmoid 1 / (1 + e⁻ˣ).
    @inline(__always)
    static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        1 / (1 + exp(-x))
    }

    /// tanh(x) = 2·σ(2x) − 1.
    @inline(__always)
    static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
        2 / (1 + exp(-2 * x)) - 1
    }
}
