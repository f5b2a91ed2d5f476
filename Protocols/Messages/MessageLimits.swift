/// The largest body each message kind may have in a round, derived from its configuration and
/// checked before a body is decoded (and before a sealed envelope is opened).
///
/// Limits are the largest honest body plus a little slack; the masked vector's body has exactly one
/// valid size.
public struct MessageLimits: Sendable, Hashable {
    private let limits: [MessageKind: Int]

    /// No frame of any round is larger (the masked vector of the largest allowed dimension).
    public static let absoluteMaximumFrameSize =
        WireFrame.headerLength + MaskedInputMessage.fixedBodyLength
        + 4 * WireProtocol.maximumVectorLength

    /// The limits of a round.
    public init(configuration: RoundConfiguration) {
        let n = configuration.participants.count, k = configuration.neighbors
        // Honest maxima (binary bodies, 32-byte digests, 64-byte signatures) with a little slack.
        limits = [
            .keyAdvertisement: 256,
            .keyDirectory: 64 + 180 * k,
            .shareKeys: 256 + 150 * k,
            .shareDelivery: 256 + 150 * k,
            .maskedInput: MaskedInputMessage.fixedBodyLength + 4 * configuration.vectorLength,
            .unmaskRequest: 64 + 4 * n,
            .unmaskResponse: 256 + 56 * k,
        ]
    }

    /// The largest body of `kind`.
    public func maximumBodySize(for kind: MessageKind) -> Int { limits[kind] ?? 0 }

    /// The largest frame of any kind.
    public var maximumFrameSize: Int { WireFrame.headerLength + (limits.values.max() ?? 0) }
}
