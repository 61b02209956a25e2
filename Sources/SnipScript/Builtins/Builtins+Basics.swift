import Foundation

/// The small vector basics users reach for first: growing vectors and lists, masks, medians,
/// interpolation and polynomial fits.
extension Builtins {
    static let basics: [Builtin] = [
        Builtin("push", .arrays, [.req("v")], variadic: "items", doc: """
            push(v, x…) appends the items to the variable v (a vector or a list) in place, in O(1) \
            per item: v = []; for i in 0..n { push(v, i^2) }. A number or a vector extends a vector; \
            anything else turns it into a list. v must be a variable's name. append(v, x) returns a \
            new value instead.
            """) { _, a in
            throw Diagnostic(.type, "push(v, x) needs the name of a variable as its first argument "
                + "(append(v, x) returns a new value)", at: a.range("v"))
        },
        Builtin("append", .arrays, [.req("v")], variadic: "items", doc: """
            A copy of the vector or list v with the items added at the end (v itself is unchanged; \
            push(v, x) grows v in place).
            """) { _, a in
            var v = a.value("v") ?? .list([])
            try appendItems(a.rest, to: &v, at: a.range)
            return v
        },
        Builtin("isnan", .arrays, [.req("x")], doc: """
            Whether x is nan: a bool for a number, a mask for a vector or matrix (v[isnan(v)] = 0).
            """) { _, a in
            switch a.value("x") {
            case .number(let x)?: return .bool(x.isNaN)
            case .array(let v)?:
                return .array(NDArray(shape: v.shape, data: v.data.map { $0.isNaN ? 1 : 0 }, isMask: true))
            default: throw a.typeError("x", "a number, vector or matrix")
            }
        },
        Builtin("interp", .arrays, [.req("x"), .req("xp"), .req("fp")], doc: """
            Linear interpolation as numpy's interp: the values at x (a number or a vector) of the \
            piecewise-linear function through the points (xp[i], fp[i]); xp must increase; outside \
            [xp[0], xp[-1]] the end values are kept.
            """) { _, a in
            let xp = try a.vector("xp"), fp = try a.vector("fp")
            guard xp.count == fp.count, !xp.isEmpty else {
                throw Diagnostic(.shape, "interp: xp and fp need the same, non-zero length (\(xp.count) and \(fp.count))",
                                 at: a.range("fp"))
            }
            for i in 1..<max(1, xp.count) where !(xp[i] >= xp[i - 1]) {
                throw Diagnostic(.value, "interp: xp must increase (xp[\(i)] = \(formatNumber(xp[i])) follows "
                    + "\(formatNumber(xp[i - 1])))", at: a.range("xp"))
            }
            func at(_ x: Double) -> Double {
                if x.isNaN { return .nan }
                if x <= xp[0] { return fp[0] }
                if x >= xp[xp.count - 1] { return fp[fp.count - 1] }
                var lo = 0, hi = xp.count - 1
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if xp[mid] <= x { lo = mid } else { hi = mid }
                }
                let t = (x - xp[lo]) / (xp[hi] - xp[lo])
                return fp[lo] + t * (fp[hi] - fp[lo])
            }
            if case .number(let x)? = a.value("x") { return .number(at(x)) }
            var v = try a.array("x")
            v.isMask = false
            for i in v.data.indices { v.data[i] = at(v.data[i]) }
            return .array(v)
        },
        Builtin("polyfit", .arrays, [.req("x"), .req("y"), .req("deg")], doc: """
            The least-squares polynomial of degree deg through the points (x[i], y[i]), as its \
            coefficients from the highest power down (numpy's order): polyfit(x, y, 1) is [slope, \
            intercept]. polyval(p, x) evaluates it.
            """) { _, a in
            let x = try a.vector("x"), y = try a.vector("y")
            let deg = try a.int("deg", max: 50)
            guard x.count == y.count else {
                throw Diagnostic(.shape, "polyfit: x has \(x.count) points and y \(y.count)", at: a.range("y"))
            }
            guard x.count > deg else {
                throw Diagnostic(.value, "polyfit: a polynomial of degree \(deg) needs at least \(deg + 1) points, "
                    + "got \(x.count)", at: a.range("deg"))
            }
            guard let p = leastSquaresPolynomial(x, y, degree: deg) else {
                throw Diagnostic(.domain, "polyfit: the points do not determine a polynomial of degree \(deg) "
                    + "(too few distinct x)", at: a.range("x"))
            }
            return .array(NDArray(vector: p))
        },
        Builtin("polyval", .arrays, [.req("p"), .req("x")], doc: """
            The polynomial with coefficients p (highest power first, as polyfit gives them) at x, a \
            number or a vector (Horner's rule).
            """) { _, a in
            let p = try a.vector("p")
            func at(_ x: Double) -> Double { p.reduce(0) { $0 * x + $1 } }
            if case .number(let x)? = a.value("x") { return .number(at(x)) }
            var v = try a.array("x")
            v.isMask = false
            for i in v.data.indices { v.data[i] = at(v.data[i]) }
            return .array(v)
        },
        reduction("median", "The middle value of the sorted elements (the mean of the two middle ones for an "
                  + "even count; nan if any is nan); with axis=0 or 1, of each column or row.") { xs in
            if xs.contains(where: \.isNaN) { return .nan }
            let s = xs.sorted()
            let n = s.count
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
        },
    ]

    /// Appends `items` to a vector (numbers and vectors extend it) or a list. Every check comes
    /// first, so `v` is unchanged when it throws.
    static func appendItems(_ items: [Value], to v: inout Value, at range: SourceRange) throws {
        let numeric = items.allSatisfy {
            if case .number = $0 { true } else if case .array(let x) = $0 { x.isVector } else { false }
        }
        let count: Int
        switch v {
        case .array(let a) where a.isVector: count = a.count
        case .list(let l): count = l.count
        default: throw Diagnostic(.type, "can only add to a vector or a list, not a \(v.typeName)", at: range)
        }
        let added = numeric ? items.reduce(0) { n, item in
            if case .array(let x) = item { return n + x.count } else { return n + 1 }
        } : items.count
        try NDArray.checkSize([count + added], at: range)
        if items.contains(where: { if case .list = $0 { true } else { false } }) {
            // a list inside can make the value too deep or too large: check the whole
            var copy: [Value]
            if case .list(let l) = v { copy = l } else if case .array(let a) = v { copy = a.data.map { .number($0) } } else { copy = [] }
            copy += items
            v = try Value.checkedList(copy, at: range)
            return
        }
        // `if case` (not `switch`, whose subject is a second reference) so the storage is unshared
        if numeric, case .array(var a) = v {
            v = .nothing
            a.isMask = false
            for item in items {
                if case .number(let x) = item { a.data.append(x) }
                if case .array(let x) = item { a.data += x.data }
            }
            a.shape = [a.data.count]
            v = .array(a)
        } else if case .array(let a) = v {
            v = .list(a.data.map { .number($0) } + items)
        } else if case .list(var list) = v {
            v = .nothing
            list += items
            v = .list(list)
        }
    }

    /// The least-squares polynomial coefficients (highest power first) by Householder QR of the
    /// Vandermonde matrix, on x scaled to [-1, 1] for conditioning; nil when it is rank-deficient.
    static func leastSquaresPolynomial(_ x: [Double], _ y: [Double], degree: Int) -> [Double]? {
        let n = x.count, m = degree + 1
        let lo = x.min() ?? 0, hi = x.max() ?? 0
        let centre = (lo + hi) / 2, half = hi > lo ? (hi - lo) / 2 : 1
        // A[i][j] = t_i^j with t = (x - centre) / half, column-major for the reflections
        var a = [Double](repeating: 0, count: n * m)
        for i in 0..<n {
            let t = (x[i] - centre) / half
            var p = 1.0
            for j in 0..<m { a[j * n + i] = p; p *= t }
        }
        var b = y
        for j in 0..<m {
            var norm = 0.0
            for i in j..<n { norm += a[j * n + i] * a[j * n + i] }
            norm = norm.squareRoot()
            if norm == 0 { return nil }
            let alpha = a[j * n + j] > 0 ? -norm : norm
            var v = [Double](repeating: 0, count: n)
            for i in j..<n { v[i] = a[j * n + i] }
            v[j] -= alpha
            var vv = 0.0
            for i in j..<n { vv += v[i] * v[i] }
            if vv == 0 { continue }
            for c in j..<m {
                var d = 0.0
                for i in j..<n { d += v[i] * a[c * n + i] }
                let f = 2 * d / vv
                for i in j..<n { a[c * n + i] -= f * v[i] }
            }
            var d = 0.0
            for i in j..<n { d += v[i] * b[i] }
            let f = 2 * d / vv
            for i in j..<n { b[i] -= f * v[i] }
        }
        // back substitution: coefficients of t^j
        var c = [Double](repeating: 0, count: m)
        for j in stride(from: m - 1, through: 0, by: -1) {
            var s = b[j]
            for k in (j + 1)..<max(j + 1, m) { s -= a[k * n + j] * c[k] }
            let d = a[j * n + j]
            if abs(d) < 1e-13 * abs(a[0]) { return nil }
            c[j] = s / d
        }
        // back from t = (x - centre) / half to x: expand sum c_j ((x - centre) / half)^j
        var coefficients = [Double](repeating: 0, count: m)  // of x^k, lowest first
        var power = [1.0]  // ((x - centre) / half)^j, lowest first
        for j in 0..<m {
            for k in 0..<power.count { coefficients[k] += c[j] * power[k] }
            var next = [Double](repeating: 0, count: power.count + 1)
            for k in 0..<power.count {
                next[k + 1] += power[k] / half
                next[k] -= power[k] * centre / half
            }
            power = next
        }
        return coefficients.reversed()
    }
}
