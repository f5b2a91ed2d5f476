/// Carries a value the caller guarantees is used safely across threads (disjoint writes, or reads
/// of immutable state) into a parallel loop.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
