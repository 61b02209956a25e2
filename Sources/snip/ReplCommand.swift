import ArgumentParser
import Foundation
import SnipModel
import SnipScript
import SnipSystem

/// `snip repl` (the default): the interactive prompt on a terminal, a script when stdin is piped.
struct Repl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Start the interactive prompt (the default); piped standard input runs as a script.")

    func run() throws {
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
