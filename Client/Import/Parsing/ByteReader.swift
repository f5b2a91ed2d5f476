#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a file through one reusable buffer, so that memory stays bounded whatever the file's size.
///
/// The unread bytes are `buffer[start..<end]`; scanners look at them in place and move `start`
/// forward. ``fill(minimum:)`` keeps the unread bytes (moving them to the front) and reads more,
/// growing the buffer only when one token needs more than its capacity, up to a hard maximum. Line
/// numbers are counted lazily: only bytes that were asked about or are being discarded are scanned
/// for newlines, each once.
final class ByteReader {
    let path: String
    private let descriptor: Int32
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    let maximumCapacity: Int
    /// First unread byte in the buffer.
    var start = 0
    /// End of the valid bytes in the buffer.
    private(set) var end = 0
    /// Whether the file has been read to its end.
    private(set) var reachedEndOfFile = false
    /// Bytes of the file that precede `base[0]`.
    private(set) var discarded = 0
    /// Total bytes read from the file.
    var bytesRead: Int { discarded + end }

    // Newlines before `countedUpTo` (an index into the buffer) are in `newlinesBefore`.
    private var countedUpTo = 0
    private var newlinesBefore = 0

    /// Opens a file for reading.
    /// - Throws: ``ImportError/Code/unreadableInput`` naming the path and the system's reason.
    init(path: String, initialCapacity: Int = 1 << 20, maximumCapacity: Int = 64 << 20) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw ImportError.unreadableInput("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        self.capacity = max(16, initialCapacity)
        self.maximumCapacity = max(self.capacity, maximumCapacity)
        self.base = .allocate(capacity: self.capacity)
    }

    /// A reader over bytes already in memory (a copy is taken).
    init(bytes: UnsafeRawBufferPointer, path: String = "") {
        self.path = path
        descriptor = -1
        capacity = max(16, bytes.count)
        maximumCapacity = capacity
        base = .allocate(capacity: capacity)
        if let source = bytes.baseAddress, bytes.count > 0 {
            base.update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        }
        end = bytes.count
        reachedEndOfFile = true
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        base.deallocate()
    }

    /// Unread bytes currently buffered.
    @inline(__always)
    var available: Int { end - start }

