/// The registry of built-ins. Every built-in lives in exactly one of the category lists below;
/// the evaluator, `help`, tab completion and the reference in docs/LANGUAGE.md all read it.
public enum Builtins {
    /// All built-ins in the order `help()` lists them.
    public static let all: [Builtin] = constants + math + arrays + statistics + calculus + language
        + files + plots + expressions + data + models + modelReports + snipPlots
        + linearAlgebra + basics + formatting + program + workspace + figures + regression

    /// Built-ins by name.
    public static let registry: [String: Builtin] = Dictionary(all.map { ($0.name, $0) }) { a, _ in a }

    /// The reserved words with a one-line description each (for `help` and the docs).
    public static let keywordDocs: [(String, String)] = [
        ("if", "if cond { … } else if cond { … } else { … }: run a block when a bool is true."),
        ("else", "The alternative branch of an 'if'."),
        ("for", "for x in seq { … }: loop over a vector, a range a..b, a list, matrix rows or a string."),
        ("in", "Separates the loop variable from the sequence in 'for'."),
        ("while", "while cond { … }: repeat a block while a bool is true (Ctrl-C stops it)."),
        ("break", "Leave the innermost loop."),
        ("continue", "Go on with the next iteration of the innermost loop."),
        ("return", "return value: leave a block function with a value (nothing if left out)."),
        ("fn", "fn name(a, b=2) { … return v }: define a block function (a # comment line right above is its help)."),
        ("try", "try { … } catch err { … }: run the second block when the first stops with an error (err is a record: err[\"message\"], err[\"kind\"], err[\"line\"])."),
        ("catch", "The handler of a 'try' block; the name after it (optional) holds the error."),
        ("and", "a and b: true when both bools are (b is not evaluated when a is false)."),
        ("or", "a or b: true when either bool is (b is not evaluated when a is true)."),
        ("not", "not a: the negation of a bool."),
        ("true", "The bool true."),
        ("false", "The bool false."),
        ("nothing", "The absence of a value (what a function without 'return' returns)."),
    ]

    /// Every name the REPL completes before the user's variables: built-ins and keywords.
    public static var completionNames: [String] {
        (all.map(\.name) + keywordDocs.map(\.0)).sorted()
    }

    /// The help text for `name`: a built-in, a keyword, or nil if unknown.
    public static func helpText(for name: String) -> String? {
        if let b = registry[name] {
            var text = b.signature + "\n    " + b.doc.replacingOccurrences(of: "\n", with: "\n    ")
            if b.isConstant, let c = b.constant { text += "\n    value: \(c.repr)" }
            return text + "\n"
        }
        if let k = keywordDocs.first(where: { $0.0 == name }) { return "\(k.0) (keyword)\n    \(k.1)\n" }
        return nil
    }

    /// `help()` with no argument: the built-ins by category and the keywords.
    public static var overview: String {
        var out = "Built-ins (help(name) for details; docs/LANGUAGE.md has the whole language):\n"
        for category in Builtin.Category.allCases {
            let names = all.filter { $0.category == category }.map(\.name)
            out += "  \(category.rawValue): " + names.joined(separator: " ") + "\n"
        }
        out += "  Keywords: " + keywordDocs.map(\.0).joined(separator: " ") + "\n"
        out += "  Operators: + - * / % ^ @ == != < <= > >= and or not .. -> (help(\"operators\"))\n"
        return out
    }

    static let operatorHelp = """
        Operators, loosest first:
          x -> e          lambda                 (a, b) -> e
          = += -= *= /= ^=  assignment (x += 1 is x = x + 1); a, b = [1, 2] unpacks
          or, and, not    bool logic (short-circuit)
          == != < <= > >= comparisons (elementwise on vectors; cannot be chained)
          a..b            the vector a, a+1, …, b-1
          + -             add, subtract (strings and lists concatenate with +)
          * / % @         multiply, divide, remainder (sign of the divisor), matrix product
          -x +x           unary minus and plus
          ^               power, right-associative; -2^2 is -4, 2^3^2 is 512
          f(x) v[i]       call, index and slice v[a:b], v[a:b:step], m[i, j], m[:, j], v[v > 0]
        Arithmetic and comparisons apply element by element and broadcast a number, a vector over
        matrix rows, or a column over matrix columns.

        """

    /// The Markdown reference of every built-in, as docs/LANGUAGE.md holds it.
    public static var markdownReference: String {
        var out = ""
        for category in Builtin.Category.allCases {
            out += "### \(category.rawValue)\n\n"
            for b in all where b.category == category {
                let lines = b.doc.split(separator: "\n", omittingEmptySubsequences: false)
                out += "- `\(b.signature)`: " + lines.joined(separator: " ") + "\n"
            }
            out += "\n"
        }
        return out
    }
}
