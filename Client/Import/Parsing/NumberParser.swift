/// Locale-independent decimal number parsing straight from bytes, without creating strings.
enum NumberParser {
    /// Exact powers of ten representable as `Double` (Clinger's fast path).
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

    /// Parses a decimal number (`-12`, `0.96`, `1.5e3`, `.5`) with optional surrounding spaces, or the
    /// words `nan`, `inf`, `infinity` in any case with an optional sign (so that a non-finite value is
    /// rejected as such rather than as text). Returns `nil` for anything else.
    static func parseDouble(_ bytes: UnsafeRawBufferPointer) -> Double? {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0D { end -= 1 }
        guard start < end else { return nil }
        var position = start
        var negative = false
        if bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        } else if bytes[position] == UInt8(ascii: "+") {
            position += 1
        }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        var sawDigit = false
        while position < end {
            let digit = bytes[position] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            sawDigit = true
            if significantDigits < 19 {
                if mantissa != 0 || digit != 0 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    significantDigits += 1
                }
            } else {
                exponent += 1
            }
            position += 1
        }
        if position < end, bytes[position] == UInt8(ascii: ".") {
            position += 1
            while position < end {
                let digit = bytes[position] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                sawDigit = true
                if significantDigits < 19 {
                    if mantissa != 0 || digit != 0 {
                        mantissa = mantissa &* 10 &+ UInt64(digit)
                        significantDigits += 1
                    }
                    exponent -= 1
                }
                position += 1
            }
        }
        guard sawDigit else { return parseNonFinite(bytes, from: start, to: end) }
        if position < end, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            var exponentNegative = false
            if position < end, bytes[position] == UInt8(ascii: "-") {
                exponentNegative = true
                position += 1
            } else if position < end, bytes[position] == UInt8(ascii: "+") {
                position += 1
            }
            var value = 0, digits = 0
            while position < end {
                let digit = bytes[position] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                if value < 100_000 { value = value * 10 + Int(digit) }
                digits += 1
                position += 1
            }
            guard digits > 0 else { return nil }
            exponent += exponentNegative ? -value : value
        }
        guard position == end else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        // Exact when the mantissa fits in 53 bits and the power of ten is exact.
        if mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            let magnitude =
                exponent >= 0
                ? Double(mantissa) * powersOfTen[exponent]
                : Double(mantissa) / powersOfTen[-exponent]
            return negative ? -magnitude : magnitude
        }
        return Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
    }

    private static func parseNonFinite(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Double? {
        var position = start
        var negative = false
        if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        var word: [UInt8] = []
        while position < end, word.count < 9 {
            word.append(bytes[position] | 0x20)
            position += 1
        }
        guard position == end else { return nil }
        switch String(decoding: word, as: UTF8.self) {
        case "nan": return .nan
        case "inf", "infinity": return negative ? -.infinity : .infinity
        default: return nil
        }
    }

    /// Convenience for strings.
    static func parseDouble(_ text: some StringProtocol) -> Double? {
        var copy = String(text)
        return copy.withUTF8 { parseDouble(UnsafeRawBufferPointer($0)) }
    }
}
