extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal, two characters a byte (digests, public keys, signatures).
    public var hexString: String {
        var text = ""
        for byte in self {
            if byte < 16 { text += "0" }
            text += String(byte, radix: 16)
        }
        return text
    }
}
