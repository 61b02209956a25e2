import Foundation
import SnipSystem

/// Runs whole programs the way `snip run` and piped standard input do: syntax errors are all
/// reported (exit 65), the first runtime error stops the run (exit 70).
public enum ScriptRunner {
    /// Exit status for success.
    public static let ok: Int32 = 0
    /// Exit status for syntax errors (EX_DATAERR).
    public static let syntaxError: Int32 = 65
    /// Exit status for a file that cannot be read (EX_NOINPUT).
    public static let noInput: Int32 = 66
    /// Exit status for a runtime error (EX_SOFTWARE).
    public static let runtimeError: Int32 = 70

    /// Runs `source` on `interpreter`, writing diagnostics to `errors`; returns the exit status.
    public static func run(_ source: Source, on interpreter: Interpreter, errors: (String) -> Void,
                           colour: Bool = false) -> Int32 {
        switch interpreter.run(source) {
        case .ok: return ok
        case .syntaxErrors(let all):
            for d in all { errors(d.render(colour: colour)) }
            let n = all.count
            errors("\(n) syntax error\(n == 1 ? "" : "s"); nothing was run\n")
            return syntaxError
        case .runtimeError(let d):
            errors(d.render(colour: colour))
            return runtimeError
        case .exited(let status):
            return status
        }
    }

    /// Runs the file at `path` with `arguments`; returns the exit status.
    public static func runFile(_ path: String, arguments: [String] = [],
                               output: @escaping (String) -> Void = writeStandardOutput,
                               errors: (String) -> Void = writeStandardError) -> Int32 {
        // "-" is standard input (snip run - < script.snip)
        let contents = path == "-" ? FileHandle.standardInput.readDataToEndOfFile()
            : FileManager.default.contents(atPath: path)
        guard let data = contents else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let why = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "permission denied"
            errors("error: cannot read '\(path)': \(why)\n")
            return noInput
        }
        let interpreter = Interpreter(output: output)
        interpreter.scriptArguments = arguments
        interpreter.showProgressOnTerminal()
        interpreter.plotMode = .terminal(width: terminalSize().columns, height: terminalSize().rows)
        return run(Source(name: path == "-" ? "<stdin>" : path, text: String(decoding: data, as: UTF8.self)), on: interpreter,
                   errors: errors, colour: stderrIsTerminal())
    }
}

/// The terminal's size (from the window, else $COLUMNS/$LINES, else 80×24), for text plots.
public func terminalSize() -> (columns: Int, rows: Int) {
    var size = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 {
        return (Int(size.ws_col), min(Int(size.ws_row) - 2, 30))
    }
    let env = ProcessInfo.processInfo.environment
    let columns = env["COLUMNS"].flatMap { Int($0) } ?? 80
    let rows = env["LINES"].flatMap { Int($0) }.map { min($0 - 2, 30) } ?? 24
    return (max(columns, 20), max(rows, 8))
}
