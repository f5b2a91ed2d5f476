import Foundation
import Testing

@testable import EQMClient

@Suite("Parsing building blocks")
struct ParsingTests {
    @Test(
        "numbers parse exactly like Swift's Double(String) and reject text",
        arguments: [
            "0", "-0", "72", "0.96", "45.1937", "-61", "1e3", "2.5e-06", ".5", "1.", "  7.25 ", "+3", "0.000123456789",
            "123456789012345678901234", "1.7976931348623157e308", "4.9e-324", "0.020499",
        ])
    func numbers(text: String) {
        #expect(NumberParser.parseDouble(text) == Double(text.trimmingCharacters(in: .whitespaces)))
    }

    @Test("non-numbers are nil and non-finite words are NaN or infinity")
    func nonNumbers() {
        for text in ["", " ", "-", ".", "1,5", "1e", "abc", "12abc", "0x10", "1 2"] {
            #expect(NumberParser.parseDouble(text) == nil, "\(text)")
        }
        #expect(NumberParser.parseDouble("NaN")?.isNaN == true)
        #expect(NumberParser.parseDouble("-inf") == -.infinity)
        #expect(NumberParser.parseDouble("Infinity") == .infinity)
    }

    @Test(
        "timestamps agree with Foundation's ISO 8601 parser",
        arguments: [
            ("2020-10-30 14:18:21 +1100", "2020-10-30T14:18:21+11:00"),
            ("2021-03-27 16:17:11 -0330", "2021-03-27T16:17:11-03:30"),
            ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
            ("2024-01-02T03:04:05.250+02:00", "2024-01-02T03:04:05.250+02:00"),
            ("2024-02-29T23:59:59+0000", "2024-02-29T23:59:59Z"),
            ("1999-12-31T23:59:59-01", "2000-01-01T00:59:59Z"),
            ("2038-01-19T03:14:08Z", "2038-01-19T03:14:08Z"),
        ])
    func timestamps(text: String, oracle: String) {
        expectClose(TimestampParser.parseISO(text)?.unixSeconds, unix(oracle), tolerance: 1e-6)
    }

    @Test("zone-less and impossible timestamps")
    func timestampEdges() {
        let local = TimestampParser.parseISO("2024-06-01 08:00:00.000")
        #expect(local?.offsetSeconds == nil)
        #expect(local?.localSeconds == unix("2024-06-01T08:00:00Z"))
        #expect(TimestampParser.parseISO("2024-06-01")?.localSeconds == unix("2024-06-01T00:00:00Z"))
        for bad in [
            "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-06-01T24:00:00Z", "2024-06-01T12:60:00Z",
            "2024-06-01T12:00:00+25:00", "2024-6-1T12:00:00Z", "2024-06-01T12:00:00 junk", "06/01/24 12:00:00", "",
        ] {
            #expect(TimestampParser.parseISO(bad) == nil, "\(bad)")
        }
        #expect(TimestampParser.parseFitbit("04/22/19 04:00:05")?.localSeconds == unix("2019-04-22T04:00:05Z"))
        #expect(TimestampParser.parseFitbit("02/30/19 04:00:05") == nil)
        expectClose(TimestampParser.parseClockTime("4:17:18.57 pm"), 58_638.57, tolerance: 1e-9)
        #expect(TimestampParser.parseClockTime("12:00:01 AM") == 1)
        #expect(TimestampParser.parseClockTime("12:30:00 p.m.") == 45_000)
        expectClose(TimestampParser.parseClockTime("16:17:18,5"), 58_638.5, tolerance: 1e-9)
        #expect(TimestampParser.parseClockTime("13:00:00 pm") == nil)
        #expect(TimestampParser.parseClockTime("25:00:00") == nil)
        #expect(TimestampParser.parseClockTime("4:17:18 午後") == nil)
    }

    @Test("civil dates round-trip over four centuries")
    func civil() {
        for days in stride(from: -150_000, through: 150_000, by: 997) {
            let civil = CivilTime(unixSeconds: Double(days) * 86_400 + 3_600)
            #expect(CivilTime.daysFromCivil(year: civil.year, month: civil.month, day: civil.day) == days)
            #expect(civil.secondsOfDay == 3_600)
        }
    }

