/// Validating entry points: each returns the result shape of an op or throws a `ShapeError` that
/// names the shapes involved. The ops call the same functions and trap on failure; callers that
/// take shapes from users call these first.
public enum ShapeCheck {
    /// The NumPy broadcast of two shapes.
    public static func broadcast(_ a: [Int], _ b: [Int]) throws(ShapeError) -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                result[i] = da
            } else if da == 1 {
                result[i] = db
            } else {
                throw ShapeError(
                    "shapes \(describe(a)) and \(describe(b)) cannot be broadcast together")
            }
        }
        return result
    }

    /// Whether `shape` broadcasts to `target` (without changing `target`).
    public static func expand(_ shape: [Int], to target: [Int]) throws(ShapeError) -> [Int] {
        let result = try broadcast(shape, target)
        guard result == target else {
            throw ShapeError("shape \(describe(shape)) cannot be expanded to \(describe(target))")
        }
        return target
    }

    /// A normalised axis (negative counts from the end).
    public static func axis(_ axis: Int, rank: Int) throws(ShapeError) -> Int {
        let normalised = axis < 0 ? axis + rank : axis
        guard normalised >= 0, normalised < max(rank, 1) else {
            throw ShapeError("axis \(axis) is out of range for a tensor of rank \(rank)")
        }
        return normalised
    }

    /// The shape of a reshape; one dimension may be -1 (inferred).
    public static func reshape(_ shape: [Int], to target: [Int]) throws(ShapeError) -> [Int] {
        let count = shape.reduce(1, *)
        var result = target
        let inferred = target.indices.filter { target[$0] == -1 }
        guard inferred.count <= 1, target.allSatisfy({ $0 >= 0 || $0 == -1 }) else {
            throw ShapeError("invalid target shape \(describe(target))")
        }
        if let i = inferred.first {
            let known = target.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            guard known > 0, count % known == 0 else {
                throw ShapeError("cannot reshape \(describe(shape)) to \(describe(target))")
            }
            result[i] = count / known
        }
        guard result.reduce(1, *) == count else {
            throw ShapeError(
                "cannot reshape \(describe(shape)) (\(count) elements) to \(describe(target))")
        }
        return result
    }

    /// The shape of a permutation of the axes.
    public static func permute(_ shape: [Int], _ order: [Int]) throws(ShapeError) -> [Int] {
        guard order.count == shape.count, Set(order) == Set(0..<shape.count) else {
            throw ShapeError(
                "\(describe(order)) is not a permutation of the axes of \(describe(shape))")
        }
        return order.map { shape[$0] }
    }

    /// The shape of a concatenation along `axis`.
    public static func concatenate(_ shapes: [[Int]], axis: Int) throws(ShapeError) -> [Int] {
        guard let first = shapes.first else { throw ShapeError("nothing to concatenate") }
        let a = try self.axis(axis, rank: first.count)
        var total = 0
        for shape in shapes {
            guard shape.count == first.count,
                shape.indices.allSatisfy({ $0 == a || shape[$0] == first[$0] })
            else {
                throw ShapeError(
                    "cannot concatenate \(describe(first)) and \(describe(shape)) along axis \(a)")
            }
            total += shape[a]
        }
        var result = first
        result[a] = total
        return result
    }

    /// The shape of a stack along a new `axis`.
    public static func stack(_ shapes: [[Int]], axis: Int) throws(ShapeError) -> [Int] {
        guard let first = shapes.first else { throw ShapeError("nothing to stack") }
        guard shapes.allSatisfy({ $0 == first }) else {
            let other = shapes.first { $0 != first }!
            throw ShapeError("cannot stack \(describe(first)) and \(describe(other))")
        }
        let a = try self.axis(axis, rank: first.count + 1)
        var result = first
        result.insert(shapes.count, at: a)
        return result
    }

    /// The shape of `range` taken along `axis`.
    public static func slice(_ shape: [Int], axis: Int, range: Range<Int>) throws(ShapeError)
        -> [Int]
    {
        let a = try self.axis(axis, rank: shape.count)
        guard range.lowerBound >= 0, range.upperBound <= shape[a] else {
            throw ShapeError(
                "range \(range.lowerBound)..<\(range.upperBound) is out of bounds for axis \(a) "
                    + "of \(describe(shape))")
        }
        var result = shape
        result[a] = range.count
        return result
    }

    /// The shape of a matrix product of the last two axes (batch axes broadcast, or `b` 2-D).
    public static func matmul(
        _ a: [Int], _ b: [Int], transposeA: Bool = false, transposeB: Bool = false
    ) throws(ShapeError) -> [Int] {
        guard a.count >= 2, b.count >= 2 else {
            throw ShapeError(
                "matmul needs operands of rank 2 or more, got \(describe(a)) and \(describe(b))")
        }
        let (m, k) = transposeA ? (a[a.count - 1], a[a.count - 2]) : (a[a.count - 2], a[a.count - 1])
        let (kb, n) = transposeB ? (b[b.count - 1], b[b.count - 2]) : (b[b.count - 2], b[b.count - 1])
        guard k == kb else {
            throw ShapeError(
                "matmul: inner dimensions differ: \(describe(a))\(transposeA ? "ᵀ" : "") × "
                    + "\(describe(b))\(transposeB ? "ᵀ" : "")")
        }
        let batchA = Array(a.dropLast(2))
        let batchB = Array(b.dropLast(2))
        guard batchB.isEmpty || batchA == batchB else {
            throw ShapeError(
                "matmul: batch dimensions differ: \(describe(a)) × \(describe(b))")
        }
        return batchA + [m, n]
    }

    /// The shape of `linear(x, weight [out, in], bias [out])`.
    public static func linear(_ x: [Int], weight: [Int], bias: [Int]?) throws(ShapeError) -> [Int]
    {
        guard weight.count == 2, let last = x.last, last == weight[1] else {
            throw ShapeError(
                "linear: input \(describe(x)) does not fit weight \(describe(weight)) [out, in]")
        }
        if let bias, bias != [weight[0]] {
            throw ShapeError("linear: bias \(describe(bias)) does not fit weight \(describe(weight))")
        }
        return x.dropLast() + [weight[0]]
    }
}

/// Runs a shape check and traps with its message: shape errors inside library code are bugs.
@inline(__always)
func checked<T>(_ body: () throws(ShapeError) -> T) -> T {
    do { return try body() } catch { preconditionFailure(error.message) }
}
