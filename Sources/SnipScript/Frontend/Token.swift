/// The kinds of tokens the lexer produces.
public enum TokenKind: Equatable, Sendable {
    case number(Double)
    case string(String)
    case identifier(String)
    case keyword(Keyword)
    /// An operator or punctuation mark, spelled as in the source (`+`, `..`, `->`, `(`).
    case symbol(String)
    /// The end of a statement: a newline outside brackets.
    case newline
    case semicolon
    case end
    /// Text the lexer could not read; the message says why.
    case invalid(String)
}

/// The reserved words of the language.
public enum Keyword: String, CaseIterable, Sendable {
    case `if`, `else`, `for`, `in`, `while`, `break`, `continue`, `return`, `fn`, `try`, `catch`
    case and, or, not, `true`, `false`, nothing
}

/// One token and where it sits.
public struct Token: Sendable {
    public let kind: TokenKind
    public let range: SourceRange
    /// Whether the token is the first on its line (the parser resynchronises there after an
    /// error, even inside an unclosed bracket).
    public var startsLine = false

    /// Whether the token is the symbol `s`.
    func isSymbol(_ s: String) -> Bool { kind == .symbol(s) }
    /// Whether the token is the keyword `k`.
    func isKeyword(_ k: Keyword) -> Bool { kind == .keyword(k) }

    /// How the token reads in an error message.
    var display: String {
        switch kind {
        case .number(let v): return "number \(formatNumber(v))"
        case .string: return "string"
        case .identifier(let n): return "'\(n)'"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .symbol(let s): return "'\(s)'"
        case .newline: return "end of line"
        case .semicolon: return "';'"
        case .end: return "end of input"
        case .invalid(let m): return m
        }
    }
}
