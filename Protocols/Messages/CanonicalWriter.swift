/// A deterministic binary encoding: fixed-width big-endian integers and length-prefixed byte
/// strings, with exactly one encoding per value. With a label (``init(label:capacity:)``) it is the
/// input of a signature, a key derivation or associated data, domain-separated by the protocol
/// identifier and the label; without one it writes a message body.
struct CanonicalWriter {
    private(set) var bytes: [UInt8]

    /// An unlabelled writer, for message bodies.
    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Starts with the protocol identifier and `label` (what is being signed or derived).
    init(label: String, capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
        append(string: WireProtocol.identifier)
        append(string: label)
    }

    mutating func append(_ value: UInt8) { bytes.append(value) }

    mutating func append(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func append(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func append(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// A participant index or a count (non-negative, below 2³²).
    mutating func append(index value: Int) {
        precondition(value >= 0 && value <= Int(UInt32.max), "index out of the 32-bit range")
        append(UInt32(value))
    }

    /// A Double by its IEEE 754 bit pattern.
    mutating func append(_ value: Double) { append(value.bitPattern) }

    /// A byte string with its 32-bit length.
    mutating func append(bytes value: [UInt8]) {
        append(index: value.count)
        bytes.append(contentsOf: value)
    }

    /// Bytes without a length (fixed-size fields: digests, keys, signatures).
    mutating func append(fixed value: [UInt8]) { bytes.append(contentsOf: value) }

    /// A UTF-8 string with its 32-bit length.
    mutating func append(string value: String) { append(bytes: Array(value.utf8)) }
}
