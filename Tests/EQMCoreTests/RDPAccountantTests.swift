import Testing

@testable import EQMCore

@Suite("RDP accountant")
struct RDPAccountantTests {
    let accountant = RDPAccountant()

    @Test(
        "every reference case: ε within 0.1% of the all-orders value, same optimal order",
        arguments: AccountantReferenceCase.all)
    func referenceCases(reference: AccountantReferenceCase) throws {
        let guarantee = try accountant.guarantee(for: reference.event, delta: reference.delta)
        #expect(
            abs(guarantee.epsilon - reference.rdpAllOrders) <= 1e-3 * reference.rdpAllOrders,
            "ε \(guarantee.epsilon) vs \(reference.rdpAllOrders)")
        // Six significant digits are printed in the reference file.
        #expect(abs(guarantee.epsilon - reference.rdpAllOrders) <= 2e-6 * reference.rdpAllOrders)
        #expect(guarantee.optimalOrder == reference.rdpOptimalOrder)
        #expect(guarantee.delta == reference.delta)
        // Never looser than dp-accounting; equal to it within 0.1% unless its series dropped an order.
        #expect(guarantee.epsilon <= reference.rdpDPAccounting * (1 + 1e-6))
        if reference.rdpDPAccounting == reference.rdpAllOrders {
            #expect(abs(guarantee.epsilon - reference.rdpDPAccounting) <= 1e-3 * reference.rdpDPAccounting)
        }
    }

    @Test("the default orders are dp-accounting 0.6.0's")
    func defaultOrders() {
        let orders = RDPAccountant.defaultOrders
        #expect(orders.count == 156)
        #expect(orders.prefix(3) == [1.1, 1.2, 1.3])
        #expect(orders[98] == 10.9 && orders[99] == 11 && orders[151] == 63)
        #expect(orders.suffix(4) == [128, 256, 512, 1024])
        #expect(orders.filter { $0 == $0.rounded() }.count == 9 + 53 + 4)
    }

    @Test("fractional orders where dp-accounting's series fails match 40-digit quadrature")
    func skippedOrders() {
        // q = 0.1, σ = 0.5: dp-accounting excludes α = 1.1…1.6 and overestimates α = 1.7.
        // Values from mpmath.quad at 40 digits of the defining integral.
        let exact: [(order: Double, rdp: Double)] = [
            (1.3, 0.1000181632286982), (1.7, 0.21898445032726067),
            (1.1, 0.06953589290251416),
        ]
        for (order, rdp) in exact {
            let computed = SubsampledGaussianRDP.rdp(samplingRate: 0.1, noiseMultiplier: 0.5, order: order)
            #expect(abs(computed - rdp) <= 1e-10 * rdp, "α = \(order): \(computed) vs \(rdp)")
        }
    }

    @Test(
        "the quadrature used for fractional orders agrees with the binomial sum at integer orders",
        arguments: [(0.001, 0.6), (0.01, 1.1), (0.1, 0.5), (0.3, 2.0), (0.5, 4.0), (0.9, 0.8), (0.01, 10.0)])
    func quadratureMatchesBinomial(q: Double, sigma: Double) {
        for order in [2, 3, 5, 8, 13, 30, 63] {
            let binomial = SubsampledGaussianRDP.logAIntegerOrder(samplingRate: q, noiseMultiplier: sigma, order: order)
            let quadrature = SubsampledGaussianRDP.logAQuadrature(
                samplingRate: q, noiseMultiplier: sigma,
                order: Double(order))
            #expect(
                abs(quadrature - binomial) <= 1e-10 * Swift.max(abs(binomial), 1e-6),
                "q=\(q) σ=\(sigma) α=\(order): \(quadrature) vs \(binomial)")
        }
    }

    @Test("no default order is skipped: the curve is finite and non-negative for a grid of mechanisms")
    func everyOrderFinite() throws {
        for q in [1e-5, 1e-3, 0.05, 0.3, 0.7, 0.99] {
            for sigma in [0.3, 0.5, 0.8, 1.0, 2.0, 8.0] {
                let curve = accountant.rdp(for: try PrivacyEvent(samplingRate: q, noiseMultiplier: sigma, steps: 1))
                #expect(curve.allSatisfy { $0.isFinite && $0 >= 0 }, "q=\(q) σ=\(sigma)")
                // Rényi divergence is non-decreasing in the order.
                #expect(zip(curve, curve.dropFirst()).allSatisfy { $0 <= $1 * (1 + 1e-9) + 1e-300 }, "q=\(q) σ=\(sigma)")
            }
        }
    }

    @Test("q = 1 is the Gaussian mechanism: RDP α/(2σ²)")
    func noSubsampling() throws {
        let curve = accountant.rdp(for: try PrivacyEvent(samplingRate: 1, noiseMultiplier: 2, steps: 3))
        for (order, value) in zip(accountant.orders, curve) { #expect(abs(value - 3 * order / 8) <= 1e-12 * value) }
    }

    @Test("σ = 0 has no finite ε; an empty event spends nothing")
    func degenerate() throws {
        let noNoise = try accountant.guarantee(for: PrivacyEvent(samplingRate: 0.1, noiseMultiplier: 0, steps: 1), delta: 1e-5)
        #expect(noNoise.epsilon == .infinity)
        #expect(noNoise.optimalOrder == nil)
        let empty = try accountant.guarantee(for: PrivacyEvent(), delta: 1e-5)
        #expect(empty.epsilon == 0)
    }

    @Test("heterogeneous rounds: the composed curve is the sum of the rounds' curves, in any order")
    func heterogeneousComposition() throws {
        let first = try PrivacyEvent(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 300)
        let second = try PrivacyEvent(samplingRate: 0.05, noiseMultiplier: 2.0, steps: 120)
        let third = try PrivacyEvent(samplingRate: 1, noiseMultiplier: 20, steps: 2)
        let composed = first.composed(with: second).composed(with: third)
        let sum = zip(zip(accountant.rdp(for: first), accountant.rdp(for: second)), accountant.rdp(for: third)).map {
            $0.0 + $0.1 + $1
        }
        for (value, expected) in zip(accountant.rdp(for: composed), sum) { #expect(abs(value - expected) <= 1e-12 * expected) }
        let reversed = third.composed(with: second).composed(with: first)
        let forward = try accountant.guarantee(for: composed, delta: 1e-5)
        let backward = try accountant.guarantee(for: reversed, delta: 1e-5)
        #expect(abs(forward.epsilon - backward.epsilon) <= 1e-12 * forward.epsilon)
        #expect(forward.optimalOrder == backward.optimalOrder)
    }

    @Test("two halves composed give the whole")
    func halves() throws {
        let half = try PoissonSubsampledGaussian(samplingRate: 0.02, noiseMultiplier: 1.3, steps: 500)
        let whole = try PrivacyEvent(samplingRate: 0.02, noiseMultiplier: 1.3, steps: 1000)
        var halves = PrivacyEvent([half])
        halves.compose(half)
        let a = try accountant.guarantee(for: halves, delta: 1e-6), b = try accountant.guarantee(for: whole, delta: 1e-6)
        #expect(abs(a.epsilon - b.epsilon) <= 1e-12 * b.epsilon)
        #expect(a.optimalOrder == b.optimalOrder)
    }

    @Test("ε decreases with σ and increases with q and with the number of steps")
    func monotone() throws {
        func epsilon(_ q: Double, _ sigma: Double, _ steps: Int) throws -> Double {
            try accountant.guarantee(for: PrivacyEvent(samplingRate: q, noiseMultiplier: sigma, steps: steps), delta: 1e-5)
                .epsilon
        }
        let sigmas = [0.5, 0.7, 0.9, 1.1, 1.5, 2, 3, 5, 10]
        for (a, b) in zip(sigmas, sigmas.dropFirst()) { #expect(try epsilon(0.01, a, 1000) > epsilon(0.01, b, 1000)) }
        let rates = [1e-4, 1e-3, 0.01, 0.05, 0.2, 0.5, 1]
        for (a, b) in zip(rates, rates.dropFirst()) { #expect(try epsilon(a, 1.2, 500) < epsilon(b, 1.2, 500)) }
        let counts = [1, 10, 100, 1000, 10000]
        for (a, b) in zip(counts, counts.dropFirst()) { #expect(try epsilon(0.01, 1.2, a) < epsilon(0.01, 1.2, b)) }
    }

    @Test("the conversion: KL bound gives ε = 0, orders ≤ 1.01 are ignored, the first best order wins")
    func conversion() {
        #expect(RDPAccountant.epsilon(orders: [2, 3], rdp: [1e-14, 2e-14], delta: 1e-5) == (0, 2))
        #expect(RDPAccountant.epsilon(orders: [1.005], rdp: [0.5], delta: 1e-5).epsilon == .infinity)
        let (epsilon, order) = RDPAccountant.epsilon(orders: [2, 4], rdp: [1, 1], delta: 1e-5)
        // α = 4 wins: 1 + log1p(−1/4) − log(4e-5)/3 < 1 + log1p(−1/2) − log(2e-5).
        #expect(order == 4)
        #expect(abs(epsilon - (1 + Math.log1p(-0.25) - Math.log(4e-5) / 3)) < 1e-12)
    }

    @Test("invalid inputs are rejected with a message naming the value")
    func validation() throws {
        #expect(throws: EQMCoreError.self) { try PrivacyEvent(samplingRate: 0, noiseMultiplier: 1, steps: 1) }
        #expect(throws: EQMCoreError.self) { try PrivacyEvent(samplingRate: 1.01, noiseMultiplier: 1, steps: 1) }
        #expect(throws: EQMCoreError.self) { try PrivacyEvent(samplingRate: 0.1, noiseMultiplier: -1, steps: 1) }
        #expect(throws: EQMCoreError.self) { try PrivacyEvent(samplingRate: 0.1, noiseMultiplier: .nan, steps: 1) }
        #expect(throws: EQMCoreError.self) { try PrivacyEvent(samplingRate: 0.1, noiseMultiplier: 1, steps: 0) }
        let event = try PrivacyEvent(samplingRate: 0.1, noiseMultiplier: 1, steps: 1)
        for delta in [0, 1, -1e-5, .nan] {
            #expect(throws: EQMCoreError.self) { try accountant.guarantee(for: event, delta: delta) }
        }
        do {
            _ = try accountant.guarantee(for: event, delta: 2)
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("(0, 1)") && error.message.contains("2"))
        }
        #expect(throws: EQMCoreError.self) { try RDPAccountant(orders: [1, 2]) }
        #expect(throws: EQMCoreError.self) { try RDPAccountant(orders: []) }
    }

    @Test("name and version identify the algorithm for the ledger")
    func identity() throws {
        #expect(accountant.name == "rdp")
        #expect(accountant.version.contains("dp-accounting-0.6.0-default"))
        #expect(try RDPAccountant(orders: [2, 4]).version.contains("custom(2)"))
    }
}
