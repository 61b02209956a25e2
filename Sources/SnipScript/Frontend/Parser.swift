// The grammar (EBNF). Statements end at a newline or `;`; newlines inside `()` and `[]` are
// ignored by the lexer.
//
//   program    = { statement terminator } ;
//   statement  = "fn" NAME "(" params ")" block
//              | "if" expr block [ "else" ( ifStmt | block ) ]
//              | "for" NAME "in" expr block
//              | "while" expr block
//              | "break" | "continue" | "return" [ expr ]
//              | "try" block "catch" [ NAME ] block
//              | NAME "(" params ")" "=" expr            (math function definition)
//              | NAME [ "[" indices "]" ] ( "=" | "+=" | "-=" | "*=" | "/=" ) expr   (assignment)
//              | NAME { "," NAME } "=" expr             (unpacking a list or vector)
//              | expr ;                                 (echoed at the prompt unless `;` follows)
//   block      = "{" { statement terminator } "}" ;
//   params     = [ param { "," param } ] ;   param = NAME [ "=" expr ] ;
//   expr       = lambda | binary ;
//   lambda     = ( NAME | "(" [ NAME { "," NAME } ] ")" ) "->" expr ;
//   binary     = unary { OP unary }          (precedence climbing over the table below)
//   unary      = ( "-" | "+" | "not" ) unary | power ;
//   power      = postfix [ "^" unary ] ;     (right-associative; `-2^2` is -(2^2))
//   postfix    = primary { "(" args ")" | "[" indices "]" } ;
//   args       = [ arg { "," arg } ] ;   arg = [ NAME "=" ] expr ;
//   indices    = index { "," index } ;   index = expr | [ expr ] ":" [ expr ] [ ":" [ expr ] ] ;
//   primary    = NUMBER | STRING | "true" | "false" | "nothing" | NAME | "(" expr ")"
//              | "[" [ expr { "," expr } [ "," ] ] "]" ;

/// Binary operators, from loosest to tightest. `not` sits between `and` and the comparisons;
/// unary minus between `*` and `^`.
let binaryPrecedence: [(ops: [String], associativity: Associativity)] = [
    (["or"], .left),
    (["and"], .left),
    (["==", "!=", "<", "<=", ">", ">="], .none),
    ([".."], .none),
    (["+", "-"], .left),
    (["*", "/", "%", "@"], .left),
]

/// How a chain of operators of the same level groups.
enum Associativity { case left, none }

/// Precedence levels: `not` binds tighter than `and`, looser than comparisons.
private let notLevel = 2

/// Parses tokens into statements, collecting every syntax error. After an error it skips to the
/// next statement boundary, so one mistake gives one message.
public struct Parser {
    private var tokens: [Token]
    private var pos = 0
    private var depth = 0
    /// The syntax errors found so far.
    public private(set) var errors: [Diagnostic] = []
    private static let maxDepth = 150

    /// A parser over `source`.
    public init(source: Source) {
        var lexer = Lexer(source: source)
        tokens = lexer.tokenize()
    }

    /// Parses a whole program; `errors` holds every syntax error.
    public mutating func parseProgram() -> [Stmt] {
        var statements: [Stmt] = []
        while true {
            skipTerminators()
            if current.kind == .end { break }
            if current.isSymbol("}") {
                record(Diagnostic(.syntax, "unexpected '}'", at: current.range))
                advance()
                continue
            }
            if let s = parseStatementRecovering() { statements.append(s) }
        }
        return statements
    }

    /// Parses `source`, returning the statements or all syntax errors.
    public static func parse(_ source: Source) -> Result<[Stmt], SyntaxErrors> {
        var parser = Parser(source: source)
        let program = parser.parseProgram()
        return parser.errors.isEmpty ? .success(program) : .failure(SyntaxErrors(all: parser.errors))
    }

    // MARK: - Tokens

