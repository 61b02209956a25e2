import SnipMath

extension Builtins {
    static let expressions: [Builtin] = [
        Builtin("expr", .expressions, [.req("f")], doc: """
            The SNIP expression of a formula: expr(x -> sin(x) + 2*x^2) is add(sin(x_0), mul(2, pow2(x_0))). \
            The function's parameters become x_0, x_1, …; its body may use numbers, pi, e, numeric variables, \
            + - * / ^ (^2, ^3, ^-1 become pow2, pow3, inv), abs sqrt log exp sin cos tan arcsin arccos arctan, \
            and other one-line functions. An expression is called like a function (f(0.5), f(xs)) and is what \
            the SNIP built-ins take; they also accept a function and convert it.
            """) { interp, a in
            .function(.expression(try a.expression("f", interp)))
        },
        Builtin("parse_prefix", .expressions, [.req("text")], doc: """
            The expression written in SNIP's prefix notation: parse_prefix("add,sin,x_0,2").
            """) { _, a in
            let text = try a.string("text")
            if let depth = ExpressionDepth.ofPrefix(text.split(separator: ",", omittingEmptySubsequences: false)) {
                try ExpressionDepth.check(depth, "parse_prefix: the expression", at: a.range("text"))
            }
            do {
                return .function(.expression(SymbolicFunction(try SymbolicExpression(prefix: text))))
            } catch {
                throw Diagnostic(.value, "parse_prefix: \(error)", at: a.range("text"))
            }
        },
        Builtin("prefix", .expressions, [.req("f")], doc: """
            The expression in prefix notation, as data.prefix files and the reference write it: "add,sin,x_0,2".
            """) { interp, a in
            .string(try a.expression("f", interp).expression.prefix)
        },
        Builtin("infix", .expressions, [.req("f"), .def("reference", .bool(false))], doc: """
            The expression in infix notation: "sin(x_0) + 2*x_0^2"; with reference=true in the reference's \
            own form, "(sin(x_0) add (2 mul (x_0)**2))".
            """) { interp, a in
            let s = try a.expression("f", interp)
            return .string(try a.bool("reference") ? s.expression.infix : s.infix)
        },
        Builtin("tokens", .expressions, [.req("f")], doc: """
            The tokens the symbolic encoder reads for the expression (numbers as sign, mantissa and exponent tokens).
            """) { interp, a in
            let s = try a.expression("f", interp)
            do {
                return try Value.checkedList(try s.expression.encodedTokens().map { .string($0) }, at: a.range)
            } catch let d as Diagnostic {
                throw d
            } catch {
                throw Diagnostic(.value, "tokens: \(error)", at: a.range("f"))
            }
        },
        Builtin("skeleton", .expressions, [.req("f")], doc: """
            The expression with its constants replaced by CONSTANT (SNIP's skeleton); it cannot be evaluated.
            """) { interp, a in
            .function(.expression(SymbolicFunction(try a.expression("f", interp).expression.skeleton)))
        },
        Builtin("constants", .expressions, [.req("f")], doc: """
            The numeric constants of the expression, in prefix order (the values skeleton replaces).
            """) { interp, a in
            .array(NDArray(vector: try a.expression("f", interp).expression.skeletonAndConstants.constants))
        },
    ]
}
