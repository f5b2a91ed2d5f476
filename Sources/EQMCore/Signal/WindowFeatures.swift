/// The sixteen physiological features of one window of wearable signals, each `nil` when its
/// sensor is absent or the window holds too little of its data.
///
/// The names, order and units are fixed (they are the columns of `eqm data features` and the
/// building blocks of the MLP's inputs, ``SummaryFeatures``). Definitions follow neurokit2 0.2
/// (`hrv_time`, `hrv_frequency`, `eda_phasic`, `eda_peaks`) and the WESAD paper (Schmidt et al.,
/// ICMI 2018) as described on each property; ``FeatureExtractor`` computes them.
public struct WindowFeatures: Sendable, Hashable, Codable {
    /// The name of one feature, as written in tables and CSV headers (`hr_mean`, …).
    ///
    /// The order of the cases is the output order: never reorder or insert cases.
    public enum Name: String, CaseIterable, Sendable, Codable, Hashable {
        /// Mean heart rate, bpm (``WindowFeatures/hrMean``).
        case hrMean = "hr_mean"
        /// SDNN, ms (``WindowFeatures/hrvSDNN``).
        case hrvSDNN = "hrv_sdnn"
        /// RMSSD, ms (``WindowFeatures/hrvRMSSD``).
        case hrvRMSSD = "hrv_rmssd"
        /// pNN50, % (``WindowFeatures/hrvPNN50``).
        case hrvPNN50 = "hrv_pnn50"
        /// LF power, ms² (``WindowFeatures/hrvLF``).
        case hrvLF = "hrv_lf"
        /// HF power, ms² (``WindowFeatures/hrvHF``).
        case hrvHF = "hrv_hf"
        /// LF/HF ratio (``WindowFeatures/hrvLFHF``).
        case hrvLFHF = "hrv_lf_hf"
        /// Tonic skin-conductance level, µS (``WindowFeatures/edaTonicMean``).
        case edaTonicMean = "eda_tonic_mean"
        /// Number of skin-conductance responses (``WindowFeatures/edaSCRCount``).
        case edaSCRCount = "eda_scr_count"
        /// Mean SCR amplitude, µS (``WindowFeatures/edaSCRAmplitudeMean``).
        case edaSCRAmplitudeMean = "eda_scr_amplitude_mean"
        /// Mean skin temperature, °C (``WindowFeatures/temperatureMean``).
        case temperatureMean = "temp_mean"
        /// Skin-temperature slope, °C/min (``WindowFeatures/temperatureSlope``).
        case temperatureSlope = "temp_slope"
        /// Mean acceleration magnitude, g (``WindowFeatures/accelerationMagnitudeMean``).
        case accelerationMagnitudeMean = "acc_mag_mean"
        /// Standard deviation of the acceleration magnitude, g (``WindowFeatures/accelerationMagnitudeStandardDeviation``).
        case accelerationMagnitudeStandardDeviation = "acc_mag_std"
        /// Mean oxygen saturation, % (``WindowFeatures/spo2Mean``).
        case spo2Mean = "spo2_mean"
        /// Lowest oxygen saturation, % (``WindowFeatures/spo2Minimum``).
        case spo2Minimum = "spo2_min"

        /// The feature's unit: `bpm`, `ms`, `%`, `ms²`, `ratio`, `µS`, `count`, `°C`, `°C/min` or `g`.
        public var unit: String {
            switch self {
            case .hrMean: "bpm"
            case .hrvSDNN, .hrvRMSSD: "ms"
            case .hrvPNN50, .spo2Mean, .spo2Minimum: "%"
            case .hrvLF, .hrvHF: "ms²"
            case .hrvLFHF: "ratio"
            case .edaTonicMean, .edaSCRAmplitudeMean: "µS"
            case .edaSCRCount: "count"
            case .temperatureMean: "°C"
            case .temperatureSlope: "°C/min"
            case .accelerationMagnitudeMean, .accelerationMagnitudeStandardDeviation: "g"
            }
        }

        /// The position of the feature in ``WindowFeatures/values``.
        public var index: Int { Self.allCases.firstIndex(of: self)! }
    }

    /// The number of features.
    public static let count = Name.allCases.count

    /// The feature names in output order: `hr_mean`, `hrv_sdnn`, …, `spo2_min`.
    public static let names: [String] = Name.allCases.map(\.rawValue)

