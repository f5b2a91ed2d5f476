import Foundation

/// Crash-safe file replacement: write a temporary file in the same folder, flush it to disk, rename
/// it over the target (atomic on POSIX file systems), then flush the folder entry. A process killed
/// at any point leaves either the old file or the new one, never a torn mix.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to url: URL) throws(StoreError) {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UInt32.random(in: 0...UInt32.max))")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StoreError(.io, "cannot create \(temporary.path): \(errnoText())") }
        var written = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let result = Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += result
            }
            return fsync(descriptor) == 0
        }
        let writeError = errnoText()
        close(descriptor)
        guard ok else {
            unlink(temporary.path)
            throw StoreError(.io, "cannot write \(url.path): \(writeError)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let error = errnoText()
            unlink(temporary.path)
            throw StoreError(.io, "cannot replace \(url.path): \(error)")
        }
        syncDirectory(directory)
    }

    /// Flushes a folder's entries (new and renamed files) to disk.
    static func syncDirectory(_ directory: URL) {
        let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    static func read(_ url: URL) throws(StoreError) -> [UInt8] {
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            if !FileManager.default.fileExists(atPath: url.path) {
                throw StoreError(.notFound, "\(url.path) is missing")
            }
            throw StoreError(.io, "cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
