public import Foundation

/// Imports Empatica E4 session folders as the E4 connect download and research datasets (WESAD's
/// `SX_E4_Data/`) distribute them: a folder with some of `ACC.csv`, `BVP.csv`, `EDA.csv`,
/// `TEMP.csv`, `HR.csv`, `IBI.csv` (sub-folders are searched too, one session each), or one such file.
///
/// | file | line 1 | line 2 | rows | quantity, unit |
/// |---|---|---|---|---|
/// | `ACC.csv` | start (Unix s) ×3 | rate (32 Hz) ×3 | `x,y,z` in 1/64 g | ``Quantity/accelerationX``/`Y`/`Z`, value/64 → g |
/// | `BVP.csv` | start | rate (64 Hz) | PPG value | ``Quantity/bloodVolumePulse``, a.u. |
/// | `EDA.csv` | start | rate (4 Hz) | µS | ``Quantity/electrodermalActivity`` |
/// | `TEMP.csv` | start | rate (4 Hz) | °C | ``Quantity/skinTemperature`` |
/// | `HR.csv` | start (session start + 10 s) | rate (1 Hz) | bpm | ``Quantity/heartRate`` |
/// | `IBI.csv` | `start, IBI` | — | `t, ibi` in seconds | ``Quantity/interBeatInterval``, ibi×1000 → ms at start + t |
///
/// Sample *i* (0-based, counting every data row including rejected ones, so that one bad row does
/// not shift the rest) is at `start + i / rate`. Header values are parsed as numbers, never by
/// width. A header with a start time before 2000, after the import clock or a rate outside
/// (0, 10 000] Hz invalidates the file: one `invalid_header` rejection and a note, not millions of
/// sample rejections. `tags.csv` (button presses), `info.txt` and other files are counted as skipped.
public struct EmpaticaE4Importer: Importer {
    /// Creates an importer.
    public init() {}

    /// The format this importer reads.
    public var format: ImportFormat { .e4 }

    private static let signals: [String: [Quantity]] = [
        "ACC.csv": [.accelerationX, .accelerationY, .accelerationZ],
        "BVP.csv": [.bloodVolumePulse],
        "EDA.csv": [.electrodermalActivity],
        "TEMP.csv": [.skinTemperature],
        "HR.csv": [.heartRate],
    ]

    /// Reads an E4 session folder (or a folder of sessions, or one E4 file).
    public func read(_ url: URL, into session: inout ImportSession) throws {
        let files = try InputFiles.files(at: url)
        var recognized = 0
        for file in files {
            let name = file.lastPathComponent
            guard Self.signals[name] != nil || name == "IBI.csv" else {
                session.skip(.unsupportedFile)
                continue
            }
            let reader: ByteReader
            do {
                reader = try ByteReader(path: file.path)
            } catch let error as ImportError {
                session.note(.init(kind: .unreadable, file: file.path, message: error.message))
                continue
            }
            recognized += 1
            if name == "IBI.csv" {
                try readIntervals(reader, session: &session)
            } else if let quantities = Self.signals[name] {
                try readSignal(reader, quantities: quantities, session: &session)
            }
            session.countFile(bytes: reader.bytesRead)
        }
        guard recognized > 0 else {
            throw ImportError.unrecognizedInput(
                "expected Empatica E4 files (ACC.csv, BVP.csv, EDA.csv, TEMP.csv, HR.csv, IBI.csv) at \(url.path), found none")
        }
    }

    /// Splits a line at commas and parses each field as a number (`nil` for a field that is not one).
    private static func numbers(_ line: UnsafeRawBufferPointer, into values: inout [Double?]) {
        values.removeAll(keepingCapacity: true)
        var fieldStart = 0
        for index in 0...line.count where index == line.count || line[index] == UInt8(ascii: ",") {
            values.append(NumberParser.parseDouble(UnsafeRawBufferPointer(rebasing: line[fieldStart..<index])))
            fieldStart = index + 1
        }
    }

    private func invalidHeader(_ reader: ByteReader, line: Int, detail: String, session: inout ImportSession) throws {
        try session.reject(.invalidHeader, at: RecordLocation(file: reader.path, line: line), detail: detail)
        session.note(.init(kind: .incomplete, file: reader.path, line: line, message: "no samples read: \(detail)"))
    }

    private func plausibleStart(_ start: Double, session: ImportSession) -> Bool {
        start.isFinite && start >= session.validator.earliest
            && start <= session.validator.now + session.validator.futureTolerance
    }

