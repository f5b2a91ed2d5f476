import Foundation

/// Reads live samples sent to `eqm node serve`: one record of the generic JSON format
/// (`{"timestamp": "…Z", "sensor_id": "…", "measurements": {"bvp": 0.1, "acc": [0, 0, 1]}}`) or
/// an array of such records per message. The keys and units are those of ``JSONLinesImporter``.
public enum LiveRecords {
    /// The largest message accepted (the WebSocket frame limit of `eqm node serve`).
    public static let maximumMessageBytes = 1 << 20

    /// The measurements of a message, or an error naming the first problem (a message is
    /// accepted or rejected whole, so a client knows exactly what was used).
    public static func parse(_ bytes: [UInt8]) throws(NodeError) -> [Measurement] {
        guard bytes.count <= maximumMessageBytes else {
            throw NodeError("a message may hold at most \(maximumMessageBytes) bytes, found \(bytes.count)")
        }
        let value: JSONValue
        do { value = try bytes.withUnsafeBytes { try JSONStreamReader.parseSingleValue($0) } } catch {
            let detail = (error as? JSONStreamReader.SyntaxError)?.message ?? "not JSON"
            throw NodeError("the message is not one JSON value: \(detail)")
        }
        var measurements: [Measurement] = []
        switch value {
        case .array(let records):
            for (index, record) in records.enumerated() {
                try append(record, at: "record \(index)", to: &measurements)
            }
        default:
            try append(value, at: "the record", to: &measurements)
        }
        return measurements
    }

    private static func append(_ record: JSONValue, at place: String, to output: inout [Measurement]) throws(NodeError) {
        guard case .object = record else { throw NodeError("\(place): expected an object, found \(record.typeDescription)") }
        guard case .string(let stamp)? = record["timestamp"] else {
            throw NodeError("\(place): expected an RFC 3339 string in timestamp")
        }
        let parsed = Array(stamp.utf8).withUnsafeBytes { TimestampParser.parseISO($0) }
        guard let time = parsed?.unixSeconds else {
            throw NodeError("\(place): timestamp '\(stamp.prefix(40))' is not RFC 3339 with Z or an offset")
        }
        guard case .string(let sensor)? = record["sensor_id"], !sensor.isEmpty else {
            throw NodeError("\(place): expected a non-empty string in sensor_id")
        }
        guard case .object(let members)? = record["measurements"] else {
            throw NodeError("\(place): expected an object in measurements")
        }
        for (key, field) in members {
            if field == .null { continue }
            if key == "acc" {
                guard case .array(let axes) = field, axes.count == 3 else {
                    throw NodeError("\(place): expected acc as an array of exactly 3 numbers")
                }
                for (axis, quantity) in zip(axes, [Quantity.accelerationX, .accelerationY, .accelerationZ]) {
                    guard case .number(let number) = axis, number.isFinite else {
                        throw NodeError("\(place): expected finite numbers in acc")
                    }
                    output.append(Measurement(quantity: quantity, start: time, value: number, source: sensor))
                }
                continue
            }
            guard let quantity = JSONLinesImporter.fields[key] else { continue }  // unknown keys are ignored
            guard case .number(let number) = field, number.isFinite else {
                throw NodeError("\(place): expected a finite number in measurements.\(key)")
            }
            output.append(Measurement(quantity: quantity, start: time, value: number, source: sensor))
        }
    }
}
