public import EQMCrypto

/// A client's message sealed to the coordinator's X25519 key (libsodium sealed box): only the
/// coordinator can open it, and nobody on the way can read or alter the masked vector or the shares.
///
/// Sealed boxes are anonymous; who sent a message comes from the Ed25519 signature inside it.
public struct SealedMessage: Sendable, Hashable {
    /// The sealed frame.
    public var bytes: [UInt8]

    /// Bytes a sealed box adds: an ephemeral public key and a Poly1305 tag (`crypto_box_SEALBYTES`).
    public static let overhead = 48

    /// Wraps received bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Frames and seals `message` to the coordinator.
    public init<Message: WireMessage>(sealing message: Message, to coordinator: PublicKey) throws(ProtocolError) {
        var frame = try WireFrame.encode(message)
        bytes = coordinator.seal(frame)
        // The frame may hold shares in the clear; do not leave them behind.
        SecureMemory.zero(&frame)
    }

    /// Opens the envelope with the coordinator's key, refusing oversized envelopes before decrypting.
    public func open(with key: KeyAgreementKey, limits: MessageLimits) throws(ProtocolError) -> [UInt8] {
        guard bytes.count <= limits.maximumFrameSize + Self.overhead else {
            throw .messageTooLarge(
                "a sealed message is at most \(limits.maximumFrameSize + Self.overhead) bytes in this round, found \(bytes.count)"
            )
        }
        do {
            return try key.open(sealedBox: bytes)
        } catch {
            throw .authenticationFailed(
                "sealed message did not open with the coordinator's key (tampered, or sealed to another key)",
                cause: error)
        }
    }
}
