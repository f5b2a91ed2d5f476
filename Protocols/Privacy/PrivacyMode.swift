/// Where the differential-privacy noise of a round is added.
public enum PrivacyMode: String, Codable, Sendable, Hashable, CaseIterable {
    /// No noise (tests, benchmarks, or rounds whose privacy comes from elsewhere).
    case none
    /// Each node adds its share of discrete Gaussian noise inside the masked sum, sized so that any
    /// `survivorFloor` survivors together add at least σ times the sensitivity; no single update is
    /// private on its own, only the sum is (the server sees nothing else under secure aggregation).
    case distributed
    /// Each node adds the full noise, so every update is private on its own, even against a
    /// coordinator without secure aggregation; the sum carries the noise of every survivor.
    case local
}