    private var current: Token { tokens[min(pos, tokens.count - 1)] }
    private func peek(_ k: Int) -> Token { tokens[min(pos + k, tokens.count - 1)] }
    private mutating func advance() { if pos < tokens.count - 1 { pos += 1 } }
    private var previousEnd: Int { pos > 0 ? tokens[pos - 1].range.end : 0 }

    private mutating func record(_ d: Diagnostic) {
        // Several errors on one line are most likely one mistake; keep the first.
        if let last = errors.last, let a = last.range, let b = d.range,
            a.source === b.source, a.source.lineIndex(of: a.start) == b.source.lineIndex(of: b.start)
        {
            return
        }
        errors.append(d)
    }

    private func error(_ message: String, _ token: Token? = nil) -> Diagnostic {
        let t = token ?? current
        if case .invalid(let m) = t.kind { return Diagnostic(.syntax, m, at: t.range) }
        return Diagnostic(.syntax, message, at: t.range)
    }

    private mutating func expectSymbol(_ s: String, _ context: String) throws(Diagnostic) -> Token {
        guard current.isSymbol(s) else {
            throw error("expected '\(s)' \(context), found \(current.display)")
        }
        let t = current
        advance()
        return t
    }

    /// Expects the bracket closing `opening`; at the start of a new line (or the end of input)
    /// the bracket was most likely left open, and the error points at it.
    private mutating func expectClosing(_ s: String, opening: Token) throws(Diagnostic) {
        if current.isSymbol(s) {
            advance()
            return
        }
        let leftOpen = tokens[..<pos].contains { $0.range.start > opening.range.start && $0.startsLine }
        if current.startsLine || current.kind == .end || current.kind == .newline || leftOpen {
            guard case .symbol(let o) = opening.kind else { throw error("expected '\(s)'") }
            throw Diagnostic(.syntax, "'\(o)' is never closed", at: opening.range)
        }
        let inList = s == "]" ? "in the list or index" : "in the parentheses or argument list"
        throw error("expected ',' or '\(s)' \(inList), found \(current.display)")
    }

    private mutating func expectName(_ context: String) throws(Diagnostic) -> (String, SourceRange) {
        guard case .identifier(let n) = current.kind else {
            throw error("expected a name \(context), found \(current.display)")
        }
        let r = current.range
        advance()
        return (n, r)
    }

    private mutating func skipTerminators() {
        while current.kind == .newline || current.kind == .semicolon { advance() }
    }

    private mutating func skipNewlines() {
        while current.kind == .newline { advance() }
    }

    /// Skips to the end of the current statement (a newline or `;` outside braces), or to a `}`
    /// that closes the enclosing block.
    private mutating func synchronize(statementStart: Int) {
        var braces = 0
        while current.kind != .end {
            if braces == 0 && current.startsLine && pos > statementStart { return }
            if current.isSymbol("{") { braces += 1 }
            if current.isSymbol("}") {
                if braces == 0 { return }
                braces -= 1
                if braces == 0 {
                    advance()
                    return
                }
            }
            if braces == 0 && (current.kind == .newline || current.kind == .semicolon) { return }
            advance()
        }
    }

    // MARK: - Statements

    private mutating func parseStatementRecovering() -> Stmt? {
        let start = pos
        do {
            let s = try parseStatement()
            try expectTerminator()
            return s
        } catch {
            record(error)
            synchronize(statementStart: start)
            return nil
        }
    }

    private mutating func expectTerminator() throws(Diagnostic) {
        switch current.kind {
        case .newline, .semicolon, .end: return
        case .symbol("}"): return
        default:
            if current.startsLine { return }  // a new line inside an unclosed bracket
            throw error("expected end of statement, found \(current.display)")
        }
    }

