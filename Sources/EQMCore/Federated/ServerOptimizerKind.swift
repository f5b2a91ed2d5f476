/// The coordinator's rule for turning the average client delta into a global model update
/// (Reddi et al., "Adaptive Federated Optimization", ICLR 2021).
public enum ServerOptimizerKind: String, Codable, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Federated averaging: `x ← x + η·m` with `m ← β·m + Δ` (plain `x ← x + η·Δ` when β = 0).
    case fedavg
    /// Adam on the server: first and second moments of Δ, without bias correction (Algorithm 2).
    case fedadam
    /// Yogi on the server: like FedAdam, but the second moment moves additively towards Δ², so it
    /// grows as fast yet shrinks more slowly (Zaheer et al. 2018).
    case fedyogi

    /// Whether the optimiser keeps a second moment `v` (and divides by `√v + τ`).
    public var isAdaptive: Bool { self != .fedavg }

    public var description: String { rawValue }
}
