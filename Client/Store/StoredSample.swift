/// One sample of a stored series: a time (Unix seconds, UTC), an optional end for interval
/// measurements, and a value in the series' canonical unit.
public struct StoredSample: Hashable, Sendable {
    /// Start time in seconds since 1970-01-01 UTC.
    public var start: Double
    /// End time for measurements over an interval (e.g. HRV over a minute), nil for instants.
    public var end: Double?
    /// The value in the series' canonical unit.
    public var value: Double

    /// Creates a sample.
    public init(start: Double, end: Double? = nil, value: Double) {
        self.start = start
        self.end = end
        self.value = value
    }

    /// The UTC day the sample starts on; the store keeps one segment per series and day.
    var day: Int { Int((start / 86_400).rounded(.down)) }

    /// Orders by start, end, value: equal samples become neighbours, so de-duplication is one pass.
    static func precedes(_ a: StoredSample, _ b: StoredSample) -> Bool {
        if a.start != b.start { return a.start < b.start }
        let aEnd = a.end ?? -.infinity, bEnd = b.end ?? -.infinity
        if aEnd != bEnd { return aEnd < bEnd }
        return a.value < b.value
    }
}

/// The plaintext layout of a segment: magic `EQMS`, version (u16), count (u32), then per sample
/// start, end (NaN for none) and value as little-endian Float64. Series and day are not in the
/// plaintext: they are bound to the ciphertext as associated data.
enum SegmentCodec {
    static let magic: [UInt8] = Array("EQMS".utf8)
    static let version: UInt16 = 1

    static func encode(_ samples: [StoredSample]) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(10 + 24 * samples.count)
        withUnsafeBytes(of: version.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt32(samples.count).littleEndian) { bytes += $0 }
        for sample in samples {
            for value in [sample.start, sample.end ?? .nan, sample.value] {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
            }
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8], file: String) throws(StoreError) -> [StoredSample] {
        guard bytes.count >= 10, Array(bytes[0..<4]) == magic else {
            throw StoreError(.corrupted, "segment \(file) does not start with the segment header")
        }
        let version = UInt16(bytes[4]) | UInt16(bytes[5]) << 8
        guard version == self.version else {
            throw StoreError(
                .unsupportedVersion, "segment \(file) has format version \(version); this build reads \(self.version)")
        }
        let count = Int(UInt32(bytes[6]) | UInt32(bytes[7]) << 8 | UInt32(bytes[8]) << 16 | UInt32(bytes[9]) << 24)
        guard bytes.count == 10 + 24 * count else {
            throw StoreError(.corrupted, "segment \(file) announces \(count) samples but holds \(bytes.count - 10) bytes of them")
        }
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { index in
                let base = 10 + 24 * index
                let start = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base, as: UInt64.self)))
                let end = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8, as: UInt64.self)))
                let value = Double(
                    bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 16, as: UInt64.self)))
                return StoredSample(start: start, end: end.isNaN ? nil : end, value: value)
            }
        }
    }
}
