/// A streaming JSON reader over a ``ByteReader``: walks a document token by token, materialising only
/// the bounded values asked for (one array element, one line), so a large document never sits in
/// memory as a whole.
///
/// It accepts strict JSON plus the `NaN`, `Infinity` and `-Infinity` tokens (see ``JSONValue/number(_:)``).
/// Errors carry the line where the problem was found; the caller decides whether to skip or stop.
struct JSONStreamReader {
    /// A syntax problem, with the 1-based line where it was found.
    struct SyntaxError: Error {
        /// What was expected and what was found (never the text itself).
        var message: String
        var line: Int
        /// Whether the input ended before the value did.
        var isEndOfInput: Bool
    }

    let input: ByteReader
    /// Deepest nesting accepted; deeper documents are rejected rather than recursing without bound.
    var maximumDepth = 64
    /// Largest string accepted, in bytes.
    var maximumStringLength = 1 << 20
    /// Largest record (one array element) accepted, in bytes, so that one absurd element cannot
    /// exhaust memory.
    var maximumRecordLength = 64 << 20
    private var recordStartOffset = 0

    // Record streaming state (see `openRecords(member:)`).
    private var arrayOpen = false
    private var recordIndex = 0
    /// The member holding the records, when the document is an object (`nil` for a top-level array).
    private(set) var recordsMember: String?

    init(_ input: ByteReader) { self.input = input }

    /// The current 1-based line.
    var line: Int { input.line(at: input.start) }

    // MARK: Bytes

