extension XChaCha20Poly1305 {
    /// ``seal(_:key:associatedData:)`` under key `index` of a ``SecretKeyArray``.
    public static func seal(_ plaintext: [UInt8], keys: SecretKeyArray, index: Int, associatedData: [UInt8] = []) -> [UInt8] {
        keys.withUnsafeBytes(of: index) { seal(plaintext, rawKey: $0, associatedData: associatedData) }
    }

    /// ``open(_:key:associatedData:)`` under key `index` of a ``SecretKeyArray``.
    ///
    /// - Throws: ``CryptoError`` `authenticationFailed` or `invalidInput`, as ``open(_:key:associatedData:)``.
    public static func open(_ sealed: [UInt8], keys: SecretKeyArray, index: Int, associatedData: [UInt8] = []) throws(CryptoError)
        -> [UInt8]
    {
        try keys.withUnsafeBytes(of: index) { raw in
            Result { () throws(CryptoError) in try open(sealed, rawKey: raw, associatedData: associatedData) }
        }.get()
    }
}
