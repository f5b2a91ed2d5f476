/// A parsed JSON value, for one bounded record (a JSON line, one element of a top-level array).
///
/// Objects keep their members in order as pairs: records are small, so a linear lookup is cheaper
/// than hashing, and duplicate keys stay visible (the first wins).
enum JSONValue: Equatable {
    case null
    case bool(Bool)
    /// A number; `NaN` and `±Infinity` tokens (written by Python's `json` module) are accepted here and
    /// rejected by validation as non-finite values.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// The member named `key` of an object (the first, when repeated); `nil` for other values.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for (name, value) in members where name == key { return value }
        return nil
    }

    /// The JSON type name, for messages (`"a string"`, `"an object"`).
    var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
