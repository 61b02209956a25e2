import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a plot could not be drawn.
public enum PlotError: Error, CustomStringConvertible, Sendable {
    /// gnuplot is not installed (or not on PATH).
    case gnuplotMissing
    /// gnuplot rejected the script or could not write its output.
    case gnuplotFailed(String)
    /// A file could not be read or written.
    case io(String)

    public var description: String {
        switch self {
        case .gnuplotMissing:
            return "gnuplot was not found on PATH; install it (Debian: apt-get install gnuplot-nox) "
                + "or save the script with file=\"plot.gp\""
        case .gnuplotFailed(let m): return "gnuplot failed: \(m)"
        case .io(let m): return m
        }
    }
}

/// One gnuplot process and the pipe that feeds it. Scripts are sent over stdin; after each one a
/// marker is printed so the caller waits until gnuplot has finished (and collects its messages
/// from stderr). The process is closed by `close()` or when the object goes away; it is restarted
/// if gnuplot exits (as it does on an error in a piped script).
public final class Gnuplot {
    private var process: Process?
    private var input: Int32 = -1
    private var errors: Int32 = -1
    private var pending: [UInt8] = []
    private let executable: String
    private static let marker = "SNIP-GNUPLOT-DONE"

    /// A session using the gnuplot found on PATH (or `executable`); throws `.gnuplotMissing`.
    public init(executable: String? = nil) throws {
        guard let path = executable ?? Gnuplot.locate() else { throw PlotError.gnuplotMissing }
        self.executable = path
        signal(SIGPIPE, SIG_IGN)
    }

    deinit { close() }

    /// The gnuplot on `searchPath` (default: $PATH), if any.
    public static func locate(searchPath: String? = nil) -> String? {
        let path = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/gnuplot"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = []
        let stdin = Pipe(), stderr = Pipe()
        p.standardInput = stdin
        p.standardError = stderr
        p.standardOutput = FileHandle.nullDevice
        do {
            try p.run()
        } catch {
            throw PlotError.gnuplotFailed("cannot start \(executable): \(systemReason(error))")
        }
        process = p
        input = stdin.fileHandleForWriting.fileDescriptor
        errors = stderr.fileHandleForReading.fileDescriptor
        // Keep the pipes' file handles alive with the process.
        handles = [stdin, stderr]
        pending = []
    }

    private var handles: [Pipe] = []

    /// Sends `script` and waits until gnuplot has run it; returns its warnings, throws on errors.
    @discardableResult
    public func run(_ script: String) throws -> String {
        if process == nil || process?.isRunning == false { try start() }
        let text = script + "\nprint '\(Gnuplot.marker)'\n"
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                write(input, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let messages = drain()
                close()
                throw PlotError.gnuplotFailed(messages.isEmpty ? "gnuplot exited" : messages)
            }
            offset += n
        }
        bytes.removeAll()
        var messages: [String] = []
        while let line = readLine() {
            if line == Gnuplot.marker {
                let text = messages.joined(separator: "\n")
                // Errors come as the offending line, a caret and "line N: message";
                // warnings say "warning:".
                let serious = messages.filter {
                    !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.lowercased().contains("warning")
                }
                if !serious.isEmpty {
                    throw PlotError.gnuplotFailed(serious.joined(separator: "\n")
                        .trimmingCharacters(in: .whitespacesAndNewlines))
                }
                return text
            }
            messages.append(line)
        }
        close()
        throw PlotError.gnuplotFailed(messages.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The next line gnuplot wrote to stderr; nil when it exited.
    private func readLine() -> String? {
        while true {
            if let nl = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                return line
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { read(errors, $0.baseAddress!, 4096) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                if pending.isEmpty { return nil }
                let line = String(decoding: pending, as: UTF8.self)
                pending = []
                return line
            }
            pending += buffer[..<n]
        }
    }

    private func drain() -> String {
        var lines: [String] = []
        while let l = readLine() { lines.append(l) }
        return lines.joined(separator: "\n")
    }

    /// Draws `spec` on `terminal` into the file at `path`.
    public func render(_ spec: PlotSpec, terminal: Terminal, to path: String) throws {
        try render(.single(spec), terminal: terminal, to: path)
    }

    /// Draws `figure` on `terminal` into the file at `path`.
    public func render(_ figure: Figure, terminal: Terminal, to path: String) throws {
        try run(figure.script(terminal: terminal, output: path))
    }

    /// Draws `spec` as text `width`×`height` and returns the text.
    public func text(_ spec: PlotSpec, width: Int, height: Int) throws -> String {
        try text(.single(spec), width: width, height: height)
    }

    /// Draws `spec` as an image and returns the file's bytes.
    public func image(_ spec: PlotSpec, terminal: Terminal) throws -> Data {
        try image(.single(spec), terminal: terminal)
    }

    /// Draws `figure` as text `width`×`height` and returns the text.
    public func text(_ spec: Figure, width: Int, height: Int) throws -> String {
        let path = NSTemporaryDirectory() + "snip-plot-\(getpid())-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try render(spec, terminal: .dumb(width: width, height: height), to: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlotError.io("gnuplot wrote no text plot")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Draws `figure` as an image and returns the file's bytes.
    public func image(_ spec: Figure, terminal: Terminal) throws -> Data {
        let ext: String
        switch terminal {
        case .png: ext = "png"
        case .svg: ext = "svg"
        case .dumb: ext = "txt"
        }
        let path = NSTemporaryDirectory() + "snip-plot-\(getpid())-\(UUID().uuidString).\(ext)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try render(spec, terminal: terminal, to: path)
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else {
            throw PlotError.io("gnuplot wrote no image")
        }
        return data
    }

    /// Writes the script that would draw `spec` to `scriptPath` instead of running it.
    public static func writeScript(_ spec: PlotSpec, terminal: Terminal, output: String,
                                   to scriptPath: String) throws {
        try writeScript(.single(spec), terminal: terminal, output: output, to: scriptPath)
    }

    /// Writes the script that would draw `spec` to `scriptPath` instead of running it.
    public static func writeScript(_ spec: Figure, terminal: Terminal, output: String,
                                   to scriptPath: String) throws {
        let text = spec.script(terminal: terminal, output: output)
        do {
            try text.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        } catch {
            throw PlotError.io("cannot write '\(scriptPath)': \(systemReason(error))")
        }
    }

    /// Ends the gnuplot process.
    public func close() {
        if input >= 0 {
            let quit = Array("quit\n".utf8)
            _ = quit.withUnsafeBytes { write(input, $0.baseAddress!, $0.count) }
        }
        handles.forEach {
            try? $0.fileHandleForWriting.close()
            try? $0.fileHandleForReading.close()
        }
        handles = []
        if let p = process, p.isRunning { p.waitUntilExit() }
        process = nil
        input = -1
        errors = -1
    }
}

/// The system's reason for a failed file operation, in words (not Foundation's error codes).
func systemReason(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    return "the file could not be written (check that its folder exists and is writable)"
}
