import Foundation

/// Writes files so that a reader never sees half of one: the bytes go to a temporary file in
/// the same folder, are flushed to disk, and the temporary file is renamed over the target.
enum AtomicFile {
    /// Writes the chunks produced by `body` to `path` atomically.
    static func write(
        to path: String, _ body: (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws(CheckpointError) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CheckpointError(path: path, "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            try body { (chunk: UnsafeRawBufferPointer) throws in
                var offset = 0
                while offset < chunk.count {
                    let written = Foundation.write(fd, chunk.baseAddress! + offset, chunk.count - offset)
                    guard written > 0 else {
                        throw CheckpointError(path: path, "write failed: \(String(cString: strerror(errno)))")
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw CheckpointError(path: path, "fsync failed: \(String(cString: strerror(errno)))") }
            close(fd)
            closed = true
            guard rename(temporary, path) == 0 else {
                throw CheckpointError(path: path, "rename failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error as? CheckpointError ?? CheckpointError(path: path, "\(error)")
        }
    }
}
