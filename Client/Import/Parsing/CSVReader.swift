#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads comma-separated records (RFC 4180: quoted fields with `""` escapes, line breaks inside
/// quotes) from a ``ByteReader``, one record at a time.
struct CSVReader {
    /// One CSV record.
    enum Record {
        /// The fields of a record, the 1-based line where it starts, and whether its last line ended
        /// with a newline (a record without one may be cut off).
        case fields([String], line: Int, terminated: Bool)
        /// A record that cannot be read: too long, or a quote that never closes before the file ends.
        case malformed(line: Int, detail: String, atEndOfFile: Bool)
    }

    let input: ByteReader
    var separator = UInt8(ascii: ",")
    /// The largest record accepted, in bytes (quoted fields may span lines).
    var maximumRecordLength = 1 << 20

    init(_ input: ByteReader) { self.input = input }

    /// The next record, or `nil` at the end of the file. Empty lines are skipped.
    mutating func next() throws -> Record? {
        while true {
            guard let first = try input.nextLine() else { return nil }
            switch first {
            case .tooLong(let number):
                return .malformed(
                    line: number, detail: "expected a line of at most \(input.maximumCapacity) bytes", atEndOfFile: false)
            case .line(let bytes, let number, let terminated):
                if bytes.isEmpty || bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                // Fast path: no quotes at all.
                if memchr(bytes.baseAddress!, Int32(UInt8(ascii: "\"")), bytes.count) == nil {
                    return .fields(splitUnquoted(bytes), line: number, terminated: terminated)
                }
                var record = Array(bytes)
                var lastTerminated = terminated
                while !Self.quotesBalanced(record) {
                    guard record.count <= maximumRecordLength else {
                        return .malformed(
                            line: number, detail: "expected a closing quote within \(maximumRecordLength) bytes",
                            atEndOfFile: false)
                    }
                    guard let more = try input.nextLine() else {
                        return .malformed(
                            line: number, detail: "expected a closing quote, found the end of the file",
                            atEndOfFile: true)
                    }
                    switch more {
                    case .tooLong:
                        return .malformed(
                            line: number, detail: "expected a closing quote within \(maximumRecordLength) bytes",
                            atEndOfFile: false)
                    case .line(let continuation, _, let terminated):
                        record.append(0x0A)
                        record.append(contentsOf: continuation)
                        lastTerminated = terminated
                    }
                }
                return .fields(splitQuoted(record), line: number, terminated: lastTerminated)
            }
        }
    }

    private func splitUnquoted(_ bytes: UnsafeRawBufferPointer) -> [String] {
        var fields: [String] = []
        var fieldStart = 0
        for index in 0..<bytes.count where bytes[index] == separator {
            fields.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[fieldStart..<index]), as: UTF8.self))
            fieldStart = index + 1
        }
        fields.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[fieldStart...]), as: UTF8.self))
        return fields
    }

    private static func quotesBalanced(_ bytes: [UInt8]) -> Bool {
        var count = 0
        for byte in bytes where byte == UInt8(ascii: "\"") { count += 1 }
        return count % 2 == 0
    }

    private func splitQuoted(_ bytes: [UInt8]) -> [String] {
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") {
                inQuotes = true
            } else if byte == separator {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            } else {
                field.append(byte)
            }
            index += 1
        }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }
}

/// A CSV header: column positions by name.
struct CSVHeader {
    let names: [String]

    init(_ fields: [String]) {
        names = fields.map { $0.trimmingASCIISpaces() }
    }

    /// The first column whose name equals `name`, ignoring case.
    func column(_ name: String) -> Int? {
        names.firstIndex { $0.caseInsensitiveASCIIEquals(name) }
    }

    /// The first column whose name is `suffix` or ends with `.` + `suffix` (Samsung's prefixed names).
    func column(suffix: String) -> Int? {
        names.firstIndex { name in
            name.caseInsensitiveASCIIEquals(suffix) || name.lowercased().hasSuffix("." + suffix.lowercased())
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and carriage returns (and a byte order mark).
    func trimmingASCIISpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.unicodeScalars.first, first == " " || first == "\t" || first == "\r" || first == "\u{FEFF}" {
            scalars = Substring(scalars.unicodeScalars.dropFirst())
        }
        while let last = scalars.unicodeScalars.last, last == " " || last == "\t" || last == "\r" {
            scalars = Substring(scalars.unicodeScalars.dropLast())
        }
        return String(scalars)
    }

    func caseInsensitiveASCIIEquals(_ other: String) -> Bool {
        func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        return utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { lower($0) == lower($1) }
    }
}
