import Foundation
import SnipScript
import Testing

/// Entries at the prompt behave as they do in scripts: `else` on the line after `}`, Ctrl-D on
/// a continuation line, `?name`, help for user functions, `exit`.
struct REPLEntryTests {
    func session(_ lines: [String]) -> (output: String, errors: String, reader: ScriptedLineReader, repl: REPL) {
        var output = "", errors = ""
        let interpreter = Interpreter(output: { output += $0 })
        let reader = ScriptedLineReader(lines)
        let repl = REPL(interpreter: interpreter, reader: reader, errors: { errors += $0 })
        repl.run()
        let body = output.split(separator: "\n", maxSplits: 1).dropFirst().first.map(String.init) ?? ""  // banner
        return (body, errors, reader, repl)
    }

    @Test func elseOnTheLineAfterTheBraceContinuesTheIf() {
        let r = session(["x = 5", "if x > 10 {", "  print(\"big\")", "}", "else {", "  print(\"small\")", "}", "x + 1"])
        #expect(r.errors.isEmpty, "\(r.errors)")
        #expect(r.output == "small\n6\n")
        #expect(r.reader.history.contains("if x > 10 {\n  print(\"big\")\n}\nelse {\n  print(\"small\")\n}"),
                "a multi-line entry is one history item")
    }

    @Test func catchOnTheLineAfterTheTryBlockContinuesTheTry() {
        let r = session(["try {", "  error(\"no\")", "}", "catch err { print(err[\"message\"]) }", "print(1)"])
        #expect(r.errors.isEmpty, "\(r.errors)")
        #expect(r.output == "no\n1\n")
    }

    @Test func anIfWithoutElseRunsWhenTheNextLineStartsSomethingElse() {
        let r = session(["if true { print(1) }", "print(2)", "if false { print(3) }", "", "print(4)"])
        #expect(r.errors.isEmpty, "\(r.errors)")
        #expect(r.output == "1\n2\n4\n")
        #expect(r.reader.prompts.filter { $0 == REPL.continuation }.count == 2)
    }

    @Test func ctrlDOnAContinuationLineCancelsTheEntryNotTheSession() {
        let r = session(["fn f(x) {", "  return x", "\u{4}", "1 + 2", "\u{4}"])
        #expect(r.errors.isEmpty, "\(r.errors)")
        #expect(r.output == "\n3\n")
        #expect(!r.reader.history.contains { $0.hasPrefix("fn f") })
    }

    @Test func questionMarkAndHelpDescribeBuiltinsAndUserFunctions() {
        let r = session(["inc(x) = x + 1", "?inc", ":help inc", "?sqrt", "help(inc)"])
        #expect(r.errors.isEmpty, "\(r.errors)")
        let helpOfInc = "inc(x): defined at <stdin>:1:1\n"
        #expect(r.output.components(separatedBy: helpOfInc).count - 1 == 3, "\(r.output)")
        #expect(r.output.contains("sqrt(x)\n    The square root."))
    }

    @Test func aCommentRightAboveADefinitionIsItsHelp() {
        var output = ""
        let interpreter = Interpreter(output: { output += $0 })
        _ = interpreter.run(Source(name: "s.snip", text: "x = 1\n# Squares x.\n# (any number)\nsq(x) = x^2\n\nfn other() { }\nhelp(sq)\nhelp(other)\n"))
        #expect(output == "sq(x): defined at s.snip:4:1\n    Squares x.\n    (any number)\nother(): defined at s.snip:6:1\n")
    }

    @Test func exitEndsTheSessionWithItsStatus() {
        let r = session(["print(1)", "exit(4)", "print(2)"])
        #expect(r.output == "1\n")
        #expect(r.repl.exitStatus == 4)
    }
}
