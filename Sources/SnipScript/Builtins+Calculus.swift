import Foundation

extension Builtins {
    static let calculus: [Builtin] = [
        Builtin("diff", .calculus, [.req("f")],
                doc: "diff(f) is the derivative of f as a new function (central differences with a step "
                    + "scaled to x; accurate to about 1e-10 for smooth f). diff(v) of a vector is the "
                    + "vector of differences v[i+1] - v[i].") { _, a in
            if case .function(let f)? = a.value("f") {
                let name = "diff(\(f.name))"
                return .function(.native(NativeFunction(name: name, arity: 1) { interp, args, r in
                    try derivative(interp, f, args[0], r)
                }))
            }
            let v = try a.vector("f")
            return .array(NDArray(vector: v.count < 2 ? [] : (1..<v.count).map { v[$0] - v[$0 - 1] }))
        },
        Builtin("integrate", .calculus, [.req("f"), .req("a"), .req("b"), .def("tol", .number(1e-10))],
                doc: "The integral of f from a to b (adaptive Gauss–Kronrod in float64, to a relative "
                    + "tolerance tol; infinite bounds are allowed).") { interp, a in
            let f = try a.function("f")
            let lo = try a.number("a"), hi = try a.number("b"), tol = try a.number("tol")
            guard !lo.isNaN, !hi.isNaN else { throw Diagnostic(.domain, "integrate: a bound is nan", at: a.range) }
            var integrator = Integrator(interp: interp, f: f, range: a.range, tolerance: tol)
            return .number(try integrator.integrate(lo, hi))
        },
        Builtin("roots", .calculus, [.req("f"), .req("a"), .req("b"), .def("n", .number(1000))],
                doc: "The zeros of f in [a, b]: f is sampled at n points and each sign change is refined by "
                    + "bisection to full precision. Roots where f touches 0 without changing sign are "
                    + "found only if a sample lands on them.") { interp, a in
            let f = try a.function("f")
            let lo = try a.number("a"), hi = try a.number("b")
            let n = try a.int("n", min: 2, max: 1_000_000)
            guard lo.isFinite, hi.isFinite, lo < hi else {
                throw Diagnostic(.domain, "roots needs finite bounds with a < b", at: a.range)
            }
            let xs = (0..<n).map { $0 == n - 1 ? hi : lo + (hi - lo) * Double($0) / Double(n - 1) }
            let ys = try interp.callOnSamples(f, xs, at: a.range)
            var found: [Double] = []
            for i in 0..<n {
                if ys[i] == 0 { found.append(xs[i]); continue }
                guard i + 1 < n, ys[i + 1] != 0, ys[i].sign != ys[i + 1].sign, ys[i].isFinite, ys[i + 1].isFinite
                else { continue }
                var (l, r, fl) = (xs[i], xs[i + 1], ys[i])
                for _ in 0..<200 {
                    let m = l + (r - l) / 2
                    if m <= l || m >= r { break }
                    let fm = try interp.callNumber(f, m, at: a.range)
                    if fm == 0 { l = m; r = m; break }
                    if fm.sign == fl.sign { l = m; fl = fm } else { r = m }
                }
                found.append(l + (r - l) / 2)
            }
            return .array(NDArray(vector: found))
        },
    ]

    /// The derivative of `f` at a number or at each element of a vector.
    static func derivative(_ interp: Interpreter, _ f: Function, _ x: Value, _ r: SourceRange) throws -> Value {
        func at(_ x: Double) throws -> Double {
            let h = cbrt(Double.ulpOfOne) * max(1, abs(x))
            // Richardson extrapolation of two central differences.
            let d1 = (try interp.callNumber(f, x + h, at: r) - interp.callNumber(f, x - h, at: r)) / (2 * h)
            let d2 = (try interp.callNumber(f, x + 2 * h, at: r) - interp.callNumber(f, x - 2 * h, at: r)) / (4 * h)
            return (4 * d1 - d2) / 3
        }
        switch x {
        case .number(let v): return .number(try at(v))
        case .array(var a):
            for i in a.data.indices { a.data[i] = try at(a.data[i]) }
            return .array(a)
        default:
            throw Diagnostic(.type, "a derivative takes a number or a vector, not a \(x.typeName)", at: r)
        }
    }
}

/// Adaptive 7–15 Gauss–Kronrod quadrature in float64.
struct Integrator {
    let interp: Interpreter
    let f: Function
    let range: SourceRange
    let tolerance: Double
    private var evaluations = 0

    init(interp: Interpreter, f: Function, range: SourceRange, tolerance: Double) {
        self.interp = interp
        self.f = f
        self.range = range
        self.tolerance = max(tolerance, 1e-15)
    }

    static let nodes: [Double] = [
        0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
        0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
        0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
        0.207784955007898467600689403773245, 0.000000000000000000000000000000000,
    ]
    static let kronrod: [Double] = [
        0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
        0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
        0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
        0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
    ]
    static let gauss: [Double] = [
        0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
        0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
    ]

    mutating func integrate(_ a: Double, _ b: Double) throws -> Double {
        if a == b { return 0 }
        if a > b { return -(try integrate(b, a)) }
        // Infinite bounds: substitute x = t / (1 - t²) on (-1, 1) or its halves.
        let g: (Double) throws -> Double
        var (lo, hi) = (a, b)
        let fn = f, interp = interp, r = range
        switch (a.isInfinite, b.isInfinite) {
        case (false, false):
            g = { try interp.callNumber(fn, $0, at: r) }
        default:
            let map: (Double) -> (Double, Double) = { t in
                let x = t / (1 - t * t)
                return (x, (1 + t * t) / ((1 - t * t) * (1 - t * t)))
            }
            func inverse(_ x: Double) -> Double {
                if x.isInfinite { return x > 0 ? 1 : -1 }
                if x == 0 { return 0 }
                return (-1 + (1 + 4 * x * x).squareRoot()) / (2 * x)
            }
            lo = inverse(a)
            hi = inverse(b)
            g = { t in
                let (x, w) = map(t)
                if !x.isFinite || !w.isFinite { return 0 }
                return try interp.callNumber(fn, x, at: r) * w
            }
        }
        let whole = try segment(g, lo, hi)
        return try adapt(g, lo, hi, whole, depth: 0)
    }

    private mutating func segment(_ g: (Double) throws -> Double, _ a: Double, _ b: Double) throws -> (Double, Double) {
        let c = (a + b) / 2, h = (b - a) / 2
        var k = 0.0, gs = 0.0
        for (i, x) in Integrator.nodes.enumerated() {
            let fx = i == 7 ? try g(c) : try g(c - h * x) + g(c + h * x)
            k += Integrator.kronrod[i] * fx
            if i % 2 == 1 { gs += Integrator.gauss[i / 2] * fx }
        }
        evaluations += 15
        if evaluations > 2_000_000 {
            throw Diagnostic(.limit, "integrate: too many evaluations; the integral may diverge", at: range)
        }
        return (k * h, abs((k - gs) * h))
    }

    private mutating func adapt(_ g: (Double) throws -> Double, _ a: Double, _ b: Double,
                                _ estimate: (Double, Double), depth: Int) throws -> Double {
        let (value, error) = estimate
        if Interrupt.isPending { throw Diagnostic(.interrupted, "interrupted", at: range) }
        if error <= max(tolerance * abs(value), 1e-14 * (b - a)) || depth >= 40 || !value.isFinite {
            return value
        }
        let m = (a + b) / 2
        let left = try segment(g, a, m), right = try segment(g, m, b)
        return try adapt(g, a, m, left, depth: depth + 1) + adapt(g, m, b, right, depth: depth + 1)
    }
}
