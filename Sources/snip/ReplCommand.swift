import ArgumentParser
import Foundation
import SnipModel
import SnipScript
import SnipSystem

/// `snip repl` (the default): the interactive prompt on a terminal, a script when stdin is piped,
/// and `snip FILE.snip [args…]` runs a script as `snip run` does.
struct Repl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Start the interactive prompt (the default); piped standard input runs as a script.",
        discussion: """
            `snip FILE.snip [args…]` runs a script, the same as `snip run FILE.snip [args…]`.
            """)

    @Argument(
        parsing: .captureForPassthrough,
        help: "A script to run instead of the prompt, and the arguments it gets as `args`.")
    var script: [String] = []

    func run() throws {
        if let file = script.first {
            // the passthrough capture takes options too: give back the ones the parser would handle
            if file == "-h" || file == "--help" { throw CleanExit.helpRequest(self) }
            if file.hasPrefix("-") && file != "-" { throw ValidationError("Unknown option '\(file)'") }
            // `snip FILE.snip`: a file (or a .snip name, so that a missing one says so);
            // anything else is a mistyped command, not a script
            guard file == "-" || file.hasSuffix(".snip") || FileManager.default.fileExists(atPath: file) else {
                throw ValidationError(
                    "'\(file)' is neither a snip command nor a script file; `snip --help` lists the commands")
            }
            try Run.runScript(file, arguments: Array(script.dropFirst()))
            return
        }
        if isatty(0) == 0 {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            let interpreter = Interpreter()
            let size = terminalSize()
            interpreter.plotMode = .terminal(width: size.columns, height: size.rows)
            interpreter.showProgressOnTerminal()
            let status = ScriptRunner.run(
                Source(name: "<stdin>", text: String(decoding: data, as: UTF8.self)), on: interpreter,
                errors: writeStandardError, colour: stderrIsTerminal())
            if status != 0 { throw ExitCode(status) }
            return
        }
        Interrupt.install(.cancel)
        let interpreter = Interpreter()
        let size = terminalSize()
        interpreter.plotMode = .terminal(width: size.columns, height: size.rows)
        interpreter.showProgressOnTerminal()
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        let reader = ReadlineReader(historyPath: home + "/.snip_history") {
            REPL.completions(for: interpreter)
        }
        REPL.version = SnipVersion.string
        let repl = REPL(interpreter: interpreter, reader: reader, errors: writeStandardError,
                        colour: stderrIsTerminal())
        repl.run()
        if repl.exitStatus != 0 { throw ExitCode(repl.exitStatus) }
    }
}
