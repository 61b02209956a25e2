import Foundation
import SnipSystem
import SnipTensor

extension Interpreter {
    func unary(_ op: UnaryOp, _ v: Value, _ r: SourceRange) throws -> Value {
        switch (op, v) {
        case (.negate, .number(let x)): return .number(-x)
        case (.plus, .number(let x)): return .number(x)
        case (.negate, .array(var a)):
            a.isMask = false
            for i in a.data.indices { a.data[i] = -a.data[i] }
            return .array(a)
        case (.plus, .array(var a)):
            a.isMask = false
            return .array(a)
        case (.not, .bool(let b)): return .bool(!b)
        case (.not, .array(var a)) where a.isMask:
            for i in a.data.indices { a.data[i] = a.data[i] == 0 ? 1 : 0 }
            return .array(a)
        default:
            throw Diagnostic(.type, "'\(op)' does not apply to a \(v.typeName)", at: r)
        }
    }

    func binary(_ op: BinaryOp, _ a: Value, _ b: Value, _ r: SourceRange) throws -> Value {
        switch (a, b) {
        case (.number(let x), .number(let y)):
            if let f = op.arithmetic { return .number(f(x, y)) }
            if let c = op.comparison { return .bool(c(x, y)) }
            if op == .matrixProduct { return .number(x * y) }
        case (.array, .number), (.number, .array), (.array, .array):
            if op == .matrixProduct { return try matmul(a, b, r) }
            if let f = op.arithmetic { return .array(try broadcast(a, b, r, f)) }
            if let c = op.comparison {
                var mask = try broadcast(a, b, r) { c($0, $1) ? 1 : 0 }
                mask.isMask = true
                return .array(mask)
            }
        case (.string(let x), .string(let y)):
            switch op {
            case .add:
                guard x.utf8.count + y.utf8.count <= NDArray.maxElements else {
                    throw Diagnostic(.limit, "string too long (the limit is \(NDArray.maxElements) bytes)", at: r)
                }
                return .string(x + y)
            case .equal: return .bool(x == y)
            case .notEqual: return .bool(x != y)
            case .less: return .bool(x < y)
            case .lessOrEqual: return .bool(x <= y)
            case .greater: return .bool(x > y)
            case .greaterOrEqual: return .bool(x >= y)
            default: break
            }
        case (.list(let x), .list(let y)) where op == .add:
            return try Value.checkedList(x + y, at: r)
        default:
            break
        }
        if op == .equal { return .bool(valuesEqual(a, b)) }
        if op == .notEqual { return .bool(!valuesEqual(a, b)) }
        throw Diagnostic(.type, "'\(op)' does not apply to a \(a.typeName) and a \(b.typeName)", at: r)
    }


    /// Combines two numbers or arrays element by element, broadcasting as numpy does for rank ≤ 2.
    func broadcast(_ a: Value, _ b: Value, _ r: SourceRange, _ f: (Double, Double) -> Double) throws -> NDArray {
        func parts(_ v: Value) -> NDArray {
            if case .array(let x) = v { return x }
            if case .number(let x) = v { return NDArray(shape: [], data: [x]) }
            return NDArray(shape: [], data: [0])
        }
        let x = parts(a), y = parts(b)
        if x.shape == y.shape {
            var out = x
            out.isMask = false
            for i in out.data.indices { out.data[i] = f(x.data[i], y.data[i]) }
            return out
        }
        if x.shape.isEmpty { return NDArray(shape: y.shape, data: y.data.map { f(x.data[0], $0) }) }
        if y.shape.isEmpty { return NDArray(shape: x.shape, data: x.data.map { f($0, y.data[0]) }) }
        let shape: [Int]
        do {
            shape = try ShapeCheck.broadcast(x.shape, y.shape)
        } catch {
            throw Diagnostic(.shape, "shapes \(describe(x.shape)) and \(describe(y.shape)) do not match", at: r)
        }
        try NDArray.checkSize(shape, at: r)
        let (rows, cols) = shape.count == 2 ? (shape[0], shape[1]) : (1, shape[0])
        func at(_ m: NDArray, _ i: Int, _ j: Int) -> Double {
            let (mr, mc) = m.shape.count == 2 ? (m.shape[0], m.shape[1]) : (1, m.shape[0])
            return m.data[(mr == 1 ? 0 : i) * mc + (mc == 1 ? 0 : j)]
        }
        var data = [Double](repeating: 0, count: rows * cols)
        for i in 0..<rows {
            for j in 0..<cols { data[i * cols + j] = f(at(x, i, j), at(y, i, j)) }
        }
        return NDArray(shape: shape, data: data)
    }

