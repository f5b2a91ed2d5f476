/// Which of a peer's two secrets a client revealed its share of in the unmask stage. A client
/// reveals at most one of them per peer, ever.
public enum DisclosedSecret: String, Codable, Sendable, Hashable {
    /// The share of the peer's self-mask seed b (the peer survived).
    case selfMaskSeed
    /// The share of the peer's mask-agreement secret key s (the peer dropped).
    case maskKey
}
