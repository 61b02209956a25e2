import SnipTensor

extension Builtins {
    /// `zeros(n)`, `zeros(rows, cols)` and friends: the shape from one or two size arguments.
    static func shapeArgument(_ a: BoundArguments) throws -> [Int] {
        let n = try a.int("n")
        if a.value("m") != nil {
            let m = try a.int("m")
            try NDArray.checkSize([n, m], at: a.range)
            return [n, m]
        }
        return [n]
    }

    static func filled(_ name: String, _ doc: String,
                       _ make: @escaping @Sendable (Interpreter, Int) -> [Double]) -> Builtin {
        Builtin(name, .arrays, [.req("n"), .opt("m")], doc: doc) { interp, a in
            let shape = try shapeArgument(a)
            return .array(NDArray(shape: shape, data: make(interp, shape.reduce(1, *))))
        }
    }

    static let arrays: [Builtin] = [
        Builtin("linspace", .arrays, [.req("a"), .req("b"), .def("n", .number(100))],
                doc: "n evenly spaced numbers from a to b, both included.") { _, a in
            let lo = try a.number("a"), hi = try a.number("b")
            let n = try a.int("n")
            if n == 1 { return .array(NDArray(vector: [lo])) }
            let step = (hi - lo) / Double(max(n - 1, 1))
            return .array(NDArray(vector: (0..<n).map { $0 == n - 1 ? hi : lo + Double($0) * step }))
        },
        Builtin("range", .arrays, [.req("a"), .opt("b"), .def("step", .number(1))],
                doc: "range(n) is 0, 1, …, n-1; range(a, b, step=1) runs from a up to b (excluded).") { _, a in
            var lo = 0.0, hi = try a.number("a")
            if let b = try a.optionalNumber("b") { lo = hi; hi = b }
            let step = try a.number("step")
            guard step != 0, step.isFinite, lo.isFinite, hi.isFinite else {
                throw Diagnostic(.value, "range needs finite bounds and a step other than 0", at: a.range)
            }
            let count = max(0, ((hi - lo) / step).rounded(.up))
            guard count <= Double(NDArray.maxElements) else {
                throw Diagnostic(.limit, "range too long: \(formatNumber(count)) elements "
                    + "(the limit is \(NDArray.maxElements))", at: a.range)
            }
            return .array(NDArray(vector: (0..<Int(count)).map { lo + Double($0) * step }))
        },
        filled("zeros", "A vector of n zeros, or an n×m matrix of zeros.") { _, c in Array(repeating: 0, count: c) },
        filled("ones", "A vector of n ones, or an n×m matrix of ones.") { _, c in Array(repeating: 1, count: c) },
        filled("rand", "Uniform random numbers in [0, 1): a vector of n, or an n×m matrix (seed with seed(k)).") {
            interp, c in (0..<c).map { _ in interp.rng.nextUnitDouble() }
        },
        filled("randn", "Standard normal random numbers: a vector of n, or an n×m matrix (seed with seed(k)).") {
            interp, c in (0..<c).map { _ in interp.rng.nextNormal() }
        },
        Builtin("seed", .arrays, [.req("n")],
                doc: "Restarts the random generator of rand and randn from seed n (a whole number ≥ 0).") { interp, a in
            let n = try a.int("n", max: Int(Int32.max))
            interp.rng = SeededGenerator(seed: UInt64(n))
            return .nothing
        },
        Builtin("eye", .arrays, [.req("n")], doc: "The n×n identity matrix.") { _, a in
            let n = try a.int("n", max: 3000)
            var data = [Double](repeating: 0, count: n * n)
            for i in 0..<n { data[i * n + i] = 1 }
            return .array(NDArray(shape: [n, n], data: data))
        },
        Builtin("len", .arrays, [.req("x")],
                doc: "The length of a vector, list or string; the number of rows of a matrix.") { _, a in
            switch a.value("x") {
            case .array(let v)?: return .number(Double(v.isVector ? v.count : v.rows))
            case .list(let l)?: return .number(Double(l.count))
            case .string(let s)?: return .number(Double(s.count))
            case .object(let o)? where o.elementCount != nil: return .number(Double(o.elementCount!))
            default: throw a.typeError("x", "a vector, matrix, list, string or dataset")
            }
        },
        Builtin("shape", .arrays, [.req("x")],
                doc: "The shape as a vector: [n] for a vector, [rows, columns] for a matrix, [] for a number.") { _, a in
            switch a.value("x") {
            case .array(let v)?: return .array(NDArray(vector: v.shape.map(Double.init)))
            case .number?: return .array(NDArray(vector: []))
            default: throw a.typeError("x", "a number, vector or matrix")
            }
        },
        Builtin("sort", .arrays, [.req("x")], doc: "The elements of a vector in increasing order (nan last).") { _, a in
            let v = try a.vector("x")
            return .array(NDArray(vector: v.sorted { $0 < $1 || (!$0.isNaN && $1.isNaN) }))
        },
        Builtin("reverse", .arrays, [.req("x")], doc: "A vector, list or string back to front.") { _, a in
            switch a.value("x") {
            case .list(let l)?: return .list(l.reversed())
            case .string(let s)?: return .string(String(s.reversed()))
            default: return .array(NDArray(vector: try a.vector("x").reversed()))
            }
        },
        Builtin("cumsum", .arrays, [.req("x")], doc: "The running sums of a vector.") { _, a in
            var total = 0.0
            return .array(NDArray(vector: try a.vector("x").map { total += $0; return total }))
        },
        Builtin("transpose", .arrays, [.req("x")],
                doc: "The transpose of a matrix (a vector becomes a one-column matrix).") { _, a in
            let m = try a.array("x")
            let (r, c) = (m.rows, m.columns)
            var data = [Double](repeating: 0, count: m.count)
            for i in 0..<r { for j in 0..<c { data[j * r + i] = m.data[i * c + j] } }
            return .array(NDArray(shape: [c, r], data: data))
        },
        Builtin("reshape", .arrays, [.req("x"), .req("rows"), .opt("cols")],
                doc: "The elements of x (row-major) as a rows×cols matrix, or as a vector with reshape(x, n). "
                    + "One size may be -1 (inferred).") { _, a in
            let m = try a.array("x")
            var target = [try a.int("rows", min: -1)]
            if a.value("cols") != nil { target.append(try a.int("cols", min: -1)) }
            let shape: [Int]
            do {
                shape = try ShapeCheck.reshape(m.shape, to: target)
            } catch {
                throw Diagnostic(.shape, "cannot reshape \(describe(m.shape)) (\(m.count) elements) to "
                    + "\(describe(target))", at: a.range)
            }
            return .array(NDArray(shape: shape, data: m.data))
        },
        Builtin("dot", .arrays, [.req("x"), .req("y")], doc: "The dot product of two vectors of equal length.") { _, a in
            let x = try a.vector("x"), y = try a.vector("y")
            guard x.count == y.count else {
                throw Diagnostic(.shape, "dot: lengths \(x.count) and \(y.count) differ", at: a.range)
            }
            return .number(zip(x, y).reduce(0) { $0 + $1.0 * $1.1 })
        },
        Builtin("concat", .arrays, [], variadic: "xs",
                doc: "Joins vectors and numbers into one vector, or lists into one list.") { _, a in
            if a.rest.contains(where: { if case .list = $0 { true } else { false } }) {
                return try Value.checkedList(a.rest.flatMap { v -> [Value] in
                    switch v {
                    case .list(let l): return l
                    case .array(let m) where m.isVector: return m.data.map { .number($0) }
                    default: return [v]
                    }
                }, at: a.range)
            }
            var out: [Double] = []
            for (v, r) in zip(a.rest, a.restRanges) {
                switch v {
                case .number(let x): out.append(x)
                case .array(let m) where m.isVector: out += m.data
                default: throw Diagnostic(.type, "concat: cannot join a \(v.typeName)", at: r)
                }
                try NDArray.checkSize([out.count], at: r)
            }
            return .array(NDArray(vector: out))
        },
        Builtin("map", .arrays, [.req("f"), .req("xs")],
                doc: "Applies f to each element of a vector or list (one call per element).") { interp, a in
            let f = try a.function("f")
            switch a.value("xs") {
            case .list(let items)?:
                return try Value.checkedList(try items.map { try interp.call(f, [$0], at: a.range) }, at: a.range)
            default:
                let xs = try a.vector("xs")
                let ys = try xs.map { try interp.call(f, [.number($0)], at: a.range) }
                if ys.allSatisfy({ if case .number = $0 { true } else { false } }) {
                    return .array(NDArray(vector: ys.map { if case .number(let y) = $0 { y } else { 0 } }))
                }
                return try Value.checkedList(ys, at: a.range)
            }
        },
        Builtin("filter", .arrays, [.req("f"), .req("xs")],
                doc: "The elements of a vector or list for which f returns true.") { interp, a in
            let f = try a.function("f")
            func keep(_ v: Value) throws -> Bool {
                let r = try interp.call(f, [v], at: a.range)
                guard case .bool(let b) = r else {
                    throw Diagnostic(.type, "filter: the function must return a bool, not a \(r.typeName)", at: a.range)
                }
                return b
            }
            if case .list(let items)? = a.value("xs") { return .list(try items.filter(keep)) }
            return .array(NDArray(vector: try a.vector("xs").filter { try keep(.number($0)) }))
        },
    ]
}
