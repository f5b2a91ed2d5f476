/// The kind of a wire message, carried in its frame header so that the size limit of the kind is
/// checked before the body is decoded.
public enum MessageKind: UInt8, Codable, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Client → server: ephemeral public keys, signed (stage 1).
    case keyAdvertisement = 1
    /// Server → client: the neighbours' signed advertisements.
    case keyDirectory = 2
    /// Client → server: encrypted shares for the neighbours, signed (stage 2).
    case shareKeys = 3
    /// Server → client: the shares addressed to it.
    case shareDelivery = 4
    /// Client → server: the masked vector, signed (stage 3).
    case maskedInput = 5
    /// Server → client: who survived and who dropped.
    case unmaskRequest = 6
    /// Client → server: revealed shares, signed (stage 4).
    case unmaskResponse = 7

    public var description: String {
        switch self {
        case .keyAdvertisement: "key advertisement"
        case .keyDirectory: "key directory"
        case .shareKeys: "share keys"
        case .shareDelivery: "share delivery"
        case .maskedInput: "masked input"
        case .unmaskRequest: "unmask request"
        case .unmaskResponse: "unmask response"
        }
    }
}