    /// Mean heart rate, bpm: `60000 / MeanNN` over the window's normal-to-normal intervals
    /// (neurokit2 `HRV_MeanNN`; WESAD's mean HR).
    public var hrMean: Double?
    /// SDNN, ms: the sample standard deviation (n − 1) of the NN intervals (neurokit2 `HRV_SDNN`).
    public var hrvSDNN: Double?
    /// RMSSD, ms: the root mean square of successive NN differences (neurokit2 `HRV_RMSSD`), over
    /// pairs of intervals that share a beat (never across a gap or a rejected interval).
    public var hrvRMSSD: Double?
    /// pNN50, %: the percentage of those successive differences larger than 50 ms (neurokit2 `HRV_pNN50`).
    public var hrvPNN50: Double?
    /// LF power, ms²: 0.04–0.15 Hz power of the NN series evenly resampled at 4 Hz, Welch PSD
    /// (neurokit2 `HRV_LF` with `normalize=False`). A 60 s window holds only 2–9 LF cycles: the
    /// Task Force (1996) asks for ≥ 2 min for LF; it is reported anyway as a short-term estimate.
    public var hrvLF: Double?
    /// HF power, ms²: 0.15–0.4 Hz power, as ``hrvLF`` (neurokit2 `HRV_HF`); 1 min suffices for HF.
    public var hrvHF: Double?
    /// LF/HF, ratio of ``hrvLF`` to ``hrvHF`` (neurokit2 `HRV_LFHF`); `nil` when HF power is zero.
    public var hrvLFHF: Double?
    /// Tonic skin-conductance level, µS: the mean of the tonic component (EDA low-passed at
    /// 0.05 Hz, neurokit2 `eda_phasic(method="highpass")`, `EDA_Tonic`; WESAD's SCL).
    public var edaTonicMean: Double?
    /// The number of skin-conductance responses whose peak lies in the window (neurokit2
    /// `SCR_Peaks_N`, with an absolute amplitude threshold; see ``EDADecomposition``).
    public var edaSCRCount: Double?
    /// The mean onset-to-peak amplitude of those responses, µS (neurokit2
    /// `SCR_Peaks_Amplitude_Mean`); `nil` when the window has EDA data but no response.
    public var edaSCRAmplitudeMean: Double?
    /// Mean skin temperature, °C (WESAD TEMP mean).
    public var temperatureMean: Double?
    /// Skin-temperature slope, °C/min: the least-squares line through the samples against time
    /// (`np.polyfit(t, T, 1)`; WESAD TEMP slope).
    public var temperatureSlope: Double?
    /// Mean acceleration magnitude `√(x² + y² + z²)`, g (gravity included; WESAD ACC magnitude mean).
    public var accelerationMagnitudeMean: Double?
    /// Population standard deviation of the acceleration magnitude, g (`np.std`; WESAD ACC magnitude std).
    public var accelerationMagnitudeStandardDeviation: Double?
    /// Mean oxygen saturation, %.
    public var spo2Mean: Double?
    /// Lowest oxygen saturation sample, %.
    public var spo2Minimum: Double?

    /// Creates features with every value missing.
    public init() {}

    /// The value of one feature.
    public subscript(name: Name) -> Double? {
        get {
            switch name {
            case .hrMean: hrMean
            case .hrvSDNN: hrvSDNN
            case .hrvRMSSD: hrvRMSSD
            case .hrvPNN50: hrvPNN50
            case .hrvLF: hrvLF
            case .hrvHF: hrvHF
            case .hrvLFHF: hrvLFHF
            case .edaTonicMean: edaTonicMean
            case .edaSCRCount: edaSCRCount
            case .edaSCRAmplitudeMean: edaSCRAmplitudeMean
            case .temperatureMean: temperatureMean
            case .temperatureSlope: temperatureSlope
            case .accelerationMagnitudeMean: accelerationMagnitudeMean
            case .accelerationMagnitudeStandardDeviation: accelerationMagnitudeStandardDeviation
            case .spo2Mean: spo2Mean
            case .spo2Minimum: spo2Minimum
            }
        }
        set {
            switch name {
            case .hrMean: hrMean = newValue
            case .hrvSDNN: hrvSDNN = newValue
            case .hrvRMSSD: hrvRMSSD = newValue
            case .hrvPNN50: hrvPNN50 = newValue
            case .hrvLF: hrvLF = newValue
            case .hrvHF: hrvHF = newValue
            case .hrvLFHF: hrvLFHF = newValue
            case .edaTonicMean: edaTonicMean = newValue
            case .edaSCRCount: edaSCRCount = newValue
            case .edaSCRAmplitudeMean: edaSCRAmplitudeMean = newValue
            case .temperatureMean: temperatureMean = newValue
            case .temperatureSlope: temperatureSlope = newValue
            case .accelerationMagnitudeMean: accelerationMagnitudeMean = newValue
            case .accelerationMagnitudeStandardDeviation: accelerationMagnitudeStandardDeviation = newValue
            case .spo2Mean: spo2Mean = newValue
            case .spo2Minimum: spo2Minimum = newValue
            }
        }
    }

    /// The sixteen values in ``Name`` order.
    public var values: [Double?] { Name.allCases.map { self[$0] } }
}
