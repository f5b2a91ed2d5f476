public import EQMCrypto
public import Foundation

/// The node's encrypted local store: raw series, labels and derived artefacts, encrypted at rest.
///
/// Layout of the store folder:
///
///     store.json      header (plaintext): format version, key kind, Argon2id salt and cost, key check
///     manifest.eqm    encrypted table of contents (series, days, files, imports, labels, artefacts)
///     data/*.eqm      encrypted segments (one per series and UTC day), labels, artefacts
///     .lock           held by the process using the store
///
/// Every file is XChaCha20-Poly1305 under one 256-bit key (from Argon2id or a key file) with
/// associated data naming its role, series and day, so files cannot be swapped or edited without
/// detection. Writes never modify a file in place: new files are written, flushed and then the
/// manifest is replaced atomically (``AtomicFile``); a process killed mid-write leaves the
/// previous state readable, and files left unreferenced by such a crash are removed on the next
/// open. Re-importing data merges it with what is stored, dropping exact duplicates.
public final class LocalStore {
    /// The store folder.
    public let url: URL
    private let key: SecretBytes
    var manifest: StoreManifest
    private let lock: Int32

    static let headerName = "store.json"
    static let manifestName = "manifest.eqm"
    static let dataFolder = "data"
    static let lockName = ".lock"
    static let formatName = "eqm-local-store"
    static let formatVersion = 1
    static let keyCheckPlaintext = Array("eqm-local-store key check".utf8)

    struct Header: Codable {
        var format: String
        var version: Int
        /// "argon2id" or "key-file".
        var keyKind: String
        var salt: String?
        var operations: UInt64?
        var memoryBytes: UInt64?
        /// The sealed key-check constant: tells a wrong key from a tampered store.
        var keyCheck: String
        var created: String
    }

    /// Whether a store exists in `path`.
    public static func exists(at path: String) -> Bool {
        FileManager.default.fileExists(atPath: URL(fileURLWithPath: path).appendingPathComponent(headerName).path)
    }

