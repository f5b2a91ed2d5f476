import EQMCrypto
import Foundation

/// Where the key of a node's local store comes from.
///
/// A passphrase is stretched with Argon2id (salt and cost in the store's header); a key file holds
/// 32 random bytes as 64 hexadecimal characters and must not be readable by other users.
public enum StoreKeySource: Sendable {
    /// A passphrase (UTF-8 bytes), e.g. from `EQM_STORE_PASSPHRASE` or a terminal prompt.
    case passphrase([UInt8])
    /// A file holding the raw key as 64 hexadecimal characters.
    case keyFile(String)

    /// The environment variable an unattended node can set to its passphrase.
    public static let environmentVariable = "EQM_STORE_PASSPHRASE"

    /// Resolves the key source for a command: `--key-file` first, then `EQM_STORE_PASSPHRASE`, then
    /// a prompt on the terminal; with none of these, an error that says exactly what is needed.
    /// `environment` and `prompt` default to the process's environment and whether stdin is a terminal.
    public static func resolve(
        keyFile: String?, environment: [String: String]? = nil,
        prompt: Bool? = nil
    ) throws(StoreError) -> StoreKeySource {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let prompt = prompt ?? (isatty(STDIN_FILENO) == 1)
        if let keyFile { return .keyFile(keyFile) }
        if let passphrase = environment[environmentVariable], !passphrase.isEmpty {
            return .passphrase(Array(passphrase.utf8))
        }
        if prompt, let entered = getpass("Store passphrase: "), entered.pointee != 0 {
            let bytes = Array(
                UnsafeBufferPointer(start: UnsafeRawPointer(entered).assumingMemoryBound(to: UInt8.self), count: strlen(entered)))
            memset(entered, 0, strlen(entered))
            return .passphrase(bytes)
        }
        throw StoreError(
            .keyUnavailable,
            "the local store is encrypted and needs its key: pass --key-file PATH (64 hex characters, mode 600) or set \(environmentVariable); there is no terminal to ask for a passphrase"
        )
    }

    /// Creates a new key file with a random key, readable by its owner only.
    public static func createKeyFile(at path: String) throws(StoreError) {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.alreadyExists, "key file \(path) already exists; refusing to overwrite a key")
        }
        let key = SecretBytes.random(count: 32)
        var hex = key.withUnsafeBytes { $0.hexString }
        defer { hex = String(repeating: "0", count: hex.count) }
        try AtomicFile.write(Array((hex + "\n").utf8), to: URL(fileURLWithPath: path))
    }

    /// Reads a key file, refusing files other users can read and contents that are not a 32-byte hex key.
    static func readKeyFile(_ path: String) throws(StoreError) -> SecretBytes {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw StoreError(.keyUnavailable, "key file \(path) cannot be read: \(AtomicFile.errnoText())")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw StoreError(
                .keyUnavailable,
                "key file \(path) is readable by other users (mode \(String(status.st_mode & 0o777, radix: 8))); run chmod 600 \(path)"
            )
        }
        var contents = try AtomicFile.read(URL(fileURLWithPath: path))
        defer { contents.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        var hex = contents.filter { !($0 == 0x0A || $0 == 0x0D || $0 == 0x20) }
        defer { hex.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        guard hex.count == 64 else {
            throw StoreError(
                .keyUnavailable,
                "key file \(path) must hold 64 hexadecimal characters (a 32-byte key), found \(hex.count) characters")
        }
        var key = [UInt8](repeating: 0, count: 32)
        for index in 0..<32 {
            guard let high = hexValue(hex[2 * index]), let low = hexValue(hex[2 * index + 1]) else {
                throw StoreError(.keyUnavailable, "key file \(path) contains a character that is not hexadecimal")
            }
            key[index] = high << 4 | low
        }
        return SecretBytes(consuming: &key)
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case 0x30...0x39: character - 0x30
        case 0x61...0x66: character - 0x61 + 10
        case 0x41...0x46: character - 0x41 + 10
        default: nil
        }
    }
}