    private mutating func parseStatement() throws(Diagnostic) -> Stmt {
        let start = current.range
        switch current.kind {
        case .keyword(.fn):
            advance()
            let (name, _) = try expectName("after 'fn'")
            _ = try expectSymbol("(", "after the function name")
            let params = try parseParams()
            let body = try parseBlock()
            return .function(name: name, params: params, body: .block(body), start.to(tokens[pos - 1].range))
        case .keyword(.if):
            return try parseIf()
        case .keyword(.for):
            advance()
            let (name, _) = try expectName("after 'for'")
            guard current.isKeyword(.in) else { throw error("expected 'in' after the loop variable") }
            advance()
            let sequence = try parseExpression()
            let body = try parseBlock()
            return .forIn(variable: name, sequence: sequence, body: body, start.to(tokens[pos - 1].range))
        case .keyword(.while):
            advance()
            let condition = try parseExpression()
            let body = try parseBlock()
            return .whileLoop(condition: condition, body: body, start.to(tokens[pos - 1].range))
        case .keyword(.break):
            advance()
            return .breakLoop(start)
        case .keyword(.continue):
            advance()
            return .continueLoop(start)
        case .keyword(.return):
            advance()
            switch current.kind {
            case .newline, .semicolon, .end, .symbol("}"): return .returnValue(nil, start)
            default:
                let e = try parseExpression()
                return .returnValue(e, start.to(e.range))
            }
        case .keyword(.try):
            advance()
            let body = try parseBlock()
            var look = pos
            while tokens[look].kind == .newline && look < tokens.count - 1 { look += 1 }
            guard tokens[look].isKeyword(.catch) else { throw error("expected 'catch' after the 'try' block") }
            pos = look
            advance()
            var name: String?
            if case .identifier(let n) = current.kind {
                name = n
                advance()
            }
            let handler = try parseBlock()
            return .tryCatch(body: body, name: name, handler: handler, start.to(tokens[pos - 1].range))
        case .keyword(.catch):
            throw error("'catch' without 'try'")
        case .keyword(.else):
            throw error("'else' without 'if'")
        default:
            return try parseSimpleStatement()
        }
    }

    private mutating func parseIf() throws(Diagnostic) -> Stmt {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth { throw error("blocks nested too deeply") }
        let start = current.range
        advance()
        let condition = try parseExpression()
        let then = try parseBlock()
        // `else` may follow on the next line.
        var look = pos
        while tokens[look].kind == .newline && look < tokens.count - 1 { look += 1 }
        var otherwise: [Stmt]?
        if tokens[look].isKeyword(.else) {
            pos = look
            advance()
            if current.isKeyword(.if) {
                otherwise = [try parseIf()]
            } else {
                otherwise = try parseBlock()
            }
        }
        return .ifElse(condition: condition, then: then, otherwise: otherwise, start.to(tokens[pos - 1].range))
    }

    private mutating func parseBlock() throws(Diagnostic) -> [Stmt] {
        guard current.isSymbol("{") else { throw error("expected '{' to start a block, found \(current.display)") }
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth { throw error("blocks nested too deeply") }
        let open = current
        advance()
        var body: [Stmt] = []
        while true {
            skipTerminators()
            if current.isSymbol("}") {
                advance()
                return body
            }
            if current.kind == .end {
                throw Diagnostic(.syntax, "unclosed '{' (the block is never closed)", at: open.range)
            }
            if let s = parseStatementRecovering() { body.append(s) }
        }
    }

    private mutating func parseParams() throws(Diagnostic) -> [Parameter] {
        var params: [Parameter] = []
        if current.isSymbol(")") {
            advance()
            return params
        }
        while true {
            let (name, range) = try expectName("for a parameter")
            var defaultValue: Expr?
            if current.isSymbol("=") {
                advance()
                defaultValue = try parseExpression()
            }
            if params.contains(where: { $0.name == name }) {
                throw Diagnostic(.syntax, "duplicate parameter '\(name)'", at: range)
            }
            params.append(Parameter(name: name, defaultValue: defaultValue, range: range))
            if current.isSymbol(",") {
                advance()
                continue
            }
            _ = try expectSymbol(")", "after the parameters")
            return params
        }
    }

