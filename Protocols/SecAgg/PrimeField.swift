internal import EQMCrypto

/// Arithmetic modulo the Mersenne prime p = 2⁶¹ − 1, the field of the Shamir shares.
///
/// 61 bits hold a 56-bit secret chunk with room to spare, evaluation points (participant index + 1)
/// up to 2⁶¹ − 2 — far beyond the 10,000-participant complete graph — and reduction needs only
/// shifts and adds.
enum PrimeField {
    /// The modulus 2⁶¹ − 1.
    static let prime: UInt64 = (1 << 61) - 1

    @inline(__always)
    static func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let sum = a &+ b
        return sum >= prime ? sum &- prime : sum
    }

    @inline(__always)
    static func subtract(_ a: UInt64, _ b: UInt64) -> UInt64 {
        a >= b ? a &- b : a &+ (prime &- b)
    }

    @inline(__always)
    static func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
        // a·b < 2¹²², so high < 2⁵⁸; 2⁶⁴ ≡ 2³ (mod p) folds the high word into the low 61 bits.
        let (high, low) = a.multipliedFullWidth(by: b)
        let folded = ((high << 3) | (low >> 61)) &+ (low & prime)
        return folded >= prime ? folded &- prime : folded
    }

    /// a^(p−2) = a⁻¹ for a ≠ 0 (Fermat).
    static func inverse(_ a: UInt64) -> UInt64 {
        precondition(a != 0, "zero has no inverse")
        var result: UInt64 = 1
        var base = a
        var exponent = prime - 2
        while exponent > 0 {
            if exponent & 1 == 1 { result = multiply(result, base) }
            base = multiply(base, base)
            exponent >>= 1
        }
        return result
    }

    /// Fills `elements` with uniform field elements from libsodium (61-bit draws, the one value
    /// equal to p rejected and redrawn).
    static func fillRandom(_ elements: UnsafeMutableBufferPointer<UInt64>) {
        SecureRandom.fill(UnsafeMutableRawBufferPointer(elements))
        for index in elements.indices {
            var value = elements[index] & prime
            while value == prime {
                var fresh: UInt64 = 0
                withUnsafeMutableBytes(of: &fresh) { SecureRandom.fill($0) }
                value = fresh & prime
                fresh = 0
            }
            elements[index] = value
        }
    }
}
