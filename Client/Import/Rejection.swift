/// A record, or one value of a record, that could not be imported, with where it is and why.
///
/// The detail never contains the rejected value or any personal data: the original stays in the
/// source file at ``location``, which is all a person needs to look at it.
public struct Rejection: Hashable, Sendable {
    /// Why a record was rejected; extensible without breaking callers that switch on known codes.
    ///
    /// The ``description`` is the stable snake_case code written to quarantine files and reports.
    public struct Reason: Hashable, Sendable, Comparable, CustomStringConvertible {
        private enum Value: Int, Hashable, Sendable, CaseIterable {
            case malformed, truncated, invalidHeader, missingField, wrongType, invalidTimestamp, missingTimeZone
            case timestampInFuture, timestampTooOld, invalidInterval, notFinite, outOfRange, unsupportedUnit
            case sensorPlaceholder
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The record is not well-formed in its format (bad XML or JSON syntax, wrong number of CSV fields).
        public static let malformed = Reason(.malformed)
        /// The record is cut off by the end of the file.
        public static let truncated = Reason(.truncated)
        /// A file's header (E4 start time and rate, CSV column names) is missing or invalid, so none of
        /// its rows can be interpreted; one rejection stands for the whole file.
        public static let invalidHeader = Reason(.invalidHeader)
        /// A required field (time, value, unit) is absent or empty.
        public static let missingField = Reason(.missingField)
        /// A field has the wrong type (text where a number belongs, an array of the wrong length).
        public static let wrongType = Reason(.wrongType)
        /// A time cannot be parsed, or names an impossible date or time.
        public static let invalidTimestamp = Reason(.invalidTimestamp)
        /// A time carries no offset or zone where the format requires one.
        public static let missingTimeZone = Reason(.missingTimeZone)
        /// The time lies after the import's clock plus its tolerance.
        public static let timestampInFuture = Reason(.timestampInFuture)
        /// The time lies before the earliest plausible date (2000-01-01 by default).
        public static let timestampTooOld = Reason(.timestampTooOld)
        /// The end of an interval lies before its start.
        public static let invalidInterval = Reason(.invalidInterval)
        /// The value is NaN or infinite.
        public static let notFinite = Reason(.notFinite)
        /// The value lies outside the quantity's plausible range (``Quantity/plausibleRange``).
        public static let outOfRange = Reason(.outOfRange)
        /// The record's unit is not one this importer can convert.
        public static let unsupportedUnit = Reason(.unsupportedUnit)
        /// The value is one a device writes when it has no valid reading (Fitbit's SpO2 floor of 50.0,
        /// a resting-heart-rate entry without a date).
        public static let sensorPlaceholder = Reason(.sensorPlaceholder)

        /// Every known reason, in a stable order.
        public static var allKnown: [Reason] { Value.allCases.map(Reason.init) }

        public var description: String {
            switch value {
            case .malformed: "malformed"
            case .truncated: "truncated"
            case .invalidHeader: "invalid_header"
            case .missingField: "missing_field"
            case .wrongType: "wrong_type"
            case .invalidTimestamp: "invalid_timestamp"
            case .missingTimeZone: "missing_time_zone"
            case .timestampInFuture: "timestamp_in_future"
            case .timestampTooOld: "timestamp_too_old"
            case .invalidInterval: "invalid_interval"
            case .notFinite: "not_finite"
            case .outOfRange: "out_of_range"
            case .unsupportedUnit: "unsupported_unit"
            case .sensorPlaceholder: "sensor_placeholder"
            }
        }

        public static func < (lhs: Reason, rhs: Reason) -> Bool { lhs.value.rawValue < rhs.value.rawValue }
    }

    /// Where the rejected record is.
    public var location: RecordLocation
    /// Why it was rejected.
    public var reason: Reason
    /// The quantity the value would have been, when known.
    public var quantity: Quantity?
    /// A short explanation naming what was expected and what was found, without the value itself.
    public var detail: String

    /// Creates a rejection. `detail` must not contain the rejected value or personal data.
    public init(location: RecordLocation, reason: Reason, quantity: Quantity? = nil, detail: String) {
        self.location = location
        self.reason = reason
        self.quantity = quantity
        self.detail = detail
    }
}
