/// Reads a CSV file with a header row: checks the header, hands each data row to a handler with its
/// location, and turns syntax problems into rejections and notes.
enum CSVFile {
    /// Reads data rows from `reader`, whose next line is the header.
    /// - Parameters:
    ///   - columns: finds the handler's columns in the header, or returns what is missing.
    ///   - row: handles one data row (fields, location with its 0-based row index and line).
    static func read<Columns>(
        _ reader: ByteReader, session: inout ImportSession,
        columns: (CSVHeader) -> Result<Columns, HeaderProblem>,
        row: (inout ImportSession, Columns, [String], RecordLocation) throws -> Void
    ) throws {
        var csv = CSVReader(reader)
        let file = reader.path
        guard let first = try csv.next() else {
            try session.reject(
                .invalidHeader, at: RecordLocation(file: file, line: 1),
                detail: "expected a header row, found an empty file")
            return
        }
        guard case .fields(let names, let headerLine, _) = first else {
            try session.reject(.invalidHeader, at: RecordLocation(file: file, line: 1), detail: "expected a readable header row")
            return
        }
        let header = CSVHeader(names)
        let resolved: Columns
        switch columns(header) {
        case .success(let value): resolved = value
        case .failure(let problem):
            try session.reject(.invalidHeader, at: RecordLocation(file: file, line: headerLine), detail: problem.message)
            session.note(
                .init(
                    kind: .incomplete, file: file, line: headerLine,
                    message: "no rows read: \(problem.message)"))
            return
        }
        var index = 0
        while let record = try csv.next() {
            switch record {
            case .fields(let fields, let line, _):
                session.countRecord()
                try row(&session, resolved, fields, RecordLocation(file: file, line: line, index: index))
            case .malformed(let line, let detail, let atEndOfFile):
                session.countRecord()
                if atEndOfFile {
                    try session.reject(.truncated, at: RecordLocation(file: file, line: line, index: index), detail: detail)
                    session.note(
                        .init(
                            kind: .truncated, file: file, line: line,
                            message: "the file ends inside a quoted field; the rows before line \(line) were read"))
                } else {
                    try session.reject(.malformed, at: RecordLocation(file: file, line: line, index: index), detail: detail)
                }
            }
            index += 1
        }
    }

    /// Why a header cannot be used.
    struct HeaderProblem: Error {
        var message: String

        /// The named columns are missing.
        static func missing(_ names: [String], in kind: String) -> HeaderProblem {
            HeaderProblem(
                message:
                    "expected the column\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")) in \(kind), found none")
        }
    }
}

extension Array where Element == String {
    /// The field at `index` with surrounding spaces removed, or `""` when the row is shorter.
    func field(_ index: Int) -> String {
        index < count ? self[index].trimmingASCIISpaces() : ""
    }
}
