/// Rényi-DP accountant for composed Poisson-subsampled Gaussian rounds.
///
/// The RDP curve of a round is computed at every order of ``orders`` (Mironov, Talwar and Zhang 2019;
/// see `SubsampledGaussianRDP` for how each order is evaluated without skipping any), composition adds
/// the curves order by order (rounds with different q and σ included), and the composed curve is
/// converted to (ε, δ) with the conversion of Balle et al. 2020 / Canonne, Kamath and Steinke 2020,
/// the one dp-accounting 0.6.0 uses:
///
///     ε = min over α of  r(α) + log1p(−1/α) − log(δ·α)/(α − 1)      (α > 1.01),
///
/// with dp-accounting's special cases: ε = 0 when √(1 − e^{−r}) ≤ δ (the KL bound), and orders
/// α ≤ 1.01 ignored. The result is an upper bound on the true ε; it equals dp-accounting's value
/// wherever dp-accounting evaluates every order, and is smaller (tighter) where its fractional-order
/// series loses one.
///
/// A query costs about a millisecond whatever the number of steps: steps only scale the curve.
public struct RDPAccountant: PrivacyAccountant {
    /// dp-accounting 0.6.0's default orders: 1.1, 1.2, …, 10.9, 11, 12, …, 63, 128, 256, 512, 1024.
    public static let defaultOrders: [Double] =
        (1...99).map { 1 + Double($0) / 10 } + (11...63).map { Double($0) } + [128, 256, 512, 1024]

    /// The Rényi orders α (> 1) the curve is evaluated at.
    public let orders: [Double]

    /// An accountant with dp-accounting's default orders.
    public init() {
        self.orders = Self.defaultOrders
    }

    /// An accountant with custom orders, each in (1, 100000].
    public init(orders: [Double]) throws(EQMCoreError) {
        guard !orders.isEmpty else { throw .invalidConfiguration("RDP orders must not be empty") }
        for order in orders where !(order > 1 && order <= 100_000) {
            throw .invalidConfiguration("RDP orders must be in (1, 100000], found \(order)")
        }
        self.orders = orders
    }

    /// "rdp".
    public var name: String { "rdp" }

    /// The algorithm version and the orders used.
    public var version: String {
        let orderSet = orders == Self.defaultOrders ? "dp-accounting-0.6.0-default" : "custom(\(orders.count))"
        return "1.0.0 orders=\(orderSet) conversion=balle2020"
    }

    /// The composed RDP curve of `event`: one value per order of ``orders`` (+∞ where σ = 0).
    public func rdp(for event: PrivacyEvent) -> [Double] {
        var curve = [Double](repeating: 0, count: orders.count)
        for round in event.merged {
            for (index, order) in orders.enumerated() {
                let perStep = SubsampledGaussianRDP.rdp(
                    samplingRate: round.samplingRate, noiseMultiplier: round.noiseMultiplier, order: order)
                // RDP is non-negative; a rounding-level negative value must not read as "no loss".
                curve[index] += Double(round.steps) * Swift.max(0, perStep)
            }
        }
        return curve
    }

    /// The (ε, δ) guarantee of `event` and the order that achieves it.
    public func guarantee(for event: PrivacyEvent, delta: Double) throws(EQMCoreError) -> PrivacyGuarantee {
        try Self.validate(delta: delta)
        let (epsilon, order) = Self.epsilon(orders: orders, rdp: rdp(for: event), delta: delta)
        return PrivacyGuarantee(epsilon: epsilon, delta: delta, optimalOrder: epsilon.isFinite ? order : nil)
    }

    /// Converts an RDP curve to the smallest ε at `delta` over its orders, and the order achieving it
    /// (the first such order on ties), exactly as dp-accounting's `compute_epsilon`.
    public static func epsilon(orders: [Double], rdp: [Double], delta: Double) -> (epsilon: Double, order: Double) {
        precondition(orders.count == rdp.count && !orders.isEmpty, "one RDP value per order")
        var best = Double.infinity, bestIndex = 0
        for (index, (alpha, r)) in zip(orders, rdp).enumerated() {
            let epsilon: Double
            if r < 0 {
                epsilon = 0
            } else if delta * delta + Math.expm1(-r) > 0 {
                epsilon = 0  // KL bound: δ ≥ √(1 − e^{−KL}) already
            } else if alpha > 1.01 {
                epsilon = r + Math.log1p(-1 / alpha) - Math.log(delta * alpha) / (alpha - 1)
            } else {
                epsilon = .infinity
            }
            if epsilon < best || (index == 0 && epsilon == best) {
                best = epsilon
                bestIndex = index
            }
        }
        return (Swift.max(0, best), orders[bestIndex])
    }
}
