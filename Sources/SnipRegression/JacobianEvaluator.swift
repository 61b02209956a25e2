import Foundation
import SnipMath

/// A formula's values and their derivatives with respect to its parameters (its numeric
/// constants, ``Formula/parameters``), by forward-mode differentiation, a block of points at a
/// time.
///
/// Every stack level holds a block of values and one block of tangents per parameter; a bit mask
/// per level says which parameters the subtree depends on, so a tangent that is known to be zero
/// is neither computed nor read. Formulas may have at most 64 parameters.
///
/// Not thread-safe: give each thread its own.
public final class JacobianEvaluator: @unchecked Sendable {
    /// The number of points evaluated together.
    public static let blockSize = 64
    /// The most parameters a formula may have.
    public static let maxParameters = 64

    private var buffers: UnsafeMutablePointer<Double>
    private var capacity: Int
    private var masks: [UInt64] = []

    /// An evaluator (its buffers grow with the formulas it meets).
    public init() {
        capacity = 16 * 8 * Self.blockSize
        buffers = .allocate(capacity: capacity)
    }

    deinit { buffers.deallocate() }

    /// Writes the values (`points.count`) and the Jacobian (`parameterCount` rows of
    /// `points.count` values: row j holds ∂f/∂θ_j) into the given buffers; returns whether every
    /// value and derivative is finite.
    @discardableResult
    public func evaluate(
        _ formula: Formula, on points: PointColumns, values: UnsafeMutablePointer<Double>,
        jacobian: UnsafeMutablePointer<Double>
    ) -> Bool {
        precondition(formula.inputDimension <= points.dimension, "variable beyond the columns")
        let p = formula.parameterCount
        precondition(p <= Self.maxParameters, "more than \(Self.maxParameters) parameters")
        let stride = (1 + p) * Self.blockSize
        let needed = FormulaEvaluator.stackSize(formula.nodes) * stride
        if needed > capacity {
            buffers.deallocate()
            capacity = Swift.max(needed, capacity * 2)
            buffers = .allocate(capacity: capacity)
        }
        let n = points.count
        var finite = true
        points.values.withUnsafeBufferPointer { x in
            var start = 0
            while start < n {
                let m = Swift.min(Self.blockSize, n - start)
                let mask = evaluateBlock(formula.nodes, p, x.baseAddress, n, start, m)
                let v = buffers
                var bad = 0
                for k in 0..<m {
                    values[start + k] = v[k]
                    bad |= v[k].isFinite ? 0 : 1
                }
                for j in 0..<p {
                    let row = jacobian + j * n + start
                    if mask & (1 << UInt64(j)) != 0 {
                        let t = buffers + (1 + j) * Self.blockSize
                        for k in 0..<m {
                            row[k] = t[k]
                            bad |= t[k].isFinite ? 0 : 1
                        }
                    } else {
                        row.update(repeating: 0, count: m)
                    }
                }
                if bad != 0 { finite = false }
                start += m
            }
        }
        return finite
    }

    private func evaluateBlock(
        _ nodes: [Formula.Node], _ p: Int, _ x: UnsafePointer<Double>?, _ n: Int,
        _ start: Int, _ m: Int
    ) -> UInt64 {
        let stride = (1 + p) * Self.blockSize
        let B = Self.blockSize
        masks.removeAll(keepingCapacity: true)
        var parameter = p
        var i = nodes.count
        while i > 0 {
            i -= 1
            let level = masks.count
            let base = buffers + level * stride
            switch nodes[i] {
            case .variable(let v):
                base.update(from: x! + v * n + start, count: m)
                masks.append(0)
            case .constant(let c):
                parameter -= 1
                base.update(repeating: c, count: m)
                (base + (1 + parameter) * B).update(repeating: 1, count: m)
                masks.append(1 << UInt64(parameter))
            case .named(let c):
                base.update(repeating: c.value, count: m)
                masks.append(0)
            case .unary(let op):
                let l = level - 1
                let v = buffers + l * stride
                var mask = masks[l]
                while mask != 0 {
                    let j = mask.trailingZeroBitCount
                    mask &= mask - 1
                    Self.chain(op, v, v + (1 + j) * B, m)
                }
                for k in 0..<m { v[k] = FormulaEvaluator.apply(op, v[k]) }
            case .binary(let op):
                // left operand on top (level - 1), right one below it (level - 2)
                let l = level - 2
                let b = buffers + l * stride
                let a = buffers + (l + 1) * stride
                let maskA = masks.removeLast()
                let maskB = masks[l]
                var mask = maskA | maskB
                masks[l] = mask
                while mask != 0 {
                    let j = mask.trailingZeroBitCount
                    mask &= mask - 1
                    let bit: UInt64 = 1 << UInt64(j)
                    let ta: UnsafeMutablePointer<Double>? =
                        maskA & bit != 0 ? a + (1 + j) * B : nil
                    let tb: UnsafeMutablePointer<Double>? =
                        maskB & bit != 0 ? b + (1 + j) * B : nil
                    Self.tangent(op, a, ta, b, tb, into: b + (1 + j) * B, m)
                }
                for k in 0..<m { b[k] = FormulaEvaluator.apply(op, a[k], b[k]) }
            }
        }
        return masks[0]
    }

