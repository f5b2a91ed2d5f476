/// What an import did: how many measurements were accepted, rejected (by reason), dropped as exact
/// duplicates or deliberately skipped, per-quantity counts, where the quarantine is, and notes about
/// files that were cut off or could not be read completely.
///
/// Counting rules: ``accepted`` and ``series`` count measurements (one Empatica ACC row gives three,
/// one JSON line several); ``rejected`` counts quarantine entries, each a whole record (when the record
/// itself is broken) or one value of a record (when only that value is bad); ``duplicates`` counts
/// exact repeats of an accepted measurement (same quantity, start, end and value), dropped without
/// quarantine because the first copy is kept; ``skipped`` counts records or files that are not data
/// for this project (unsupported record types, sleep stages, Correlation copies), by reason.
public struct ImportReport: Hashable, Sendable {
    /// Why records or files were deliberately not imported (they are not errors and are not quarantined).
    public struct SkipReason: Hashable, Sendable, Comparable, CustomStringConvertible {
        private enum Value: Int, Hashable, Sendable {
            case unsupportedType, correlationDuplicate, unsupportedFile, missingSample, unknownField
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A record type this project does not use (Apple sleep stages, active energy, distance…).
        public static let unsupportedType = SkipReason(.unsupportedType)
        /// An Apple Health `Record` inside a `Correlation`: the export repeats it at the top level.
        public static let correlationDuplicate = SkipReason(.correlationDuplicate)
        /// A file in the input folder that this importer does not read.
        public static let unsupportedFile = SkipReason(.unsupportedFile)
        /// A sample slot the device left empty (`null` in an Oura series).
        public static let missingSample = SkipReason(.missingSample)
        /// A measurement field this importer does not know (generic JSON lines).
        public static let unknownField = SkipReason(.unknownField)

        public var description: String {
            switch value {
            case .unsupportedType: "unsupported_type"
            case .correlationDuplicate: "correlation_duplicate"
            case .unsupportedFile: "unsupported_file"
            case .missingSample: "missing_sample"
            case .unknownField: "unknown_field"
            }
        }

        public static func < (lhs: SkipReason, rhs: SkipReason) -> Bool { lhs.value.rawValue < rhs.value.rawValue }
    }

    /// A remark about a whole file: cut off, not read to the end, or read under an assumption.
    public struct Note: Hashable, Sendable, CustomStringConvertible {
        /// The kind of remark.
        public struct Kind: Hashable, Sendable, CustomStringConvertible {
            private enum Value: Hashable, Sendable { case truncated, incomplete, unreadable, assumption }
            private let value: Value
            private init(_ value: Value) { self.value = value }

            /// The file ends in the middle of a record or element: everything before it was imported.
            public static let truncated = Kind(.truncated)
            /// Reading stopped before the end of the file (a syntax error the format cannot recover from).
            public static let incomplete = Kind(.incomplete)
            /// A file inside the input could not be read at all; the others were.
            public static let unreadable = Kind(.unreadable)
            /// Times were interpreted under an assumption the user should know (a time zone).
            public static let assumption = Kind(.assumption)

            public var description: String {
                switch value {
                case .truncated: "truncated"
                case .incomplete: "incomplete"
                case .unreadable: "unreadable"
                case .assumption: "assumption"
                }
            }
        }

        /// The kind of remark.
        public var kind: Kind
        /// The file concerned.
        public var file: String
        /// The line where the problem starts, when known.
        public var line: Int?
        /// What happened and what was kept.
        public var message: String

        /// Creates a note.
        public init(kind: Kind, file: String, line: Int? = nil, message: String) {
            self.kind = kind
            self.file = file
            self.line = line
            self.message = message
        }

        public var description: String {
            "\(kind): \(file)\(line.map { ":\($0)" } ?? ""): \(message)"
        }
    }

    /// Measurements accepted and handed to the sink.
    public var accepted = 0
    /// Quarantine entries (rejected records or values).
    public var rejected = 0
    /// Quarantine entries by reason.
    public var rejectedByReason: [Rejection.Reason: Int] = [:]
    /// Exact duplicates dropped (the first copy was accepted).
    public var duplicates = 0
    /// Accepted (clean, de-duplicated) measurements per quantity.
    public var series: [Quantity: Int] = [:]
    /// Records or files deliberately not imported, by reason.
    public var skipped: [SkipReason: Int] = [:]
    /// Source records examined (XML records, JSON elements, CSV rows, lines).
    public var recordsRead = 0
    /// Files opened.
    public var filesRead = 0
    /// Bytes read from the input.
    public var bytesRead = 0
    /// Remarks about files cut off, not read to the end or read under an assumption.
    public var notes: [Note] = []
    /// The quarantine file, when the import had one.
    public var quarantinePath: String?

    /// Creates an empty report.
    public init() {}

    /// Whether a file ended in the middle of a record.
    public var isTruncated: Bool { notes.contains { $0.kind == .truncated } }
    /// Whether reading stopped early or a file could not be read.
    public var isIncomplete: Bool { notes.contains { $0.kind == .incomplete || $0.kind == .unreadable } }
}