    /// Creates a new, empty store in `path` (the folder is created if needed and must not hold a store).
    public static func create(
        at path: String, key source: StoreKeySource,
        keyDerivation: PasswordKeyDerivation.Parameters = .moderate
    ) throws(StoreError) -> LocalStore {
        let url = URL(fileURLWithPath: path)
        guard !exists(at: path) else { throw StoreError(.alreadyExists, "\(path) already holds an EQM store") }
        do {
            try FileManager.default.createDirectory(
                at: url.appendingPathComponent(dataFolder), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError(.io, "cannot create \(path): \(error.localizedDescription)")
        }
        let lock = try acquireLock(url)
        var succeeded = false
        defer { if !succeeded { releaseLock(lock) } }
        let key: SecretBytes
        var header = Header(
            format: formatName, version: formatVersion, keyKind: "", keyCheck: "",
            created: ISO8601DateFormatter().string(from: Date()))
        switch source {
        case .passphrase(var bytes):
            let salt = PasswordKeyDerivation.randomSalt()
            key = try deriveKey(&bytes, salt: salt, parameters: keyDerivation)
            header.keyKind = "argon2id"
            header.salt = Data(salt).base64EncodedString()
            header.operations = keyDerivation.operations
            header.memoryBytes = keyDerivation.memoryBytes
        case .keyFile(let keyPath):
            key = try StoreKeySource.readKeyFile(keyPath)
            header.keyKind = "key-file"
        }
        header.keyCheck = Data(try seal(keyCheckPlaintext, key: key, context: "key-check")).base64EncodedString()
        let store = LocalStore(url: url, key: key, manifest: StoreManifest(), lock: lock)
        succeeded = true  // the store owns the lock from here on
        try store.writeManifest()
        // The header goes last: until it exists, the folder is not a store.
        try AtomicFile.write(Array(try encodeJSON(header)), to: url.appendingPathComponent(headerName))
        return store
    }

    /// Opens an existing store, verifying the key and the manifest, and removing files a crashed
    /// write left behind.
    public static func open(at path: String, key source: StoreKeySource) throws(StoreError) -> LocalStore {
        let url = URL(fileURLWithPath: path)
        guard exists(at: path) else {
            throw StoreError(
                .notFound, "\(path) is not an EQM store (no \(headerName)); create one with `eqm data import --store \(path)`")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(
                Header.self, from: Data(try AtomicFile.read(url.appendingPathComponent(headerName))))
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.corrupted, "\(path)/\(headerName) is not a valid store header")
        }
        guard header.format == formatName else {
            throw StoreError(.corrupted, "\(path)/\(headerName) is not an EQM store header")
        }
        guard header.version == formatVersion else {
            throw StoreError(
                .unsupportedVersion, "store format version \(header.version) is not supported; this build reads \(formatVersion)")
        }
        let lock = try acquireLock(url)
        var succeeded = false
        defer { if !succeeded { releaseLock(lock) } }
        let key: SecretBytes
        switch (header.keyKind, source) {
        case ("argon2id", .passphrase(var bytes)):
            guard let saltText = header.salt, let salt = Data(base64Encoded: saltText), let operations = header.operations,
                let memory = header.memoryBytes
            else {
                throw StoreError(.corrupted, "store header lacks its Argon2id salt or cost")
            }
            let parameters: PasswordKeyDerivation.Parameters
            do { parameters = try .init(operations: operations, memoryBytes: memory) } catch {
                throw StoreError(.corrupted, "store header has invalid Argon2id cost: \(error.message)")
            }
            key = try deriveKey(&bytes, salt: Array(salt), parameters: parameters)
        case ("key-file", .keyFile(let keyPath)):
            key = try StoreKeySource.readKeyFile(keyPath)
        case ("argon2id", .keyFile):
            throw StoreError(
                .wrongKey,
                "this store is protected by a passphrase, not a key file: set \(StoreKeySource.environmentVariable) or enter it at the prompt"
            )
        case ("key-file", .passphrase):
            throw StoreError(.wrongKey, "this store is protected by a key file, not a passphrase: pass --key-file PATH")
        default:
            throw StoreError(.corrupted, "store header names an unknown key kind")
        }
        guard let check = Data(base64Encoded: header.keyCheck) else {
            throw StoreError(.corrupted, "store header's key check is not base64")
        }
        do {
            guard try XChaCha20Poly1305.open(Array(check), key: key, associatedData: context("key-check")) == keyCheckPlaintext
            else {
                throw StoreError(.corrupted, "store key check has unexpected contents")
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.wrongKey, "the passphrase or key file does not open the store at \(path)")
        }
        let sealedManifest = try AtomicFile.read(url.appendingPathComponent(manifestName))
        let manifest: StoreManifest
        do {
            manifest = try JSONDecoder().decode(
                StoreManifest.self, from: Data(try open(sealedManifest, key: key, context: "manifest", file: manifestName)))
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.corrupted, "\(manifestName) decrypted but is not a valid manifest")
        }
        guard manifest.version == StoreManifest.currentVersion else {
            throw StoreError(.unsupportedVersion, "store manifest version \(manifest.version) is not supported")
        }
        let store = LocalStore(url: url, key: key, manifest: manifest, lock: lock)
        succeeded = true  // the store owns the lock from here on
        store.removeUnreferencedFiles()
        return store
    }

    private init(url: URL, key: SecretBytes, manifest: StoreManifest, lock: Int32) {
        self.url = url
        self.key = key
        self.manifest = manifest
        self.lock = lock
    }

    deinit { Self.releaseLock(lock) }

    private static func releaseLock(_ descriptor: Int32) {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    // MARK: Reading

    /// The number of stored samples per series.
    public var seriesCounts: [String: Int] {
        manifest.segments.mapValues { days in days.values.reduce(0) { $0 + $1.count } }
    }

    /// The stored samples of a series with `from ≤ start < to`, in time order.
    public func samples(series: String, from: Double = -.infinity, to: Double = .infinity) throws(StoreError) -> [StoredSample] {
        guard let days = manifest.segments[series] else { return [] }
        var result = [StoredSample]()
        for (day, segment) in days.sorted(by: { Int($0.key)! < Int($1.key)! }) {
            let dayStart = Double(Int(day)!) * 86_400
            guard dayStart + 86_400 > from && dayStart < to else { continue }
            result += try readSegment(segment, series: series, day: day).filter { $0.start >= from && $0.start < to }
        }
        return result
    }

    /// The record of an earlier import of the same content, if any.
    public func previousImport(fingerprint: [UInt8]) -> ImportRecord? {
        let hex = Self.hex(fingerprint)
        return manifest.imports.first { $0.fingerprint == hex }
    }

    /// Every import so far.
    public var imports: [ImportRecord] { manifest.imports }

    // MARK: Writing

    /// Starts an import session; nothing it writes is visible until ``StoreImportSession/commit(fingerprint:format:accepted:)``.
    public func beginImport() -> StoreImportSession { StoreImportSession(store: self) }

    /// Writes (or replaces) a named, encrypted artefact such as a feature table.
    public func writeArtifact(name: String, bytes: [UInt8]) throws(StoreError) {
        let file = Self.newFileName()
        try writeDataFile(bytes, file: file, context: "artifact|\(name)")
        var updated = manifest
        let old = updated.artifacts[name]
        updated.artifacts[name] = file
        try commit(updated, obsolete: old.map { [$0] } ?? [])
    }

    /// Reads a named artefact, or nil if there is none.
    public func readArtifact(name: String) throws(StoreError) -> [UInt8]? {
        guard let file = manifest.artifacts[name] else { return nil }
        return try readDataFile(file, context: "artifact|\(name)")
    }

    // MARK: Files and encryption (internal to the store and its sessions)

    func readSegment(_ segment: StoreManifest.Segment, series: String, day: String) throws(StoreError) -> [StoredSample] {
        try SegmentCodec.decode(try readDataFile(segment.file, context: "segment|\(series)|\(day)"), file: segment.file)
    }

    func writeSegment(_ samples: [StoredSample], series: String, day: String) throws(StoreError) -> StoreManifest.Segment {
        let file = Self.newFileName()
        try writeDataFile(SegmentCodec.encode(samples), file: file, context: "segment|\(series)|\(day)")
        return StoreManifest.Segment(file: file, count: samples.count)
    }

    func writeDataFile(_ plaintext: [UInt8], file: String, context: String) throws(StoreError) {
        let sealed = try Self.seal(plaintext, key: key, context: "\(context)|\(file)")
        try AtomicFile.write(sealed, to: url.appendingPathComponent(Self.dataFolder).appendingPathComponent(file))
    }

    func readDataFile(_ file: String, context: String) throws(StoreError) -> [UInt8] {
        let sealed = try AtomicFile.read(url.appendingPathComponent(Self.dataFolder).appendingPathComponent(file))
        return try Self.open(sealed, key: key, context: "\(context)|\(file)", file: "\(Self.dataFolder)/\(file)")
    }

    /// Makes `updated` the store's state (atomic manifest replacement), then deletes `obsolete` files.
    func commit(_ updated: StoreManifest, obsolete: [String]) throws(StoreError) {
        var next = updated
        next.generation = manifest.generation + 1
        let previous = manifest
        manifest = next
        do {
            try writeManifest()
        } catch {
            manifest = previous
            throw error
        }
        let data = url.appendingPathComponent(Self.dataFolder)
        for file in obsolete { unlink(data.appendingPathComponent(file).path) }
    }

    private func writeManifest() throws(StoreError) {
        let plaintext = Array(try Self.encodeJSON(manifest))
        try AtomicFile.write(
            try Self.seal(plaintext, key: key, context: "manifest"), to: url.appendingPathComponent(Self.manifestName))
    }

    /// Deletes data files no manifest references (left by a write that was interrupted).
    private func removeUnreferencedFiles() {
        let data = url.appendingPathComponent(Self.dataFolder)
        let referenced = manifest.referencedFiles
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: data.path) else { return }
        for file in files where !referenced.contains(file) {
            unlink(data.appendingPathComponent(file).path)
        }
    }

    static func context(_ role: String) -> [UInt8] { Array("eqm.store.v1|\(role)".utf8) }

    static func seal(_ plaintext: [UInt8], key: SecretBytes, context role: String) throws(StoreError) -> [UInt8] {
        do {
            return try XChaCha20Poly1305.seal(plaintext, key: key, associatedData: context(role))
        } catch {
            throw StoreError(.io, "encryption failed: \(error.message)")
        }
    }

    static func open(_ sealed: [UInt8], key: SecretBytes, context role: String, file: String) throws(StoreError) -> [UInt8] {
        do {
            return try XChaCha20Poly1305.open(sealed, key: key, associatedData: context(role))
        } catch {
            throw StoreError(.tampered, "\(file) failed authentication: it was modified, truncated or moved from elsewhere")
        }
    }

    static func newFileName() -> String { hex(SecureRandom.bytes(count: 12)) + ".eqm" }

    static func hex(_ bytes: [UInt8]) -> String { bytes.hexString }

    static func encodeJSON(_ value: some Encodable) throws(StoreError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return try encoder.encode(value) } catch { throw StoreError(.io, "cannot encode store metadata: \(error)") }
    }

    private static func deriveKey(
        _ passphrase: inout [UInt8], salt: [UInt8],
        parameters: PasswordKeyDerivation.Parameters
    ) throws(StoreError) -> SecretBytes {
        do {
            return try PasswordKeyDerivation.deriveKey(passphrase: &passphrase, salt: salt, parameters: parameters)
        } catch {
            throw StoreError(.keyUnavailable, "cannot derive the store key: \(error.message)")
        }
    }

    private static func acquireLock(_ url: URL) throws(StoreError) -> Int32 {
        let descriptor = Foundation.open(url.appendingPathComponent(lockName).path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(.io, "cannot open the store lock in \(url.path): \(AtomicFile.errnoText())")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw StoreError(.inUse, "the store at \(url.path) is in use by another eqm process")
        }
        return descriptor
    }
}
