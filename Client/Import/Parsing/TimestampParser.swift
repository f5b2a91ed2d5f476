/// Hand-written parsers for the fixed timestamp layouts of the supported formats: no Foundation
/// date formatting per record.
///
/// Every parser returns a ``ParsedTimestamp``: the wall-clock time as seconds since 1970 *as if it
/// were UTC* plus the UTC offset when the text carries one. The caller decides what a missing offset
/// means (UTC for Samsung, a configured zone for Fitbit, a rejection for JSON lines).
struct ParsedTimestamp: Equatable {
    /// Wall-clock seconds since 1970-01-01T00:00:00 of the same wall clock.
    var localSeconds: Double
    /// Seconds east of UTC, when the text names an offset or `Z`.
    var offsetSeconds: Int?

    /// Unix seconds, when the offset is known.
    var unixSeconds: Double? { offsetSeconds.map { localSeconds - Double($0) } }
}

enum TimestampParser {
    /// Parses `YYYY-MM-DD HH:MM:SS ±HHMM` (Apple Health), and the ISO-8601 / RFC 3339 family:
    /// `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by nothing, `Z`, `±HH`, `±HHMM` or `±HH:MM`, with `T`
    /// or a space between date and time and optionally a space before the offset (Samsung's
    /// `yyyy-MM-dd HH:mm:ss.SSS`, Fitbit's ISO with and without `Z`, Oura's offsets).
    static func parseISO(_ text: UnsafeRawBufferPointer) -> ParsedTimestamp? {
        var cursor = Cursor(text)
        cursor.skipSpaces()
        guard let year = cursor.digits(4), cursor.take(UInt8(ascii: "-")),
            let month = cursor.digits(2), cursor.take(UInt8(ascii: "-")),
            let day = cursor.digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year: year, month: month) else {
            return nil
        }
        var seconds = 0.0
        if cursor.take(UInt8(ascii: "T")) || cursor.take(UInt8(ascii: "t")) || cursor.take(UInt8(ascii: " ")) {
            guard let time = cursor.timeOfDay(requireSeconds: false) else { return nil }
            seconds = time
        } else if !cursor.isAtEnd {
            return nil
        }
        let local = Double(CivilTime.daysFromCivil(year: year, month: month, day: day)) * 86_400 + seconds
        cursor.skipSpaces()
        if cursor.isAtEnd { return ParsedTimestamp(localSeconds: local, offsetSeconds: nil) }
        guard let offset = cursor.offset() else { return nil }
        cursor.skipSpaces()
        guard cursor.isAtEnd else { return nil }
        return ParsedTimestamp(localSeconds: local, offsetSeconds: offset)
    }

    /// Parses Fitbit's `MM/DD/YY HH:MM:SS` (two-digit years are 2000–2099); never carries an offset.
    static func parseFitbit(_ text: UnsafeRawBufferPointer) -> ParsedTimestamp? {
        var cursor = Cursor(text)
        cursor.skipSpaces()
        guard let month = cursor.digits(2), cursor.take(UInt8(ascii: "/")),
            let day = cursor.digits(2), cursor.take(UInt8(ascii: "/"))
        else { return nil }
        let year: Int
        if let four = cursor.peekDigits(4) {
            year = four
            _ = cursor.digits(4)
        } else if let two = cursor.digits(2) {
            year = 2000 + two
        } else {
            return nil
        }
        guard (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year: year, month: month) else {
            return nil
        }
        var seconds = 0.0
        if cursor.take(UInt8(ascii: " ")) {
            guard let time = cursor.timeOfDay(requireSeconds: false) else { return nil }
            seconds = time
        }
        cursor.skipSpaces()
        guard cursor.isAtEnd else { return nil }
        return ParsedTimestamp(
            localSeconds: Double(CivilTime.daysFromCivil(year: year, month: month, day: day)) * 86_400 + seconds,
            offsetSeconds: nil)
    }

    /// Parses a clock time without a date, as Apple writes the beats of an HRV record: `4:17:18.57 pm`
    /// (12-hour with an am/pm marker in any case, with or without dots) or `16:17:18.57` (24-hour),
    /// with a decimal point or comma. Returns seconds since midnight.
    static func parseClockTime(_ text: UnsafeRawBufferPointer) -> Double? {
        var cursor = Cursor(text)
        cursor.skipSpaces()
        guard let hour = cursor.number(maxDigits: 2), cursor.take(UInt8(ascii: ":")),
            let minute = cursor.digits(2), minute < 60
        else { return nil }
        var seconds = Double(minute * 60)
        if cursor.take(UInt8(ascii: ":")) {
            guard let second = cursor.secondsWithFraction(allowComma: true) else { return nil }
            seconds += second
        }
        cursor.skipSpaces()
        if cursor.isAtEnd {
            guard hour < 24 else { return nil }
            return Double(hour) * 3600 + seconds
        }
        // An am/pm marker: the first letter decides ("am", "a.m.", "AM", "pm", "p.m.").
        guard let marker = cursor.peek() else { return nil }
        let isPM: Bool
        switch marker | 0x20 {
        case UInt8(ascii: "a"): isPM = false
        case UInt8(ascii: "p"): isPM = true
        default: return nil
        }
        guard (1...12).contains(hour) else { return nil }
        let hour24 = (hour % 12) + (isPM ? 12 : 0)
        return Double(hour24) * 3600 + seconds
    }
}

