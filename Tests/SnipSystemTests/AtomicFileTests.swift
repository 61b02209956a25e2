import Foundation
import SnipSystem
import Testing

/// A fresh folder in the temporary directory, removed with the value.
final class TemporaryFolder {
    let path: String

    init() {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "snip-atomic-\(getpid())-\(UUID().uuidString)"
            ).path
        mkdir(path, 0o755)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

private func fileType(_ path: String) -> mode_t {
    var status = stat()
    guard lstat(path, &status) == 0 else { return 0 }
    return status.st_mode & S_IFMT
}

/// Issue 17: `snip convert`, `save_model`, `write_csv` and `--predictions` turned a device into
/// a regular file. The one writer (checkpoints, CSV, `snip generate`, `snip embed`) writes
/// devices and pipes in place, refuses directories, keeps links, and reports write errors.
struct AtomicFileTests {
    @Test func aFifoIsWrittenInPlaceAndStaysAFifo() throws {
        let folder = TemporaryFolder()
        let fifo = folder.file("pipe")
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(try AtomicFile.destination(for: fifo) == .inPlace(fifo))
        // a reader on the other end (opening a fifo for writing waits for one)
        let reader = FifoReader(fifo)
        try AtomicFile.write([UInt8](repeating: 7, count: 100_000), to: fifo)
        let received = reader.wait()
        #expect(received.count == 100_000)
        #expect(fileType(fifo) == S_IFIFO)
        #expect(!FileManager.default.fileExists(atPath: AtomicFile.temporaryPath(for: fifo)))
    }

    @Test func aDirectoryIsRefused() throws {
        let folder = TemporaryFolder()
        do {
            try AtomicFile.write(text: "x", to: folder.path)
            Issue.record("wrote over a directory")
        } catch {
            #expect(error.reason.contains("directory"))
        }
        #expect(fileType(folder.path) == S_IFDIR)
    }

    @Test func aLinkToARegularFileStaysALink() throws {
        let folder = TemporaryFolder()
        let target = folder.file("target.csv")
        let link = folder.file("link.csv")
        try AtomicFile.write(text: "old", to: target)
        #expect(symlink(target, link) == 0)
        try AtomicFile.write(text: "new", to: link)
        #expect(fileType(link) == S_IFLNK)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
    }

    /// A link to a character device (here /dev/null, only inspected, never written) resolves
    /// to writing the device in place, never to renaming over it.
    @Test func aLinkToADeviceResolvesToTheDeviceInPlace() throws {
        let folder = TemporaryFolder()
        let link = folder.file("null")
        #expect(symlink("/dev/null", link) == 0)
        #expect(try AtomicFile.destination(for: link) == .inPlace("/dev/null"))
        #expect(try AtomicFile.destination(for: "/dev/null") == .inPlace("/dev/null"))
    }

    /// `/dev/full` is opened for writing in place (the plan is checked first) and its
    /// "No space left on device" is reported, not swallowed.
    @Test func writeErrorsOnAFullDeviceAreReported() throws {
        guard fileType("/dev/full") == S_IFCHR else { return }
        try #require(try AtomicFile.destination(for: "/dev/full") == .inPlace("/dev/full"))
        do {
            try AtomicFile.write([UInt8](repeating: 0, count: 1024), to: "/dev/full")
            Issue.record("a write to /dev/full succeeded")
        } catch {
            #expect(error.path == "/dev/full")
            #expect(error.reason.contains("No space left on device"))
        }
        #expect(fileType("/dev/full") == S_IFCHR)
    }

    @Test func aRegularFileIsReplacedWhole() throws {
        let folder = TemporaryFolder()
        let path = folder.file("out.txt")
        #expect(try AtomicFile.destination(for: path) == .replace(path))
        try AtomicFile.write(text: "first version", to: path)
        try AtomicFile.write(text: "2", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "2")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.txt"])
    }
}

/// The streaming writer (`snip generate`, `snip embed`, `--json`): nothing at the path until
/// `commit`, nothing left behind by `discard` or by a writer dropped uncommitted.
struct AtomicWriterTests {
    @Test func piecesAppearOnlyOnCommit() throws {
        let folder = TemporaryFolder()
        let path = folder.file("out.jsonl")
        let writer = try AtomicFile.Writer(path: path)
        for i in 0..<10_000 { try writer.write("{\"line\":\(i)}\n") }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(FileManager.default.fileExists(atPath: AtomicFile.temporaryPath(for: path)))
        try writer.commit()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 10_000)
        #expect(text.hasSuffix("{\"line\":9999}\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.jsonl"])
    }

    @Test func discardAndDroppingLeaveNothing() throws {
        let folder = TemporaryFolder()
        let discarded = try AtomicFile.Writer(path: folder.file("a"))
        try discarded.write("half")
        discarded.discard()
        do {
            let dropped = try AtomicFile.Writer(path: folder.file("b"))
            try dropped.write("half")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func aMissingFolderIsReportedAtOpen() throws {
        let folder = TemporaryFolder()
        let path = folder.file("missing/out.txt")
        do {
            _ = try AtomicFile.Writer(path: path)
            Issue.record("opened a file in a missing folder")
        } catch {
            #expect(error.description == "cannot write \(path): No such file or directory")
        }
    }

    /// A killed run's temporary files go; those of this process and of live ones stay.
    @Test func staleTemporaryFilesAreRemoved() throws {
        let folder = TemporaryFolder()
        let path = folder.file("checkpoint.safetensors")
        let dead = AtomicFile.temporaryPath(for: path, pid: Int32.max - 1)
        let live = AtomicFile.temporaryPath(for: path, pid: 1)
        let own = AtomicFile.temporaryPath(for: path)
        for file in [dead, live, own] {
            #expect(FileManager.default.createFile(atPath: file, contents: nil))
        }
        AtomicFile.removeStaleTemporaryFiles(for: path)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(
            FileManager.default.fileExists(atPath: live)
                && FileManager.default.fileExists(atPath: own))
    }
}

/// The status line draws nothing off a terminal unless asked for plain lines.
struct StatusLineTests {
    @Test func offATerminalItIsSilentWithoutAPlainInterval() {
        let line = StatusLine(terminal: false, plainInterval: nil)
        #expect(!line.isEnabled)
        line.show("step 1")
        line.clear()
        line.finish()
        #expect(StatusLine(terminal: false).isEnabled)
    }
}

/// Reads a fifo to its end on a thread of its own (not a task: a reader blocked in `open`
/// must not take one of the few cooperative threads the test that writes needs).
final class FifoReader: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var received: [UInt8] = []

    init(_ path: String) {
        let thread = Thread { [self] in
            let fd = open(path, O_RDONLY)
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while fd >= 0 {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                received += buffer[..<n]
            }
            if fd >= 0 { close(fd) }
            done.signal()
        }
        thread.start()
    }

    /// The bytes read, once the writer has closed the fifo.
    func wait() -> [UInt8] {
        done.wait()
        return received
    }
}
