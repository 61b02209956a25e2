extension Expression {
    /// The infix string, identical to the reference's `tree.infix()`:
    /// `(a add b)`, `sin(a)`, `(a)**2`, leaves as their text.
    public var infix: String {
        switch self {
        case .leaf(let l): return l.token
        case .unary(.pow2, let a): return "(" + a.infix + ")**2"
        case .unary(.pow3, let a): return "(" + a.infix + ")**3"
        case .unary(let op, let a): return op.rawValue + "(" + a.infix + ")"
        case .binary(let op, let a, let b):
            return "(" + a.infix + " " + op.rawValue + " " + b.infix + ")"
        }
    }
}

extension Expression: CustomStringConvertible {
    /// The infix form, as the reference prints a tree.
    public var description: String { infix }
}
