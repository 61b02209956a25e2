import SnipMath

/// Expressions written the way the language writes formulas: `sin(x_0) + 2*x_0^2 - 1/x_0`.
/// Constants show at most 15 significant digits (`63.4` for the generator's
/// `63.400000000000006`); `prefix(f)`, `infix(f, reference=true)` and files keep the exact text.
/// (`Expression.infix` is the reference's own, more verbose form: `(sin(x_0) add (2 mul …))`.)
public enum ReadableInfix {
    /// The expression as the language writes it (`2.5*x_0^2 + sin(x_0)`).
    /// Binding strength: sums 1, products and negatives 2, powers 4, atoms 5.
    public static func text(_ e: Expression) -> String { write(e).text }

    private static func write(_ e: Expression) -> (text: String, strength: Int) {
        switch e {
        case .leaf(let leaf):
            var token = leaf.token
            if case .number(let text) = leaf { token = displayConstant(text) }
            return (token, token.hasPrefix("-") ? 2 : 5)
        case .unary(let op, let a):
            switch op {
            case .pow2: return (wrap(a, above: 4) + "^2", 4)
            case .pow3: return (wrap(a, above: 4) + "^3", 4)
            case .inv: return ("1/" + wrap(a, above: 4), 2)
            default: return ("\(op.rawValue)(\(write(a).text))", 5)
            }
        case .binary(let op, let a, let b):
            switch op {
            case .add:
                let right = wrap(b, above: 1, orEqual: false)
                // a + -3*x reads a - 3*x: the minus binds to b's first term only
                if right.hasPrefix("-") { return (write(a).text + " - " + right.dropFirst(), 1) }
                return (write(a).text + " + " + right, 1)
            case .sub:
                let right = wrap(b, above: 1)
                if right.hasPrefix("-") { return (write(a).text + " + " + right.dropFirst(), 1) }
                return (write(a).text + " - " + right, 1)
            case .mul:
                if case .leaf(.number("-1")) = a { return ("-" + wrap(b, above: 3), 2) }
                return (wrap(a, above: 1) + "*" + wrap(b, above: 2), 2)
            case .div: return (wrap(a, above: 1) + "/" + wrap(b, above: 2), 2)
            case .pow: return (wrap(a, above: 4) + "^" + wrap(b, above: 4), 4)
            }
        }
    }

    /// `e` in parentheses unless it binds more strongly than `above` (or as strongly, when
    /// `orEqual` is false and the operator is associative).
    private static func wrap(_ e: Expression, above: Int, orEqual: Bool = true) -> String {
        let (text, strength) = write(e)
        let bare = orEqual ? strength > above : strength >= above
        return bare ? text : "(" + text + ")"
    }
}
