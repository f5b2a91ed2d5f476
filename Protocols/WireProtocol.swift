/// Identity of the EQM wire protocol spoken between nodes and the coordinator.
///
/// Every message carries ``version``; a message of another version is refused with
/// ``ProtocolError/Code/unsupportedVersion`` before its body is decoded. Signatures, share
/// encryption and mask keys are bound to ``identifier`` (domain separation), to the round's
/// configuration digest, and to sender and recipient.
public enum WireProtocol {
    /// The protocol version every message carries; an unknown version is refused.
    public static let version = 1

    /// The domain-separation label mixed into every signature, key derivation and associated data.
    public static let identifier = "EQM-SecAgg+/1"

    /// The largest round this build accepts (participants), far above the 10,000 that the
    /// complete graph (classic SecAgg) must support; the Shamir field (p = 2⁶¹ − 1) allows far more.
    public static let maximumParticipants = 1 << 20

    /// The largest update this build accepts, in 32-bit words (256 MiB of masked vector).
    public static let maximumVectorLength = 1 << 26
}
