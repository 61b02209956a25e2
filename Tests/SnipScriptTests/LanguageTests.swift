import Foundation
import SnipScript
import TestSupport
import Testing

/// The language tests: each `Fixtures/*.snip` file runs as a script. `# expect: text` comments
/// give the printed lines in order; `# error: LINE:COL: message` the diagnostics (all syntax
/// errors, or the one runtime error); `# note: LINE:COL: message` the call-site notes.
struct LanguageTests {
    static let fixtures = LanguageFixtures.folder
    static var files: [String] { LanguageFixtures.files }

    /// What a fixture expects.
    struct Expectations {
        var lines: [String] = []
        var errors: [String] = []
        var notes: [String] = []
    }

    static func expectations(in text: String) -> Expectations {
        var e = Expectations()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            for (marker, keyPath) in [("# expect:", \Expectations.lines), ("# error:", \.errors), ("# note:", \.notes)] {
                guard let r = line.range(of: marker) else { continue }
                var value = String(line[r.upperBound...])
                if value.hasPrefix(" ") { value.removeFirst() }
                e[keyPath: keyPath].append(value)
            }
        }
        return e
    }

    @Test(arguments: files)
    func fixture(_ name: String) throws {
        let path = Self.fixtures.appendingPathComponent(name).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected = Self.expectations(in: text)
        var output = ""
        var diagnostics: [Diagnostic] = []
        let interpreter = Interpreter(output: { output += $0 })
        // runs that pretrain write their run directory here, removed afterwards
        let scratch = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        interpreter.environment["TMPDIR"] = scratch
        // include("lib/…") and other relative paths are relative to the fixtures
        interpreter.baseDirectory = Self.fixtures.path
        switch interpreter.run(Source(name: name, text: text)) {
        case .ok, .exited(0): break
        case .exited(let status): Issue.record("\(name) exited with status \(status)")
        case .syntaxErrors(let all): diagnostics = all
        case .runtimeError(let d): diagnostics = [d]
        }
        let printed = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let lines = printed.last == "" ? Array(printed.dropLast()) : printed
        #expect(lines == expected.lines, "printed output of \(name)")
        func header(_ message: String, _ range: SourceRange?) -> String {
            guard let range else { return message }
            let (line, column) = range.source.lineColumn(of: range.start)
            return "\(line):\(column): \(message)"
        }
        let errors = diagnostics.map { header($0.message, $0.range) }
        #expect(errors == expected.errors, "diagnostics of \(name)")
        let notes = diagnostics.flatMap { $0.notes.map { header($0.message, $0.range) } }
        #expect(notes == expected.notes, "notes of \(name)")
        // Every diagnostic renders as file:line:col: error: …, the line and a caret.
        for d in diagnostics {
            let rendered = d.render()
            // (an error inside an included file names that file)
            #expect(rendered.hasPrefix("\(name):") || rendered.contains("/lib/"))
            #expect(rendered.contains(": error: "))
            #expect(rendered.contains("^"))
        }
    }

    @Test func everyBuiltinIsCoveredByAFixture() throws {
        var all = ""
        for name in Self.files {
            all += try String(contentsOfFile: Self.fixtures.appendingPathComponent(name).path, encoding: .utf8)
        }
        let missing = Builtins.all.map(\.name).filter { name in
            all.range(of: "\\b\(name)\\b", options: .regularExpression) == nil
        }
        let untested = missing.filter { !["plot", "scatter", "hist", "subplots"].contains($0) }  // CommandLineTests
        #expect(untested.isEmpty, "built-ins no fixture uses: \(untested)")
    }
}
