/// A server optimiser and its hyper-parameters, as a campaign stores them.
///
/// Defaults follow Reddi et al., "Adaptive Federated Optimization" (ICLR 2021):
///
/// - FedAvg: η = 1 and β = 0, which is exactly federated averaging (`x ← x + Δ`), the baseline
///   every other choice is measured against.
/// - FedAdam and FedYogi: β₁ = 0.9 and β₂ = 0.99 (the paper fixes these for every experiment),
///   τ = 10⁻³ (the paper's default adaptivity; smaller τ makes the update closer to a sign step)
///   and η = 10⁻². An adaptive server step moves each coordinate by about η (m/√v is of order one
///   whatever the scale of Δ), so η is a per-coordinate step length; 10⁻² lies inside the best
///   region of the paper's grids for most tasks and is a conservative start for small wearable
///   models. Tune η first when changing tasks; β₁, β₂ and τ rarely need it.
///
/// `momentum` belongs to FedAvg only, and β₁, β₂, τ to the adaptive optimisers; a configuration
/// that sets momentum on an adaptive optimiser is refused rather than silently ignored.
public struct ServerOptimizerConfiguration: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Which optimiser.
    public var kind: ServerOptimizerKind
    /// The server learning rate η (> 0).
    public var learningRate: Double
    /// FedAvg's server momentum β in [0, 1); must be 0 for the adaptive optimisers.
    public var momentum: Double
    /// The first-moment decay β₁ in [0, 1) (adaptive optimisers).
    public var beta1: Double
    /// The second-moment decay β₂ in [0, 1) (adaptive optimisers).
    public var beta2: Double
    /// The adaptivity τ > 0 (adaptive optimisers): added to √v, and τ² is the initial v.
    public var tau: Double

    /// The default server learning rate of `kind` (1 for FedAvg, 10⁻² for FedAdam and FedYogi).
    public static func defaultLearningRate(for kind: ServerOptimizerKind) -> Double {
        kind == .fedavg ? 1 : 1e-2
    }

    /// Creates a configuration; call ``validate()`` before use (``ServerOptimizer`` does).
    public init(
        kind: ServerOptimizerKind, learningRate: Double? = nil, momentum: Double = 0, beta1: Double = 0.9,
        beta2: Double = 0.99, tau: Double = 1e-3
    ) {
        self.kind = kind
        self.learningRate = learningRate ?? Self.defaultLearningRate(for: kind)
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.tau = tau
    }

    private enum CodingKeys: String, CodingKey {
        case kind, momentum, beta1, beta2, tau
        case learningRate = "learning_rate"
    }

    /// Decodes a configuration; only `kind` is required, every other field takes its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(ServerOptimizerKind.self, forKey: .kind)
        self.init(
            kind: kind, learningRate: try container.decodeIfPresent(Double.self, forKey: .learningRate),
            momentum: try container.decodeIfPresent(Double.self, forKey: .momentum) ?? 0,
            beta1: try container.decodeIfPresent(Double.self, forKey: .beta1) ?? 0.9,
            beta2: try container.decodeIfPresent(Double.self, forKey: .beta2) ?? 0.99,
            tau: try container.decodeIfPresent(Double.self, forKey: .tau) ?? 1e-3)
    }

    /// Federated averaging with server learning rate η and optional server momentum β.
    public static func fedAvg(learningRate: Double = 1, momentum: Double = 0) -> Self {
        Self(kind: .fedavg, learningRate: learningRate, momentum: momentum)
    }

    /// FedAdam with the paper's defaults.
    public static func fedAdam(learningRate: Double = 1e-2, beta1: Double = 0.9, beta2: Double = 0.99, tau: Double = 1e-3)
        -> Self
    {
        Self(kind: .fedadam, learningRate: learningRate, beta1: beta1, beta2: beta2, tau: tau)
    }

    /// FedYogi with the paper's defaults.
    public static func fedYogi(learningRate: Double = 1e-2, beta1: Double = 0.9, beta2: Double = 0.99, tau: Double = 1e-3)
        -> Self
    {
        Self(kind: .fedyogi, learningRate: learningRate, beta1: beta1, beta2: beta2, tau: tau)
    }

    /// Checks every value is finite, in range and representable in Float32 (the arithmetic's type).
    public func validate() throws(EQMCoreError) {
        guard learningRate.isFinite, learningRate > 0, Float(learningRate).isFinite, Float(learningRate) > 0 else {
            throw .invalidConfiguration(
                "server learning rate must be a positive finite Float32 value, found \(learningRate)")
        }
        guard momentum.isFinite, momentum >= 0, momentum < 1 else {
            throw .invalidConfiguration("server momentum must be in [0, 1), found \(momentum)")
        }
        guard kind == .fedavg || momentum == 0 else {
            throw .invalidConfiguration(
                "server momentum applies to fedavg only; \(kind) takes its momentum from beta1, found momentum \(momentum)")
        }
        guard beta1.isFinite, beta1 >= 0, beta1 < 1 else {
            throw .invalidConfiguration("beta1 must be in [0, 1), found \(beta1)")
        }
        guard beta2.isFinite, beta2 >= 0, beta2 < 1 else {
            throw .invalidConfiguration("beta2 must be in [0, 1), found \(beta2)")
        }
        guard tau.isFinite, tau > 0, Float(tau).isNormal else {
            throw .invalidConfiguration("tau must be a positive finite Float32 value, found \(tau)")
        }
    }

    /// A short, stable summary for model cards and logs, e.g. `fedadam(lr=0.01, beta1=0.9, beta2=0.99, tau=0.001)`.
    public var description: String {
        switch kind {
        case .fedavg:
            momentum == 0 ? "fedavg(lr=\(learningRate))" : "fedavg(lr=\(learningRate), momentum=\(momentum))"
        case .fedadam, .fedyogi:
            "\(kind)(lr=\(learningRate), beta1=\(beta1), beta2=\(beta2), tau=\(tau))"
        }
    }
}