    private mutating func parseSimpleStatement() throws(Diagnostic) -> Stmt {
        let expr = try parseExpression()
        if current.isSymbol(","), case .name(let first, let firstRange) = expr {
            var names = [(first, firstRange)]
            while current.isSymbol(",") {
                advance()
                let (n, r) = try expectName("to unpack into")
                if names.contains(where: { $0.0 == n }) {
                    throw Diagnostic(.syntax, "'\(n)' appears twice on the left of '='", at: r)
                }
                names.append((n, r))
            }
            guard current.isSymbol("=") else { throw error("expected '=' after the names to unpack into") }
            advance()
            skipNewlines()
            let value = try parseExpression()
            return .unpack(names: names, value: value, firstRange.to(value.range))
        }
        if case .symbol(let s) = current.kind, ["+=", "-=", "*=", "/=", "^="].contains(s) {
            // x += e is x = x + e (the target's index is evaluated twice)
            let opRange = current.range
            advance()
            skipNewlines()
            let rhs = try parseExpression()
            let whole = expr.range.to(rhs.range)
            let value = Expr.binary(op: BinaryOp(rawValue: String(s.dropLast()))!, lhs: expr, rhs: rhs, opRange: opRange, whole)
            switch expr {
            case .name(let n, let r):
                return .assign(target: .name(n, r), value: value, whole)
            case .index(.name(let n, _), let indices, let r):
                return .assign(target: .index(name: n, indices: indices, r), value: value, whole)
            default:
                throw Diagnostic(.syntax, "cannot assign to this expression", at: opRange)
            }
        }
        if current.isSymbol("=") {
            let eq = current
            advance()
            skipNewlines()
            let value = try parseExpression()
            let whole = expr.range.to(value.range)
            switch expr {
            case .name(let n, let r):
                return .assign(target: .name(n, r), value: value, whole)
            case .index(.name(let n, _), let indices, let r):
                return .assign(target: .index(name: n, indices: indices, r), value: value, whole)
            case .call(.name(let n, _), let args, _):
                var params: [Parameter] = []
                for a in args {
                    switch (a.label, a.value) {
                    case (nil, .name(let p, let r)):
                        params.append(Parameter(name: p, defaultValue: nil, range: r))
                    case (let label?, let v):
                        params.append(Parameter(name: label, defaultValue: v, range: a.range))
                    default:
                        throw Diagnostic(.syntax, "a function parameter must be a name", at: a.range)
                    }
                }
                if let dup = params.first(where: { p in params.filter { $0.name == p.name }.count > 1 }) {
                    throw Diagnostic(.syntax, "duplicate parameter '\(dup.name)'", at: dup.range)
                }
                return .function(name: n, params: params, body: .expression(value), whole)
            default:
                throw Diagnostic(.syntax, "cannot assign to this expression", at: eq.range)
            }
        }
        var echo = true
        if current.kind == .semicolon {
            // `expr;` at the end of a line suppresses the echo.
            echo = false
        }
        return .expression(expr, echo: echo)
    }

    // MARK: - Expressions

    /// Parses one expression.
    mutating func parseExpression() throws(Diagnostic) -> Expr {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth { throw error("expression nested too deeply") }
        if case .identifier(let n) = current.kind, peek(1).isSymbol("->") {
            let r = current.range
            advance()
            advance()
            let body = try parseExpression()
            return .lambda(params: [Parameter(name: n, defaultValue: nil, range: r)], body: body, r.to(body.range))
        }
        if current.isSymbol("("), let params = lambdaParams() {
            let start = current.range
            pos += params.count == 0 ? 3 : params.count * 2 + 2
            let body = try parseExpression()
            return .lambda(params: params, body: body, start.to(body.range))
        }
        return try parseBinary(level: 0)
    }

