/// Reading required fields out of records, rejecting the record (with a detail naming the field,
/// what was expected and what was found, never the value) when one is missing or unusable.
extension ImportSession {
    /// Timestamp layouts, with the description used in rejection details.
    enum TimeLayout {
        case iso
        case fitbit

        var description: String {
            switch self {
            case .iso: "ISO 8601 (2024-06-01T08:00:00Z)"
            case .fitbit: "MM/DD/YY HH:MM:SS"
            }
        }
    }

    /// A number from a JSON value; rejects `nil`/`null` as missing and other types as wrong.
    mutating func requireNumber(
        _ value: JSONValue?, field: String, quantity: Quantity?,
        at location: RecordLocation
    ) throws -> Double? {
        switch value {
        case .number(let number)?:
            return number
        case nil, .null?:
            try reject(.missingField, at: location, quantity: quantity, detail: "expected a number in \(field), found none")
        case let other?:
            try reject(
                .wrongType, at: location, quantity: quantity,
                detail: "expected a number in \(field), found \(other.typeDescription)")
        }
        return nil
    }

    /// A number from a CSV field; rejects an empty field as missing and text as the wrong type.
    mutating func requireNumber(_ text: String, field: String, quantity: Quantity?, at location: RecordLocation) throws -> Double?
    {
        guard !text.isEmpty else {
            try reject(
                .missingField, at: location, quantity: quantity, detail: "expected a number in \(field), found an empty field")
            return nil
        }
        guard let number = NumberParser.parseDouble(text) else {
            try reject(.wrongType, at: location, quantity: quantity, detail: "expected a number in \(field), found text")
            return nil
        }
        return number
    }

    /// A string from a JSON value; rejects `nil`/`null` as missing and other types as wrong.
    mutating func requireString(
        _ value: JSONValue?, field: String, quantity: Quantity?,
        at location: RecordLocation
    ) throws -> String? {
        switch value {
        case .string(let text)?:
            return text
        case nil, .null?:
            try reject(.missingField, at: location, quantity: quantity, detail: "expected a string in \(field), found none")
        case let other?:
            try reject(
                .wrongType, at: location, quantity: quantity,
                detail: "expected a string in \(field), found \(other.typeDescription)")
        }
        return nil
    }

    /// Unix seconds from timestamp text; rejects missing, unparseable and (where no zone applies) zone-less times.
    mutating func requireTime(
        _ text: String?, field: String, layout: TimeLayout, times: inout TimeReader,
        quantity: Quantity?, at location: RecordLocation
    ) throws -> Double? {
        guard let text, !text.isEmpty else {
            try reject(.missingField, at: location, quantity: quantity, detail: "expected a time in \(field), found none")
            return nil
        }
        let result =
            switch layout {
            case .iso: times.iso(text)
            case .fitbit: times.fitbit(text)
            }
        switch result {
        case .time(let seconds):
            return seconds
        case .invalid:
            try reject(
                .invalidTimestamp, at: location, quantity: quantity,
                detail: "expected \(field) as \(layout.description), found another layout or an impossible date")
        case .missingZone:
            try reject(
                .missingTimeZone, at: location, quantity: quantity,
                detail: "expected \(field) with a UTC offset or Z, found a time without one")
        }
        return nil
    }

    /// Rejects a record that is not a JSON object.
    mutating func requireObject(_ value: JSONValue, at location: RecordLocation) throws -> Bool {
        if case .object = value { return true }
        try reject(.wrongType, at: location, detail: "expected a JSON object, found \(value.typeDescription)")
        return false
    }
}

extension RecordLocation {
    /// The same location with a path below it (`data[3]` → `data[3].heart_rate.items[5]`).
    func appending(_ component: String) -> RecordLocation {
        var copy = self
        copy.path = (path ?? "") + (component.hasPrefix("[") || (path ?? "").isEmpty ? "" : ".") + component
        return copy
    }

    /// The same location with a CSV column named.
    func column(_ name: String) -> RecordLocation {
        var copy = self
        copy.path = name
        return copy
    }
}
