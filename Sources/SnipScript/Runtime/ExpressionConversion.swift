import SnipMath

/// `expr(f)`: a user function whose body is a formula in SNIP's operators, as a SNIP expression.
///
/// The parameters become `x_0, x_1, …` in order. Numbers become constants (whole numbers as
/// integers), `pi` and `e` the named constants, and variables of the enclosing scope that hold
/// numbers their values. `+ - * /` map to `add sub mul div`; `a^2`, `a^3` and `a^-1` to
/// `pow2`, `pow3` and `inv`, other powers to `pow`; `-a` to `mul(-1, a)`; calls of `abs sqrt log
/// exp sin cos tan arcsin arccos arctan` to the unary operators; calls of other one-line user
/// functions are expanded. Anything else is an error at the part that has no SNIP equivalent.
struct ExpressionConversion {
    let interpreter: Interpreter
    /// How deeply user functions may be expanded (recursion is refused).
    static let maxExpansion = 32

    static let unaryNames: [String: UnaryOperator] = [
        "abs": .abs, "sqrt": .sqrt, "log": .log, "exp": .exp, "sin": .sin, "cos": .cos, "tan": .tan,
        "arcsin": .arcsin, "arccos": .arccos, "arctan": .arctan, "inv": .inv,
    ]
    static let binaryNames: [BinaryOp: BinaryOperator] = [.add: .add, .subtract: .sub, .multiply: .mul, .divide: .div]

    /// The expression for a function value.
    func convert(_ f: Function, at range: SourceRange) throws -> Expression {
        switch f {
        case .expression(let s): return s.expression
        case .user(let u):
            let bindings = Dictionary(u.params.enumerated().map { ($0.element.name, Expression.variable($0.offset)) }) { a, _ in a }
            return try convertBody(u, bindings, depth: 0)
        case .builtin(let b):
            guard let op = Self.unaryNames[b.name] else {
                throw Diagnostic(.value, "expr: the built-in '\(b.name)' is not a SNIP operator "
                    + "(SNIP's unary operators: \(Self.unaryList))", at: range)
            }
            return .unary(op, .variable(0))
        case .native(let n):
            throw Diagnostic(.value, "expr: '\(n.name)' is computed numerically and has no formula", at: range)
        }
    }

    static var unaryList: String { unaryNames.keys.sorted().joined(separator: " ") }

    private func convertBody(_ u: UserFunction, _ bindings: [String: Expression], depth: Int) throws -> Expression {
        switch u.body {
        case .expression(let e):
            return try convert(e, bindings, closure: u.closure, depth: depth)
        case .block(let statements):
            guard statements.count == 1, case .returnValue(let e?, _) = statements[0] else {
                throw Diagnostic(.value, "expr: '\(u.name)' must be a formula (f(x) = … or fn f(x) { return … }), "
                    + "not a block of statements", at: u.range)
            }
            return try convert(e, bindings, closure: u.closure, depth: depth)
        }
    }