    /// Makes at least `minimum` unread bytes available unless the file ends first or the buffer is at
    /// its maximum size. Returns `false` when no new bytes could be added.
    @discardableResult
    func fill(minimum: Int = 1) throws -> Bool {
        guard !reachedEndOfFile else { return false }
        if start > 0 { compact() }
        while end == capacity || minimum > capacity, capacity < maximumCapacity { grow() }
        guard end < capacity else { return false }
        var added = false
        while end < capacity {
            let count = read(descriptor, base + end, capacity - end)
            if count < 0 {
                if errno == EINTR { continue }
                throw ImportError.unreadableInput("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                reachedEndOfFile = true
                break
            }
            end += count
            added = true
            if available >= minimum { break }
        }
        return added
    }

    /// Moves the unread bytes to the front of the buffer, counting the newlines of the bytes dropped.
    private func compact() {
        countNewlines(upTo: start)
        let keep = end - start
        if keep > 0 { memmove(base, base + start, keep) }
        discarded += start
        countedUpTo -= start
        end = keep
        start = 0
    }

    private func grow() {
        let newCapacity = min(maximumCapacity, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: end)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Counts the newlines in `base[countedUpTo..<index]` into the running total.
    private func countNewlines(upTo index: Int) {
        guard index > countedUpTo else { return }
        newlinesBefore += Self.newlines(in: base + countedUpTo, count: index - countedUpTo)
        countedUpTo = index
    }

    /// Counts `\n` bytes sixteen at a time: per-lane counters in a SIMD vector, summed before they can wrap.
    static func newlines(in start: UnsafePointer<UInt8>, count: Int) -> Int {
        var total = 0
        var offset = 0
        let raw = UnsafeRawPointer(start)
        let newline = SIMD16<UInt8>(repeating: 0x0A)
        let zero = SIMD16<UInt8>(repeating: 0)
        while offset + 16 <= count {
            var lanes = SIMD16<UInt8>(repeating: 0)
            var rounds = 0
            while rounds < 255, offset + 16 <= count {
                let bytes = raw.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
                lanes &+= zero.replacing(with: 1, where: bytes .== newline)
                offset += 16
                rounds += 1
            }
            total += Int(SIMD16<UInt16>(truncatingIfNeeded: lanes).wrappedSum())
        }
        while offset < count {
            if start[offset] == 0x0A { total += 1 }
            offset += 1
        }
        return total
    }

    /// The 1-based line of the byte at buffer index `index` (which must not precede bytes already discarded).
    func line(at index: Int) -> Int {
        if index >= countedUpTo {
            countNewlines(upTo: index)
            return newlinesBefore + 1
        }
        // Asked about an earlier byte still in the buffer: subtract the newlines between.
        let lower = max(0, index)
        return newlinesBefore - Self.newlines(in: base + lower, count: countedUpTo - lower) + 1
    }

    /// Advances past every byte up to the end of the file (for skipping the rest of a file).
    func discardAll() throws {
        start = end
        while try fill() { start = end }
    }

    // MARK: Lines

    /// Reads the next line (without its `\n` or `\r\n`) into `body`, which is valid until the next
    /// call. Returns `nil` at the end of the file. A line longer than the maximum capacity is
    /// returned as `.tooLong` and skipped to its end.
    func nextLine() throws -> LineResult? {
        var searchFrom = start
        while true {
            let count = end - searchFrom
            if count > 0, let found = memchr(base + searchFrom, 0x0A, count) {
                let newline = UnsafeMutableRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
                let lineStart = start
                var lineEnd = newline
                if lineEnd > lineStart, base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let number = line(at: lineStart)
                start = newline + 1
                return .line(
                    UnsafeRawBufferPointer(start: base + lineStart, count: lineEnd - lineStart), number: number,
                    terminated: true)
            }
            let scanned = end - start
            if try !fill(minimum: available + 1) {
                if reachedEndOfFile {
                    guard available > 0 else { return nil }
                    let lineStart = start
                    var lineEnd = end
                    if lineEnd > lineStart, base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    let number = line(at: lineStart)
                    start = end
                    return .line(
                        UnsafeRawBufferPointer(start: base + lineStart, count: lineEnd - lineStart),
                        number: number, terminated: false)
                }
                // Buffer full at its maximum without a newline: skip to the end of this line.
                let number = line(at: start)
                start = end
                while true {
                    guard try fill() else { return .tooLong(number: number) }
                    if let found = memchr(base + start, 0x0A, end - start) {
                        start = UnsafeMutableRawPointer(found).assumingMemoryBound(to: UInt8.self) - base + 1
                        return .tooLong(number: number)
                    }
                    start = end
                }
            }
            // `fill` moved the unread bytes to the front: continue the search where it stopped.
            searchFrom = start + scanned
        }
    }

    /// One line of a file.
    enum LineResult {
        /// A line's bytes (valid until the next read), its 1-based number, and whether a newline ended it.
        case line(UnsafeRawBufferPointer, number: Int, terminated: Bool)
        /// A line longer than the reader's maximum capacity, skipped.
        case tooLong(number: Int)
    }

    /// Moves back to the start of the line just returned by ``nextLine()`` (no read may have happened since).
    func rewind(to line: UnsafeRawBufferPointer) {
        guard let address = line.baseAddress else { return }
        start = UnsafeMutablePointer(mutating: address.assumingMemoryBound(to: UInt8.self)) - base
    }

    /// Skips a UTF-8 byte order mark at the start of the file.
    func skipByteOrderMark() throws {
        if available < 3 { try fill(minimum: 3) }
        if available >= 3, base[start] == 0xEF, base[start + 1] == 0xBB, base[start + 2] == 0xBF { start += 3 }
    }
}