    @Test(
        "local times convert like Foundation's calendar, across DST changes",
        arguments: ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"])
    func localTimes(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        var converter = LocalTimeConverter(zone: zone)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        // Every three hours through the weeks around the spring and autumn changes of each zone,
        // skipping the hours a change skips or repeats.
        var times: [Double] = []
        for (from, to) in [("2024-03-01T00:30:00Z", "2024-04-15T00:00:00Z"), ("2024-09-25T00:30:00Z", "2024-11-10T00:00:00Z")] {
            times += Array(stride(from: unix(from), to: unix(to), by: 3 * 3_600))
        }
        for local in times {
            let civil = CivilTime(unixSeconds: local)
            let components = DateComponents(
                year: civil.year, month: civil.month, day: civil.day,
                hour: Int(civil.secondsOfDay) / 3600, minute: Int(civil.secondsOfDay) / 60 % 60)
            let expected = try #require(calendar.date(from: components)).timeIntervalSince1970
            let unambiguous =
                zone.secondsFromGMT(for: Date(timeIntervalSince1970: expected - 7200))
                == zone.secondsFromGMT(for: Date(timeIntervalSince1970: expected + 7200))
            if unambiguous { #expect(converter.unixSeconds(fromLocal: local) == expected, "\(zoneName) \(civil.isoDay)") }
        }
    }

    @Test("JSON values: escapes, surrogates, numbers, nesting, and errors with their line")
    func json() throws {
        func parse(_ text: String) throws -> JSONValue {
            var copy = text
            return try copy.withUTF8 { try JSONStreamReader.parseSingleValue(UnsafeRawBufferPointer($0)) }
        }
        #expect(
            try parse(#"{"a": [1, -2.5e1, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00"}"#)
                == .object([
                    ("a", .array([.number(1), .number(-25), .bool(true), .bool(false), .null])),
                    ("b", .string("x\"\\/\né😀")),
                ]))
        #expect(try parse("-Infinity") == .number(-.infinity))
        for bad in [
            "{", "[1,]", "{\"a\" 1}", "\"open", "01x", "tru", "{\"a\": \"line\nbreak\"}", "[1] 2",
            String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
        ] {
            #expect(throws: JSONStreamReader.SyntaxError.self, "\(bad)") { try parse(bad) }
        }
        do {
            _ = try parse("{\n\"a\": 1,\n\"b\": }")
            Issue.record("expected a syntax error")
        } catch let error as JSONStreamReader.SyntaxError {
            #expect(error.line == 3)
            #expect(!error.isEndOfInput)
        }
    }

    @Test("streaming records from a document through a tiny buffer")
    func jsonStream() throws {
        let fixture = try ImportFixture()
        let text =
            #"{"next_token": {"deep": ["]", "}"]}, "data": [{"bpm": 1}, {"bpm": 2, "s": "\u00e9"},"# + "\n"
            + #"{"bpm": 3}], "x": 1}"#
        let url = try fixture.write("doc.json", text)
        var reader = JSONStreamReader(try ByteReader(path: url.path, initialCapacity: 16))
        #expect(try reader.openRecords(member: "data"))
        var values: [JSONValue] = []
        var lines: [Int] = []
        while let record = try reader.nextRecord() {
            values.append(record.value)
            lines.append(record.line)
        }
        #expect(values.map { $0["bpm"] } == [.number(1), .number(2), .number(3)])
        #expect(lines == [1, 1, 2])
        #expect(reader.recordsMember == "data")

        // One element larger than the limit is refused instead of being built.
        var bounded = JSONStreamReader(try ByteReader(path: url.path, initialCapacity: 16))
        bounded.maximumRecordLength = 12
        #expect(try bounded.openRecords(member: "data"))
        #expect(try bounded.nextRecord()?.value["bpm"] == .number(1))
        #expect(throws: JSONStreamReader.SyntaxError.self) { try bounded.nextRecord() }
    }

    @Test("CSV records: quotes, doubled quotes, line breaks in quotes, CRLF, blank lines, no final newline")
    func csv() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write("a.csv", "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n2,\"multi\nline\",3\n4,,")
        var reader = CSVReader(try ByteReader(path: url.path, initialCapacity: 16))
        var records: [([String], Int, Bool)] = []
        while let record = try reader.next() {
            guard case .fields(let fields, let line, let terminated) = record else {
                Issue.record("unexpected \(record)")
                continue
            }
            records.append((fields, line, terminated))
        }
        #expect(records.map(\.0) == [["a", "b", "c"], ["1", "x, y", "say \"hi\""], ["2", "multi\nline", "3"], ["4", "", ""]])
        #expect(records.map(\.1) == [1, 2, 4, 6])
        #expect(records.map(\.2) == [true, true, true, false])
    }

    @Test("lines longer than the reader's maximum are reported and skipped")
    func longLines() throws {
        let fixture = try ImportFixture()
        let url = try fixture.write("long.txt", "short\n" + String(repeating: "x", count: 200) + "\nafter\n")
        let reader = try ByteReader(path: url.path, initialCapacity: 16, maximumCapacity: 64)
        var seen: [String] = []
        while let line = try reader.nextLine() {
            switch line {
            case .line(let bytes, let number, _): seen.append("\(number):" + String(decoding: bytes, as: UTF8.self))
            case .tooLong(let number): seen.append("\(number):too long")
            }
        }
        #expect(seen == ["1:short", "2:too long", "3:after"])
    }

    @Test("XML attribute values decode predefined entities and character references")
    func entities() {
        var text = "a &lt;&amp;&gt; &quot;q&quot; &apos;s&apos; &#8217; &#x1F600; &unknown; & end"
        let decoded = text.withUTF8 { String(decoding: XMLTagScanner.decode(UnsafeRawBufferPointer($0)), as: UTF8.self) }
        #expect(decoded == "a <&> \"q\" 's' \u{2019} 😀 &unknown; & end")
    }
}
