import Foundation
import SnipMath

/// The search's evaluator: a formula's values on many points, a block of points at a time.
///
/// The prefix nodes are walked in reverse with a stack; every stack level owns a buffer of
/// ``blockSize`` values that stays in the first-level cache, a variable is read in place from
/// its column, and a constant stays a scalar until it meets a column (so constant subtrees cost
/// one operation per block). Operators follow IEEE arithmetic (`log(-1)` is NaN, `1/0` is
/// infinite); callers reject non-finite results. This is not the reference's evaluator (SnipMath
/// replays numpy's NaN rules and flags); it needs no allocation per formula, which is what the
/// search does millions of times.
///
/// Not thread-safe: give each thread its own.
public final class FormulaEvaluator: @unchecked Sendable {
    /// The number of points evaluated together.
    public static let blockSize = 128

    /// Stack level `l` owns `buffers[l * blockSize ..< (l + 1) * blockSize]`.
    private var buffers: UnsafeMutablePointer<Double>
    private var levels: Int
    private var stack: [Operand]

    /// A value on the stack: a block of values or one scalar for every point.
    private struct Operand {
        var values: UnsafePointer<Double>?
        var scalar: Double
    }

    /// An evaluator (its buffers grow with the deepest formula it meets).
    public init() {
        levels = 16
        buffers = .allocate(capacity: levels * Self.blockSize)
        stack = []
        stack.reserveCapacity(64)
    }

    deinit { buffers.deallocate() }

    /// The largest stack a reverse-prefix walk of `formula` needs.
    static func stackSize(_ nodes: [Formula.Node]) -> Int {
        var size = 0
        var deepest = 0
        for node in nodes.reversed() {
            size += 1 - node.arity
            deepest = Swift.max(deepest, size)
        }
        return deepest
    }

    private func reserve(levels needed: Int) {
        guard needed > levels else { return }
        buffers.deallocate()
        levels = Swift.max(needed, levels * 2)
        buffers = .allocate(capacity: levels * Self.blockSize)
    }

    /// Writes the formula's values at every point into `output` (`points.count` values);
    /// returns whether all of them are finite.
    @discardableResult
    public func evaluate(
        _ formula: Formula, on points: PointColumns, into output: UnsafeMutablePointer<Double>
    ) -> Bool {
        precondition(formula.inputDimension <= points.dimension, "variable beyond the columns")
        reserve(levels: Self.stackSize(formula.nodes))
        let n = points.count
        var finite = true
        points.values.withUnsafeBufferPointer { x in
            formula.nodes.withUnsafeBufferPointer { nodes in
                var start = 0
                while start < n {
                    let m = Swift.min(Self.blockSize, n - start)
                    let root = evaluateBlock(nodes, x.baseAddress, n, start, m)
                    let out = output + start
                    var bad = 0
                    if let v = root.values {
                        for k in 0..<m {
                            out[k] = v[k]
                            bad |= v[k].isFinite ? 0 : 1
                        }
                    } else {
                        out.update(repeating: root.scalar, count: m)
                        bad = root.scalar.isFinite ? 0 : 1
                    }
                    if bad != 0 { finite = false }
                    start += m
                }
            }
        }
        return finite
    }

    /// The formula's values at every point.
    public func evaluate(_ formula: Formula, on points: PointColumns) -> [Double] {
        [Double](unsafeUninitializedCapacity: points.count) { buffer, count in
            if let base = buffer.baseAddress { evaluate(formula, on: points, into: base) }
            count = points.count
        }
    }

    private func evaluateBlock(
        _ nodes: UnsafeBufferPointer<Formula.Node>, _ x: UnsafePointer<Double>?, _ n: Int,
        _ start: Int, _ m: Int
    ) -> Operand {
        stack.removeAll(keepingCapacity: true)
        var i = nodes.count
        while i > 0 {
            i -= 1
            switch nodes[i] {
            case .variable(let v):
                stack.append(Operand(values: x! + v * n + start, scalar: 0))
            case .constant(let c):
                stack.append(Operand(values: nil, scalar: c))
            case .named(let c):
                stack.append(Operand(values: nil, scalar: c.value))
            case .unary(let op):
                let level = stack.count - 1
                let a = stack[level]
                if let values = a.values {
                    let r = buffers + level * Self.blockSize
                    Self.apply(op, values, r, m)
                    stack[level] = Operand(values: r, scalar: 0)
                } else {
                    stack[level] = Operand(values: nil, scalar: Self.apply(op, a.scalar))
                }
            case .binary(let op):
                let left = stack.removeLast()
                let level = stack.count - 1
                let right = stack[level]
                let r = buffers + level * Self.blockSize
                switch (left.values, right.values) {
                case (nil, nil):
                    stack[level] = Operand(
                        values: nil, scalar: Self.apply(op, left.scalar, right.scalar))
                    continue
                case (let a?, nil): Self.apply(op, a, right.scalar, r, m)
                case (nil, let b?): Self.apply(op, left.scalar, b, r, m)
                case (let a?, let b?): Self.apply(op, a, b, r, m)
                }
                stack[level] = Operand(values: r, scalar: 0)
            }
        }
        return stack[0]
    }

