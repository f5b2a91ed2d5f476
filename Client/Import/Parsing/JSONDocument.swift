/// Reads the records of one JSON document (a top-level array, or the array under a member of a
/// top-level object) one at a time, turning syntax errors into rejections and notes.
enum JSONDocument {
    /// Outcome of reading a document.
    enum Outcome: Equatable {
        /// The records were read (some may have been rejected, the file may have been cut off).
        case read
        /// The document is an object without the member that holds the records.
        case memberMissing
        /// The document is not JSON of the expected shape at its start; nothing was read.
        case unrecognized(String)
    }

    /// Streams the records of the document at `reader`.
    /// - Parameters:
    ///   - member: the member of a top-level object that holds the records (`"data"` for Oura); a
    ///     top-level array is accepted either way.
    ///   - body: handles one record with its location (`path` is `[i]` or `member[i]`).
    static func forEachRecord(
        _ reader: ByteReader, member: String?, session: inout ImportSession,
        _ body: (inout ImportSession, JSONValue, RecordLocation) throws -> Void
    ) throws -> Outcome {
        var json = JSONStreamReader(reader)
        let file = reader.path
        do {
            guard try json.openRecords(member: member) else { return .memberMissing }
        } catch let error as JSONStreamReader.SyntaxError {
            return .unrecognized(error.message)
        }
        var delivered = 0
        while true {
            let next: (value: JSONValue, index: Int, line: Int)?
            do {
                next = try json.nextRecord()
            } catch let error as JSONStreamReader.SyntaxError {
                let location = RecordLocation(file: file, line: error.line, index: delivered)
                if error.isEndOfInput {
                    try session.reject(.truncated, at: location, detail: error.message)
                    session.note(
                        .init(
                            kind: .truncated, file: file, line: error.line,
                            message: "the file ends inside a JSON value; the \(delivered) records before it were read"))
                } else {
                    try session.reject(.malformed, at: location, detail: error.message)
                    session.note(
                        .init(
                            kind: .incomplete, file: file, line: error.line,
                            message:
                                "invalid JSON (\(error.message)); the \(delivered) records before it were read, the rest of the file was not"
                        ))
                }
                return .read
            }
            guard let next else { return .read }
            delivered += 1
            session.countRecord()
            let path = json.recordsMember.map { "\($0)[\(next.index)]" } ?? "[\(next.index)]"
            try body(&session, next.value, RecordLocation(file: file, line: next.line, index: next.index, path: path))
        }
    }
}
