public import EQMCrypto
import Foundation

/// The content fingerprint of an import source (a file, or a folder's files), so the store can
/// recognise a file it has already imported: BLAKE2b-256 over each regular file's relative path
/// and bytes, in path order, read in 1 MiB chunks (bounded memory for multi-gigabyte exports).
public enum SourceFingerprint {
    /// Computes the fingerprint of `path`.
    public static func compute(path: String) throws -> [UInt8] {
        let root = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw StoreError(.notFound, "no file or folder at \(path)")
        }
        var files = [(relative: String, url: URL)]()
        if isDirectory.boolValue {
            let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
            while let url = enumerator?.nextObject() as? URL {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
                files.append((String(url.path.dropFirst(root.path.count)), url))
            }
            files.sort { $0.relative < $1.relative }
        } else {
            files = [("", root)]
        }
        let hasher = Blake2b.Hasher(length: 32)
        for file in files {
            hasher.update(Array("\(file.relative)\u{0}".utf8))
            guard let handle = FileHandle(forReadingAtPath: file.url.path) else {
                throw StoreError(.io, "cannot read \(file.url.path)")
            }
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                chunk.withUnsafeBytes { hasher.update($0) }
            }
        }
        return hasher.finalize()
    }
}