    private func convert(_ e: Expr, _ bindings: [String: Expression], closure: Environment, depth: Int) throws -> Expression {
        try interpreter.checkStack(e.range)
        func sub(_ x: Expr) throws -> Expression { try convert(x, bindings, closure: closure, depth: depth) }
        switch e {
        case .number(let v, let r):
            return try literal(v, at: r)
        case .name(let n, let r):
            if let bound = bindings[n] { return bound }
            if let v = closure.lookup(n) {
                if case .number(let x) = v { return try literal(x, at: r) }
                throw Diagnostic(.value, "expr: '\(n)' is a \(v.typeName); only numbers can be constants of an expression", at: r)
            }
            if n == "pi" { return .leaf(.constant(.pi)) }
            if n == "e" { return .leaf(.constant(.e)) }
            throw Diagnostic(.name, "expr: '\(n)' is not a parameter of the function or a number", at: r)
        case .unary(let op, let operand, let r):
            if op == .plus { return try sub(operand) }
            guard op == .negate else { throw Diagnostic(.value, "expr: '\(op)' has no SNIP equivalent", at: r) }
            if case .number(let v, _) = operand { return try literal(-v, at: r) }
            return .binary(.mul, .leaf(.integer(-1)), try sub(operand))
        case .binary(let op, let lhs, let rhs, let opRange, _):
            if op == .power {
                let base = try sub(lhs)
                if case .number(let p, _) = unwrapNegative(rhs) {
                    if p == 2 { return .unary(.pow2, base) }
                    if p == 3 { return .unary(.pow3, base) }
                    if p == -1 { return .unary(.inv, base) }
                    if p == 0.5 { return .unary(.sqrt, base) }
                }
                return .binary(.pow, base, try sub(rhs))
            }
            guard let b = Self.binaryNames[op] else {
                throw Diagnostic(.value, "expr: the operator '\(op)' has no SNIP equivalent (SNIP has + - * / ^)", at: opRange)
            }
            return .binary(b, try sub(lhs), try sub(rhs))
        case .call(let callee, let args, let r):
            guard case .name(let n, let nr) = callee else {
                throw Diagnostic(.value, "expr: only calls by name can be converted", at: callee.range)
            }
            if let labelled = args.first(where: { $0.label != nil }) {
                throw Diagnostic(.value, "expr: keyword arguments cannot be converted", at: labelled.range)
            }
            if bindings[n] == nil, case .function(.user(let u))? = closure.lookup(n) {
                guard depth < Self.maxExpansion else {
                    throw Diagnostic(.limit, "expr: '\(n)' expands too deeply (is it recursive?)", at: nr)
                }
                guard args.count == u.params.count else {
                    throw Diagnostic(.arity, "expr: '\(n)' takes \(u.params.count) argument(s), got \(args.count)", at: r)
                }
                var inner: [String: Expression] = [:]
                for (p, a) in zip(u.params, args) { inner[p.name] = try sub(a.value) }
                return try convertBody(u, inner, depth: depth + 1)
            }
            if bindings[n] == nil, case .function(.expression(let s))? = closure.lookup(n) {
                guard args.count == s.dimension else {
                    throw Diagnostic(.arity, "expr: '\(n)' takes \(s.dimension) argument(s), got \(args.count)", at: r)
                }
                return substitute(s.expression, try args.map { try sub($0.value) })
            }
            guard let op = Self.unaryNames[n] else {
                throw Diagnostic(.value, "expr: '\(n)' is not a SNIP operator (SNIP's unary operators: \(Self.unaryList))", at: nr)
            }
            guard args.count == 1 else {
                throw Diagnostic(.arity, "expr: '\(n)' takes one argument, got \(args.count)", at: r)
            }
            return .unary(op, try sub(args[0].value))
        case .string(_, let r), .bool(_, let r), .nothing(let r), .list(_, let r), .logical(_, _, _, let r),
             .index(_, _, let r), .lambda(_, _, let r), .range(_, _, let r):
            throw Diagnostic(.value, "expr: this part has no SNIP equivalent (SNIP expressions are formulas of "
                + "numbers, parameters, + - * / ^ and \(Self.unaryList))", at: r)
        }
    }

    /// `-2` parses as negation of 2; the exponent test wants the number.
    private func unwrapNegative(_ e: Expr) -> Expr {
        if case .unary(.negate, .number(let v, let r), _) = e { return .number(-v, r) }
        return e
    }

    private func literal(_ v: Double, at r: SourceRange) throws -> Expression {
        guard v.isFinite else { throw Diagnostic(.value, "expr: the constant \(formatNumber(v)) is not finite", at: r) }
        if v == v.rounded(), abs(v) < 1e15 { return .leaf(.integer(Int(v))) }
        return .float(v)
    }

    /// `e` with `x_i` replaced by `arguments[i]`.
    private func substitute(_ e: Expression, _ arguments: [Expression]) -> Expression {
        switch e {
        case .leaf(.variable(let i)) where i < arguments.count: return arguments[i]
        case .leaf: return e
        case .unary(let op, let a): return .unary(op, substitute(a, arguments))
        case .binary(let op, let a, let b): return .binary(op, substitute(a, arguments), substitute(b, arguments))
        }
    }
}
