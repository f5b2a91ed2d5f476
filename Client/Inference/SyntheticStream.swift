public import EQMCore
import Foundation

/// A synthetic user's recording replayed as live generic JSON records (64 per second: pulse at
/// 64 Hz, acceleration at 32 Hz, skin conductance and temperature at 4 Hz, SpO2 at 1 Hz), looping
/// when the recording ends. For trying `eqm node serve` and `eqm node predict`, and for benchmarks.
public struct SyntheticStream: Sendable {
    public let recording: UserRecording
    /// Unix seconds of the stream's first sample.
    public let origin: Double

    public init(user: Int, minutes: Double, seed: UInt64, origin: Double) throws {
        recording = try SyntheticCohort.recording(
            for: user, configuration: CohortConfiguration(users: user + 1, minutesPerUser: minutes, seed: seed))
        self.origin = origin.rounded(.down)
    }

    /// The records of stream second `second` (from the origin), as JSON objects.
    public func records(second: Int) -> [String] {
        let seconds = max(1, Int(recording.duration.rounded(.down)))
        let local = second % seconds
        let stamp = Self.stamp(origin + Double(second))
        var lines: [String] = []
        lines.reserveCapacity(64)
        func value(_ signal: SampledSignal, _ index: Int) -> String {
            let value = signal.values[min(index, signal.count - 1)]
            return value.isFinite ? String(format: "%.5g", value) : "null"
        }
        for tick in 0..<64 {
            var fields = ["\"bvp\":" + value(recording.bvp, local * 64 + tick)]
            if tick % 2 == 0 {
                let index = local * 32 + tick / 2
                fields.append(
                    "\"acc\":[\(value(recording.accelerationX, index)),\(value(recording.accelerationY, index)),\(value(recording.accelerationZ, index))]"
                )
            }
            if tick % 16 == 0 {
                let index = local * 4 + tick / 16
                fields.append("\"eda\":" + value(recording.eda, index))
                fields.append("\"skin_temp\":" + value(recording.temperature, index))
            }
            if tick == 0 { fields.append("\"spo2\":" + value(recording.spo2, local)) }
            let fraction = String(format: "%06d", tick * 15_625)
            lines.append(
                "{\"timestamp\":\"\(stamp).\(fraction)Z\",\"sensor_id\":\"synthetic-watch\",\"measurements\":{\(fields.joined(separator: ","))}}"
            )
        }
        return lines
    }

    /// One second of records as one message (a JSON array).
    public func message(second: Int) -> String { "[" + records(second: second).joined(separator: ",") + "]" }

    /// `YYYY-MM-DDTHH:MM:SS` of a Unix second (UTC).
    static func stamp(_ unix: Double) -> String {
        var time = time_t(unix)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