    /// `a @ b`: the matrix product (vector @ vector is the dot product). Computed in float64 (BLAS's
    /// dgemm for all but small products); shapes are validated by the tensor library's
    /// `ShapeCheck.matmul`.
    func matmul(_ a: Value, _ b: Value, _ r: SourceRange) throws -> Value {
        guard case .array(let x) = a, case .array(let y) = b else {
            throw Diagnostic(.type, "'@' needs two vectors or matrices, not a \(a.typeName) and a \(b.typeName)", at: r)
        }
        let xs = x.isVector ? [1, x.count] : x.shape
        let ys = y.isVector ? [y.count, 1] : y.shape
        let shape: [Int]
        do {
            shape = try ShapeCheck.matmul(xs, ys)
        } catch {
            throw Diagnostic(.shape, "'@': shapes \(describe(x.shape)) and \(describe(y.shape)) do not fit "
                + "(inner sizes differ)", at: r)
        }
        let (m, k, n) = (shape[0], xs[1], shape[1])
        try NDArray.checkSize(shape, at: r)
        if Interrupt.isPending { throw Diagnostic(.interrupted, "interrupted", at: r) }
        let out = LinearAlgebra.product(x.data, y.data, m: m, k: k, n: n)
        if x.isVector && y.isVector { return .number(out[0]) }
        if x.isVector || y.isVector { return .array(NDArray(vector: out)) }
        return .array(NDArray(shape: [m, n], data: out))
    }

    func valuesEqual(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.nothing, .nothing): return true
        case (.function(.expression(let x)), .function(.expression(let y))): return x.expression == y.expression
        case (.object(let x), .object(let y)): return x === y
        case (.array(let x), .array(let y)): return x == y
        case (.list(let x), .list(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { valuesEqual($0, $1) }
        default: return false
        }
    }
}

/// `[3]` or `[2×3]`.
func describe(_ shape: [Int]) -> String {
    shape.isEmpty ? "scalar" : "[" + shape.map(String.init).joined(separator: "×") + "]"
}

extension BinaryOp {
    /// The operator on two numbers, for the arithmetic ones (nil for the others).
    var arithmetic: (@Sendable (Double, Double) -> Double)? {
        switch self {
        case .add: return { $0 + $1 }
        case .subtract: return { $0 - $1 }
        case .multiply: return { $0 * $1 }
        case .divide: return { $0 / $1 }
        case .power: return { pow($0, $1) }
        // The remainder takes the sign of the divisor, as in Python: -1 % 3 == 2.
        case .remainder: return { x, y in y == 0 ? .nan : x - y * (x / y).rounded(.down) }
        default: return nil
        }
    }

    /// The comparison of two numbers, for the comparison operators (nil for the others).
    var comparison: (@Sendable (Double, Double) -> Bool)? {
        switch self {
        case .equal: return { $0 == $1 }
        case .notEqual: return { $0 != $1 }
        case .less: return { $0 < $1 }
        case .lessOrEqual: return { $0 <= $1 }
        case .greater: return { $0 > $1 }
        case .greaterOrEqual: return { $0 >= $1 }
        default: return nil
        }
    }
}
