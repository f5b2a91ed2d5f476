public import EQMCrypto

/// Shamir secret sharing of 32-byte secrets (X25519 secret keys and self-mask seeds) over the prime
/// field p = 2⁶¹ − 1.
///
/// A secret is cut into ``chunkCount`` chunks of at most 56 bits (four of 7 bytes, one of 4), each
/// the constant term of its own random polynomial of degree `threshold − 1`; a share is the
/// polynomials' values at one evaluation point. In secure aggregation the point of a holder is its
/// participant index + 1, so the field supports complete graphs far beyond 10,000 participants.
/// Any `threshold` shares reconstruct the secret; fewer reveal nothing about it.
public enum ShamirSecretSharing {
    /// The length of a secret in bytes.
    public static let secretLength = 32
    /// Field elements per share: one per 56-bit chunk of the secret.
    public static let chunkCount = 5
    /// The field modulus, 2⁶¹ − 1.
    public static var prime: UInt64 { PrimeField.prime }

    /// Splits `secret` into one share per evaluation point; any `threshold` of them reconstruct it.
    ///
    /// - Throws: ``ProtocolError`` `invalidInput` when the secret is not 32 bytes, the threshold is
    ///   not in 1...points.count, or a point is zero, repeated or not below p.
    public static func split(_ secret: SecretBytes, threshold: Int, points: [UInt64]) throws(ProtocolError) -> [ShamirShare] {
        try validate(points: points, threshold: threshold)
        guard secret.count == secretLength else {
            throw .invalidInput("a shared secret is \(secretLength) bytes, found \(secret.count)")
        }
        var flat = secret.withUnsafeBytes { splitChunks($0, threshold: threshold, points: points) }
        defer { SecureMemory.zero(&flat) }
        return points.indices.map { index in
            ShamirShare(point: points[index], values: Array(flat[(index * chunkCount)..<((index + 1) * chunkCount)]))
        }
    }

    /// Reconstructs a secret from the first `threshold` of `shares`.
    ///
    /// - Throws: ``ProtocolError`` `belowThreshold` with fewer than `threshold` shares,
    ///   `invalidInput` for repeated or invalid points or values, `reconstructionFailed` when the
    ///   result is not a valid encoding (a corrupt share).
    public static func reconstruct(_ shares: [ShamirShare], threshold: Int) throws(ProtocolError) -> SecretBytes {
        guard shares.count >= threshold else {
            throw .belowThreshold("reconstruction needs \(threshold) shares, found \(shares.count)")
        }
        let used = Array(shares.prefix(threshold))
        let points = used.map(\.point)
        try validate(points: points, threshold: threshold)
        var values = [UInt64]()
        values.reserveCapacity(threshold * chunkCount)
        for share in used {
            guard share.values.count == chunkCount, share.values.allSatisfy({ $0 < PrimeField.prime }) else {
                throw .invalidInput("a share holds \(chunkCount) field elements below p, found \(share.values.count) values")
            }
            values.append(contentsOf: share.values)
        }
        defer { SecureMemory.zero(&values) }
        let coefficients = LagrangeCache.computeCoefficients(points)
        var valid = false
        let secret = SecretBytes(count: secretLength) { valid = combine(values, coefficients: coefficients, into: $0) }
        guard valid else {
            throw .reconstructionFailed("the shares do not encode a \(secretLength)-byte secret: a share is corrupt")
        }
        return secret
    }

    static func validate(points: [UInt64], threshold: Int) throws(ProtocolError) {
        guard threshold >= 1, threshold <= points.count else {
            throw .invalidInput("threshold must be in 1...\(points.count) (the number of shares), found \(threshold)")
        }
        guard points.allSatisfy({ $0 != 0 && $0 < PrimeField.prime }) else {
            throw .invalidInput("evaluation points must be in 1..<p; point 0 would reveal the secret")
        }
        guard Set(points).count == points.count else { throw .invalidInput("evaluation points must be distinct") }
    }

    /// The shares of `secret` at `points`, flattened `[point][chunk]`. The caller zeroes the result.
    static func splitChunks(_ bytes: UnsafeRawBufferPointer, threshold: Int, points: [UInt64]) -> [UInt64] {
        precondition(bytes.count == secretLength, "a shared secret is 32 bytes")
        var chunks = [UInt64](repeating: 0, count: chunkCount)
        for chunk in 0..<chunkCount {
            let start = chunk * 7, end = min(start + 7, secretLength)
            var value: UInt64 = 0
            for offset in stride(from: end - 1, through: start, by: -1) { value = (value << 8) | UInt64(bytes[offset]) }
            chunks[chunk] = value
        }
        // Coefficients of degree 1...threshold−1 for every chunk, `[chunk][degree − 1]`.
        let degree = threshold - 1
        var coefficients = [UInt64](repeating: 0, count: max(1, chunkCount * degree))
        if degree > 0 { coefficients.withUnsafeMutableBufferPointer { PrimeField.fillRandom($0) } }
        var shares = [UInt64](repeating: 0, count: points.count * chunkCount)
        coefficients.withUnsafeBufferPointer { a in
            shares.withUnsafeMutableBufferPointer { out in
                for (holder, x) in points.enumerated() {
                    for chunk in 0..<chunkCount {
                        // Horner: ((a_d x + a_{d−1}) x + … + a_1) x + secret.
                        var accumulator: UInt64 = 0
                        var power = degree
                        while power >= 1 {
                            accumulator = PrimeField.add(PrimeField.multiply(accumulator, x), a[chunk * degree + power - 1])
                            power -= 1
                        }
                        out[holder * chunkCount + chunk] = PrimeField.add(PrimeField.multiply(accumulator, x), chunks[chunk])
                    }
                }
            }
        }
        SecureMemory.zero(&coefficients)
        SecureMemory.zero(&chunks)
        return shares
    }

    /// Σ λⱼ·yⱼ for every chunk, from flattened `[holder][chunk]` values, written into the 32-byte
    /// `secret`; false (and `secret` zeroed) when a chunk is out of its range (inconsistent shares).
    static func combine(_ values: [UInt64], coefficients: [UInt64], into secret: UnsafeMutableRawBufferPointer) -> Bool {
        precondition(secret.count == secretLength, "a reconstructed secret is 32 bytes")
        var chunks = [UInt64](repeating: 0, count: chunkCount)
        defer { SecureMemory.zero(&chunks) }
        for (holder, lambda) in coefficients.enumerated() {
            for chunk in 0..<chunkCount {
                chunks[chunk] = PrimeField.add(chunks[chunk], PrimeField.multiply(lambda, values[holder * chunkCount + chunk]))
            }
        }
        for chunk in 0..<chunkCount {
            let bits = chunk == chunkCount - 1 ? (secretLength - 7 * (chunkCount - 1)) * 8 : 56
            guard chunks[chunk] >> UInt64(bits) == 0 else {
                SecureMemory.zero(secret)
                return false
            }
        }
        for chunk in 0..<chunkCount {
            let start = chunk * 7, end = min(start + 7, secretLength)
            var value = chunks[chunk]
            for offset in start..<end {
                secret[offset] = UInt8(truncatingIfNeeded: value)
                value >>= 8
            }
        }
        return true
    }
}
