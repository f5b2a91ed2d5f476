import EQMCore
import Foundation

extension LocalStore {
    /// Every recorded label interval, in start order.
    public func labels() throws(StoreError) -> [LabelInterval] {
        guard let file = manifest.labelsFile else { return [] }
        let bytes = try readDataFile(file, context: "labels")
        do {
            return try JSONDecoder().decode([LabelInterval].self, from: Data(bytes))
        } catch {
            throw StoreError(.corrupted, "the labels file decrypted but is not a valid label list")
        }
    }

    /// Adds label intervals; an interval with the same start, end and label as a stored one is a
    /// repeat (whatever its source) and is ignored. Returns how many were new.
    @discardableResult
    public func addLabels(_ intervals: [LabelInterval]) throws(StoreError) -> Int {
        struct Key: Hashable { var start: Double, end: Double, label: EmotionLabel }
        var all = try labels()
        var known = Set(all.map { Key(start: $0.start, end: $0.end, label: $0.label) })
        var added = 0
        for interval in intervals
        where known.insert(Key(start: interval.start, end: interval.end, label: interval.label)).inserted {
            all.append(interval)
            added += 1
        }
        guard added > 0 else { return 0 }
        all.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        let file = Self.newFileName()
        try writeDataFile(Array(try Self.encodeJSON(all)), file: file, context: "labels")
        var updated = manifest
        let old = updated.labelsFile
        updated.labelsFile = file
        try commit(updated, obsolete: old.map { [$0] } ?? [])
        return added
    }
}
