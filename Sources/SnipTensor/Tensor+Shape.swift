import Foundation

// Shape ops: reshape (shares storage), permute/transpose, expand, concatenate, stack, slice
// (all materialised: tensors are always contiguous).

extension Tensor {
    /// The same elements under another shape (no copy); one axis may be -1.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let target = checked { () throws(ShapeError) in try ShapeCheck.reshape(shape, to: newShape) }
        let original = shape
        return Tensor(shape: target, storage: storage).recording([self]) { g in [g.reshaped(original)] }
    }

    /// The axes reordered: result axis i is input axis `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        let newShape = checked { () throws(ShapeError) in try ShapeCheck.permute(shape, order) }
        if order == Array(0..<rank) { return self }
        let result = Tensor.uninitialized(newShape)
        // Input strides, visited in output order.
        var inputStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inputStrides[i] = inputStrides[i + 1] * shape[i + 1] }
        let strides = order.map { inputStrides[$0] }
        let src = UnsafeSendable(storage.pointer)
        let dst = UnsafeSendable(result.storage.pointer)
        let inner = newShape[rank - 1]
        let innerStride = strides[rank - 1]
        let outerShape = Array(newShape.dropLast())
        let runs = outerShape.reduce(1, *)
        parallelChunks(runs, cost: inner) { range in
            for run in range {
                var rest = run
                var offset = 0
                for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
                    offset += (rest % outerShape[axis]) * strides[axis]
                    rest /= outerShape[axis]
                }
                let out = dst.value + run * inner
                let input = src.value + offset
                if innerStride == 1 {
                    out.update(from: input, count: inner)
                } else {
                    for i in 0..<inner { out[i] = input[i * innerStride] }
                }
            }
        }
        let inverse = order.indices.sorted { order[$0] < order[$1] }
        return result.recording([self]) { g in [g.permuted(inverse)] }
    }

    /// Swaps two axes (materialised).
    public func transposed(_ axis0: Int = -2, _ axis1: Int = -1) -> Tensor {
        let a = checked { () throws(ShapeError) in try ShapeCheck.axis(axis0, rank: rank) }
        let b = checked { () throws(ShapeError) in try ShapeCheck.axis(axis1, rank: rank) }
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return permuted(order)
    }

    /// The tensor repeated along broadcast axes to `target` (materialised).
    public func expanded(to target: [Int]) -> Tensor {
        checked { () throws(ShapeError) in _ = try ShapeCheck.expand(shape, to: target) }
        if shape == target { return self }
        let original = shape
        let plan = checked { () throws(ShapeError) in try BroadcastPlan(shape, target) }
        let full = Tensor.uninitialized(target)
        let (src, dst) = (UnsafeSendable(storage.pointer), UnsafeSendable(full.storage.pointer))
        parallelChunks(plan.runCount, cost: plan.sizes.last!) { runs in
            plan.forEachRun(in: runs) { offset, _, outOffset, n, step, _ in
                let out = dst.value + outOffset
                let input = src.value + offset
                if step == 0 {
                    out.initialize(repeating: input[0], count: n)
                } else {
                    for i in 0..<n { out[i] = input[i * step] }
                }
            }
        }
        return full.recording([self]) { g in [Tensor.unbroadcast(g, to: original)] }
    }

    /// Tensors joined along an existing axis.
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        let shape = checked { () throws(ShapeError) in
            try ShapeCheck.concatenate(tensors.map(\.shape), axis: axis)
        }
        let a = axis < 0 ? axis + shape.count : axis
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        let result = Tensor.uninitialized(shape)
        let rowWidth = shape[a] * inner
        var column = 0
        for t in tensors {
            let width = t.shape[a] * inner
            for o in 0..<outer {
                (result.storage.pointer + o * rowWidth + column).update(
                    from: t.storage.pointer + o * width, count: width)
            }
            column += width
        }
        var bounds: [Range<Int>] = []
        var start = 0
        for t in tensors {
            bounds.append(start..<start + t.shape[a])
            start += t.shape[a]
        }
        return result.recording(tensors) { g in
            zip(tensors, bounds).map { t, range in t.node == nil ? nil : g.sliced(axis: a, range) }
        }
    }

    /// Tensors of one shape joined along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        let shape = checked { () throws(ShapeError) in try ShapeCheck.stack(tensors.map(\.shape), axis: axis) }
        let a = axis < 0 ? axis + shape.count : axis
        var single = tensors[0].shape
        single.insert(1, at: a)
        return concatenate(tensors.map { $0.reshaped(single) }, axis: a)
    }

    /// The elements whose index along `axis` lies in `range` (materialised).
    public func sliced(axis: Int, _ range: Range<Int>) -> Tensor {
        let newShape = checked { () throws(ShapeError) in try ShapeCheck.slice(shape, axis: axis, range: range) }
        let a = axis < 0 ? axis + rank : axis
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        let result = Tensor.uninitialized(newShape)
        let width = range.count * inner
        for o in 0..<outer {
            (result.storage.pointer + o * width).update(
                from: storage.pointer + (o * shape[a] + range.lowerBound) * inner, count: width)
        }
        let original = shape
        return result.recording([self]) { g in
            let dx = Tensor.zeros(original)
            for o in 0..<outer {
                (dx.storage.pointer + (o * original[a] + range.lowerBound) * inner).update(
                    from: g.storage.pointer + o * width, count: width)
            }
            return [dx]
        }
    }
}