    /// Multiplies the tangent `t` by `op`'s derivative at `v` (the argument's values).
    private static func chain(
        _ op: UnaryOperator, _ v: UnsafePointer<Double>, _ t: UnsafeMutablePointer<Double>,
        _ m: Int
    ) {
        switch op {
        case .abs: for k in 0..<m { t[k] *= v[k] < 0 ? -1 : 1 }
        case .inv: for k in 0..<m { t[k] *= -1 / (v[k] * v[k]) }
        case .sqrt: for k in 0..<m { t[k] *= 0.5 / v[k].squareRoot() }
        case .log: for k in 0..<m { t[k] /= v[k] }
        case .exp: for k in 0..<m { t[k] *= Foundation.exp(v[k]) }
        case .sin: for k in 0..<m { t[k] *= Foundation.cos(v[k]) }
        case .arcsin: for k in 0..<m { t[k] /= (1 - v[k] * v[k]).squareRoot() }
        case .cos: for k in 0..<m { t[k] *= -Foundation.sin(v[k]) }
        case .arccos: for k in 0..<m { t[k] /= -(1 - v[k] * v[k]).squareRoot() }
        case .tan:
            for k in 0..<m {
                let c = Foundation.cos(v[k])
                t[k] /= c * c
            }
        case .arctan: for k in 0..<m { t[k] /= 1 + v[k] * v[k] }
        case .pow2: for k in 0..<m { t[k] *= 2 * v[k] }
        case .pow3: for k in 0..<m { t[k] *= 3 * v[k] * v[k] }
        }
    }

    /// The tangent of `op(a, b)` from the operands' values and tangents (`nil`: zero), into
    /// `r` (which may be `tb`).
    private static func tangent(
        _ op: BinaryOperator, _ a: UnsafePointer<Double>, _ ta: UnsafePointer<Double>?,
        _ b: UnsafePointer<Double>, _ tb: UnsafePointer<Double>?,
        into r: UnsafeMutablePointer<Double>, _ m: Int
    ) {
        switch (op, ta, tb) {
        case (.add, let ta?, let tb?): for k in 0..<m { r[k] = ta[k] + tb[k] }
        case (.add, let ta?, nil): for k in 0..<m { r[k] = ta[k] }
        case (.add, nil, _): break  // r is tb
        case (.sub, let ta?, let tb?): for k in 0..<m { r[k] = ta[k] - tb[k] }
        case (.sub, let ta?, nil): for k in 0..<m { r[k] = ta[k] }
        case (.sub, nil, let tb?): for k in 0..<m { r[k] = -tb[k] }
        case (.mul, let ta?, let tb?): for k in 0..<m { r[k] = ta[k] * b[k] + a[k] * tb[k] }
        case (.mul, let ta?, nil): for k in 0..<m { r[k] = ta[k] * b[k] }
        case (.mul, nil, let tb?): for k in 0..<m { r[k] = a[k] * tb[k] }
        case (.div, let ta?, let tb?):
            for k in 0..<m { r[k] = (ta[k] - a[k] / b[k] * tb[k]) / b[k] }
        case (.div, let ta?, nil): for k in 0..<m { r[k] = ta[k] / b[k] }
        case (.div, nil, let tb?): for k in 0..<m { r[k] = -a[k] / (b[k] * b[k]) * tb[k] }
        case (.pow, let ta, let tb):
            for k in 0..<m {
                let power = Foundation.pow(a[k], b[k])
                var d = 0.0
                if let ta { d += b[k] * Foundation.pow(a[k], b[k] - 1) * ta[k] }
                if let tb { d += power * Foundation.log(a[k]) * tb[k] }
                r[k] = d
            }
        case (_, nil, nil): break
        }
    }
}
