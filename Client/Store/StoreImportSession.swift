import Foundation

/// One import into a ``LocalStore``: samples are merged into the store's day segments in bounded
/// memory and become visible together at ``commit(fingerprint:format:accepted:)``. A session that
/// is never committed (a crash, an error) leaves the store as it was.
public final class StoreImportSession {
    private let store: LocalStore
    private var working: StoreManifest
    private var pending: [String: [Int: [StoredSample]]] = [:]
    private var pendingCount = 0
    /// Segment files written by this session and replaced again before commit.
    private var superseded: [String] = []
    /// Segment files of the committed state this session replaces.
    private var replacedCommitted: [String] = []
    private let committedFiles: Set<String>
    private var committed = false
    /// Samples buffered before they are merged into segments: bounds memory for any import size.
    let flushThreshold: Int

    init(store: LocalStore, flushThreshold: Int = 1_000_000) {
        self.store = store
        self.working = store.manifest
        self.committedFiles = store.manifest.referencedFiles
        self.flushThreshold = flushThreshold
    }

    /// Adds samples of one series (canonical unit). Exact duplicates of stored samples are dropped at merge.
    public func append(series: String, samples: [StoredSample]) throws(StoreError) {
        precondition(!committed, "import session used after commit")
        for sample in samples {
            pending[series, default: [:]][sample.day, default: []].append(sample)
        }
        pendingCount += samples.count
        if pendingCount >= flushThreshold { try flush() }
    }

    /// Merges everything buffered into new segment files (not yet visible).
    func flush() throws(StoreError) {
        for (series, days) in pending {
            for (day, samples) in days {
                let dayKey = String(day)
                var merged = samples
                if let existing = working.segments[series]?[dayKey] {
                    merged += try store.readSegment(existing, series: series, day: dayKey)
                    if committedFiles.contains(existing.file) {
                        replacedCommitted.append(existing.file)
                    } else {
                        superseded.append(existing.file)
                    }
                }
                merged.sort(by: StoredSample.precedes)
                var unique = [StoredSample]()
                unique.reserveCapacity(merged.count)
                for sample in merged where unique.last != sample { unique.append(sample) }
                working.segments[series, default: [:]][dayKey] = try store.writeSegment(unique, series: series, day: dayKey)
            }
        }
        pending.removeAll(keepingCapacity: false)
        pendingCount = 0
        let data = store.url.appendingPathComponent(LocalStore.dataFolder)
        for file in superseded { unlink(data.appendingPathComponent(file).path) }
        superseded.removeAll()
    }

    /// Makes the import visible atomically and records it; returns the per-series counts after the import.
    @discardableResult
    public func commit(fingerprint: [UInt8]?, format: String, accepted: Int) throws(StoreError) -> [String: Int] {
        precondition(!committed, "import session committed twice")
        try flush()
        if let fingerprint {
            working.imports.append(
                ImportRecord(
                    fingerprint: LocalStore.hex(fingerprint), format: format,
                    importedAt: ISO8601DateFormatter().string(from: Date()), accepted: accepted))
        }
        try store.commit(working, obsolete: replacedCommitted)
        committed = true
        return store.seriesCounts
    }
}
