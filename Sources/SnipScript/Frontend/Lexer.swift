/// Turns source text into tokens.
///
/// Newlines end statements, except inside `(…)` and `[…]`, where they are skipped (so calls and
/// literals may span lines). `#` starts a comment that runs to the end of the line. Numbers are
/// decimal with an optional fraction and exponent (`1`, `2.5`, `.5`, `1e-3`); strings use double
/// quotes with the escapes `\n \t \" \\`.
struct Lexer {
    let source: Source
    private var i = 0
    private var depth = 0
    private var bytes: [UInt8] { source.bytes }

    init(source: Source) { self.source = source }

    /// All tokens, ending with `.end`.
    mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        while true {
            var t = next()
            let lineStart = source.lineStarts[source.lineIndex(of: t.range.start)]
            t.startsLine = source.bytes[lineStart..<t.range.start].allSatisfy {
                $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t")
            }
            tokens.append(t)
            if t.kind == .end { return tokens }
        }
    }

    private func peek(_ k: Int = 0) -> UInt8 {
        i + k < bytes.count ? bytes[i + k] : 0
    }

    private static let symbols2: Set<String> = [
        "==", "!=", "<=", ">=", "..", "->", "**", "&&", "||", "+=", "-=", "*=", "/=", "^=",
    ]
    private static let symbols1: Set<UInt8> = Set("+-*/%^@<>=()[]{},:!.".utf8)

    private mutating func next() -> Token {
        // Skip blanks and comments.
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") {
                i += 1
            } else if c == UInt8(ascii: "\\") && peek(1) == UInt8(ascii: "\n") {
                i += 2  // line continuation
            } else if c == UInt8(ascii: "#") {
                while i < bytes.count && bytes[i] != UInt8(ascii: "\n") { i += 1 }
            } else if c == UInt8(ascii: "\n") && depth > 0 && !nextLineStartsStatement() {
                i += 1
            } else {
                break
            }
        }
        let start = i
        guard i < bytes.count else { return Token(kind: .end, range: SourceRange(source, i, i)) }
        let c = bytes[i]
        func make(_ kind: TokenKind) -> Token { Token(kind: kind, range: SourceRange(source, start, i)) }

        if c == UInt8(ascii: "\n") {
            depth = 0  // a statement keyword ended an unclosed bracket (see nextLineStartsStatement)
            i += 1
            return make(.newline)
        }
        if c == UInt8(ascii: ";") { i += 1; return make(.semicolon) }
        if isDigit(c) || (c == UInt8(ascii: ".") && isDigit(peek(1))) { return lexNumber(start) }
        if identifierCharacterLength(at: i, first: true) > 0 {
            while i < bytes.count {
                let n = identifierCharacterLength(at: i, first: false)
                if n == 0 { break }
                i += n
            }
            let name = String(decoding: bytes[start..<i], as: UTF8.self)
            if let k = Keyword(rawValue: name) { return make(.keyword(k)) }
            return make(.identifier(name))
        }
        if c == UInt8(ascii: "\"") { return lexString(start) }
        if i + 1 < bytes.count {
            let two = String(decoding: bytes[i..<i + 2], as: UTF8.self)
            if Lexer.symbols2.contains(two) {
                i += 2
                let spelled = two == "**" ? "^" : two == "&&" ? "and" : two == "||" ? "or" : two
                if spelled == "and" { return make(.keyword(.and)) }
                if spelled == "or" { return make(.keyword(.or)) }
                return make(.symbol(spelled))
            }
        }
        if Lexer.symbols1.contains(c) {
            i += 1
            if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") { depth += 1 }
            if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") { depth = max(0, depth - 1) }
            if c == UInt8(ascii: "!") { return make(.keyword(.not)) }
            return make(.symbol(String(UnicodeScalar(c))))
        }
        // An unknown character: skip one whole UTF-8 scalar.
        i += 1
        while i < bytes.count && bytes[i] & 0xC0 == 0x80 { i += 1 }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        return make(.invalid("unexpected character '\(text)'"))
    }

    private mutating func lexNumber(_ start: Int) -> Token {
        while isDigit(peek()) { i += 1 }
        // A '.' followed by another '.' is the range operator, not a fraction.
        if peek() == UInt8(ascii: ".") && peek(1) != UInt8(ascii: ".") {
            i += 1
            while isDigit(peek()) { i += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            var k = 1
            if peek(k) == UInt8(ascii: "+") || peek(k) == UInt8(ascii: "-") { k += 1 }
            if isDigit(peek(k)) {
                i += k
                while isDigit(peek()) { i += 1 }
            }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        let range = SourceRange(source, start, i)
        if identifierCharacterLength(at: i, first: true) > 0 {
            return Token(kind: .invalid("malformed number '\(text)\(UnicodeScalar(peek()))'"), range: range)
        }
        guard let value = Double(text) else {
            return Token(kind: .invalid("malformed number '\(text)'"), range: range)
        }
        return Token(kind: .number(value), range: range)
    }

    private mutating func lexString(_ start: Int) -> Token {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return Token(kind: .string(String(decoding: out, as: UTF8.self)),
                             range: SourceRange(source, start, i))
            }
            if c == UInt8(ascii: "\n") { break }
            if c == UInt8(ascii: "\\") && i + 1 < bytes.count {
                let e = bytes[i + 1]
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "\""): out.append(e)
                case UInt8(ascii: "\\"): out.append(e)
                default: out.append(c); out.append(e)
                }
                i += 2
                continue
            }
            out.append(c)
            i += 1
        }
        return Token(kind: .invalid("unterminated string"), range: SourceRange(source, start, start + 1))
    }

    /// Whether the line after the newline at `i` starts with a keyword that only begins a
    /// statement (`fn`, `if`, `for`, …): then an open bracket before it was never closed, and the
    /// newline ends the statement so that the parser can recover there.
    private func nextLineStartsStatement() -> Bool {
        var k = i + 1
        while k < bytes.count && (bytes[k] == UInt8(ascii: " ") || bytes[k] == UInt8(ascii: "\t")) { k += 1 }
        var end = k
        while end < bytes.count && isIdentPart(bytes[end]) { end += 1 }
        let word = String(decoding: bytes[k..<end], as: UTF8.self)
        return ["fn", "if", "for", "while", "return", "break", "continue"].contains(word)
    }

    /// The length in bytes of the identifier character at `k` (0 if there is none): ASCII
    /// letters, `_` and (after the first) digits, and any Unicode letter (`α`, `π`, `é`), mark or
    /// digit such as a subscript (`x₀`).
    private func identifierCharacterLength(at k: Int, first: Bool) -> Int {
        guard k < bytes.count else { return 0 }
        let c = bytes[k]
        if c < 0x80 { return (first ? isIdentStart(c) : isIdentPart(c)) ? 1 : 0 }
        var n = 1
        while k + n < bytes.count && n < 4 && bytes[k + n] & 0xC0 == 0x80 { n += 1 }
        let text = String(decoding: bytes[k..<k + n], as: UTF8.self)
        guard text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first,
              scalar != "\u{FFFD}" else { return 0 }
        let p = scalar.properties
        if p.isAlphabetic { return n }
        if !first && (p.numericType != nil || p.generalCategory == .nonspacingMark
            || p.generalCategory == .spacingMark) { return n }
        return 0
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95
    }
    private func isIdentPart(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }
}
