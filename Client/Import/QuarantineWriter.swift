public import Foundation

/// Appends rejected records to a quarantine file, one JSON object per line:
///
/// ```json
/// {"file":"export.xml","line":812,"index":40,"path":"/HealthData/Record[41]","quantity":"heart_rate","reason":"out_of_range","detail":"expected heart rate within 25…250 bpm"}
/// ```
///
/// `line`, `index`, `path` and `quantity` are present when known. No entry contains the rejected
/// value or personal data: the location is enough to find the original in the source file.
/// Writes are buffered; ``close()`` (or deinitialisation) flushes them.
public final class QuarantineWriter {
    /// The quarantine file.
    public let url: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var closed = false
    /// Entries written so far.
    public private(set) var count = 0

    /// Creates (or truncates) the quarantine file, creating its folder when needed.
    /// - Throws: ``ImportError/Code/quarantineFailure`` when the file cannot be created.
    public init(url: URL) throws {
        self.url = url
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw ImportError.quarantineFailure("cannot create the quarantine folder \(url.deletingLastPathComponent().path)")
        }
        guard manager.createFile(atPath: url.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: url)
        else {
            throw ImportError.quarantineFailure("cannot create the quarantine file \(url.path)")
        }
        self.handle = handle
        buffer.reserveCapacity(1 << 16)
    }

    deinit { try? close() }

    /// Appends one rejection.
    public func write(_ rejection: Rejection) throws {
        var line = "{\"file\":" + Self.quoted(rejection.location.file)
        if let number = rejection.location.line { line += ",\"line\":\(number)" }
        if let index = rejection.location.index { line += ",\"index\":\(index)" }
        if let path = rejection.location.path { line += ",\"path\":" + Self.quoted(path) }
        if let quantity = rejection.quantity { line += ",\"quantity\":\"\(quantity.rawValue)\"" }
        line += ",\"reason\":\"\(rejection.reason)\",\"detail\":" + Self.quoted(rejection.detail) + "}\n"
        buffer.append(contentsOf: line.utf8)
        count += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes buffered entries to the file.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw ImportError.quarantineFailure("cannot write the quarantine file \(url.path)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file; later writes are an error.
    public func close() throws {
        guard !closed else { return }
        try flush()
        closed = true
        try? handle.close()
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