/// A forward-only reader over ASCII bytes.
private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { position >= bytes.count }

    @inline(__always)
    func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    @inline(__always)
    mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func skipSpaces() {
        while position < bytes.count, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t") {
            position += 1
        }
    }

    /// Exactly `count` decimal digits.
    @inline(__always)
    mutating func digits(_ count: Int) -> Int? {
        guard let value = peekDigits(count) else { return nil }
        position += count
        return value
    }

    @inline(__always)
    func peekDigits(_ count: Int) -> Int? {
        guard position + count <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<count {
            let digit = bytes[position + offset] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// One to `maxDigits` decimal digits.
    mutating func number(maxDigits: Int) -> Int? {
        var value = 0, count = 0
        while count < maxDigits, position < bytes.count {
            let digit = bytes[position] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value * 10 + Int(digit)
            position += 1
            count += 1
        }
        return count > 0 ? value : nil
    }

    /// `SS` with an optional fraction after `.` (or `,` when allowed); 60 is accepted for leap seconds.
    mutating func secondsWithFraction(allowComma: Bool) -> Double? {
        guard let whole = digits(2), whole <= 60 else { return nil }
        var seconds = Double(whole)
        if take(UInt8(ascii: ".")) || (allowComma && take(UInt8(ascii: ","))) {
            var scale = 0.1, count = 0
            while position < bytes.count {
                let digit = bytes[position] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                if count < 9 { seconds += Double(digit) * scale; scale *= 0.1 }
                position += 1
                count += 1
            }
            guard count > 0 else { return nil }
        }
        return seconds
    }

    /// `HH:MM[:SS[.fff]]` (seconds optional unless required); returns seconds since midnight.
    mutating func timeOfDay(requireSeconds: Bool) -> Double? {
        guard let hour = digits(2), hour < 24, take(UInt8(ascii: ":")), let minute = digits(2), minute < 60 else {
            return nil
        }
        var seconds = Double(hour * 3600 + minute * 60)
        if take(UInt8(ascii: ":")) {
            guard let second = secondsWithFraction(allowComma: false) else { return nil }
            seconds += second
        } else if requireSeconds {
            return nil
        }
        return seconds
    }

    /// `Z`, `±HH`, `±HHMM` or `±HH:MM`; returns seconds east of UTC.
    mutating func offset() -> Int? {
        if take(UInt8(ascii: "Z")) || take(UInt8(ascii: "z")) { return 0 }
        let sign: Int
        if take(UInt8(ascii: "+")) {
            sign = 1
        } else if take(UInt8(ascii: "-")) {
            sign = -1
        } else {
            return nil
        }
        guard let hours = digits(2), hours <= 18 else { return nil }
        var minutes = 0
        if take(UInt8(ascii: ":")) {
            guard let value = digits(2) else { return nil }
            minutes = value
        } else if let value = peekDigits(2) {
            minutes = value
            position += 2
        }
        guard minutes < 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }
}

extension TimestampParser {
    /// Convenience for strings (tests, JSON values).
    static func parseISO(_ text: String) -> ParsedTimestamp? {
        var copy = text
        return copy.withUTF8 { parseISO(UnsafeRawBufferPointer($0)) }
    }

    /// Convenience for strings.
    static func parseFitbit(_ text: String) -> ParsedTimestamp? {
        var copy = text
        return copy.withUTF8 { parseFitbit(UnsafeRawBufferPointer($0)) }
    }

    /// Convenience for strings.
    static func parseClockTime(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { parseClockTime(UnsafeRawBufferPointer($0)) }
    }
}