    private func readSignal(_ reader: ByteReader, quantities: [Quantity], session: inout ImportSession) throws {
        let file = reader.path
        let axes = quantities.count
        var values: [Double?] = []
        // Line 1: start times; line 2: sample rates (one per axis).
        guard case .line(let startLine, _, _)? = try reader.nextLine() else {
            try invalidHeader(reader, line: 1, detail: "expected a start time on line 1, found an empty file", session: &session)
            return
        }
        Self.numbers(startLine, into: &values)
        let starts = values
        guard starts.count >= axes, starts.prefix(axes).allSatisfy({ $0.map { plausibleStart($0, session: session) } ?? false })
        else {
            try invalidHeader(
                reader, line: 1,
                detail:
                    "expected \(axes) start time\(axes == 1 ? "" : "s") (Unix seconds since 2000) on line 1, found something else",
                session: &session)
            return
        }
        guard case .line(let rateLine, _, _)? = try reader.nextLine() else {
            try invalidHeader(
                reader, line: 2, detail: "expected a sample rate on line 2, found the end of the file", session: &session)
            return
        }
        Self.numbers(rateLine, into: &values)
        let rates = values
        guard rates.count >= axes, rates.prefix(axes).allSatisfy({ $0.map { $0 > 0 && $0 <= 10_000 } ?? false }) else {
            try invalidHeader(
                reader, line: 2,
                detail: "expected \(axes) sample rate\(axes == 1 ? "" : "s") in (0, 10000] Hz on line 2, found something else",
                session: &session)
            return
        }
        let scale = axes == 3 ? 1.0 / 64 : 1.0
        var sample = 0
        while let result = try reader.nextLine() {
            switch result {
            case .tooLong(let number):
                session.countRecord()
                try session.reject(
                    .malformed, at: RecordLocation(file: file, line: number, index: sample),
                    detail: "expected a short line of \(axes) number\(axes == 1 ? "" : "s"), found an overlong line")
                sample += 1
            case .line(let line, let number, let terminated):
                if line.isEmpty { continue }
                session.countRecord()
                Self.numbers(line, into: &values)
                defer { sample += 1 }
                guard values.count >= axes else {
                    let reason: Rejection.Reason = terminated ? .malformed : .truncated
                    try session.reject(
                        reason, at: RecordLocation(file: file, line: number, index: sample),
                        detail: "expected \(axes) comma-separated numbers, found \(values.count)")
                    if !terminated {
                        session.note(
                            .init(
                                kind: .truncated, file: file, line: number,
                                message: "the last line is cut off; the \(sample) samples before it were read"))
                    }
                    continue
                }
                for axis in 0..<axes {
                    let location = RecordLocation(
                        file: file, line: number, index: sample, path: axes == 3 ? ["x", "y", "z"][axis] : nil)
                    guard let value = values[axis] else {
                        try session.reject(
                            .wrongType, at: location, quantity: quantities[axis],
                            detail: "expected a number, found text")
                        continue
                    }
                    let time = starts[axis]! + Double(sample) / rates[axis]!
                    try session.offer(
                        Measurement(quantity: quantities[axis], start: time, value: value * scale, source: "Empatica E4"),
                        at: location)
                }
            }
        }
    }

    private func readIntervals(_ reader: ByteReader, session: inout ImportSession) throws {
        let file = reader.path
        var values: [Double?] = []
        guard case .line(let startLine, _, _)? = try reader.nextLine() else {
            try invalidHeader(
                reader, line: 1, detail: "expected a start time and IBI on line 1, found an empty file", session: &session)
            return
        }
        Self.numbers(startLine, into: &values)
        guard let start = values.first ?? nil, plausibleStart(start, session: session) else {
            try invalidHeader(
                reader, line: 1, detail: "expected a start time (Unix seconds since 2000) on line 1, found something else",
                session: &session)
            return
        }
        var index = 0
        while let result = try reader.nextLine() {
            switch result {
            case .tooLong(let number):
                session.countRecord()
                try session.reject(
                    .malformed, at: RecordLocation(file: file, line: number, index: index),
                    detail: "expected a short line with an offset and an interval, found an overlong line")
                index += 1
            case .line(let line, let number, let terminated):
                if line.isEmpty { continue }
                session.countRecord()
                defer { index += 1 }
                Self.numbers(line, into: &values)
                let location = RecordLocation(file: file, line: number, index: index)
                guard values.count >= 2 else {
                    try session.reject(
                        terminated ? .malformed : .truncated, at: location, quantity: .interBeatInterval,
                        detail: "expected an offset and an interval in seconds, found \(values.count) field")
                    if !terminated {
                        session.note(
                            .init(
                                kind: .truncated, file: file, line: number,
                                message: "the last line is cut off; the \(index) intervals before it were read"))
                    }
                    continue
                }
                guard let offset = values[0], let interval = values[1] else {
                    try session.reject(
                        .wrongType, at: location, quantity: .interBeatInterval,
                        detail: "expected an offset and an interval in seconds, found text")
                    continue
                }
                try session.offer(
                    Measurement(
                        quantity: .interBeatInterval, start: start + offset, value: interval * 1000,
                        source: "Empatica E4"), at: location)
            }
        }
    }
}
