extension SQLDialect {
    /// Adapts portable DDL to the dialect: on PostgreSQL `INTEGER` becomes `BIGINT`, `REAL`
    /// becomes `DOUBLE PRECISION` and `BLOB` becomes `BYTEA` (upper-case type words outside string
    /// literals only; column names are lower-case). SQLite takes the DDL as written.
    public func ddl(_ statement: String) -> String {
        guard self == .postgres else { return statement }
        let mapping = ["INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION", "BLOB": "BYTEA"]
        var output = ""
        var word = ""
        var inLiteral = false
        func flush() {
            output += (inLiteral ? nil : mapping[word]) ?? word
            word = ""
        }
        for character in statement {
            if character == "'" {
                flush()
                inLiteral.toggle()
                output.append(character)
            } else if !inLiteral && (character.isLetter || character.isNumber || character == "_") {
                word.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }

    /// Rewrites `?` placeholders to PostgreSQL's `$1 … $n`, leaving string literals, quoted
    /// identifiers and comments untouched. Returns the statement and the number of placeholders.
    static func numberingPlaceholders(_ sql: String) -> (sql: String, count: Int) {
        enum State { case code, literal, identifier, lineComment, blockComment }
        var state = State.code
        var output = ""
        output.reserveCapacity(sql.utf8.count + 8)
        var count = 0
        var previous: Character = " "
        for character in sql {
            switch state {
            case .code:
                if character == "?" {
                    count += 1
                    output += "$\(count)"
                    previous = " "
                    continue
                }
                if character == "'" { state = .literal }
                if character == "\"" { state = .identifier }
                if character == "-" && previous == "-" { state = .lineComment }
                if character == "*" && previous == "/" { state = .blockComment }
            case .literal:
                // A doubled quote ('') leaves and re-enters the literal, which this handles.
                if character == "'" { state = .code }
            case .identifier:
                if character == "\"" { state = .code }
            case .lineComment:
                if character == "\n" { state = .code }
            case .blockComment:
                if character == "/" && previous == "*" { state = .code }
            }
            output.append(character)
            previous = character
        }
        return (output, count)
    }
}