    /// The parameters of `(a, b) -> …` starting at the current `(`, or nil if this is not one.
    private func lambdaParams() -> [Parameter]? {
        var k = 1
        var params: [Parameter] = []
        if peek(1).isSymbol(")") { return peek(2).isSymbol("->") ? [] : nil }
        while true {
            guard case .identifier(let n) = peek(k).kind else { return nil }
            params.append(Parameter(name: n, defaultValue: nil, range: peek(k).range))
            k += 1
            if peek(k).isSymbol(",") {
                k += 1
                continue
            }
            if peek(k).isSymbol(")") && peek(k + 1).isSymbol("->") { return params }
            return nil
        }
    }

    private func binaryOp(_ t: Token) -> String? {
        switch t.kind {
        case .symbol(let s): return s
        case .keyword(.and): return "and"
        case .keyword(.or): return "or"
        default: return nil
        }
    }

    private mutating func parseBinary(level: Int) throws(Diagnostic) -> Expr {
        if level == notLevel && current.isKeyword(.not) {
            depth += 1
            defer { depth -= 1 }
            if depth > Parser.maxDepth { throw error("expression nested too deeply") }
            let start = current.range
            advance()
            let operand = try parseBinary(level: level)
            return .unary(op: .not, operand: operand, start.to(operand.range))
        }
        if level >= binaryPrecedence.count { return try parseUnary() }
        let (ops, associativity) = binaryPrecedence[level]
        var lhs = try parseBinary(level: level + 1)
        var chained = false
        while let op = binaryOp(current), ops.contains(op) {
            if associativity == .none && chained {
                throw error("'\(op)' cannot be chained; use parentheses or 'and'")
            }
            let opRange = current.range
            advance()
            skipNewlines()  // an operator at the end of a line continues the expression
            let rhs = try parseBinary(level: level + 1)
            let whole = lhs.range.to(rhs.range)
            if let logical = LogicalOp(rawValue: op) {
                lhs = .logical(op: logical, lhs: lhs, rhs: rhs, whole)
            } else if let binary = BinaryOp(rawValue: op) {
                lhs = .binary(op: binary, lhs: lhs, rhs: rhs, opRange: opRange, whole)
            } else {
                precondition(op == "..", "the precedence table names an unknown operator '\(op)'")
                lhs = .range(from: lhs, to: rhs, whole)
            }
            chained = true
        }
        return lhs
    }

    private mutating func parseUnary() throws(Diagnostic) -> Expr {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth { throw error("expression nested too deeply") }
        if current.isSymbol("-") || current.isSymbol("+") {
            let t = current
            advance()
            let operand = try parseUnary()
            let op: UnaryOp = t.isSymbol("-") ? .negate : .plus
            return .unary(op: op, operand: operand, t.range.to(operand.range))
        }
        if current.isKeyword(.not) {
            let t = current
            advance()
            let operand = try parseUnary()
            return .unary(op: .not, operand: operand, t.range.to(operand.range))
        }
        return try parsePower()
    }

    private mutating func parsePower() throws(Diagnostic) -> Expr {
        let base = try parsePostfix()
        if current.isSymbol("^") {
            let opRange = current.range
            advance()
            skipNewlines()
            let exponent = try parseUnary()
            return .binary(op: .power, lhs: base, rhs: exponent, opRange: opRange, base.range.to(exponent.range))
        }
        return base
    }

    private mutating func parsePostfix() throws(Diagnostic) -> Expr {
        var e = try parsePrimary()
        while true {
            if current.isSymbol("(") {
                let open = current
                advance()
                var args: [CallArgument] = []
                var seenKeyword = false
                while !current.isSymbol(")") {
                    let start = current.range
                    if case .identifier(let label) = current.kind, peek(1).isSymbol("=") {
                        advance()
                        advance()
                        let v = try parseExpression()
                        if args.contains(where: { $0.label == label }) {
                            throw Diagnostic(.syntax, "argument '\(label)' given twice", at: start)
                        }
                        args.append(CallArgument(label: label, value: v, range: start.to(v.range)))
                        seenKeyword = true
                    } else {
                        let v = try parseExpression()
                        if seenKeyword {
                            throw Diagnostic(.syntax, "positional argument after a keyword argument", at: v.range)
                        }
                        args.append(CallArgument(label: nil, value: v, range: v.range))
                    }
                    if current.isSymbol(",") {
                        advance()
                    } else if !current.isSymbol(")") {
                        try expectClosing(")", opening: open)
                    }
                }
                let close = current.range
                advance()
                e = .call(callee: e, args: args, e.range.to(close))
            } else if current.isSymbol("[") {
                let open = current
                advance()
                var items: [IndexItem] = []
                while true {
                    items.append(try parseIndexItem())
                    if current.isSymbol(",") {
                        advance()
                        continue
                    }
                    break
                }
                try expectClosing("]", opening: open)
                let close = tokens[pos - 1]
                e = .index(base: e, indices: items, e.range.to(close.range))
            } else {
                return e
            }
        }
    }

