/// Single-precision matrix multiplication for the layers' hot loops.
///
/// Written for the small, skinny matrices of wearable models (tens to hundreds of rows and
/// columns), where a BLAS call's fixed overhead is a large share of the work: a register-blocked
/// kernel computes 4 rows × 16 columns of C at a time with SIMD8 fused multiply-adds, reading B
/// rows contiguously and broadcasting elements of A. Strides let one kernel serve `A·B`, `Aᵀ·B`
/// and convolution windows that overlap in memory. See README "Performance" for measurements.
enum MatrixMultiply {
    /// `C = (accumulate ? C : 0) + op(A)·B` for row-major matrices.
    ///
    /// - `op(A)` is `m × k`: with `transposeA == false`, `A` is stored `m × k` with row stride `lda`;
    ///   with `transposeA == true`, `A` is stored `k × m` with row stride `lda`.
    /// - `B` is `k × n` with row stride `ldb`; `C` is `m × n` with row stride `ldc`.
    /// Rows of `A` may overlap in memory (convolution windows); `C` must not alias `A` or `B`.
    /// With `bias` (n values), every row of the product starts from it: `C = op(A)·B + 1·biasᵀ`,
    /// which saves a separate pass that would copy the bias into each row first.
    @inline(__always)
    static func multiply(
        transposeA: Bool = false, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool, bias: UnsafePointer<Float>? = nil
    ) {
        let rowStride = transposeA ? 1 : lda
        let depthStride = transposeA ? lda : 1
        multiply(
            m: m, n: n, k: k, a: a, rowStride: rowStride, depthStride: depthStride,
            b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate, bias: bias)
    }

