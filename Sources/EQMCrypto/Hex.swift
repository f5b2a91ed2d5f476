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

extension Array where Element == UInt8 {
    /// Decodes hexadecimal text (two characters a byte, either case); nil when the text has an odd
    /// length or a character that is not hexadecimal.
    public init?(hex: String) {
        let characters = Array<UInt8>(hex.utf8)
        guard characters.count % 2 == 0 else { return nil }
        func value(_ character: UInt8) -> UInt8? {
            switch character {
            case 0x30...0x39: character - 0x30
            case 0x61...0x66: character - 0x61 + 10
            case 0x41...0x46: character - 0x41 + 10
            default: nil
            }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(characters.count / 2)
        for index in stride(from: 0, to: characters.count, by: 2) {
            guard let high = value(characters[index]), let low = value(characters[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self = bytes
    }
}
