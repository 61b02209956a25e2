import Foundation
import SnipSystem

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
                doc: "The integral of f from a to b (adaptive Gauss–Kronrod in float64; infinite bounds "
                    + "are allowed). The interval with the largest error estimate is halved until the "
                    + "estimated error of the whole is within tol relative to the result; when that "
                    + "cannot be reached (a divergent integral such as integrate(x -> 1/x, 0, 1)) it is "
                    + "an error saying where.") { interp, a in
            let f = try a.function("f")
            let lo = try a.number("a"), hi = try a.number("b"), tol = try a.number("tol")
            guard !lo.isNaN, !hi.isNaN else { throw Diagnostic(.domain, "integrate: a bound is nan", at: a.range) }
            guard tol >= 1e-15, tol < 1 else {
                throw Diagnostic(.value, "integrate: tol must lie in [1e-15, 1) (float64 cannot do better than "
                    + "about 1e-15), not \(formatNumber(tol))", at: a.range("tol"))
            }
            var integrator = Integrator(interp: interp, f: f, range: a.range, tolerance: tol)
            return .number(try integrator.integrate(lo, hi))
        },
        Builtin("roots", .calculus, [.req("f"), .req("a"), .req("b"), .def("n", .number(1000))],
                doc: "The zeros of f in [a, b]: f is sampled at n points and each sign change is refined by "
                    + "bisection to full precision. Sign changes across a pole (1/x) or a jump are not "
                    + "roots and are left out. Roots where f touches 0 without changing sign are found "
                    + "only if a sample lands on them.") { interp, a in
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
                var (l, r, fl, fr) = (xs[i], xs[i + 1], ys[i], ys[i + 1])
                var exact = false
                for _ in 0..<200 {
                    let m = l + (r - l) / 2
                    if m <= l || m >= r { break }
                    let fm = try interp.callNumber(f, m, at: a.range)
                    if fm == 0 { l = m; r = m; exact = true; break }
                    if fm.sign == fl.sign { l = m; fl = fm } else { r = m; fr = fm }
                }
                // A zero makes |f| shrink as the bracket closes; a pole (1/x, tan) or a jump makes
                // it grow or stay: those sign changes are not roots.
                let closing = min(abs(fl), abs(fr))
                if !exact && !(closing < min(abs(ys[i]), abs(ys[i + 1]))) { continue }
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
        return try adapt(g, lo, hi, mapped: a.isInfinite || b.isInfinite)
    }

    /// One piece of the interval with its Gauss–Kronrod estimate.
    private struct Piece {
        var a: Double, b: Double, value: Double, error: Double
        var splittable = true
    }

    /// Global adaptive quadrature: the piece with the largest error estimate is halved until the
    /// summed error estimate is within `tolerance` of the result (or float64's resolution of
    /// the values), or an error says that it cannot be.
    private mutating func adapt(_ g: (Double) throws -> Double, _ lo: Double, _ hi: Double,
                                mapped: Bool) throws -> Double {
        let (v0, e0) = try segment(g, lo, hi)
        var pieces = [Piece(a: lo, b: hi, value: v0, error: e0)]
        while true {
            if Interrupt.isPending { throw Diagnostic(.interrupted, "interrupted", at: range) }
            var total = 0.0, error = 0.0, magnitude = 0.0
            for p in pieces {
                total += p.value
                error += p.error
                magnitude += abs(p.value)
            }
            guard total.isFinite, error.isFinite else {
                throw Diagnostic(.domain, "integrate: f is infinite or nan on the interval (the integral "
                    + "diverges or f is undefined there)", at: range)
            }
            if error <= max(tolerance * abs(total), 50 * Double.ulpOfOne * magnitude) { return total }
            var worst = -1
            for (k, p) in pieces.enumerated() where p.splittable && (worst < 0 || p.error > pieces[worst].error) {
                worst = k
            }
            guard worst >= 0, pieces.count < Integrator.maxPieces else {
                let k = pieces.indices.max { pieces[$0].error < pieces[$1].error }!
                var x = (pieces[k].a + pieces[k].b) / 2
                if mapped { x = x / (1 - x * x) }
                throw Diagnostic(.domain, "integrate: no convergence to tol \(formatNumber(tolerance)): the "
                    + "estimate \(formatNumber(total)) is uncertain by \(formatNumber(error)), most of it "
                    + "near x = \(String(format: "%.6g", x)) (the integral may diverge there, or f is too rough)",
                    at: range)
            }
            let p = pieces[worst]
            let m = p.a + (p.b - p.a) / 2
            if !(p.a < m && m < p.b) || p.b - p.a <= 1e-14 * max(abs(p.a), abs(p.b), 1e-290) {
                pieces[worst].splittable = false
                continue
            }
            let (lv, le) = try segment(g, p.a, m), (rv, re) = try segment(g, m, p.b)
            pieces[worst] = Piece(a: p.a, b: m, value: lv, error: le)
            pieces.append(Piece(a: m, b: p.b, value: rv, error: re))
        }
    }

    /// The most pieces an integral is cut into.
    static let maxPieces = 5_000

    /// The 15-point Kronrod estimate on [a, b] and its difference from the 7-point Gauss one.
    private mutating func segment(_ g: (Double) throws -> Double, _ a: Double, _ b: Double) throws -> (Double, Double) {
        let c = (a + b) / 2, h = (b - a) / 2
        var k = 0.0, gs = 0.0
        for (i, x) in Integrator.nodes.enumerated() {
            let fx = i == 7 ? try g(c) : try g(c - h * x) + g(c + h * x)
            k += Integrator.kronrod[i] * fx
            if i % 2 == 1 { gs += Integrator.gauss[i / 2] * fx }
        }
        evaluations += 15
        return (k * h, abs((k - gs) * h))
    }
}
