/// The six physiological channels a model sees, in the order they are stored in every input
/// (channels last: the value of channel `c` at step `t` is at `t * 6 + c`).
///
/// The order is part of the model format: never reorder or insert cases.
public enum ModelInputChannel: String, CaseIterable, Sendable, Codable, Hashable {
    /// Instantaneous heart rate from detected beats, beats per minute.
    case heartRate
    /// Interval between consecutive detected beats, milliseconds.
    case interBeatInterval
    /// Skin conductance (electrodermal activity), microsiemens.
    case eda
    /// Skin temperature, °C.
    case temperature
    /// Magnitude of the acceleration vector (gravity included), g.
    case accelerationMagnitude
    /// Peripheral oxygen saturation, percent.
    case spo2

    /// The number of channels.
    public static let count = allCases.count

    /// The position of this channel within each step.
    public var index: Int {
        switch self {
        case .heartRate: 0
        case .interBeatInterval: 1
        case .eda: 2
        case .temperature: 3
        case .accelerationMagnitude: 4
        case .spo2: 5
        }
    }

    /// The snake-case name used in feature names, such as `heart_rate`.
    public var featurePrefix: String {
        switch self {
        case .heartRate: "heart_rate"
        case .interBeatInterval: "inter_beat_interval"
        case .eda: "eda"
        case .temperature: "temperature"
        case .accelerationMagnitude: "acceleration_magnitude"
        case .spo2: "spo2"
        }
    }

    /// The unit of the channel's values.
    public var unit: String {
        switch self {
        case .heartRate: "bpm"
        case .interBeatInterval: "ms"
        case .eda: "µS"
        case .temperature: "°C"
        case .accelerationMagnitude: "g"
        case .spo2: "%"
        }
    }
}
