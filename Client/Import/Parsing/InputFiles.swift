import Foundation

/// Finding the files of an input: a single file, or every regular file under a folder, in a stable order.
enum InputFiles {
    /// Whether `url` exists and is a folder.
    /// - Throws: ``ImportError/Code/unreadableInput`` when nothing exists at `url`.
    static func isDirectory(_ url: URL) throws -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ImportError.unreadableInput("no file or folder at \(url.path)")
        }
        return isDirectory.boolValue
    }

    /// Every regular file under `folder` (recursively, hidden files excluded), sorted by path.
    /// - Throws: ``ImportError/Code/unreadableInput`` when the folder cannot be listed.
    static func regularFiles(under folder: URL) throws -> [URL] {
        guard FileManager.default.isReadableFile(atPath: folder.path),
            let enumerator = FileManager.default.enumerator(
                at: folder, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else {
            throw ImportError.unreadableInput("cannot list the folder \(folder.path)")
        }
        var files: [URL] = []
        for case let url as URL in enumerator {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The file (when `url` is one) or the files under the folder.
    static func files(at url: URL) throws -> [URL] {
        try isDirectory(url) ? regularFiles(under: url) : [url]
    }

    /// The first `YYYY-MM-DD` in a file name, for ordering files by the day they cover.
    static func day(inName name: String) -> String? {
        let bytes = Array(name.utf8)
        guard bytes.count >= 10 else { return nil }
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        for start in 0...(bytes.count - 10) {
            let slice = bytes[start..<start + 10]
            let pattern = slice.enumerated().allSatisfy { offset, byte in
                offset == 4 || offset == 7 ? byte == UInt8(ascii: "-") : isDigit(byte)
            }
            if pattern { return String(decoding: slice, as: UTF8.self) }
        }
        return nil
    }
}
