#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes to standard error at once (flushing standard output first, so the two interleave
/// correctly).
public func writeStandardError(_ text: String) {
    fflush(nil)
    writeAll(2, text)
}

/// Writes to standard output at once (no buffer), so that what a program printed is in the file
/// or pipe even when the process ends abruptly afterwards (a signal, an abort, `exit`).
public func writeStandardOutput(_ text: String) {
    fflush(nil)
    writeAll(1, text)
}

/// Whether standard error is a terminal.
public func stderrIsTerminal() -> Bool { isatty(2) == 1 }

/// Writes all of `text` to the file descriptor `fd` (errors are ignored: there is nowhere left
/// to report them).
private func writeAll(_ fd: Int32, _ text: String) {
    var text = text
    text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}
