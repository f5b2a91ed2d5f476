import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import Foundation
import HTTPTypes
import Logging
public import Prometheus

/// The coordinator's Prometheus metrics: rounds, submissions, dropouts, stage latencies and ε.
/// Each coordinator owns its registry (so tests can run several in one process); `serve` also
/// bootstraps swift-metrics with it, so Hummingbird's request metrics land in the same exposition.
public final class CoordinatorMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    let roundsStarted: Counter
    let roundsCommitted: Counter
    let roundsAborted: Counter
    let submissions: Counter
    let rejectedSubmissions: Counter
    let dropouts: Counter
    let stageSeconds: DurationHistogram
    let epsilonSpent: Gauge

    /// Creates the metrics in `registry`.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        roundsStarted = registry.makeCounter(name: "eqm_rounds_started_total", help: "Rounds started")
        roundsCommitted = registry.makeCounter(name: "eqm_rounds_committed_total", help: "Rounds that released a model version")
        roundsAborted = registry.makeCounter(
            name: "eqm_rounds_aborted_total", help: "Rounds aborted (too few survivors, deadline, shutdown)")
        submissions = registry.makeCounter(name: "eqm_submissions_total", help: "Protocol messages accepted from nodes")
        rejectedSubmissions = registry.makeCounter(
            name: "eqm_submissions_rejected_total", help: "Protocol messages refused (late, duplicate, malformed)")
        dropouts = registry.makeCounter(name: "eqm_dropouts_total", help: "Selected nodes that did not finish a round")
        stageSeconds = registry.makeDurationHistogram(
            name: "eqm_stage_close_seconds",
            buckets: [.milliseconds(1), .milliseconds(10), .milliseconds(100), .seconds(1), .seconds(10), .seconds(60)],
            help: "Time the leader spends closing a SecAgg+ stage")
        epsilonSpent = registry.makeGauge(name: "eqm_epsilon_spent", help: "Global ε spent by the most recent round's campaign")
    }

    /// The text exposition format.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
