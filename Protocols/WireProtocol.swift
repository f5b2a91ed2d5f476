/// Identity of the EQM wire protocol spoken between nodes and the coordinator.
///
/// The secure-aggregation state machines and messages (issue 4) live in this module as pure
/// logic with no I/O, so the coordinator, the node and the in-process simulator share them.
public enum WireProtocol {
    /// The protocol version every message carries; an unknown version is refused.
    public static let version = 1
}
