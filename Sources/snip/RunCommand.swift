import ArgumentParser
import SnipScript
import SnipSystem

/// `snip run FILE.snip [args…]`.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a .snip script.",
        discussion: """
            The arguments after the file are in the list `args`. Exit status: 0 on success, 65 for \
            syntax errors (all are reported, nothing runs), 66 if the file cannot be read, 70 for a \
            runtime error (the script stops there).
            """)

    @Argument(help: "The script to run (- reads it from standard input).")
    var file: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the script as `args`.")
    var arguments: [String] = []

    func run() throws {
        try Self.runScript(file, arguments: arguments)
    }

    /// Runs the script at `file` (- for standard input) with Ctrl-C cancelling it, and exits
    /// with its status (`snip run`, and `snip FILE.snip` through the default command).
    static func runScript(_ file: String, arguments: [String]) throws {
        Interrupt.install(.cancel)
        let status = ScriptRunner.runFile(file, arguments: arguments)
        if status != 0 { throw ExitCode(status) }
    }
}