    // MARK: elementwise operations

    /// `op` on one value.
    @inline(__always)
    static func apply(_ op: UnaryOperator, _ x: Double) -> Double {
        switch op {
        case .abs: return Swift.abs(x)
        case .inv: return 1 / x
        case .sqrt: return x.squareRoot()
        case .log: return Foundation.log(x)
        case .exp: return Foundation.exp(x)
        case .sin: return Foundation.sin(x)
        case .arcsin: return Foundation.asin(x)
        case .cos: return Foundation.cos(x)
        case .arccos: return Foundation.acos(x)
        case .tan: return Foundation.tan(x)
        case .arctan: return Foundation.atan(x)
        case .pow2: return x * x
        case .pow3: return x * x * x
        }
    }

    /// `op` on two values.
    @inline(__always)
    static func apply(_ op: BinaryOperator, _ a: Double, _ b: Double) -> Double {
        switch op {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        case .pow: return Foundation.pow(a, b)
        }
    }

    @inline(__always)
    private static func loop(
        _ x: UnsafePointer<Double>, _ r: UnsafeMutablePointer<Double>, _ m: Int,
        _ f: (Double) -> Double
    ) {
        for k in 0..<m { r[k] = f(x[k]) }
    }

    private static func apply(
        _ op: UnaryOperator, _ x: UnsafePointer<Double>, _ r: UnsafeMutablePointer<Double>,
        _ m: Int
    ) {
        switch op {
        case .abs: loop(x, r, m) { Swift.abs($0) }
        case .inv: loop(x, r, m) { 1 / $0 }
        case .sqrt: loop(x, r, m) { $0.squareRoot() }
        case .log: loop(x, r, m) { Foundation.log($0) }
        case .exp: loop(x, r, m) { Foundation.exp($0) }
        case .sin: loop(x, r, m) { Foundation.sin($0) }
        case .arcsin: loop(x, r, m) { Foundation.asin($0) }
        case .cos: loop(x, r, m) { Foundation.cos($0) }
        case .arccos: loop(x, r, m) { Foundation.acos($0) }
        case .tan: loop(x, r, m) { Foundation.tan($0) }
        case .arctan: loop(x, r, m) { Foundation.atan($0) }
        case .pow2: loop(x, r, m) { $0 * $0 }
        case .pow3: loop(x, r, m) { $0 * $0 * $0 }
        }
    }

    private static func apply(
        _ op: BinaryOperator, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
        _ r: UnsafeMutablePointer<Double>, _ m: Int
    ) {
        switch op {
        case .add: for k in 0..<m { r[k] = a[k] + b[k] }
        case .sub: for k in 0..<m { r[k] = a[k] - b[k] }
        case .mul: for k in 0..<m { r[k] = a[k] * b[k] }
        case .div: for k in 0..<m { r[k] = a[k] / b[k] }
        case .pow: for k in 0..<m { r[k] = Foundation.pow(a[k], b[k]) }
        }
    }

    private static func apply(
        _ op: BinaryOperator, _ a: UnsafePointer<Double>, _ s: Double,
        _ r: UnsafeMutablePointer<Double>, _ m: Int
    ) {
        switch op {
        case .add: for k in 0..<m { r[k] = a[k] + s }
        case .sub: for k in 0..<m { r[k] = a[k] - s }
        case .mul: for k in 0..<m { r[k] = a[k] * s }
        case .div: for k in 0..<m { r[k] = a[k] / s }
        case .pow: for k in 0..<m { r[k] = Foundation.pow(a[k], s) }
        }
    }

    private static func apply(
        _ op: BinaryOperator, _ s: Double, _ b: UnsafePointer<Double>,
        _ r: UnsafeMutablePointer<Double>, _ m: Int
    ) {
        switch op {
        case .add: for k in 0..<m { r[k] = s + b[k] }
        case .sub: for k in 0..<m { r[k] = s - b[k] }
        case .mul: for k in 0..<m { r[k] = s * b[k] }
        case .div: for k in 0..<m { r[k] = s / b[k] }
        case .pow: for k in 0..<m { r[k] = Foundation.pow(s, b[k]) }
        }
    }
}
