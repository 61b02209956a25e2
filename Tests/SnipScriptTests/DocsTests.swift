import Foundation
import SnipScript
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

    @Test func helpListsEveryBuiltinByCategory() {
        let overview = Builtins.overview
        for b in Builtins.all { #expect(overview.contains(" \(b.name)")) }
    }
}
