import Foundation

/// The directory holding the built products (the test bundle and the executables).
public let productsDirectory = URL(fileURLWithPath: CommandLine.arguments[0])
    .deletingLastPathComponent()

/// The built `snip` executable.
public let snipExecutable = productsDirectory.appendingPathComponent("snip").path

/// How a finished process ended and what it wrote.
public struct ProcessResult: Sendable {
    /// The exit status (or the signal's number when it ended by one).
    public let status: Int32
    /// Whether a signal ended it.
    public let signalled: Bool
    /// Standard output (with standard error in it when they were joined).
    public let output: String
    /// Standard error ("" when joined with standard output).
    public let errors: String
}

/// A program running in the background for a test: its output goes to files (so no pipe ever
/// fills up and stops it), so a test can wait for what it printed with a generous deadline,
/// signal it, and collect the result. The one process runner of the tests.
public final class Subprocess: @unchecked Sendable {
    public let process = Process()
    private let folder: String
    private let outputPath: String
    private let errorsPath: String
    private let joined: Bool

    /// Starts `path` with `arguments`; `input` is written to its standard input, which is then
    /// closed; `environment` is added to this process's (or, with `inheritsEnvironment` false,
    /// is the whole environment); `joinErrors` sends standard error into the output.
    public init(
        _ path: String, _ arguments: [String], input: String? = nil,
        environment: [String: String] = [:],
        inheritsEnvironment: Bool = true, directory: String? = nil, joinErrors: Bool = false
    ) throws {
        folder = NSTemporaryDirectory() + "snip-process-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        outputPath = folder + "/out"
        errorsPath = folder + "/err"
        joined = joinErrors
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorsPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment =
            inheritsEnvironment
            ? ProcessInfo.processInfo.environment.merging(environment) { $1 } : environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = FileHandle(forWritingAtPath: outputPath)
        process.standardOutput = output
        process.standardError = joinErrors ? output : FileHandle(forWritingAtPath: errorsPath)
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// What it has written to standard output so far.
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// What it has written to standard error so far.
    public var errors: String { (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? "" }

    /// Waits (polling, up to `seconds`) until `condition` holds or the process ended; whether
    /// it holds.
    @discardableResult
    public func wait(upTo seconds: Double = 300, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if !process.isRunning || Date() > deadline { return condition() }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return true
    }

    /// Waits until the output contains `text` (see ``wait(upTo:until:)``).
    @discardableResult
    public func waitForOutput(_ text: String, upTo seconds: Double = 300) -> Bool {
        wait(upTo: seconds) { output.contains(text) }
    }

    /// Sends `signal`.
    public func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the end (killing it after `seconds`, which the result then shows as a signal)
    /// and returns how it ended and what it wrote.
    public func finish(upTo seconds: Double = 600) -> ProcessResult {
        if !wait(upTo: seconds, until: { !process.isRunning }) { send(SIGKILL) }
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            signalled: process.terminationReason == .uncaughtSignal,
            output: output, errors: joined ? "" : errors)
    }
}

/// Runs `path` with `arguments` to its end (see ``Subprocess``).
@discardableResult
public func runProcess(
    _ path: String, _ arguments: [String], input: String? = nil,
    environment: [String: String] = [:],
    inheritsEnvironment: Bool = true, directory: String? = nil, joinErrors: Bool = false
) throws -> ProcessResult {
    try Subprocess(
        path, arguments, input: input, environment: environment,
        inheritsEnvironment: inheritsEnvironment,
        directory: directory, joinErrors: joinErrors
    ).finish()
}

/// Runs the built `snip` and returns its status and output, standard error included unless
/// `includeStandardError` is false.
public func runSnip(
    _ arguments: [String], environment: [String: String] = [:], includeStandardError: Bool = true
) throws -> (status: Int32, output: String) {
    let result = try runProcess(
        snipExecutable, arguments, environment: environment, joinErrors: includeStandardError)
    return (result.status, result.output)
}
