#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Elementary functions from the C library, in one place so that the rest of the core does not
/// depend on Foundation.
public enum Math {
    @inline(__always) public static func exp(_ x: Double) -> Double { Glibc_exp(x) }
    @inline(__always) public static func exp(_ x: Float) -> Float { Glibc_expf(x) }
    @inline(__always) public static func log(_ x: Double) -> Double { Glibc_log(x) }
    @inline(__always) public static func log(_ x: Float) -> Float { Glibc_logf(x) }
    @inline(__always) public static func cos(_ x: Double) -> Double { Glibc_cos(x) }
    @inline(__always) public static func sin(_ x: Double) -> Double { Glibc_sin(x) }
    @inline(__always) public static func tanh(_ x: Float) -> Float { Glibc_tanhf(x) }
    @inline(__always) public static func tanh(_ x: Double) -> Double { Glibc_tanh(x) }
    @inline(__always) public static func pow(_ x: Double, _ y: Double) -> Double { Glibc_pow(x, y) }
    @inline(__always) public static func log1p(_ x: Double) -> Double { Glibc_log1p(x) }
    @inline(__always) public static func expm1(_ x: Double) -> Double { Glibc_expm1(x) }
}

// Module-level aliases so the names above do not recurse into `Math`'s own members.
@inline(__always) private func Glibc_exp(_ x: Double) -> Double { exp(x) }
@inline(__always) private func Glibc_expf(_ x: Float) -> Float { expf(x) }
@inline(__always) private func Glibc_log(_ x: Double) -> Double { log(x) }
@inline(__always) private func Glibc_logf(_ x: Float) -> Float { logf(x) }
@inline(__always) private func Glibc_cos(_ x: Double) -> Double { cos(x) }
@inline(__always) private func Glibc_sin(_ x: Double) -> Double { sin(x) }
@inline(__always) private func Glibc_tanhf(_ x: Float) -> Float { tanhf(x) }
@inline(__always) private func Glibc_tanh(_ x: Double) -> Double { tanh(x) }
@inline(__always) private func Glibc_pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@inline(__always) private func Glibc_log1p(_ x: Double) -> Double { log1p(x) }
@inline(__always) private func Glibc_expm1(_ x: Double) -> Double { expm1(x) }
