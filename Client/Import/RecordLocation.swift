/// Where a record sits in its source file: enough to find it again, nothing of its contents.
public struct RecordLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The source file's path as the importer opened it.
    public var file: String
    /// The 1-based line of the record (its first line, for a record spanning several), when known.
    public var line: Int?
    /// The 0-based position of the record among the file's records (JSON array element, XML `Record`
    /// element, CSV data row), when the format has one.
    public var index: Int?
    /// A path to the value inside the record: an XPath-like element path for XML
    /// (`/HealthData/Record[12]/HeartRateVariabilityMetadataList/InstantaneousBeatsPerMinute[3]`, 1-based
    /// as in XPath), a JSON path (`data[2].heart_rate.items[17]`) or a CSV column name.
    public var path: String?

    /// Creates a location.
    public init(file: String, line: Int? = nil, index: Int? = nil, path: String? = nil) {
        self.file = file
        self.line = line
        self.index = index
        self.path = path
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let path { text += " \(path)" } else if let index { text += " #\(index)" }
        return text
    }
}