    /// The next unread byte after whitespace, without consuming it; `nil` at the end of the input.
    mutating func peekNonWhitespace() throws -> UInt8? {
        while true {
            while input.start < input.end {
                let byte = input.base[input.start]
                if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
                    input.start += 1
                } else {
                    return byte
                }
            }
            guard try input.fill() else { return nil }
        }
    }

    private mutating func next() throws -> UInt8? {
        if input.start == input.end, try !input.fill() { return nil }
        let byte = input.base[input.start]
        input.start += 1
        return byte
    }

    fileprivate func error(_ message: String, endOfInput: Bool = false) -> SyntaxError {
        SyntaxError(message: message, line: line, isEndOfInput: endOfInput)
    }

    fileprivate func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "the end of the input" }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ","),
            UInt8(ascii: ":"), UInt8(ascii: "\""):
            return "'\(Character(Unicode.Scalar(byte)))'"
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"): return "a number"
        default: return "other text"
        }
    }

    /// Consumes `byte` after whitespace or throws naming what was found instead.
    mutating func expect(_ byte: UInt8, _ what: String) throws {
        let found = try peekNonWhitespace()
        guard found == byte else { throw error("expected \(what), found \(describe(found))", endOfInput: found == nil) }
        input.start += 1
    }

    // MARK: Values

    /// Reads one complete value.
    mutating func readValue(depth: Int = 0) throws -> JSONValue {
        guard depth <= maximumDepth else { throw error("expected at most \(maximumDepth) nested arrays or objects") }
        guard let byte = try peekNonWhitespace() else {
            throw error("expected a value, found the end of the input", endOfInput: true)
        }
        switch byte {
        case UInt8(ascii: "{"):
            input.start += 1
            var members: [(String, JSONValue)] = []
            if try peekNonWhitespace() == UInt8(ascii: "}") {
                input.start += 1
                return .object(members)
            }
            while true {
                guard try peekNonWhitespace() == UInt8(ascii: "\"") else {
                    let found = try peekNonWhitespace()
                    throw error("expected a member name in quotes, found \(describe(found))", endOfInput: found == nil)
                }
                let key = try readString()
                try expect(UInt8(ascii: ":"), "':' after a member name")
                members.append((key, try readValue(depth: depth + 1)))
                try checkRecordLength()
                let separator = try peekNonWhitespace()
                if separator == UInt8(ascii: ",") {
                    input.start += 1
                } else if separator == UInt8(ascii: "}") {
                    input.start += 1
                    return .object(members)
                } else {
                    throw error("expected ',' or '}' in an object, found \(describe(separator))", endOfInput: separator == nil)
                }
            }
        case UInt8(ascii: "["):
            input.start += 1
            var elements: [JSONValue] = []
            if try peekNonWhitespace() == UInt8(ascii: "]") {
                input.start += 1
                return .array(elements)
            }
            while true {
                elements.append(try readValue(depth: depth + 1))
                try checkRecordLength()
                let separator = try peekNonWhitespace()
                if separator == UInt8(ascii: ",") {
                    input.start += 1
                } else if separator == UInt8(ascii: "]") {
                    input.start += 1
                    return .array(elements)
                } else {
                    throw error("expected ',' or ']' in an array, found \(describe(separator))", endOfInput: separator == nil)
                }
            }
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "t"):
            try readWord("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try readWord("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try readWord("null")
            return .null
        case UInt8(ascii: "N"):
            try readWord("NaN")
            return .number(.nan)
        case UInt8(ascii: "I"):
            try readWord("Infinity")
            return .number(.infinity)
        default:
            return .number(try readNumber())
        }
    }

    /// Skips one complete value without building it.
    mutating func skipValue(depth: Int = 0) throws {
        guard depth <= maximumDepth else { throw error("expected at most \(maximumDepth) nested arrays or objects") }
        guard let byte = try peekNonWhitespace() else {
            throw error("expected a value, found the end of the input", endOfInput: true)
        }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            input.start += 1
            if try peekNonWhitespace() == close {
                input.start += 1
                return
            }
            while true {
                if close == UInt8(ascii: "}") {
                    guard try peekNonWhitespace() == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
                    _ = try readString()
                    try expect(UInt8(ascii: ":"), "':' after a member name")
                }
                try skipValue(depth: depth + 1)
                let separator = try peekNonWhitespace()
                if separator == UInt8(ascii: ",") {
                    input.start += 1
                } else if separator == close {
                    input.start += 1
                    return
                } else {
                    throw error(
                        "expected ',' or '\(Character(Unicode.Scalar(close)))', found \(describe(separator))",
                        endOfInput: separator == nil)
                }
            }
        default:
            _ = try readValue(depth: depth)
        }
    }

    private func checkRecordLength() throws {
        if input.discarded + input.start - recordStartOffset > maximumRecordLength {
            throw error("expected a record of at most \(maximumRecordLength) bytes, found a longer one")
        }
    }

    private mutating func readWord(_ word: StaticString) throws {
        let bytes = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for expected in bytes {
            let found = try next()
            guard found == expected else {
                throw error("expected the literal \(word), found other text", endOfInput: found == nil)
            }
        }
    }

    private mutating func readNumber() throws -> Double {
        // Collect the token (letters too, so that `12abc` is one bad token rather than two).
        var scratch: [UInt8] = []
        while scratch.count <= 64 {
            if input.start == input.end, try !input.fill() { break }
            let byte = input.base[input.start]
            let lower = byte | 0x20
            guard
                (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                    || (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z"))
            else { break }
            scratch.append(byte)
            input.start += 1
        }
        guard !scratch.isEmpty else {
            let found = try peekNonWhitespace()
            throw error("expected a value, found \(describe(found))", endOfInput: found == nil)
        }
        if scratch == Array("-Infinity".utf8) { return -.infinity }
        let hasWordLetters = scratch.contains { byte in
            let lower = byte | 0x20
            return lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z") && lower != UInt8(ascii: "e")
        }
        let startsLikeNumber =
            scratch[0] == UInt8(ascii: "-") || (scratch[0] >= UInt8(ascii: "0") && scratch[0] <= UInt8(ascii: "9"))
        guard !hasWordLetters, startsLikeNumber, let value = scratch.withUnsafeBytes({ NumberParser.parseDouble($0) }) else {
            throw error(
                startsLikeNumber ? "expected a number, found malformed number text" : "expected a value, found other text")
        }
        return value
    }

    /// Reads a string token (the opening quote is next), decoding escapes.
    mutating func readString() throws -> String {
        input.start += 1  // opening quote
        var bytes: [UInt8] = []
        while true {
            // Copy the run up to the next quote or backslash in one go.
            if input.start == input.end, try !input.fill() {
                throw error("expected the end of a string, found the end of the input", endOfInput: true)
            }
            var position = input.start
            while position < input.end {
                let byte = input.base[position]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                position += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(start: input.base + input.start, count: position - input.start))
            input.start = position
            guard bytes.count <= maximumStringLength else {
                throw error("expected a string of at most \(maximumStringLength) bytes")
            }
            guard position < input.end else { continue }
            let byte = input.base[position]
            input.start += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: bytes, as: UTF8.self) }
            if byte < 0x20 {
                input.start -= 1
                throw error("expected the end of a string, found a control character or line break inside it")
            }
            // Escape.
            guard let escaped = try next() else {
                throw error("expected an escape, found the end of the input", endOfInput: true)
            }
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(escaped)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by \u and a low surrogate.
                    guard try next() == UInt8(ascii: "\\"), try next() == UInt8(ascii: "u") else {
                        throw error("expected a low surrogate after a high surrogate escape")
                    }
                    let low = try readHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("expected a low surrogate escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                bytes.append(contentsOf: Array(String(character).utf8))
            default:
                throw error("expected a valid escape after a backslash, found other text")
            }
        }
    }

    private mutating func readHex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = try next() else {
                throw error("expected four hex digits, found the end of the input", endOfInput: true)
            }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("expected four hex digits after \\u")
            }
            value = value << 4 | digit
        }
        return value
    }
}

