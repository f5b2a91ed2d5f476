import Foundation

/// Converts wall-clock times without an offset to Unix seconds in a given time zone, calling
/// Foundation only when the time leaves the current span of constant offset (a DST change), not
/// per record.
struct LocalTimeConverter {
    let zone: TimeZone
    private var offset: Double = 0
    private var validFrom = Double.infinity
    private var validUntil = -Double.infinity

    init(zone: TimeZone) { self.zone = zone }

    /// Unix seconds of a wall-clock time (`localSeconds` counted as if it were UTC). Wall-clock times
    /// that a DST change skips or repeats resolve to one nearby instant (what Foundation's offsets
    /// give); no record is dropped for it.
    mutating func unixSeconds(fromLocal localSeconds: Double) -> Double {
        let candidate = localSeconds - offset
        if candidate >= validFrom, candidate < validUntil { return candidate }
        // Two steps: the offset at the naive instant, then at the corrected one.
        let first = Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: localSeconds)))
        let second = Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: localSeconds - first)))
        let unix = localSeconds - second
        offset = second
        // Cache the span of this offset from the instant onward; going back in time recomputes.
        validFrom = unix
        let next = zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: unix))
        validUntil = next?.timeIntervalSince1970 ?? .infinity
        return unix
    }
}
