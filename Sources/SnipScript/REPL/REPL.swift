import Foundation
import SnipSystem

/// The interactive prompt: reads entries (continuing while brackets or a block are open), runs
/// them, echoes values, reports errors and goes on. `:help`, `:vars`, `:reset`, `:quit`.
public final class REPL {
    public let interpreter: Interpreter
    private let reader: LineReader
    private let errors: (String) -> Void
    private let colour: Bool
    private var entryCount = 0
    /// The status `exit(status)` asked for (0 when the session ended otherwise).
    public private(set) var exitStatus: Int32 = 0
    /// A line read to see whether an `else` follows an `if` entry, which starts the next entry.
    private var pendingLine: String?

    public static let prompt = "snip> "
    public static let continuation = "  ... "

    /// A REPL reading from `reader`, printing through the interpreter's output and `errors`.
    public init(interpreter: Interpreter, reader: LineReader, errors: @escaping (String) -> Void,
                colour: Bool = false) {
        self.interpreter = interpreter
        self.reader = reader
        self.errors = errors
        self.colour = colour
    }

    /// What tab completion offers: built-ins and keywords, then the user's names.
    public static func completions(for interpreter: Interpreter) -> [String] {
        let names = Builtins.completionNames.map { name -> String in
            if let b = Builtins.registry[name], !b.isConstant { return name + "(" }
            return name
        }
        let user = interpreter.variableNames.map { name -> String in
            if case .function? = interpreter.variable(name) { return name + "(" }
            return name
        }
        return Array(Set(names + user + [":help", ":vars", ":reset", ":quit"])).sorted()
    }

    /// Runs until `:quit` or end of input.
    public func run() {
        interpreter.output("snip \(Self.version) — help() lists the built-ins, :help for the prompt, Ctrl-D quits\n")
        while let entry = readEntry() {
            if !handle(entry) { break }
        }
    }

    /// The version shown in the banner (set by the executable).
    nonisolated(unsafe) public static var version = ""

    /// One complete entry, or nil at end of input. Ctrl-D on a continuation line drops the
    /// unfinished entry (as Ctrl-C does); at the prompt it ends the session. After a complete
    /// `if … { … }` (or `try { … }`) the next line is read first: an `else` (`catch`) there
    /// continues the entry, as in scripts (an empty line runs it at once).
    func readEntry() -> String? {
        var lines: [String] = []
        while true {
            let line: String
            if let pending = pendingLine {
                pendingLine = nil
                line = pending
            } else {
                guard let read = reader.readLine(prompt: lines.isEmpty ? REPL.prompt : REPL.continuation) else {
                    if lines.isEmpty { return nil }
                    interpreter.output("\n")
                    if REPL.awaitedKeyword(lines) != nil { return lines.joined(separator: "\n") }
                    lines = []
                    continue
                }
                if reader.wasCancelled {
                    lines = []
                    continue
                }
                line = read
            }
            let blank = line.trimmingCharacters(in: .whitespaces).isEmpty
            if let keyword = REPL.awaitedKeyword(lines) {
                if blank { return lines.joined(separator: "\n") }
                if !line.trimmingCharacters(in: .whitespaces).hasPrefix(keyword) {
                    pendingLine = line
                    return lines.joined(separator: "\n")
                }
            }
            lines.append(line)
            let text = lines.joined(separator: "\n")
            if blank && lines.count > 1 { return text }
            if text.hasPrefix(":") || text.hasPrefix("?") { return text }
            if !Parser.needsMoreInput(text) && REPL.awaitedKeyword(lines) == nil { return text }
        }
    }

    /// The keyword that may continue the entry on the next line: `else` after a complete
    /// `if … { … }`, `catch` after `try { … }`; nil otherwise.
    static func awaitedKeyword(_ lines: [String]) -> String? {
        guard !lines.isEmpty else { return nil }
        let text = lines.joined(separator: "\n")
        guard !Parser.needsMoreInput(text) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasSuffix("}") else { return nil }
        if trimmed.hasPrefix("if ") || trimmed.hasPrefix("if(") { return "else" }
        if trimmed.hasPrefix("try ") || trimmed.hasPrefix("try{"), !trimmed.contains("catch") { return "catch" }
        return nil
    }

    /// Runs one entry; false when the user asked to quit.
    @discardableResult
    public func handle(_ entry: String) -> Bool {
        let trimmed = entry.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return true }
        reader.addHistory(entry)
        if trimmed.hasPrefix("?") { return command(":help " + trimmed.dropFirst()) }
        if trimmed.hasPrefix(":") { return command(trimmed) }
        entryCount += 1
        Interrupt.clear()
        let source = Source(name: "<stdin>", text: entry)
        switch interpreter.run(source, echo: true) {
        case .ok: break
        case .syntaxErrors(let all): all.forEach { errors($0.render(colour: colour)) }
        case .runtimeError(let d): errors(d.render(colour: colour))
        case .exited(let status):
            exitStatus = status
            return false
        }
        Interrupt.clear()
        return true
    }

    private func command(_ text: String) -> Bool {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        switch parts[0] {
        case ":quit", ":q", ":exit":
            return false
        case ":help", ":h":
            if parts.count > 1 {
                let name = parts[1].trimmingCharacters(in: .whitespaces)
                if let v = interpreter.variable(name) {
                    interpreter.output(Builtins.helpDescription(v))
                } else {
                    interpreter.output(Builtins.helpText(for: name)
                        ?? (name == "operators" ? Builtins.operatorHelp : "no help for '\(name)'\n"))
                }
            } else {
                interpreter.output("""
                    Type expressions and statements; values are echoed (end a line with ; to hide it).
                    Entries continue on the next line while a bracket or block is open.
                      :help [name]   describe a built-in, keyword or your function (also ?name)
                      :vars          list your variables and functions
                      :reset         forget all variables and functions
                      :quit          leave (or Ctrl-D); Ctrl-C cancels the running command
                    ans holds the last value; Tab completes names; history is in ~/.snip_history.

                    """)
            }
        case ":vars":
            let names = interpreter.variableNames.filter { $0 != "args" }
            if names.isEmpty { interpreter.output("(no variables)\n") }
            for name in names {
                guard let v = interpreter.variable(name) else { continue }
                var text = v.repr
                if text.count > 60 { text = String(text.prefix(57)) + "…" }
                interpreter.output("\(name) = \(text)  (\(v.typeName))\n")
            }
        case ":reset":
            interpreter.reset()
            interpreter.output("all variables and functions forgotten\n")
        default:
            errors("unknown command \(parts[0]); try :help\n")
        }
        return true
    }
}
