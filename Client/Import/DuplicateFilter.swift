/// Removes exact duplicates (same quantity, start, end and value) in bounded memory.
///
/// Design: per quantity, the most recent measurements that arrived in time order are kept in a
/// ring of `generationSize` keys, sorted by start because of how they arrived (appending is
/// sequential memory, and a later start cannot repeat anything seen, so in-order data needs no
/// lookup); measurements that arrive out of order are looked up in that ring by binary search and
/// in two hash-set generations of out-of-order keys (a generation is retired after
/// `generationSize` insertions). So every duplicate within the last `generationSize` measurements of
/// its quantity is caught, in memory bounded by three windows of 24-byte keys per quantity present
/// (under 20 MB per quantity at the default 2^17), whatever the size of the input.
///
/// Why not a window over sample time: exports are not in global time order (Apple groups records by
/// type and source, restarting the clock for each), so a time window would either grow without bound
/// or miss duplicates after every restart. Why not sort: sorting a multi-gigabyte export needs
/// temporary files and a second pass. Duplicates in real exports are local (a sample written twice,
/// the same day in two overlapping files: the Fitbit importer reads each day's files together for
/// this reason); duplicates further apart, such as a second import of the same file, are the store's
/// to refuse.
struct DuplicateFilter {
    private var series: [SeriesKeys?]
    let generationSize: Int

    init(generationSize: Int) {
        self.generationSize = max(1, generationSize)
        series = Array(repeating: nil, count: Quantity.allCases.count)
    }

    /// Returns `true` when an identical measurement was seen recently; otherwise remembers this one.
    mutating func isDuplicate(_ measurement: Measurement) -> Bool {
        let index = measurement.quantity.index
        let keys: SeriesKeys
        if let existing = series[index] {
            keys = existing
        } else {
            keys = SeriesKeys(window: generationSize)
            series[index] = keys
        }
        // +0.0 folds -0.0 into 0.0 so that the two spellings of zero are one value.
        return keys.isDuplicate(
            start: measurement.start + 0.0,
            end: measurement.end.map { ($0 + 0.0).bitPattern } ?? UInt64.max,
            value: (measurement.value + 0.0).bitPattern)
    }
}

/// The remembered keys of one quantity.
private final class SeriesKeys {
    private let window: Int
    // The in-order ring: starts (as numbers, for ordering) and the other two key words.
    private let starts: UnsafeMutablePointer<Double>
    private let others: UnsafeMutablePointer<UInt64>
    private var head = 0  // index of the oldest entry
    private var count = 0
    private var latest = -Double.infinity
    // Out-of-order keys.
    private var current = KeyTable()
    private var previous: KeyTable?

    init(window: Int) {
        self.window = window
        starts = .allocate(capacity: window)
        others = .allocate(capacity: window * 2)
    }

    deinit {
        starts.deallocate()
        others.deallocate()
    }

    func isDuplicate(start: Double, end: UInt64, value: UInt64) -> Bool {
        if start > latest {
            latest = start
            append(start, end, value)
            return false
        }
        if ringContains(start, end, value) { return true }
        // Stored xor a NaN pattern, so that the tables' empty-slot marker (0) is no finite start.
        let startBits = start.bitPattern ^ 0x7FF8_0000_0000_0001
        if previous?.contains(startBits, end, value) == true { return true }
        if start == latest {
            // Still in order (a repeated start with another value): keep the ring sorted.
            append(start, end, value)
            return false
        }
        guard current.insert(startBits, end, value) else { return true }
        if current.count >= window {
            previous = current
            current = KeyTable()
        }
        return false
    }

    private func append(_ start: Double, _ end: UInt64, _ value: UInt64) {
        let slot: Int
        if count < window {
            slot = (head + count) % window
            count += 1
        } else {
            slot = head
            head = (head + 1) % window
        }
        starts[slot] = start
        others[slot * 2] = end
        others[slot * 2 + 1] = value
    }

    /// Binary search for the first entry with this start, then a scan over the entries sharing it.
    private func ringContains(_ start: Double, _ end: UInt64, _ value: UInt64) -> Bool {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if starts[(head + middle) % window] < start { low = middle + 1 } else { high = middle }
        }
        var position = low
        while position < count {
            let slot = (head + position) % window
            guard starts[slot] == start else { return false }
            if others[slot * 2] == end, others[slot * 2 + 1] == value { return true }
            position += 1
        }
        return false
    }
}

/// An open-addressing hash set of three-word keys (linear probing, multiplicative hashing) in one
/// manually managed buffer: cheaper than `Set` with SipHash on this hot path. A zero first word
/// marks an empty slot (callers make sure no key starts with zero).
private final class KeyTable {
    private var slots: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        self.capacity = capacity
        slots = .allocate(capacity: capacity * 3)
        slots.initialize(repeating: 0, count: capacity * 3)
    }

    deinit { slots.deallocate() }

    @inline(__always)
    private static func hash(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> Int {
        var h = a &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 29) ^ b) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 32) ^ c) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: h ^ (h >> 31))
    }

    func contains(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> Bool {
        let mask = capacity - 1
        var slot = Self.hash(a, b, c) & mask
        while true {
            let first = slots[slot * 3]
            if first == 0 { return false }
            if first == a, slots[slot * 3 + 1] == b, slots[slot * 3 + 2] == c { return true }
            slot = (slot + 1) & mask
        }
    }

    /// Inserts a key; returns `false` when it was already present.
    func insert(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> Bool {
        if (count + 1) * 2 > capacity { grow() }
        let mask = capacity - 1
        var slot = Self.hash(a, b, c) & mask
        while true {
            let first = slots[slot * 3]
            if first == 0 { break }
            if first == a, slots[slot * 3 + 1] == b, slots[slot * 3 + 2] == c { return false }
            slot = (slot + 1) & mask
        }
        slots[slot * 3] = a
        slots[slot * 3 + 1] = b
        slots[slot * 3 + 2] = c
        count += 1
        return true
    }

    /// Inserts a key known not to be present.
    func insertNew(_ a: UInt64, _ b: UInt64, _ c: UInt64) {
        if (count + 1) * 2 > capacity { grow() }
        let mask = capacity - 1
        var slot = Self.hash(a, b, c) & mask
        while slots[slot * 3] != 0 { slot = (slot + 1) & mask }
        slots[slot * 3] = a
        slots[slot * 3 + 1] = b
        slots[slot * 3 + 2] = c
        count += 1
    }

    private func grow() {
        let old = slots, oldCapacity = capacity
        capacity *= 2
        slots = .allocate(capacity: capacity * 3)
        slots.initialize(repeating: 0, count: capacity * 3)
        count = 0
        for slot in 0..<oldCapacity where old[slot * 3] != 0 {
            insertNew(old[slot * 3], old[slot * 3 + 1], old[slot * 3 + 2])
        }
        old.deallocate()
    }
}
