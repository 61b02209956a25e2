extension Expression {
    /// The expression with every float literal `c` replaced by `transform(c)` (written like
    /// Python's `str(float)`), in prefix order; integers, named constants and variables stay.
    public func mappingFloatLiterals(_ transform: (Double) throws -> Double) rethrows -> Expression {
        switch self {
        case .leaf(let leaf):
            guard leaf.isFloatLiteral, case .number(let text) = leaf, let value = PythonFloat.parse(text) else { return self }
            return .float(try transform(value))
        case .unary(let op, let a):
            return .unary(op, try a.mappingFloatLiterals(transform))
        case .binary(let op, let a, let b):
            let left = try a.mappingFloatLiterals(transform)
            return .binary(op, left, try b.mappingFloatLiterals(transform))
        }
    }

    /// The number of float literals.
    public var floatLiteralCount: Int {
        switch self {
        case .leaf(let leaf): return leaf.isFloatLiteral ? 1 : 0
        case .unary(_, let a): return a.floatLiteralCount
        case .binary(_, let a, let b): return a.floatLiteralCount + b.floatLiteralCount
        }
    }
}
