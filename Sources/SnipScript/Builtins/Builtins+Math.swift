import Foundation

extension Builtins {
    static let constants: [Builtin] = [
        Builtin(constant: "pi", Double.pi, doc: "The ratio of a circle's circumference to its diameter."),
        Builtin(constant: "e", M_E, doc: "Euler's number, the base of the natural logarithm."),
        Builtin(constant: "inf", Double.infinity, doc: "Positive infinity."),
        Builtin(constant: "nan", Double.nan, doc: "Not a number (what 0/0 gives)."),
    ]

    /// A one-argument function applied element by element. `domain` is checked for a single
    /// number (an error); elements of a vector outside it give nan, so sampled functions plot
    /// with gaps.
    static func elementwise(_ name: String, _ doc: String, domain: (@Sendable (Double) -> Bool)? = nil,
                            domainText: String = "", _ f: @escaping @Sendable (Double) -> Double) -> Builtin {
        Builtin(name, .math, [.req("x")], doc: doc + " Applies element by element.") { _, a in
            switch a.value("x") {
            case .number(let x)?:
                if let domain, !domain(x), !x.isNaN {
                    throw Diagnostic(.domain, "\(name)(\(formatNumber(x))): \(domainText)", at: a.range("x"))
                }
                return .number(f(x))
            case .array(var v)?:
                for i in v.data.indices {
                    let x = v.data[i]
                    v.data[i] = domain.map { $0(x) } ?? true ? f(x) : .nan
                }
                return .array(v)
            default:
                throw a.typeError("x", "a number or a vector")
            }
        }
    }

    static let math: [Builtin] = [
        elementwise("sin", "The sine (radians).") { sin($0) },
        elementwise("cos", "The cosine (radians).") { cos($0) },
        elementwise("tan", "The tangent (radians).") { tan($0) },
        elementwise("arcsin", "The inverse sine, in [-pi/2, pi/2].", domain: { abs($0) <= 1 },
                    domainText: "the argument must lie in [-1, 1]") { asin($0) },
        elementwise("arccos", "The inverse cosine, in [0, pi].", domain: { abs($0) <= 1 },
                    domainText: "the argument must lie in [-1, 1]") { acos($0) },
        elementwise("arctan", "The inverse tangent, in (-pi/2, pi/2).") { atan($0) },
        elementwise("sinh", "The hyperbolic sine.") { sinh($0) },
        elementwise("cosh", "The hyperbolic cosine.") { cosh($0) },
        elementwise("tanh", "The hyperbolic tangent.") { tanh($0) },
        elementwise("exp", "e to the power x.") { exp($0) },
        elementwise("log", "The natural logarithm.", domain: { $0 >= 0 },
                    domainText: "the logarithm of a negative number is undefined") { log($0) },
        elementwise("log10", "The base-10 logarithm.", domain: { $0 >= 0 },
                    domainText: "the logarithm of a negative number is undefined") { log10($0) },
        elementwise("log2", "The base-2 logarithm.", domain: { $0 >= 0 },
                    domainText: "the logarithm of a negative number is undefined") { log2($0) },
        elementwise("sqrt", "The square root.", domain: { $0 >= 0 },
                    domainText: "the square root of a negative number is undefined") { $0.squareRoot() },
        elementwise("abs", "The absolute value.") { abs($0) },
        elementwise("floor", "The largest whole number not above x.") { $0.rounded(.down) },
        elementwise("ceil", "The smallest whole number not below x.") { $0.rounded(.up) },
        Builtin("round", .math, [.req("x"), .def("digits", .number(0))], doc: """
            x rounded to digits decimals (halves away from zero; digits may be negative:             round(1234, -2) is 1200): round(2.71828, 3) is 2.718. Applies element by element.
            """) { _, a in
            let digits = try a.int("digits", min: -308, max: 308)
            func r(_ x: Double) -> Double { roundDigits(x, digits) }
            switch a.value("x") {
            case .number(let x)?: return .number(r(x))
            case .array(var v)?:
                v.isMask = false
                for i in v.data.indices { v.data[i] = r(v.data[i]) }
                return .array(v)
            default: throw a.typeError("x", "a number or a vector")
            }
        },
        elementwise("sign", "-1, 0 or 1 by the sign of x (nan stays nan).") { $0 > 0 ? 1 : $0 < 0 ? -1 : $0 },
        Builtin("arctan2", .math, [.req("y"), .req("x")],
                doc: "The angle of the point (x, y), in (-pi, pi]. Applies element by element.") { interp, a in
            guard let y = a.value("y"), let x = a.value("x") else { return .nothing }
            return try numeric(interp.broadcastValues(y, x, a.range) { atan2($0, $1) })
        },
        minMax("min", "The smallest element of x, or the elementwise minimum of x and y.") { Swift.min($0, $1) },
        minMax("max", "The largest element of x, or the elementwise maximum of x and y.") { Swift.max($0, $1) },
    ]

    /// `min(x)` reduces; `min(x, y)` compares element by element. nan propagates.
    static func minMax(_ name: String, _ doc: String, _ f: @escaping @Sendable (Double, Double) -> Double) -> Builtin {
        Builtin(name, .math, [.req("x"), .opt("y")], doc: doc) { interp, a in
            if let y = a.value("y") {
                guard let x = a.value("x") else { return .nothing }
                return try numeric(interp.broadcastValues(x, y, a.range) { p, q in
                    p.isNaN || q.isNaN ? .nan : f(p, q)
                })
            }
            let v = try a.array("x")
            guard let first = v.data.first else {
                throw Diagnostic(.value, "\(name) of an empty vector", at: a.range("x"))
            }
            return .number(v.data.dropFirst().reduce(first) { $0.isNaN || $1.isNaN ? .nan : f($0, $1) })
        }
    }

    /// A one-element array as a number, anything else unchanged.
    static func numeric(_ a: NDArray) -> Value {
        a.shape.isEmpty ? .number(a.data[0]) : .array(a)
    }
}

extension Interpreter {
    /// Broadcasts two numbers or arrays through `f` (for built-ins of two arguments).
    func broadcastValues(_ x: Value, _ y: Value, _ r: SourceRange,
                         _ f: (Double, Double) -> Double) throws -> NDArray {
        for v in [x, y] {
            switch v {
            case .number, .array: continue
            default: throw Diagnostic(.type, "expected numbers or vectors, not a \(v.typeName)", at: r)
            }
        }
        return try broadcast(x, y, r, f)
    }
}

/// `x` rounded to `digits` decimals, halves away from zero, as the nearest float64 to the
/// decimal result (round(0.1 + 0.2, 2) is 0.3, not 0.30000000000000004).
func roundDigits(_ x: Double, _ digits: Int) -> Double {
    guard x.isFinite else { return x }
    if digits == 0 { return x.rounded() }
    if digits > 0 {
        if digits > 17 { return x }
        let scale = pow(10, Double(digits))
        let scaled = x * scale
        guard scaled.isFinite, abs(scaled) < 1e17 else { return x }
        // the decimal text of the rounded value reads back as the nearest float64
        let whole = scaled.rounded()
        return Double(String(format: "%.\(digits)f", whole / scale)) ?? whole / scale
    }
    let scale = pow(10, Double(-digits))
    return (x / scale).rounded() * scale
}
