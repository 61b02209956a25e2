import Foundation
import SnipScript
import TestSupport
import Testing

/// docs/LANGUAGE.md holds the built-in reference generated from the registry (the same table
/// `help`, completion and the evaluator use). Run with SNIP_RECORD=1 to regenerate it; the test
/// then fails once, as snapshot tests do when they record.
struct DocsTests {
    static let path = repositoryRoot.appendingPathComponent("docs/LANGUAGE.md").path

    static var keywordReference: String {
        Builtins.keywordDocs.map { "- `\($0.0)`: \($0.1)\n" }.joined()
    }

    static func section(_ text: String, _ name: String) -> String? {
        guard let a = text.range(of: "<!-- \(name):start -->\n"),
              let b = text.range(of: "<!-- \(name):end -->", range: a.upperBound..<text.endIndex)
        else { return nil }
        return String(text[a.upperBound..<b.lowerBound])
    }

    static func replacing(_ text: String, _ name: String, with content: String) -> String {
        guard let a = text.range(of: "<!-- \(name):start -->\n"),
              let b = text.range(of: "<!-- \(name):end -->", range: a.upperBound..<text.endIndex)
        else { return text }
        return text.replacingCharacters(in: a.upperBound..<b.lowerBound, with: content)
    }

    @Test func languageReferenceMatchesTheRegistry() throws {
        var text = try String(contentsOfFile: Self.path, encoding: .utf8)
        if ProcessInfo.processInfo.environment["SNIP_RECORD"] == "1" {
            text = Self.replacing(text, "builtins", with: Builtins.markdownReference)
            text = Self.replacing(text, "keywords", with: Self.keywordReference)
            try text.write(toFile: Self.path, atomically: true, encoding: .utf8)
            Issue.record("recorded \(Self.path); run again without SNIP_RECORD")
            return
        }
        #expect(Self.section(text, "builtins") == Builtins.markdownReference)
        #expect(Self.section(text, "keywords") == Self.keywordReference)
        for b in Builtins.all { #expect(text.contains("`\(b.signature)`")) }
    }

    @Test func everyConstructIsDocumented() throws {
        let text = try String(contentsOfFile: Self.path, encoding: .utf8)
        for construct in ["fn name(", "f(x) = expr", "x -> e", "if c {", "for i in 0..10", "while c {",
                          "break", "continue", "return", "`@`", "`^`", "v[a:b]", "ans", ":help", ":vars",
                          ":reset", ":quit", "#%%", "--keep-going", "exit status 70", "65", "file="] {
            #expect(text.contains(construct), "docs/LANGUAGE.md should mention \(construct)")
        }
    }

    /// The ```snip examples of docs/LANGUAGE.md that show their output (`# → text` after a
    /// `print`) run, and print exactly that.
    static var examples: [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var blocks: [String] = []
        var current: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```snip" {
                current = []
            } else if current != nil, trimmed == "```" {
                if current!.contains(where: { $0.contains("# → ") }) { blocks.append(current!.joined(separator: "\n")) }
                current = nil
            } else if current != nil {
                current!.append(String(line))
            }
        }
        return blocks
    }

    @Test func thereAreRunnableExamples() {
        #expect(Self.examples.count >= 5)
    }

    @Test(arguments: examples)
    func exampleRunsAndPrintsWhatTheDocsSay(_ code: String) throws {
        let expected = code.split(separator: "\n").compactMap { line -> String? in
            guard let r = line.range(of: "# → ") else { return nil }
            return String(line[r.upperBound...])
        }
        var output = ""
        let interpreter = Interpreter(output: { output += $0 })
        let scratch = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        interpreter.environment["TMPDIR"] = scratch
        interpreter.baseDirectory = scratch
        let outcome = interpreter.run(Source(name: "LANGUAGE.md", text: code))
        if case .runtimeError(let d) = outcome { Issue.record("\(d.render())") }
        if case .syntaxErrors(let all) = outcome { Issue.record("\(all.map { $0.render() }.joined())") }
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines == expected)
    }

    @Test func helpListsEveryBuiltinByCategory() {
        let overview = Builtins.overview
        for b in Builtins.all { #expect(overview.contains(" \(b.name)")) }
    }
}
