#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be written: the path as given and the system's reason.
public struct FileWriteError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file as the caller named it.
    public let path: String
    /// What went wrong ("No space left on device", "is a directory, not a file").
    public let reason: String

    public init(path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot write \(path): \(reason)" }
}

/// Writes files so that a reader never sees half of one: the bytes go to a temporary file in
/// the same folder (`PATH.tmp-PID`), are flushed to disk, and the temporary file is renamed
/// over the target. Until then a signal that ends the process deletes the temporary file
/// (``Interrupt/removeOnSignal(_:)``), and a run that was killed leaves one that
/// ``removeStaleTemporaryFiles(for:)`` can find.
///
/// A target that exists and is not a regular file is never replaced: a character device or a
/// pipe (`/dev/null`, `/dev/stdout`, a fifo) is written in place, a directory or a block
/// device is refused. A symbolic link to a regular file keeps being a link: its target is
/// replaced. Every failed write is reported (`/dev/full` gives "No space left on device").
///
/// Whole files go through ``write(to:_:)``; streams (`snip generate`, `snip embed`) through
/// ``Writer``, which can also stand for standard output.
public enum AtomicFile {
    /// The name of the temporary file for `path` written by process `pid`.
    public static func temporaryPath(for path: String, pid: Int32 = getpid()) -> String {
        path + ".tmp-\(pid)"
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(
        _ bytes: some Collection<UInt8>, to path: String
    ) throws(FileWriteError) {
        let array = Array(bytes)
        try write(to: path) { emit in try array.withUnsafeBytes { try emit($0) } }
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    public static func write(text: String, to path: String) throws(FileWriteError) {
        try write(Array(text.utf8), to: path)
    }

    /// Writes the chunks produced by `body` to `path` atomically (in place for a device or a
    /// pipe; see ``destination(for:)``).
    public static func write(
        to path: String, _ body: (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws(FileWriteError) {
        let writer = try Writer(path: path, buffered: false)
        do {
            try body { chunk in try writer.write(chunk) }
            try writer.commit()
        } catch {
            writer.discard()
            throw error as? FileWriteError ?? FileWriteError(path: path, "\(error)")
        }
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
    public static func destination(for path: String) throws(FileWriteError) -> Destination {
        var status = stat()
        guard lstat(path, &status) == 0 else { return .replace(path) }
        var target = path
        if status.st_mode & S_IFMT == S_IFLNK {
            // follow the link, so that the link stays and its target is replaced
            guard let resolved = realpath(path, nil) else {
                if errno == ENOENT { return .replace(path) }  // a dangling link is replaced
                throw FileWriteError(path: path, "cannot resolve the link: \(errnoText())")
            }
            target = String(cString: resolved)
            free(resolved)
            guard stat(target, &status) == 0 else { return .replace(target) }
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .replace(target)
        case S_IFCHR, S_IFIFO: return .inPlace(target)
        case S_IFDIR: throw FileWriteError(path: path, "is a directory, not a file")
        case S_IFBLK:
            throw FileWriteError(path: path, "is a block device; refusing to write over it")
        default:
            throw FileWriteError(
                path: path,
                "is not a regular file, a character device or a pipe; refusing to write over it")
        }
    }

    /// Deletes the temporary files beside `path` (`PATH.tmp-PID`) that a killed process left
    /// behind; those of running processes stay.
    public static func removeStaleTemporaryFiles(for path: String) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let prefix = (slash.map { String(path[path.index(after: $0)...]) } ?? path) + ".tmp-"
        guard let directory = opendir(folder.isEmpty ? "/" : folder) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count)), pid > 0
            else { continue }
            // a file of this process, or of one still running, is kept
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                unlink(folder + "/" + name)
            }
        }
    }

    /// A file written piece by piece: a temporary file renamed into place by ``commit()``
    /// (deleted by ``discard()``, by a signal that ends the process, or when the writer is
    /// dropped uncommitted), a device or a pipe written in place, or standard output.
    public final class Writer {
        /// The path as given; nil for standard output.
        public let path: String?
        private let target: String?
        private let temporary: String?
        private var fd: Int32
        private var buffer: [UInt8] = []
        private let capacity: Int
        private var isOpen = true
        private var isSettled = false

