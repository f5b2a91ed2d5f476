/// The store's table of contents, encrypted like everything else: which segment file holds which
/// series and day, what was imported, where labels and artefacts are. Replaced atomically on every
/// commit, so it always describes a complete state.
struct StoreManifest: Codable, Sendable {
    static let currentVersion = 1

    struct Segment: Codable, Sendable, Hashable {
        var file: String
        var count: Int
    }

    var version = StoreManifest.currentVersion
    /// Incremented on every commit.
    var generation = 0
    /// series → UTC day → segment.
    var segments: [String: [String: Segment]] = [:]
    /// Source files already imported, by content fingerprint.
    var imports: [ImportRecord] = []
    /// The labels file, if any labels were recorded.
    var labelsFile: String?
    /// Named derived artefacts (e.g. feature tables) → file.
    var artifacts: [String: String] = [:]

    /// Every data file the manifest references.
    var referencedFiles: Set<String> {
        var files = Set(segments.values.flatMap { $0.values.map(\.file) })
        if let labelsFile { files.insert(labelsFile) }
        files.formUnion(artifacts.values)
        return files
    }
}

/// A source file that was imported, recognised again by the BLAKE2b-256 of its contents.
public struct ImportRecord: Codable, Sendable, Hashable {
    /// Hex BLAKE2b-256 of the source's bytes.
    public var fingerprint: String
    /// The importer's format name.
    public var format: String
    /// When it was imported (ISO-8601).
    public var importedAt: String
    /// How many records were accepted.
    public var accepted: Int
}
