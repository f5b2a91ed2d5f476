import ArgumentParser
import EQMCore
import Foundation

/// `eqm bench features`: throughput of full feature extraction on synthetic windows.
struct BenchFeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Feature-extraction throughput (windows/s) on 60 s windows of a synthetic cohort.",
        discussion: """
            Reference configuration: synthetic cohort (seed 1, artefacts and gaps on) of 4 users × 30 min; \
            BVP 64 Hz, EDA 4 Hz, TEMP 4 Hz, ACC 32 Hz ×3, SpO2 1 Hz; consecutive 60 s windows; all 16 \
            WindowFeatures per window (Elgendi beats, Kubios artefact rejection, HRV time and Welch frequency \
            domain, EDA decomposition and SCRs, temperature, ACC, SpO2), each window from its own samples. \
            One thread; reports wall-clock and thread-CPU-time rates (the latter is steadier on a shared machine); \
            --per-sensor also times each sensor alone. Build with -c release.
            """
    )

    @Option(help: "Synthetic users.") var users = 4
    @Option(help: "Minutes per user.") var minutes = 30.0
    @Option(help: "Window length, seconds.") var window = 60.0
    @Option(help: "Seconds to measure per configuration (after warm-up).") var seconds = 3.0
    @Option(help: "Repetitions; the median is reported.") var repeats = 5
    @Flag(help: "Also time each sensor alone.") var perSensor = false
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        var windows_per_second: Double
        var windows_per_cpu_second: Double
        /// CPU time per window.
        var microseconds_per_window: Double
        var windows_per_second_runs: [Double]
        /// Windows per CPU-second with only one sensor present.
        var per_sensor_windows_per_cpu_second: [String: Double]?
        var window_seconds: Double, windows: Int, users: Int, minutes_per_user: Double, threads: Int, repeats: Int
        var rates_hz: [String: Double]
        var features: [String]
    }

    /// The CPU time this thread has used, seconds.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    func validate() throws {
        guard (1...1000).contains(users) else { throw ValidationError("--users must be in 1...1000") }
        guard minutes >= 1 && minutes <= 1440 else { throw ValidationError("--minutes must be in 1...1440") }
        guard window >= 10 && window <= 600 && window <= minutes * 60 else {
            throw ValidationError("--window must be in 10...600 seconds and fit in a recording")
        }
        guard seconds > 0 && seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
        guard (1...50).contains(repeats) else { throw ValidationError("--repeats must be in 1...50") }
    }

    func run() throws {
        let cohort = CohortConfiguration(users: users, minutesPerUser: minutes, seed: 1)
        var signals: [WearableSignals] = []
        for index in 0..<users {
            Terminal.progress("bench features: generating user \(index + 1)/\(users)")
            signals.append(WearableSignals(recording: try SyntheticCohort.recording(for: index, configuration: cohort)))
        }
        let perUser = Int((minutes * 60 / window).rounded(.down))
        let windows = signals.flatMap { user in (0..<perUser).map { (user, Double($0) * window) } }
        let extractor = FeatureExtractor()

        /// Wall-clock and thread-CPU-time rates of each run (CPU time is steadier on a shared machine).
        func measure(_ label: String, _ inputs: [(WearableSignals, Double)]) -> (wall: [Double], cpu: [Double]) {
            var sink = 0.0
            func pass(_ count: Int) {
                for index in 0..<count {
                    let (signals, start) = inputs[index % inputs.count]
                    let features = extractor.features(of: signals, from: start, to: start + window)
                    sink += features.hrMean ?? 0
                }
            }
            pass(Swift.min(inputs.count, 20))
            let clock = ContinuousClock()
            var rates: [Double] = []
            var cpuRates: [Double] = []
            for run in 0..<repeats {
                Terminal.progress("bench features \(label): run \(run + 1)/\(repeats)")
                var done = 0
                let cpuStart = Self.threadCPUSeconds()
                let start = clock.now
                let budget = Duration.milliseconds(Int64(seconds * 1000 / Double(repeats)))
                while clock.now - start < budget {
                    pass(8)
                    done += 8
                }
                rates.append(Double(done) / (clock.now - start).seconds)
                cpuRates.append(Double(done) / (Self.threadCPUSeconds() - cpuStart))
            }
            precondition(sink.isFinite)
            return (rates, cpuRates)
        }

        let (full, fullCPU) = measure("all sensors", windows)
        var perSensorRates: [String: Double] = [:]
        let sensors: [(String, (WearableSignals) -> WearableSignals)] = [
            ("bvp", { WearableSignals(bvp: $0.bvp) }),
            ("eda", { WearableSignals(eda: $0.eda) }),
            ("temperature", { WearableSignals(temperature: $0.temperature) }),
            ("acceleration", { WearableSignals(acceleration: $0.acceleration) }),
            ("spo2", { WearableSignals(spo2: $0.spo2) }),
        ]
        for (name, only) in sensors where perSensor {
            let rates = measure(name, windows.map { (only($0.0), $0.1) }).cpu
            perSensorRates[name] = rates.sorted()[rates.count / 2].rounded()
        }
        Terminal.endProgress()
        let median = full.sorted()[full.count / 2]
        let medianCPU = fullCPU.sorted()[fullCPU.count / 2]
        let result = Result(
            windows_per_second: median.rounded(), windows_per_cpu_second: medianCPU.rounded(),
            microseconds_per_window: (1e6 / medianCPU * 10).rounded() / 10,
            windows_per_second_runs: full.map { $0.rounded() },
            per_sensor_windows_per_cpu_second: perSensor ? perSensorRates : nil,
            window_seconds: window, windows: windows.count, users: users, minutes_per_user: minutes, threads: 1,
            repeats: repeats,
            rates_hz: [
                "bvp": SyntheticCohort.bvpRate, "eda": SyntheticCohort.edaRate, "temperature": SyntheticCohort.edaRate,
                "acceleration": SyntheticCohort.accelerationRate, "spo2": SyntheticCohort.spo2Rate,
            ],
            features: WindowFeatures.names)
        if json {
            try Terminal.printJSON(result)
        } else {
            print(
                "feature extraction, \(Int(window)) s windows: \(Int(median)) windows/s wall clock, "
                    + "\(Int(medianCPU)) per CPU-second (\(result.microseconds_per_window) µs CPU per window, "
                    + "median of \(repeats), 1 thread)")
            for (name, rate) in perSensorRates.sorted(by: { $0.key < $1.key }) {
                print("  \(name) alone: \(Int(rate)) windows per CPU-second")
            }
        }
    }
}