extension JSONStreamReader {
    /// Parses bytes holding exactly one JSON value (a JSON line).
    static func parseSingleValue(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var reader = JSONStreamReader(ByteReader(bytes: bytes))
        let value = try reader.readValue()
        if let extra = try reader.peekNonWhitespace() {
            throw reader.error("expected the end of the line after a JSON value, found \(reader.describe(extra))")
        }
        return value
    }

    /// Positions the reader before the first record of a document: a top-level array's elements, or
    /// the elements of the array under `member` in a top-level object (members before it are
    /// skipped without being built). Returns `false` when the document is an object without that member.
    mutating func openRecords(member: String?) throws -> Bool {
        guard let first = try peekNonWhitespace() else {
            throw error("expected a JSON array or object, found an empty file", endOfInput: true)
        }
        if first == UInt8(ascii: "[") {
            input.start += 1
            recordIndex = 0
            arrayOpen = true
            return true
        }
        guard first == UInt8(ascii: "{"), let member else {
            throw error(
                "expected a JSON array\(member.map { " or an object with a '\($0)' array" } ?? ""), found \(describe(first))")
        }
        input.start += 1
        if try peekNonWhitespace() == UInt8(ascii: "}") { return false }
        while true {
            let quote = try peekNonWhitespace()
            guard quote == UInt8(ascii: "\"") else {
                throw error("expected a member name in quotes, found \(describe(quote))", endOfInput: quote == nil)
            }
            let key = try readString()
            try expect(UInt8(ascii: ":"), "':' after a member name")
            if key == member, try peekNonWhitespace() == UInt8(ascii: "[") {
                input.start += 1
                recordsMember = member
                recordIndex = 0
                arrayOpen = true
                return true
            }
            try skipValue(depth: 1)
            let separator = try peekNonWhitespace()
            if separator == UInt8(ascii: ",") {
                input.start += 1
            } else if separator == UInt8(ascii: "}") {
                input.start += 1
                return false
            } else {
                throw error("expected ',' or '}' in an object, found \(describe(separator))", endOfInput: separator == nil)
            }
        }
    }

    /// The next record with its 0-based index and 1-based line, or `nil` after the last one. What
    /// follows the records' array is not read.
    mutating func nextRecord() throws -> (value: JSONValue, index: Int, line: Int)? {
        guard arrayOpen else { return nil }
        let next = try peekNonWhitespace()
        if next == UInt8(ascii: "]") {
            input.start += 1
            arrayOpen = false
            return nil
        }
        if recordIndex > 0 {
            guard next == UInt8(ascii: ",") else {
                throw error("expected ',' or ']' after an array element, found \(describe(next))", endOfInput: next == nil)
            }
            input.start += 1
            _ = try peekNonWhitespace()
        }
        let line = self.line
        recordStartOffset = input.discarded + input.start
        let value = try readValue(depth: 1)
        defer { recordIndex += 1 }
        return (value, recordIndex, line)
    }
}
