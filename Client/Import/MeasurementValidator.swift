public import Foundation

/// Checks one measurement against clock sanity and physiological plausibility.
///
/// In order: the value is finite; the start (and end) lie between ``earliest`` and ``now`` plus
/// ``futureTolerance``; an end does not precede its start; the value lies in the quantity's
/// plausible range (``Quantity/plausibleRange`` unless overridden). Unit normalisation happens in
/// the importers, which know the units their format writes; duplicates are removed by the
/// ``ImportSession`` after validation. The clock is injected so tests and re-imports are reproducible.
public struct MeasurementValidator: Sendable {
    /// Why a measurement failed, with a detail that names the rule (never the value).
    public struct Problem: Hashable, Sendable {
        /// The rejection reason.
        public var reason: Rejection.Reason
        /// What was expected.
        public var detail: String
    }

    /// The import's clock, Unix seconds UTC.
    public var now: Double
    /// How far beyond ``now`` a time may lie (device clocks drift), seconds.
    public var futureTolerance: Double
    /// The earliest plausible time, Unix seconds UTC (2000-01-01T00:00:00Z by default).
    public var earliest: Double
    private var ranges: [ClosedRange<Double>]

    /// 2000-01-01T00:00:00Z in Unix seconds: no consumer wearable data predates it.
    public static let defaultEarliest: Double = 946_684_800

    /// Creates a validator.
    /// - Parameters:
    ///   - now: the import's clock.
    ///   - futureTolerance: seconds a time may lie beyond `now` (default 10 minutes).
    ///   - earliest: the earliest plausible time (default 2000-01-01).
    ///   - rangeOverrides: plausible ranges that replace the defaults for some quantities.
    public init(
        now: Date = Date(), futureTolerance: TimeInterval = 600,
        earliest: Date = Date(timeIntervalSince1970: MeasurementValidator.defaultEarliest),
        rangeOverrides: [Quantity: ClosedRange<Double>] = [:]
    ) {
        self.now = now.timeIntervalSince1970
        self.futureTolerance = futureTolerance
        self.earliest = earliest.timeIntervalSince1970
        self.ranges = Quantity.allCases.map { rangeOverrides[$0] ?? $0.plausibleRange }
    }

    /// The plausible range this validator applies to a quantity.
    public func plausibleRange(for quantity: Quantity) -> ClosedRange<Double> { ranges[quantity.index] }

    /// Returns the first rule the measurement breaks, or `nil` when it is acceptable.
    @inline(__always)
    public func problem(with measurement: Measurement) -> Problem? {
        let value = measurement.value
        let range = ranges[measurement.quantity.index]
        let latest = now + futureTolerance
        // One branch for the common case; the slow path finds out which rule failed.
        if value.isFinite, range.contains(value), measurement.start >= earliest, measurement.start <= latest,
            measurement.end.map({ $0 >= measurement.start && $0 <= latest }) ?? true
        {
            return nil
        }
        return diagnose(measurement, range: range, latest: latest)
    }

    private func diagnose(_ measurement: Measurement, range: ClosedRange<Double>, latest: Double) -> Problem? {
        let quantity = measurement.quantity
        if !measurement.value.isFinite {
            return Problem(reason: .notFinite, detail: "expected a finite \(quantity.displayName), found NaN or infinity")
        }
        if !measurement.start.isFinite || measurement.start < earliest {
            return Problem(reason: .timestampTooOld, detail: "expected a time on or after \(Self.isoDay(earliest))")
        }
        if measurement.start > latest || (measurement.end.map { $0 > latest } ?? false) {
            return Problem(
                reason: .timestampInFuture,
                detail: "expected a time no later than the import clock plus \(Int(futureTolerance)) s")
        }
        if let end = measurement.end, !(end >= measurement.start) {
            return Problem(reason: .invalidInterval, detail: "expected an end time at or after the start time")
        }
        if !range.contains(measurement.value) {
            return Problem(
                reason: .outOfRange,
                detail:
                    "expected \(quantity.displayName) within \(Self.format(range.lowerBound))…\(Self.format(range.upperBound)) \(quantity.unit)"
            )
        }
        return nil
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private static func isoDay(_ seconds: Double) -> String {
        let civil = CivilTime(unixSeconds: seconds)
        return civil.isoDay
    }
}
