import EQMCore
import Foundation

/// Reads self-reported labels from CSV: `start,end,label` per line (a header line with those names
/// is optional), times as ISO-8601 with an offset (`2024-05-01T08:30:00+02:00`, `…Z`) or Unix
/// seconds, labels by name (case-insensitive). Bad lines are reported with their line number and
/// reason; good lines are kept.
public enum LabelCSVParser {
    /// The outcome of parsing a label file.
    public struct Result: Sendable {
        /// The valid intervals.
        public var intervals: [LabelInterval]
        /// Line number and reason of every rejected line.
        public var rejected: [(line: Int, reason: String)]
    }

    /// Parses CSV text.
    public static func parse(_ text: String, source: String = "csv") -> Result {
        var intervals = [LabelInterval]()
        var rejected = [(line: Int, reason: String)]()
        let iso = ISO8601DateFormatter()
        let isoFractional = ISO8601DateFormatter()
        isoFractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func time(_ field: Substring) -> Double? {
            let text = field.trimmingCharacters(in: .whitespaces)
            if let seconds = Double(text), seconds.isFinite { return seconds }
            return (iso.date(from: text) ?? isoFractional.date(from: text))?.timeIntervalSince1970
        }
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if lineNumber == 1, fields.first?.trimmingCharacters(in: .whitespaces).lowercased() == "start" { continue }
            guard fields.count == 3 else {
                rejected.append((lineNumber, "expected 3 fields (start,end,label), found \(fields.count)"))
                continue
            }
            guard let start = time(fields[0]) else {
                rejected.append((lineNumber, "start is neither ISO-8601 with an offset nor Unix seconds"))
                continue
            }
            guard let end = time(fields[1]) else {
                rejected.append((lineNumber, "end is neither ISO-8601 with an offset nor Unix seconds"))
                continue
            }
            do {
                let label = try EmotionLabel.parse(String(fields[2]))
                intervals.append(try LabelInterval(start: start, end: end, label: label, source: source))
            } catch let error as EQMCoreError {
                rejected.append((lineNumber, error.message))
            } catch {
                rejected.append((lineNumber, "\(error)"))
            }
        }
        return Result(intervals: intervals, rejected: rejected)
    }
}
