import Foundation
import SnipNN
import SnipTensor
import Testing

/// A fresh folder in the temporary directory, removed with the value.
final class TemporaryFolder {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("snip-atomic-\(getpid())-\(UUID().uuidString)").path
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
/// a regular file. The shared writer now writes devices and pipes in place, refuses
/// directories, keeps links, and reports write errors.
struct AtomicFileTests {
    @Test func aFifoIsWrittenInPlaceAndStaysAFifo() throws {
        let folder = TemporaryFolder()
        let fifo = folder.file("pipe")
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(try AtomicFile.destination(for: fifo) == .inPlace(fifo))
        // a reader on the other end (opening a fifo for writing waits for one)
        let reader = FifoReader(fifo)
        try SafeTensors.write([("x", Tensor([1, 2, 3]))], to: fifo)
        let received = reader.wait()
        #expect(received.count > 8 + 12)
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
            try SafeTensors.write([("x", Tensor.ones([256]))], to: "/dev/full")
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
