#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// Special functions for the privacy accountants, from the C library like the rest of `Math`.
extension Math {
    /// The complementary error function erfc(x) = 1 − erf(x), accurate in the upper tail (no cancellation).
    @inline(__always) public static func erfc(_ x: Double) -> Double { libm_erfc(x) }

    /// The error function erf(x).
    @inline(__always) public static func erf(_ x: Double) -> Double { libm_erf(x) }

    /// log |Γ(x)|; the reentrant C function, so it is safe to call from several threads.
    @inline(__always) public static func logGamma(_ x: Double) -> Double { libm_lgamma(x) }

    /// ⌈x⌉ and ⌊x⌋ without Foundation.
    @inline(__always) static func ceil(_ x: Double) -> Double { x.rounded(.up) }
    @inline(__always) static func floor(_ x: Double) -> Double { x.rounded(.down) }

    /// The standard normal CDF Φ(z), accurate in the lower tail.
    @inline(__always) static func normalCDF(_ z: Double) -> Double { 0.5 * libm_erfc(-z * 0.7071067811865476) }

    /// The standard normal upper tail 1 − Φ(z) = Φ(−z), accurate in the upper tail.
    @inline(__always) static func normalTail(_ z: Double) -> Double { 0.5 * libm_erfc(z * 0.7071067811865476) }

    /// log(e^a + e^b) without overflow.
    @inline(__always) static func logAddExp(_ a: Double, _ b: Double) -> Double {
        let (high, low) = a >= b ? (a, b) : (b, a)
        if low == -.infinity { return high }
        return high + libm_log1p(libm_exp(low - high))
    }

    /// The z with Φ(z) = p, for p in (0, 0.5], by bisection on erfc (used once per accountant query).
    static func normalQuantileLowerTail(_ p: Double) -> Double {
        precondition(p > 0 && p <= 0.5)
        var low = -40.0, high = 0.0
        for _ in 0..<80 {
            let middle = 0.5 * (low + high)
            if normalCDF(middle) < p { low = middle } else { high = middle }
        }
        return low
    }
}

@inline(__always) private func libm_erfc(_ x: Double) -> Double { erfc(x) }
@inline(__always) private func libm_erf(_ x: Double) -> Double { erf(x) }
@inline(__always) private func libm_exp(_ x: Double) -> Double { exp(x) }
@inline(__always) private func libm_log1p(_ x: Double) -> Double { log1p(x) }
@inline(__always) private func libm_lgamma(_ x: Double) -> Double {
    var sign: Int32 = 0
    return lgamma_r(x, &sign)
}
