import Foundation
import SnipScript
import TestSupport
import Testing

/// The REPL driven through `ScriptedLineReader` (no terminal), and through a real
/// pseudo-terminal with tmux (readline, history, completion, Ctrl-C).
struct REPLTests {
    func session(_ lines: [String]) -> (output: String, errors: String, reader: ScriptedLineReader) {
        var output = "", errors = ""
        let interpreter = Interpreter(output: { output += $0 })
        let reader = ScriptedLineReader(lines)
        let repl = REPL(interpreter: interpreter, reader: reader, errors: { errors += $0 })
        repl.run()
        return (output, errors, reader)
    }

    @Test func echoesValuesKeepsAnsAndGoesOnAfterErrors() {
        let (output, errors, reader) = session([
            "x = 41", "x + 1", "ans * 2", "y = 3;", "y;", "nope + 1", "x", "[1, 2] * 2", "\"s\"",
        ])
        let lines = output.split(separator: "\n").dropFirst().map(String.init)  // banner
        #expect(lines == ["42", "84", "41", "[2, 4]", "\"s\""])
        #expect(errors.hasPrefix("<stdin>:1:1: error: undefined name 'nope'"))
        #expect(errors.contains(" 1 | nope + 1\n   | ^~~~\n"))
        #expect(reader.history.count == 9)
    }

    @Test func multiLineEntriesContinueWhileOpen() {
        let (output, errors, reader) = session([
            "fn twice(a) {", "  b = a * 2", "  return b", "}", "twice(21)",
            "v = [1,", "2, 3]", "sum(v)", "1 +", "2",
        ])
        #expect(errors.isEmpty)
        #expect(output.hasSuffix("42\n6\n3\n"))
        #expect(reader.prompts.filter { $0 == REPL.continuation }.count == 5)
        #expect(reader.history.first == "fn twice(a) {\n  b = a * 2\n  return b\n}")
    }

    @Test func ctrlCDropsThePartialEntry() {
        let (output, errors, _) = session(["fn broken(a) {", "\u{3}", "1 + 1"])
        #expect(errors.isEmpty)
        #expect(output.hasSuffix("2\n"))
    }

    @Test func commands() {
        let (output, errors, reader) = session([
            ":help sqrt", "a = 1", "f(x) = x", ":vars", ":reset", ":vars", "a", ":nonsense", ":help",
            ":quit", "print(\"not reached\")",
        ])
        #expect(output.contains("sqrt(x)\n    The square root."))
        #expect(output.contains("a = 1  (number)\nf = <function f(x)>  (function)\n"))
        #expect(output.contains("all variables and functions forgotten\n(no variables)\n"))
        #expect(output.contains(":reset         forget all variables"))
        #expect(!output.contains("not reached"))
        #expect(errors.contains("undefined name 'a'"))
        #expect(errors.contains("unknown command :nonsense"))
        #expect(reader.prompts.count == 10)
    }

    @Test func completionReadsTheRegistryAndVariables() {
        let interpreter = Interpreter(output: { _ in })
        interpreter.run(Source(name: "t", text: "my_value = 1\nmy_fun(x) = x"))
        let names = REPL.completions(for: interpreter)
        for b in Builtins.all {
            #expect(names.contains(b.isConstant ? b.name : b.name + "("))
            #expect(Builtins.helpText(for: b.name) != nil)
        }
        for (k, _) in Builtins.keywordDocs { #expect(names.contains(k)) }
        #expect(names.contains("my_value"))
        #expect(names.contains("my_fun("))
        #expect(names.contains(":vars"))
    }

    @Test func needsMoreInput() {
        #expect(Parser.needsMoreInput("fn f(x) {"))
        #expect(Parser.needsMoreInput("x = [1,"))
        #expect(Parser.needsMoreInput("x = 1 +"))
        #expect(Parser.needsMoreInput("y = \\"))
        #expect(!Parser.needsMoreInput("x = 1"))
        #expect(!Parser.needsMoreInput("f(x) = x }"))
    }
}

/// Drives the real `snip` in tmux: readline editing, completion, history across sessions,
/// multi-line input, Ctrl-C cancelling a loop, Ctrl-D quitting.
struct PseudoTerminalTests {
    static let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }

    final class Tmux {
        let socket = "snip-test-\(UUID().uuidString.prefix(8))"
        let home: String

        init(home: String) { self.home = home }

        @discardableResult
        func run(_ args: [String]) throws -> String {
            try runProcess(PseudoTerminalTests.tmux!, ["-L", socket] + args).output
        }

