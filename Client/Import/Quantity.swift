/// A physiological quantity an importer can produce, with its canonical unit and plausible range.
///
/// Every ``Measurement`` carries its value in the quantity's canonical ``unit``; importers convert
/// from the units a format writes. The raw values are the snake_case names used in reports and on
/// the command line (`"heart_rate"`).
public enum Quantity: String, CaseIterable, Codable, Hashable, Sendable {
    /// Heart rate, beats per minute.
    case heartRate = "heart_rate"
    /// Resting heart rate (one value per day or night), beats per minute.
    case restingHeartRate = "resting_heart_rate"
    /// Heart-rate variability as the standard deviation of normal-to-normal intervals, milliseconds.
    case heartRateVariabilitySDNN = "heart_rate_variability_sdnn"
    /// Heart-rate variability as the root mean square of successive differences, milliseconds.
    case heartRateVariabilityRMSSD = "heart_rate_variability_rmssd"
    /// One inter-beat interval, milliseconds, stamped at the beat that ends it.
    case interBeatInterval = "inter_beat_interval"
    /// Respiratory rate, breaths per minute.
    case respiratoryRate = "respiratory_rate"
    /// Blood oxygen saturation, percent (0–100, not a fraction).
    case oxygenSaturation = "oxygen_saturation"
    /// Absolute skin (wrist) temperature, degrees Celsius.
    case skinTemperature = "skin_temperature"
    /// Skin temperature relative to the wearer's own baseline, degrees Celsius (a difference, not a temperature).
    case skinTemperatureDeviation = "skin_temperature_deviation"
    /// Core or body temperature (thermometer readings), degrees Celsius.
    case bodyTemperature = "body_temperature"
    /// Electrodermal activity (skin conductance), microsiemens.
    case electrodermalActivity = "electrodermal_activity"
    /// Steps counted over the measurement's interval.
    case stepCount = "step_count"
    /// Photoplethysmograph (blood volume pulse) signal, arbitrary device units.
    case bloodVolumePulse = "blood_volume_pulse"
    /// Acceleration along the device's x axis, standard gravity (g).
    case accelerationX = "acceleration_x"
    /// Acceleration along the device's y axis, standard gravity (g).
    case accelerationY = "acceleration_y"
    /// Acceleration along the device's z axis, standard gravity (g).
    case accelerationZ = "acceleration_z"
    /// A device stress score on a 0–100 scale where higher means more stress.
    case stressScore = "stress_score"

    /// The canonical unit of the quantity's values, as a short symbol (`"bpm"`, `"ms"`, `"°C"`).
    public var unit: String {
        switch self {
        case .heartRate, .restingHeartRate: "bpm"
        case .heartRateVariabilitySDNN, .heartRateVariabilityRMSSD, .interBeatInterval: "ms"
        case .respiratoryRate: "breaths/min"
        case .oxygenSaturation: "%"
        case .skinTemperature, .skinTemperatureDeviation, .bodyTemperature: "°C"
        case .electrodermalActivity: "µS"
        case .stepCount: "count"
        case .bloodVolumePulse: "a.u."
        case .accelerationX, .accelerationY, .accelerationZ: "g"
        case .stressScore: "score"
        }
    }

    /// The physiologically plausible range of values, in the canonical unit; validation rejects values outside it.
    ///
    /// The bounds are deliberately wide: they catch unit mistakes, sensor placeholders and corrupt
    /// values, not unusual physiology. Heart rate 25–250 bpm (and inter-beat intervals 240–2400 ms,
    /// the same range); HRV up to 500 ms; respiration 4–60/min; SpO2 50–100 %; skin temperature
    /// 20–45 °C, its deviation ±5 °C, body temperature 30–45 °C; EDA 0–100 µS (the Empatica E4's
    /// range); steps 0–100 000 per record; acceleration ±16 g (the largest common accelerometer
    /// range); BVP ±20 000 a.u. (a loose sanity bound); stress 0–100.
    public var plausibleRange: ClosedRange<Double> {
        switch self {
        case .heartRate: 25...250
        case .restingHeartRate: 25...150
        case .heartRateVariabilitySDNN, .heartRateVariabilityRMSSD: 0...500
        case .interBeatInterval: 240...2400
        case .respiratoryRate: 4...60
        case .oxygenSaturation: 50...100
        case .skinTemperature: 20...45
        case .skinTemperatureDeviation: -5...5
        case .bodyTemperature: 30...45
        case .electrodermalActivity: 0...100
        case .stepCount: 0...100_000
        case .bloodVolumePulse: -20_000...20_000
        case .accelerationX, .accelerationY, .accelerationZ: -16...16
        case .stressScore: 0...100
        }
    }

    /// A short human name (`"heart rate"`), for messages.
    public var displayName: String {
        switch self {
        case .heartRate: "heart rate"
        case .restingHeartRate: "resting heart rate"
        case .heartRateVariabilitySDNN: "HRV (SDNN)"
        case .heartRateVariabilityRMSSD: "HRV (RMSSD)"
        case .interBeatInterval: "inter-beat interval"
        case .respiratoryRate: "respiratory rate"
        case .oxygenSaturation: "oxygen saturation"
        case .skinTemperature: "skin temperature"
        case .skinTemperatureDeviation: "skin temperature deviation"
        case .bodyTemperature: "body temperature"
        case .electrodermalActivity: "electrodermal activity"
        case .stepCount: "step count"
        case .bloodVolumePulse: "blood volume pulse"
        case .accelerationX: "acceleration x"
        case .accelerationY: "acceleration y"
        case .accelerationZ: "acceleration z"
        case .stressScore: "stress score"
        }
    }

    /// A dense index (0..<allCases.count) for per-quantity tables.
    var index: Int {
        switch self {
        case .heartRate: 0
        case .restingHeartRate: 1
        case .heartRateVariabilitySDNN: 2
        case .heartRateVariabilityRMSSD: 3
        case .interBeatInterval: 4
        case .respiratoryRate: 5
        case .oxygenSaturation: 6
        case .skinTemperature: 7
        case .skinTemperatureDeviation: 8
        case .bodyTemperature: 9
        case .electrodermalActivity: 10
        case .stepCount: 11
        case .bloodVolumePulse: 12
        case .accelerationX: 13
        case .accelerationY: 14
        case .accelerationZ: 15
        case .stressScore: 16
        }
    }
}
