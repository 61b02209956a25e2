import SnipMath

extension Formula {
    /// The formula with constant subtrees folded and constant factors and terms gathered
    /// (`mul(2, mul(3, x))` → `mul(6, x)`, `add(1, sub(2, x))` → `sub(3, x)`, `mul(1, x)` →
    /// `x`). Folds only finite results, so the values stay the same up to rounding.
    public func simplified() -> Formula {
        var i = 0
        func walk() -> [Node] {
            let node = nodes[i]
            i += 1
            switch node {
            case .variable, .constant, .named: return [node]
            case .unary(let op):
                let a = walk()
                if a.count == 1, case .constant(let c) = a[0] {
                    let v = FormulaEvaluator.apply(op, c)
                    if v.isFinite { return [.constant(v)] }
                }
                return [node] + a
            case .binary(let op):
                return Self.combine(op, walk(), walk())
            }
        }
        return Formula(nodes: walk())
    }

    private static func constant(_ nodes: [Node]) -> Double? {
        if nodes.count == 1, case .constant(let c) = nodes[0] { return c }
        return nil
    }

    /// The leading constant of `op(c, rest)`: (c, rest) when `nodes` is that shape.
    private static func leading(_ op: BinaryOperator, _ nodes: [Node]) -> (Double, [Node])? {
        guard nodes.count > 2, nodes[0] == .binary(op), case .constant(let c) = nodes[1] else {
            return nil
        }
        return (c, Array(nodes[2...]))
    }

    private static func combine(_ op: BinaryOperator, _ a: [Node], _ b: [Node]) -> [Node] {
        let ca = constant(a)
        let cb = constant(b)
        if let x = ca, let y = cb {
            let v = FormulaEvaluator.apply(op, x, y)
            if v.isFinite { return [.constant(v)] }
        }
        switch op {
        case .mul:
            if cb != nil && ca == nil { return combine(.mul, b, a) }
            if let c = ca {
                if c == 1 { return b }
                if let (d, rest) = leading(.mul, b), (c * d).isFinite {
                    return [.binary(.mul), .constant(c * d)] + rest
                }
                if let (d, rest) = leading(.div, b), (c * d).isFinite {
                    return [.binary(.div), .constant(c * d)] + rest
                }
            }
        case .add:
            if cb != nil && ca == nil { return combine(.add, b, a) }
            if let c = ca {
                if c == 0 { return b }
                if let (d, rest) = leading(.add, b), (c + d).isFinite {
                    return [.binary(.add), .constant(c + d)] + rest
                }
                if let (d, rest) = leading(.sub, b), (c + d).isFinite {
                    return [.binary(.sub), .constant(c + d)] + rest
                }
            }
        case .sub:
            if let c = cb, ca == nil { return combine(.add, [.constant(-c)], a) }
        case .div:
            if let c = cb, ca == nil, c != 0, (1 / c).isFinite {
                return combine(.mul, [.constant(1 / c)], a)
            }
        case .pow: break
        }
        return [.binary(op)] + a + b
    }
}
