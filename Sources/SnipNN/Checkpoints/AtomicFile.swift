import Foundation

/// Writes files so that a reader never sees half of one: the bytes go to a temporary file in
/// the same folder, are flushed to disk, and the temporary file is renamed over the target.
///
/// A target that exists and is not a regular file is never replaced: a character device or a
/// pipe (`/dev/null`, `/dev/stdout`, a fifo) is written in place, a directory or a block
/// device is refused. A symbolic link to a regular file keeps being a link: its target is
/// replaced. Every failed write is reported (`/dev/full` gives "No space left on device").
public enum AtomicFile {
    /// The name of the temporary file for `path` written by process `pid`.
    public static func temporaryPath(for path: String, pid: Int32 = getpid()) -> String {
        path + ".tmp-\(pid)"
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: some Collection<UInt8>, to path: String) throws(CheckpointError) {
        let array = Array(bytes)
        try write(to: path) { emit in try array.withUnsafeBytes { try emit($0) } }
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    public static func write(text: String, to path: String) throws(CheckpointError) {
        try write(Array(text.utf8), to: path)
    }

    /// How a write to a path proceeds.
    public enum Destination: Equatable, Sendable {
        /// A temporary file beside this path (the path itself, or the target of a link to a
        /// regular file) is written and renamed over it.
        case replace(String)
        /// The existing file (a character device or a pipe) is opened and written in place.
        case inPlace(String)
    }

    /// Where a write to `path` goes; a directory, a block device or a socket is refused.
    public static func destination(for path: String) throws(CheckpointError) -> Destination {
        var status = stat()
        guard lstat(path, &status) == 0 else { return .replace(path) }
        var target = path
        if status.st_mode & S_IFMT == S_IFLNK {
            // follow the link, so that the link stays and its target is replaced
            guard let resolved = realpath(path, nil) else {
                if errno == ENOENT { return .replace(path) }  // a dangling link is replaced
                throw CheckpointError(path: path, "cannot resolve the link: \(errnoText())")
            }
            target = String(cString: resolved)
            free(resolved)
            guard stat(target, &status) == 0 else { return .replace(target) }
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .replace(target)
        case S_IFCHR, S_IFIFO: return .inPlace(target)
        case S_IFDIR: throw CheckpointError(path: path, "is a directory, not a file")
        case S_IFBLK: throw CheckpointError(path: path, "is a block device; refusing to write over it")
        default:
            throw CheckpointError(path: path, "is not a regular file, a character device or a pipe; refusing to write over it")
        }
    }

    /// Writes the chunks produced by `body` to `path` atomically (in place for a device or a
    /// pipe; see ``destination(for:)``).
    public static func write(
        to path: String, _ body: (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws(CheckpointError) {
        let target: String
        switch try destination(for: path) {
        case .inPlace(let device): return try writeInPlace(device, shownAs: path, body)
        case .replace(let file): target = file
        }
        let temporary = temporaryPath(for: target)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CheckpointError(path: path, "cannot create \(temporary): \(errnoText())") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            try body { chunk in try writeAll(fd, chunk, path: path) }
            guard fsync(fd) == 0 else { throw CheckpointError(path: path, "fsync failed: \(errnoText())") }
            closed = true
            guard close(fd) == 0 else { throw CheckpointError(path: path, "write failed: \(errnoText())") }
            guard rename(temporary, target) == 0 else {
                throw CheckpointError(path: path, "rename failed: \(errnoText())")
            }
        } catch {
            unlink(temporary)
            throw error as? CheckpointError ?? CheckpointError(path: path, "\(error)")
        }
    }

    /// Writes into an existing character device or pipe.
    private static func writeInPlace(
        _ path: String, shownAs shown: String,
        _ body: (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws(CheckpointError) {
        let fd = open(path, O_WRONLY | O_NOCTTY)
        guard fd >= 0 else { throw CheckpointError(path: shown, "cannot open for writing: \(errnoText())") }
        do {
            try body { chunk in try writeAll(fd, chunk, path: shown) }
        } catch {
            close(fd)
            throw error as? CheckpointError ?? CheckpointError(path: shown, "\(error)")
        }
        guard close(fd) == 0 else { throw CheckpointError(path: shown, "write failed: \(errnoText())") }
    }

    private static func writeAll(_ fd: Int32, _ chunk: UnsafeRawBufferPointer, path: String) throws(CheckpointError) {
        var offset = 0
        while offset < chunk.count {
            let written = Foundation.write(fd, chunk.baseAddress! + offset, chunk.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                throw CheckpointError(path: path, "write failed: \(written < 0 ? errnoText() : "nothing written")")
            }
            offset += written
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