    private mutating func parseIndexItem() throws(Diagnostic) -> IndexItem {
        let start = current.range
        var lower: Expr?
        if !current.isSymbol(":") {
            lower = try parseExpression()
            if !current.isSymbol(":") { return .at(lower!) }
        }
        advance()  // ':'
        var upper: Expr?
        if !current.isSymbol(",") && !current.isSymbol("]") && !current.isSymbol(":") {
            upper = try parseExpression()
        }
        var step: Expr?
        if current.isSymbol(":") {
            advance()
            if !current.isSymbol(",") && !current.isSymbol("]") { step = try parseExpression() }
        }
        return .slice(lower, upper, step, start.to(tokens[pos - 1].range))
    }

    private mutating func parsePrimary() throws(Diagnostic) -> Expr {
        let t = current
        switch t.kind {
        case .number(let v):
            advance()
            return .number(v, t.range)
        case .string(let s):
            advance()
            return .string(s, t.range)
        case .keyword(.true):
            advance()
            return .bool(true, t.range)
        case .keyword(.false):
            advance()
            return .bool(false, t.range)
        case .keyword(.nothing):
            advance()
            return .nothing(t.range)
        case .identifier(let n):
            advance()
            return .name(n, t.range)
        case .symbol("("):
            advance()
            let e = try parseExpression()
            try expectClosing(")", opening: t)
            return e
        case .symbol("["):
            advance()
            var items: [Expr] = []
            while !current.isSymbol("]") {
                items.append(try parseExpression())
                if current.isSymbol(",") {
                    advance()
                } else if !current.isSymbol("]") {
                    try expectClosing("]", opening: t)
                }
            }
            let close = current.range
            advance()
            return .list(items, t.range.to(close))
        case .end:
            throw error("unexpected end of input")
        default:
            throw error("expected an expression, found \(t.display)")
        }
    }
}

/// All syntax errors of a program.
public struct SyntaxErrors: Error, Sendable {
    public let all: [Diagnostic]
}

extension Parser {
    /// Whether `text` is an unfinished entry that the REPL should keep reading: an open bracket,
    /// brace or string, or a line ending in an operator, `,` or `\`.
    public static func needsMoreInput(_ text: String) -> Bool {
        var lexer = Lexer(source: Source(name: "", text: text))
        let tokens = lexer.tokenize()
        var depth = 0
        var last: Token?
        for t in tokens {
            switch t.kind {
            case .symbol("("), .symbol("["), .symbol("{"): depth += 1
            case .symbol(")"), .symbol("]"), .symbol("}"): depth -= 1
            default: break
            }
            if t.kind != .newline && t.kind != .end { last = t }
        }
        if depth > 0 { return true }
        if text.hasSuffix("\\") { return true }
        if let last {
            switch last.kind {
            case .symbol(let s):
                return ["+", "-", "*", "/", "%", "^", "@", "=", "==", "!=", "<", "<=", ">", ">=", ",",
                        "..", "->", "+=", "-=", "*=", "/=", "^="].contains(s)
            case .keyword(.and), .keyword(.or), .keyword(.not), .keyword(.else): return true
            default: return false
            }
        }
        return false
    }
}
