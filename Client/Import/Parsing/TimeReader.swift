import Foundation

/// Turns timestamp text into Unix seconds, applying a time zone to times without an offset when the
/// format allows that (and refusing them otherwise).
struct TimeReader {
    enum Result: Equatable {
        case time(Double)
        /// The text is not a timestamp in the expected layout, or names an impossible date.
        case invalid
        /// The text has no offset and no zone is configured.
        case missingZone
    }

    private var converter: LocalTimeConverter?

    /// `zone` applies to zone-less times; `nil` makes them ``Result/missingZone``.
    init(zone: TimeZone?) {
        converter = zone.map(LocalTimeConverter.init)
    }

    /// Reads ISO 8601 / RFC 3339 (and Samsung's `yyyy-MM-dd HH:mm:ss.SSS`).
    mutating func iso(_ text: String) -> Result {
        resolve(TimestampParser.parseISO(text))
    }

    /// Reads Fitbit's `MM/DD/YY HH:MM:SS`.
    mutating func fitbit(_ text: String) -> Result {
        resolve(TimestampParser.parseFitbit(text))
    }

    private mutating func resolve(_ parsed: ParsedTimestamp?) -> Result {
        guard let parsed else { return .invalid }
        if let unix = parsed.unixSeconds { return .time(unix) }
        guard var converter else { return .missingZone }
        let unix = converter.unixSeconds(fromLocal: parsed.localSeconds)
        self.converter = converter
        return .time(unix)
    }
}
