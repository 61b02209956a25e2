/// The syntax tree. Every node carries the source range it was parsed from.

/// A prefix operator: `-x`, `+x`, `not x`.
public enum UnaryOp: String, Sendable, CaseIterable, CustomStringConvertible {
    case negate = "-", plus = "+", not
    public var description: String { rawValue }
}

/// An infix operator evaluated on both operands (`and`/`or` are ``LogicalOp``; `..` makes a
/// range). The raw value is the spelling.
public enum BinaryOp: String, Sendable, CaseIterable, CustomStringConvertible {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%", power = "^"
    case matrixProduct = "@"
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">"
    case greaterOrEqual = ">="
    public var description: String { rawValue }
}

/// A short-circuit operator.
public enum LogicalOp: String, Sendable, CaseIterable, CustomStringConvertible {
    case and, or
    public var description: String { rawValue }
}

/// An expression node.
public indirect enum Expr: Sendable {
    case number(Double, SourceRange)
    case string(String, SourceRange)
    case bool(Bool, SourceRange)
    case nothing(SourceRange)
    case name(String, SourceRange)
    /// `[a, b, c]`: a vector, a matrix (rows of equal length) or a list.
    case list([Expr], SourceRange)
    case unary(op: UnaryOp, operand: Expr, SourceRange)
    case binary(op: BinaryOp, lhs: Expr, rhs: Expr, opRange: SourceRange, SourceRange)
    /// `a and b`, `a or b` (short-circuit).
    case logical(op: LogicalOp, lhs: Expr, rhs: Expr, SourceRange)
    case call(callee: Expr, args: [CallArgument], SourceRange)
    case index(base: Expr, indices: [IndexItem], SourceRange)
    case lambda(params: [Parameter], body: Expr, SourceRange)
    /// `a..b`: the vector a, a+1, …, b-1.
    case range(from: Expr, to: Expr, SourceRange)

    /// Where the expression sits.
    public var range: SourceRange {
        switch self {
        case .number(_, let r), .string(_, let r), .bool(_, let r), .nothing(let r), .name(_, let r),
            .list(_, let r), .unary(_, _, let r), .binary(_, _, _, _, let r), .logical(_, _, _, let r),
            .call(_, _, let r), .index(_, _, let r), .lambda(_, _, let r), .range(_, _, let r):
            return r
        }
    }
}

/// A call argument, positional or `name=value`.
public struct CallArgument: Sendable {
    public let label: String?
    public let value: Expr
    public let range: SourceRange
}

/// One subscript: `v[i]` or a slice `v[a:b]` / `v[a:b:step]` (any part may be left out).
public enum IndexItem: Sendable {
    case at(Expr)
    case slice(Expr?, Expr?, Expr?, SourceRange)
}

/// A function parameter, with an optional default.
public struct Parameter: Sendable {
    public let name: String
    public let defaultValue: Expr?
    public let range: SourceRange
}

/// A statement node.
public indirect enum Stmt: Sendable {
    /// An expression; `echo` is false when it ended with `;`.
    case expression(Expr, echo: Bool)
    /// `name = value` or `name[i] = value`.
    case assign(target: AssignTarget, value: Expr, SourceRange)
    /// `f(x, y) = expr` or `fn f(x, y) { … }`.
    case function(name: String, params: [Parameter], body: FunctionBody, SourceRange)
    case ifElse(condition: Expr, then: [Stmt], otherwise: [Stmt]?, SourceRange)
    case forIn(variable: String, sequence: Expr, body: [Stmt], SourceRange)
    case whileLoop(condition: Expr, body: [Stmt], SourceRange)
    case breakLoop(SourceRange)
    case continueLoop(SourceRange)
    case returnValue(Expr?, SourceRange)
    /// `a, b = value`: the elements of a list or vector, one per name.
    case unpack(names: [(String, SourceRange)], value: Expr, SourceRange)
    /// `try { … } catch err { … }`: runs the handler when the body stops with an error, with the
    /// error (a record) in `err`.
    case tryCatch(body: [Stmt], name: String?, handler: [Stmt], SourceRange)

    /// Where the statement sits.
    public var range: SourceRange {
        switch self {
        case .expression(let e, _): return e.range
        case .assign(_, _, let r), .function(_, _, _, let r), .ifElse(_, _, _, let r),
            .forIn(_, _, _, let r), .whileLoop(_, _, let r), .breakLoop(let r),
            .continueLoop(let r), .returnValue(_, let r), .unpack(_, _, let r), .tryCatch(_, _, _, let r):
            return r
        }
    }
}

/// The left side of an assignment.
public enum AssignTarget: Sendable {
    case name(String, SourceRange)
    case index(name: String, indices: [IndexItem], SourceRange)
}

/// A function's body: one expression (`f(x) = …`, lambdas) or a block (`fn`).
public enum FunctionBody: Sendable {
    case expression(Expr)
    case block([Stmt])
}
