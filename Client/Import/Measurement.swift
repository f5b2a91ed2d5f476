/// One imported, unit-normalised value of a physiological quantity.
///
/// Times are Unix seconds (UTC) as `Double`, so sub-second sensor timing survives; the value is in
/// the quantity's canonical unit (``Quantity/unit``). In a file that also imports Foundation, whose
/// generic `Measurement<UnitType>` shares the name, spell it `EQMClient.Measurement` if the compiler
/// asks.
public struct Measurement: Hashable, Sendable, Codable {
    /// What was measured.
    public var quantity: Quantity
    /// When the measurement starts (or the instant it was taken), Unix seconds UTC.
    public var start: Double
    /// When an interval measurement ends (step counts, nightly values, HRV windows), Unix seconds UTC;
    /// `nil` for instantaneous samples.
    public var end: Double?
    /// The value in the quantity's canonical unit.
    public var value: Double
    /// The device or app that produced the value, when the format says (`"Empatica E4"`, a sensor id).
    public var source: String?

    /// Creates a measurement; `value` must already be in the quantity's canonical unit.
    public init(quantity: Quantity, start: Double, end: Double? = nil, value: Double, source: String? = nil) {
        self.quantity = quantity
        self.start = start
        self.end = end
        self.value = value
        self.source = source
    }
}
