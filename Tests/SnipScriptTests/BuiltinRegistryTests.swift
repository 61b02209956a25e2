import Foundation
import SnipScript
import TestSupport
import Testing

/// The registry matches the code: each built-in's implementation reads only the parameters it
/// declares (an undeclared name is a precondition failure at run time), and each category's
/// built-ins live in that category's files.
struct BuiltinRegistryTests {
    /// The files each category's built-ins may live in.
    static let files: [Builtin.Category: Set<String>] = [
        .constants: ["Builtins+Math.swift"],
        .math: ["Builtins+Math.swift"],
        .arrays: ["Builtins+Arrays.swift", "Builtins+Basics.swift", "LinearAlgebra.swift"],
        .statistics: ["Builtins+Statistics.swift"],
        .calculus: ["Builtins+Calculus.swift"],
        .language: ["Builtins+Language.swift", "Builtins+Format.swift", "Builtins+Program.swift"],
        .files: ["Builtins+Files.swift", "Builtins+Workspace.swift"],
        .plots: ["Builtins+Plots.swift", "Builtins+EmbeddingPlots.swift"],
        .expressions: ["Builtins+Expressions.swift", "Builtins+Regression.swift"],
        .data: ["Builtins+Data.swift", "Builtins+Properties.swift"],
        .models: [
            "Builtins+Models.swift", "Builtins+ModelReport.swift", "Builtins+Training.swift",
        ],
    ]

    @Test func categoriesMatchTheirFiles() {
        for builtin in Builtins.all {
            let file = String(builtin.sourceFile.split(separator: "/").last ?? "")
            #expect(
                Self.files[builtin.category]?.contains(file) == true,
                "\(builtin.name) (\(builtin.category.rawValue)) is defined in \(file)")
        }
    }

    /// Reads each built-in's implementation in its source file (from `Builtin("name"` to the
    /// next built-in or the end of its list) and checks every argument it reads by name
    /// (`a.number("x")`, `a.range("x")`, `yName: "x"`) against its declared parameters.
    @Test func implementationsReadOnlyDeclaredParameters() throws {
        // the language's files by name, wherever they lie under Sources/SnipScript
        let folder = repositoryRoot.appendingPathComponent("Sources/SnipScript").path
        let paths = (FileManager.default.subpaths(atPath: folder) ?? []).filter {
            $0.hasSuffix(".swift")
        }
        let byName = Dictionary(
            paths.map { (($0 as NSString).lastPathComponent, folder + "/" + $0) }
        ) { a, _ in a }
        var texts: [String: String] = [:]
        let reads = try NSRegularExpression(pattern: #"\ba\.[a-zA-Z]+\(\s*"([a-z_0-9]+)""#)
        let passed = try NSRegularExpression(pattern: #"Name: "([a-z_0-9]+)""#)
        var checked = 0
        for builtin in Builtins.all where !builtin.isConstant {
            let name = String(builtin.sourceFile.split(separator: "/").last ?? "")
            let path = try #require(byName[name], "\(builtin.name): no file \(name)")
            if texts[path] == nil {
                texts[path] = try String(contentsOfFile: path, encoding: .utf8)
            }
            let text = texts[path]!
            // built-ins made by a helper (minMax, the properties) have no literal of their own
            guard let start = text.range(of: "Builtin(\"\(builtin.name)\"") else { continue }
            let rest = text[start.upperBound...]
            let end =
                [rest.range(of: "Builtin(\"")?.lowerBound, rest.range(of: "\n    ]")?.lowerBound]
                .compactMap { $0 }.min() ?? rest.endIndex
            let body = String(rest[..<end])
            let declared = Set(builtin.params.map(\.name))
            for regex in [reads, passed] {
                for match in regex.matches(in: body, range: NSRange(body.startIndex..., in: body)) {
                    let name = String(body[Range(match.range(at: 1), in: body)!])
                    #expect(
                        declared.contains(name),
                        "\(builtin.name) reads '\(name)', not one of \(declared.sorted())")
                }
            }
            checked += 1
        }
        #expect(checked > 80)  // the rest are made by helpers (minMax, argExtreme, the properties)
    }
}
