/// Vectorised kernels over contiguous Float32 buffers, used by layers, optimisers and DP-SGD.
enum VectorMath {
    /// Σ xᵢ².
    @inline(__always)
    static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var accumulator = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let v = load8(x + i)
            fma(&accumulator, v, v)
            i += 8
        }
        var sum = accumulator.sum()
        while i < count {
            sum += x[i] * x[i]
            i += 1
        }
        return sum
    }

    /// Σ xᵢ·yᵢ.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var accumulator = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            fma(&accumulator, load8(x + i), load8(y + i))
            i += 8
        }
        var sum = accumulator.sum()
        while i < count {
            sum += x[i] * y[i]
            i += 1
        }
        return sum
    }

    /// y += α·x.
    @inline(__always)
    static func addScaled(_ x: UnsafePointer<Float>, scale alpha: Float, to y: UnsafeMutablePointer<Float>, count: Int) {
        let a = SIMD8<Float>(repeating: alpha)
        var i = 0
        while i + 8 <= count {
            var v = load8(y + i)
            fma(&v, a, load8(x + i))
            store8(y + i, v)
            i += 8
        }
        while i < count {
            y[i] += alpha * x[i]
            i += 1
        }
    }

    /// x *= α.
    @inline(__always)
    static func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
        let a = SIMD8<Float>(repeating: alpha)
        var i = 0
        while i + 8 <= count {
            store8(x + i, load8(x + i) * a)
            i += 8
        }
        while i < count {
            x[i] *= alpha
            i += 1
        }
    }

    /// y += x.
    @inline(__always)
    static func add(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            store8(y + i, load8(y + i) + load8(x + i))
            i += 8
        }
        while i < count {
            y[i] += x[i]
            i += 1
        }
    }
}