        /// Starts the tmux server running snip. Through system(): the server outlives the command,
        /// and Foundation's Process would wait for it (the server inherits its status pipe).
        func start() throws {
            let command = "\(PseudoTerminalTests.tmux!) -L \(socket) new-session -d -s t -x 100 -y 50 "
                + "'env HOME=\(home) TERM=xterm \(snipExecutable)' </dev/null >/dev/null 2>&1"
            #expect(system(command) == 0)
        }

        func send(_ keys: String...) throws { try run(["send-keys", "-t", "t"] + keys) }
        func type(_ text: String) throws { try run(["send-keys", "-t", "t", "-l", text]) }
        func screen() throws -> String { try run(["capture-pane", "-p", "-t", "t", "-S", "-200"]) }

        /// Waits until the screen satisfies `condition`, with a deadline generous enough for a
        /// machine loaded by parallel tests (two minutes; the wait ends as soon as it holds).
        func wait(_ what: String, _ condition: (String) -> Bool) throws -> String {
            var text = ""
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                text = try screen()
                if condition(text) { return text }
                usleep(100_000)
            }
            Issue.record("timed out waiting for \(what); screen:\n\(text)")
            return text
        }

        func waitFor(_ s: String, count: Int = 1) throws -> String {
            try wait("'\(s)' ×\(count)") { $0.components(separatedBy: s).count - 1 >= count }
        }

        func kill() { _ = try? run(["kill-server"]) }
    }

    @Test(.enabled(if: tmux != nil)) func readlineSession() throws {
        let home = try temporaryDirectory()
        let t = Tmux(home: home)
        defer { t.kill() }
        try t.start()
        _ = try t.waitFor("snip>")
        /// Types a line, presses Enter and waits for the next prompt (the n-th one) and `expect`.
        var prompts = 1
        func enter(_ line: String, expect: String) throws {
            try t.type(line)
            try t.send("Enter")
            prompts += 1
            _ = try t.wait("'\(expect)' after '\(line)'") {
                $0.components(separatedBy: "snip>").count - 1 >= prompts && $0.contains(expect)
            }
        }
        // Plain entry and echo.
        try enter("123 + 321", expect: "444")
        // History recall with Up.
        try t.send("Up")
        try t.send("Enter")
        prompts += 1
        _ = try t.waitFor("444", count: 2)
        // Tab completion of a built-in.
        try t.type("linsp")
        try t.send("Tab")
        try enter("0, 1, 3)", expect: "snip> linspace(0, 1, 3)\n[0, 0.5, 1]")
        // Multi-line input.
        try t.type("fn twice(a) {")
        try t.send("Enter")
        _ = try t.waitFor("  ...")
        try t.type("return 2 * a")
        try t.send("Enter")
        try t.type("}")
        try t.send("Enter")
        try enter("twice(2.25)", expect: "\n4.5\n")
        // Ctrl-C cancels a long loop and the prompt comes back (pressed once the loop is known
        // to run: the entry prints before it starts, whatever the machine's load).
        try t.type("i = 0; print(\"loop\" + \"ing\"); while true { i = i + 1 }")
        try t.send("Enter")
        _ = try t.waitFor("\nlooping")
        try t.send("C-c")
        prompts += 1
        _ = try t.wait("the loop to stop") {
            $0.contains("error: interrupted") && $0.components(separatedBy: "snip>").count - 1 >= prompts
        }
        try enter("i > 1000", expect: "\ntrue\n")
        // Ctrl-C at the prompt drops the line.
        try t.type("this is not run")
        _ = try t.waitFor("this is not run")
        try t.send("C-c")
        prompts += 1
        _ = try t.wait("a fresh prompt") { $0.components(separatedBy: "snip>").count - 1 >= prompts }
        try enter("7 * 6", expect: "\n42\n")
        #expect(try !t.screen().contains("undefined name 'this'"))
        // Ctrl-D leaves; the history file has the entries.
        try t.send("C-d")
        _ = try t.wait("exit") { _ in
            (try? String(contentsOfFile: home + "/.snip_history", encoding: .utf8))?.contains("7 * 6") == true
        }
        let history = try String(contentsOfFile: home + "/.snip_history", encoding: .utf8)
        #expect(history.contains("123 + 321"))
        #expect(history.contains("twice(2.25)"))

        // A new session recalls the previous session's history.
        let t2 = Tmux(home: home)
        defer { t2.kill() }
        try t2.start()
        _ = try t2.waitFor("snip>")
        try t2.send("Up")
        _ = try t2.waitFor("snip> 7 * 6")  // recalled from the first session, not typed
    }
}
