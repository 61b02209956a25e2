import SnipMath

/// A SNIP expression as a value of the language: callable like a function of `x_0 … x_{d-1}`,
/// and what the SNIP built-ins (`prefix`, `encode`, `sample`, …) take.
public final class SymbolicFunction: Sendable {
    /// The expression tree.
    public let expression: Expression
    /// The number of arguments a call takes: the expression's input dimension, at least 1.
    public let dimension: Int

    public init(_ expression: Expression) {
        self.expression = expression
        dimension = max(1, expression.inputDimension)
    }

    /// The expression in the language's infix (`sin(x_0) + 2*x_0^2`).
    public var infix: String { ReadableInfix.text(expression) }

    /// Evaluates on numbers or equal-length vectors, one per variable, or on one n×d matrix of
    /// points (rows). Values follow the reference's rules (a zero denominator, the logarithm of
    /// a number ≤ 0, the square root of a negative number give nan).
    func call(_ args: [Value], at range: SourceRange) throws -> Value {
        let name = "expression"
        var columns: [[Double]] = []
        var scalar = true
        if args.count == 1, case .array(let m) = args[0], !m.isVector {
            guard m.columns == dimension else {
                throw Diagnostic(.shape, "the \(name) takes points of \(dimension) coordinate\(dimension == 1 ? "" : "s"), "
                    + "got a \(m.rows)×\(m.columns) matrix", at: range)
            }
            columns = (0..<m.columns).map { j in (0..<m.rows).map { m.data[$0 * m.columns + j] } }
            scalar = false
        } else {
            guard args.count == dimension else {
                let variables = dimension == 1 ? "x_0" : "x_0 … x_\(dimension - 1)"
                throw Diagnostic(.arity, "the \(name) \(infix) takes \(dimension) argument\(dimension == 1 ? "" : "s") "
                    + "(\(variables)) or one n×\(dimension) matrix, got \(args.count)", at: range)
            }
            var length: Int?
            for a in args {
                switch a {
                case .number: break
                case .array(let v) where v.isVector:
                    if let n = length, n != v.count {
                        throw Diagnostic(.shape, "the arguments are vectors of different lengths (\(n) and \(v.count))", at: range)
                    }
                    length = v.count
                    scalar = false
                default:
                    throw Diagnostic(.type, "an expression takes numbers or vectors, not a \(a.typeName)", at: range)
                }
            }
            let n = length ?? 1
            columns = args.map { a in
                if case .array(let v) = a { return v.data }
                if case .number(let x) = a { return [Double](repeating: x, count: n) }
                return []
            }
        }
        let values: [Double]
        do {
            values = try expression.evaluate(columns: columns)
        } catch {
            throw Diagnostic(.value, "cannot evaluate \(infix): \(error)", at: range)
        }
        if scalar { return .number(values.first ?? .nan) }
        return .array(NDArray(vector: values))
    }
}

/// SnipMath's expression tree (Foundation also declares an `Expression`; files importing both use this name).
typealias SymbolicExpression = Expression

/// How deep a SNIP expression may nest in the language. The reference's expressions are far
/// shallower (its encoder reads at most 200 tokens); the limit keeps every walk over a tree
/// (evaluation, printing, freeing) bounded wherever it runs.
enum ExpressionDepth {
    static let limit = Expression.maxDepth

    /// The depth of the tree written by prefix `tokens`, counted without building it (nil when
    /// the tokens do not form one tree; the parser then says why).
    static func ofPrefix<S: Sequence>(_ tokens: S) -> Int? where S.Element: StringProtocol {
        // open[k]: how many operands the operator at depth k still waits for
        var open: [Int] = []
        var deepest = 0
        for token in tokens {
            guard !open.isEmpty || deepest == 0 else { return nil }
            if !open.isEmpty { open[open.count - 1] -= 1 }
            let arity = BinaryOperator(rawValue: String(token)) != nil ? 2
                : UnaryOperator(rawValue: String(token)) != nil ? 1 : 0
            deepest = max(deepest, open.count + 1)
            if arity > 0 { open.append(arity) }
            while let last = open.last, last == 0 { open.removeLast() }
        }
        return deepest
    }

    /// The depth of an expression tree, walked without recursion.
    static func of(_ e: Expression) -> Int {
        var stack: [(Expression, Int)] = [(e, 1)]
        var deepest = 0
        while let (node, depth) = stack.popLast() {
            deepest = max(deepest, depth)
            switch node {
            case .leaf: break
            case .unary(_, let a): stack.append((a, depth + 1))
            case .binary(_, let a, let b): stack.append((a, depth + 1)); stack.append((b, depth + 1))
            }
        }
        return deepest
    }

    /// An error when a tree of `depth` levels is too deep.
    static func check(_ depth: Int, _ what: String, at range: SourceRange?) throws {
        guard depth <= limit else {
            throw Diagnostic(.limit, "\(what) nests \(depth) levels deep (the limit for an expression is \(limit))",
                             at: range)
        }
    }
}
