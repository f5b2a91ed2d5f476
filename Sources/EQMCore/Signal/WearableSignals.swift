/// The signals one wearer's devices recorded, any of which may be absent: the input of a
/// ``FeatureExtractor``.
///
/// Times of all signals are seconds on one clock (for example Unix time, or seconds from the
/// start of a recording). Units: blood volume pulse in arbitrary units, skin conductance in µS,
/// skin temperature in °C, acceleration in g (gravity included; Empatica counts are 1/64 g),
/// oxygen saturation in % (0–100).
public struct WearableSignals: Sendable {
    /// Blood volume pulse (photoplethysmogram), for beat detection.
    public var bvp: SampledSignal?
    /// Inter-beat intervals measured by the device (such as Empatica's `IBI.csv` or Apple's beat
    /// lists); used for heart rate and HRV when there is no ``bvp``.
    public var interBeatIntervals: InterBeatIntervals?
    /// Skin conductance (electrodermal activity), µS.
    public var eda: SampledSignal?
    /// Skin temperature, °C.
    public var temperature: SampledSignal?
    /// Acceleration along the device's x, y and z axes, g; the three share start time and rate.
    public var acceleration: (x: SampledSignal, y: SampledSignal, z: SampledSignal)?
    /// Peripheral oxygen saturation, %.
    public var spo2: SampledSignal?

    /// Creates a set of signals; absent sensors are `nil`.
    public init(
        bvp: SampledSignal? = nil,
        interBeatIntervals: InterBeatIntervals? = nil,
        eda: SampledSignal? = nil,
        temperature: SampledSignal? = nil,
        acceleration: (x: SampledSignal, y: SampledSignal, z: SampledSignal)? = nil,
        spo2: SampledSignal? = nil
    ) {
        self.bvp = bvp
        self.interBeatIntervals = interBeatIntervals
        self.eda = eda
        self.temperature = temperature
        self.acceleration = acceleration
        self.spo2 = spo2
    }

    /// The signals of a (synthetic) recording: every sensor present.
    public init(recording: UserRecording) {
        self.init(
            bvp: recording.bvp, eda: recording.eda, temperature: recording.temperature,
            acceleration: (recording.accelerationX, recording.accelerationY, recording.accelerationZ),
            spo2: recording.spo2)
    }
}