    @inline(never)
    static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, rowStride: Int, depthStride: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool, bias: UnsafePointer<Float>? = nil
    ) {
        precondition(bias == nil || !accumulate, "bias initialises C; it cannot be combined with accumulate")
        if m == 0 || n == 0 { return }
        if k == 0 {
            if let bias {
                for i in 0..<m { (c + i * ldc).update(from: bias, count: n) }
            } else if !accumulate {
                for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }
            }
            return
        }
        var i = 0
        while i + 4 <= m {
            rows4(
                i: i, n: n, k: k, a: a, rowStride: rowStride, depthStride: depthStride,
                b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate, bias: bias)
            i += 4
        }
        while i < m {
            row1(
                i: i, n: n, k: k, a: a, rowStride: rowStride, depthStride: depthStride,
                b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate, bias: bias)
            i += 1
        }
    }

    @inline(__always)
    private static func rows4(
        i: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, rowStride: Int, depthStride: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool, bias: UnsafePointer<Float>?
    ) {
        let a0 = a + i * rowStride
        let a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride
        let c0 = c + i * ldc
        let c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
        var j = 0
        while j + 16 <= n {
            let i0 = initial(bias, j), i1 = initial(bias, j + 8)
            var s00 = i0, s01 = i1, s10 = i0, s11 = i1
            var s20 = i0, s21 = i1, s30 = i0, s31 = i1
            var bp = b + j
            var offset = 0
            for _ in 0..<k {
                let b0 = load8(bp), b1 = load8(bp + 8)
                fma(&s00, SIMD8(repeating: a0[offset]), b0); fma(&s01, SIMD8(repeating: a0[offset]), b1)
                fma(&s10, SIMD8(repeating: a1[offset]), b0); fma(&s11, SIMD8(repeating: a1[offset]), b1)
                fma(&s20, SIMD8(repeating: a2[offset]), b0); fma(&s21, SIMD8(repeating: a2[offset]), b1)
                fma(&s30, SIMD8(repeating: a3[offset]), b0); fma(&s31, SIMD8(repeating: a3[offset]), b1)
                bp += ldb
                offset &+= depthStride
            }
            store8(c0 + j, s00, accumulate); store8(c0 + j + 8, s01, accumulate)
            store8(c1 + j, s10, accumulate); store8(c1 + j + 8, s11, accumulate)
            store8(c2 + j, s20, accumulate); store8(c2 + j + 8, s21, accumulate)
            store8(c3 + j, s30, accumulate); store8(c3 + j + 8, s31, accumulate)
            j += 16
        }
        while j + 8 <= n {
            let i0 = initial(bias, j)
            var s0 = i0, s1 = i0, s2 = i0, s3 = i0
            var bp = b + j
            var offset = 0
            for _ in 0..<k {
                let b0 = load8(bp)
                fma(&s0, SIMD8(repeating: a0[offset]), b0)
                fma(&s1, SIMD8(repeating: a1[offset]), b0)
                fma(&s2, SIMD8(repeating: a2[offset]), b0)
                fma(&s3, SIMD8(repeating: a3[offset]), b0)
                bp += ldb
                offset &+= depthStride
            }
            store8(c0 + j, s0, accumulate); store8(c1 + j, s1, accumulate)
            store8(c2 + j, s2, accumulate); store8(c3 + j, s3, accumulate)
            j += 8
        }
        if j < n {
            for r in 0..<4 {
                tailColumns(
                    from: j, n: n, k: k, a: a0 + r * rowStride, depthStride: depthStride,
                    b: b, ldb: ldb, c: c0 + r * ldc, accumulate: accumulate, bias: bias)
            }
        }
    }

    @inline(__always)
    private static func row1(
        i: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, rowStride: Int, depthStride: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool, bias: UnsafePointer<Float>?
    ) {
        let a0 = a + i * rowStride
        let c0 = c + i * ldc
        var j = 0
        while j + 32 <= n {
            var s0 = initial(bias, j), s1 = initial(bias, j + 8), s2 = initial(bias, j + 16), s3 = initial(bias, j + 24)
            var bp = b + j
            var offset = 0
            for _ in 0..<k {
                let x = SIMD8<Float>(repeating: a0[offset])
                fma(&s0, x, load8(bp)); fma(&s1, x, load8(bp + 8))
                fma(&s2, x, load8(bp + 16)); fma(&s3, x, load8(bp + 24))
                bp += ldb
                offset &+= depthStride
            }
            store8(c0 + j, s0, accumulate); store8(c0 + j + 8, s1, accumulate)
            store8(c0 + j + 16, s2, accumulate); store8(c0 + j + 24, s3, accumulate)
            j += 32
        }
        while j + 8 <= n {
            var s0 = initial(bias, j)
            var bp = b + j
            var offset = 0
            for _ in 0..<k {
                fma(&s0, SIMD8(repeating: a0[offset]), load8(bp))
                bp += ldb
                offset &+= depthStride
            }
            store8(c0 + j, s0, accumulate)
            j += 8
        }
        if j < n {
            tailColumns(
                from: j, n: n, k: k, a: a0, depthStride: depthStride, b: b, ldb: ldb, c: c0,
                accumulate: accumulate, bias: bias)
        }
    }

    @inline(__always)
    private static func tailColumns(
        from start: Int, n: Int, k: Int, a: UnsafePointer<Float>, depthStride: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, accumulate: Bool,
        bias: UnsafePointer<Float>?
    ) {
        for j in start..<n {
            var sum: Float = bias?[j] ?? 0
            var bp = b + j
            var offset = 0
            for _ in 0..<k {
                sum += a[offset] * bp.pointee
                bp += ldb
                offset &+= depthStride
            }
            c[j] = accumulate ? c[j] + sum : sum
        }
    }

    @inline(__always)
    private static func initial(_ bias: UnsafePointer<Float>?, _ j: Int) -> SIMD8<Float> {
        if let bias { return load8(bias + j) }
        return SIMD8<Float>()
    }

    /// Writes the transpose of a row-major `rows × columns` matrix (row stride `lda`) into `out`
    /// as `columns × rows` (contiguous).
    static func transpose(rows: Int, columns: Int, _ a: UnsafePointer<Float>, lda: Int, into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = a + r * lda
            for col in 0..<columns { out[col * rows + r] = row[col] }
        }
    }
}

@inline(__always)
func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func load8(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func store8(_ pointer: UnsafeMutablePointer<Float>, _ value: SIMD8<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
}

@inline(__always)
private func store8(_ pointer: UnsafeMutablePointer<Float>, _ value: SIMD8<Float>, _ accumulate: Bool) {
    store8(pointer, accumulate ? load8(pointer) + value : value)
}

/// `accumulator += x * y`, fused where the build enables FMA (see Package.swift), otherwise a
/// multiply and an add (never a call to the scalar `fmaf` library routine).
@inline(__always)
func fma(_ accumulator: inout SIMD8<Float>, _ x: SIMD8<Float>, _ y: SIMD8<Float>) {
    #if EQM_FMA
        accumulator.addProduct(x, y)
    #else
        accumulator += x * y
    #endif
}
