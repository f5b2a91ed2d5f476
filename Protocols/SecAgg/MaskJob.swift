internal import EQMCrypto

/// One mask to add to (or subtract from) a vector: the ChaCha20 keystream of key `index` of `keys`.
struct MaskJob: Sendable {
    let keys: SecretKeyArray
    let index: Int
    let nonce: [UInt8]
    let subtract: Bool
}
