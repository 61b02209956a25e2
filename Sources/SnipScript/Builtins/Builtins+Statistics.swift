extension Builtins {
    /// A reduction over all elements, or along `axis` (0: down the columns, 1: along the rows) of
    /// a matrix.
    static func reduction(_ name: String, _ doc: String, emptyValue: Double? = nil,
                          _ f: @escaping @Sendable ([Double]) -> Double) -> Builtin {
        Builtin(name, .statistics, [.req("x"), .opt("axis")], doc: doc) { _, a in
            let m = try a.array("x")
            if a.value("axis") != nil {
                let axis = try a.int("axis", max: 1)
                guard !m.isVector else {
                    throw Diagnostic(.shape, "\(name): 'axis' needs a matrix", at: a.range("axis"))
                }
                let (r, c) = (m.rows, m.columns)
                if axis == 0 {
                    return .array(NDArray(vector: (0..<c).map { j in f((0..<r).map { m.data[$0 * c + j] }) }))
                }
                return .array(NDArray(vector: (0..<r).map { i in f(Array(m.data[i * c..<(i + 1) * c])) }))
            }
            if m.data.isEmpty, emptyValue == nil {
                throw Diagnostic(.value, "\(name) of an empty vector", at: a.range("x"))
            }
            return .number(f(m.data))
        }
    }

    /// A float64 sum with Kahan–Babuška compensation, so long sums keep their precision.
    static func accurateSum(_ xs: [Double]) -> Double {
        var sum = 0.0, c = 0.0
        for x in xs {
            let t = sum + x
            if abs(sum) >= abs(x) { c += (sum - t) + x } else { c += (x - t) + sum }
            sum = t
        }
        let r = sum + c
        return r.isNaN && !sum.isNaN ? sum : r
    }

    static func variance(_ xs: [Double]) -> Double {
        let mean = accurateSum(xs) / Double(xs.count)
        return accurateSum(xs.map { ($0 - mean) * ($0 - mean) }) / Double(xs.count)
    }

    static func argExtreme(_ name: String, _ doc: String, _ better: @escaping @Sendable (Double, Double) -> Bool) -> Builtin {
        Builtin(name, .statistics, [.req("x")], doc: doc) { _, a in
            let v = try a.vector("x")
            guard !v.isEmpty else { throw Diagnostic(.value, "\(name) of an empty vector", at: a.range("x")) }
            var best = 0
            for i in v.indices where better(v[i], v[best]) || (v[best].isNaN && !v[i].isNaN) { best = i }
            return .number(Double(best))
        }
    }

    static let statistics: [Builtin] = [
        reduction("sum", "The sum of the elements (float64, compensated); with axis=0 or 1, of each column or row.",
                  emptyValue: 0) { accurateSum($0) },
        reduction("prod", "The product of the elements; with axis=0 or 1, of each column or row.",
                  emptyValue: 1) { $0.reduce(1, *) },
        reduction("mean", "The arithmetic mean; with axis=0 or 1, of each column or row.") {
            accurateSum($0) / Double($0.count)
        },
        reduction("var", "The population variance (divides by n, as numpy); with axis, per column or row.") {
            variance($0)
        },
        reduction("std", "The population standard deviation (divides by n, as numpy); with axis, per column or row.") {
            variance($0).squareRoot()
        },
        Builtin("norm", .statistics, [.req("x"), .def("p", .number(2))],
                doc: "The p-norm of the elements (2: Euclidean, 1: sum of absolute values, inf: largest).") { _, a in
            let v = try a.array("x").data
            let p = try a.number("p")
            guard p >= 1 || p.isNaN == false && p > 0 else {
                throw Diagnostic(.domain, "norm: p must be positive", at: a.range("p"))
            }
            if p.isInfinite { return .number(v.map(abs).max() ?? 0) }
            if p == 2 { return .number(accurateSum(v.map { $0 * $0 }).squareRoot()) }
            if p == 1 { return .number(accurateSum(v.map(abs))) }
            return .number(Foundation.pow(accurateSum(v.map { Foundation.pow(abs($0), p) }), 1 / p))
        },
        argExtreme("argmax", "The position (0-based) of the largest element of a vector.") { $0 > $1 },
        argExtreme("argmin", "The position (0-based) of the smallest element of a vector.") { $0 < $1 },
        Builtin("all", .statistics, [.req("x")],
                doc: "Whether every element is non-zero (true), as for a comparison of vectors: all(v > 0).") { _, a in
            if case .bool(let b)? = a.value("x") { return .bool(b) }
            return .bool(try a.array("x").data.allSatisfy { $0 != 0 })
        },
        Builtin("any", .statistics, [.req("x")],
                doc: "Whether some element is non-zero (true): any(v < 0).") { _, a in
            if case .bool(let b)? = a.value("x") { return .bool(b) }
            return .bool(try a.array("x").data.contains { $0 != 0 })
        },
    ]
}

import Foundation