        /// A writer for `path`, or for standard output when `path` is nil; `buffered` gathers
        /// small writes into 64 KiB pieces.
        public init(path: String?, buffered: Bool = true) throws(FileWriteError) {
            self.path = path
            capacity = buffered ? 1 << 16 : 0
            guard let path else {
                (target, temporary, fd) = (nil, nil, STDOUT_FILENO)
                return
            }
            switch try AtomicFile.destination(for: path) {
            case .inPlace(let device):
                fd = open(device, O_WRONLY | O_NOCTTY)
                guard fd >= 0 else { throw FileWriteError(path: path, errnoText()) }
                (target, temporary) = (nil, nil)
            case .replace(let file):
                let temporary = AtomicFile.temporaryPath(for: file)
                fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw FileWriteError(path: path, errnoText()) }
                (self.target, self.temporary) = (file, temporary)
                Interrupt.removeOnSignal(temporary)
            }
        }

        deinit { discard() }

        /// Appends bytes.
        public func write(_ bytes: UnsafeRawBufferPointer) throws(FileWriteError) {
            guard isOpen else { throw failure("the file is already closed") }
            guard bytes.count > 0 else { return }
            if buffer.count + bytes.count <= capacity {
                buffer.append(contentsOf: bytes)
                return
            }
            try flush()
            if bytes.count <= capacity {
                buffer.append(contentsOf: bytes)
            } else {
                try writeAll(bytes)
            }
        }

        /// Appends text as UTF-8.
        public func write(_ text: String) throws(FileWriteError) {
            try withBytes(Array(text.utf8)) { (raw) throws(FileWriteError) in try write(raw) }
        }

        /// Writes out what is buffered, and for a file syncs it and renames it to its name.
        public func commit() throws(FileWriteError) {
            guard isOpen else { return }
            do throws(FileWriteError) {
                try flush()
                if let temporary, let target {
                    guard fsync(fd) == 0 else { throw failure("fsync failed: \(errnoText())") }
                    isOpen = false
                    guard close(fd) == 0 else { throw failure(errnoText()) }
                    guard rename(temporary, target) == 0 else {
                        throw failure("cannot rename the temporary file: \(errnoText())")
                    }
                    Interrupt.removeOnSignal(nil)
                } else {
                    isOpen = false
                    if path != nil { guard close(fd) == 0 else { throw failure(errnoText()) } }
                }
                isSettled = true
            } catch {
                discard()
                throw error
            }
        }

        /// Closes without keeping anything: the temporary file is deleted (a device, a pipe or
        /// standard output keeps what was already written).
        public func discard() {
            guard !isSettled else { return }
            isSettled = true
            if isOpen && path != nil { close(fd) }
            isOpen = false
            buffer = []
            if let temporary {
                unlink(temporary)
                Interrupt.removeOnSignal(nil)
            }
        }

        private func flush() throws(FileWriteError) {
            guard !buffer.isEmpty else { return }
            defer { buffer.removeAll(keepingCapacity: true) }
            try withBytes(buffer) { (raw) throws(FileWriteError) in try writeAll(raw) }
        }

        /// `withUnsafeBytes`, keeping the error's type.
        private func withBytes(
            _ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(FileWriteError) -> Void
        ) throws(FileWriteError) {
            var failure: FileWriteError?
            bytes.withUnsafeBytes { raw in
                do throws(FileWriteError) { try body(raw) } catch { failure = error }
            }
            if let failure { throw failure }
        }

        private func writeAll(_ chunk: UnsafeRawBufferPointer) throws(FileWriteError) {
            var offset = 0
            while offset < chunk.count {
                let written = systemWrite(fd, chunk.baseAddress! + offset, chunk.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    throw failure(written < 0 ? errnoText() : "nothing written")
                }
                offset += written
            }
        }

        private func failure(_ reason: String) -> FileWriteError {
            FileWriteError(path: path ?? "standard output", reason)
        }
    }
}

private func errnoText() -> String { String(cString: strerror(errno)) }

/// write(2) (inside ``AtomicFile/Writer`` the name `write` is the writer's own).
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, bytes, count)
    #else
    return Darwin.write(fd, bytes, count)
    #endif
}
