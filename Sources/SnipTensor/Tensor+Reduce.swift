import CSnipKernels

// Reductions along axes: sum, mean, max, argmax, logsumexp.

extension Tensor {
    /// Splits the shape around `axis` into (outer, size, inner) element counts.
    func split(at axis: Int) -> (outer: Int, size: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// The shape after reducing `axes`.
    func reducedShape(_ axes: Set<Int>, keepDims: Bool) -> [Int] {
        shape.indices.compactMap { axes.contains($0) ? (keepDims ? 1 : nil) : shape[$0] }
    }

    /// Sum along one axis, keeping it with size 1; no autodiff.
    func sumKeepingAxis(_ axis: Int) -> Tensor {
        let (outer, size, inner) = split(at: axis)
        var outShape = shape
        outShape[axis] = 1
        let result = Tensor.zeros(outShape)
        let (x, y) = (UnsafeSendable(storage.pointer), UnsafeSendable(result.storage.pointer))
        if inner == 1 {
            parallelChunks(outer, cost: size) { range in
                snip_row_sums(x.value + range.lowerBound * size, y.value + range.lowerBound, range.count, size)
            }
        } else if outer >= Runtime.threadCount {
            parallelChunks(outer, cost: size * inner) { range in
                for o in range {
                    for k in 0..<size {
                        snip_accumulate(x.value + (o * size + k) * inner, y.value + o * inner, inner)
                    }
                }
            }
        } else {
            // few outer blocks: split the reduced axis across threads into partial sums
            let threads = Swift.min(Runtime.threadCount, Swift.max(size, 1))
            let partial = Tensor.zeros([threads, inner])
            let p = UnsafeSendable(partial.storage.pointer)
            for o in 0..<outer {
                if o > 0 { partial.storage.pointer.update(repeating: 0, count: threads * inner) }
                parallelChunks(threads, cost: (size * inner) / threads) { chunk in
                    for t in chunk {
                        for k in (size * t / threads)..<(size * (t + 1) / threads) {
                            snip_accumulate(x.value + (o * size + k) * inner, p.value + t * inner, inner)
                        }
                    }
                }
                for t in 0..<threads { snip_accumulate(p.value + t * inner, y.value + o * inner, inner) }
            }
        }
        return result
    }

    /// Sum over `axes` (all axes when empty is not wanted: pass them explicitly).
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let normalised = Set(axes.map { a in checked { () throws(ShapeError) in try ShapeCheck.axis(a, rank: rank) } })
        var result = self.detached()
        for axis in normalised.sorted(by: >) {
            result = result.sumKeepingAxis(axis)
        }
        let outShape = reducedShape(normalised, keepDims: keepDims)
        result = result.reshaped(outShape)
        let original = shape
        let keptShape = reducedShape(normalised, keepDims: true)
        return result.recording([self]) { g in [g.reshaped(keptShape).expanded(to: original)] }
    }

    /// Sum along one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Sum of all elements, as a scalar tensor.
    public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

    /// Mean over `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = axes.map { shape[$0 < 0 ? $0 + rank : $0] }.reduce(1, *)
        return sum(axes: axes, keepDims: keepDims) / Float(n)
    }

    /// Mean along one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { sum() / Float(Swift.max(count, 1)) }

    /// Maximum and the index of its first occurrence along `axis`, with the axis kept.
    private func maxAndIndex(axis: Int) -> (values: Tensor, indices: [Int]) {
        let (outer, size, inner) = split(at: axis)
        precondition(size > 0, "max over an empty axis of \(describe(shape))")
        var outShape = shape
        outShape[axis] = 1
        let values = Tensor.uninitialized(outShape)
        var indices = [Int](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for j in 0..<inner {
                var best = storage.pointer[o * size * inner + j]
                var bestIndex = 0
                for k in 1..<Swift.max(size, 1) {
                    let v = storage.pointer[(o * size + k) * inner + j]
                    // NaN wins, like NumPy/PyTorch
                    if v > best || (v.isNaN && !best.isNaN) { best = v; bestIndex = k }
                }
                values.storage.pointer[o * inner + j] = best
                indices[o * inner + j] = bestIndex
            }
        }
        return (values, indices)
    }

    /// Maximum along `axis`; the gradient goes to the first maximal element.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = checked { () throws(ShapeError) in try ShapeCheck.axis(axis, rank: rank) }
        let (values, indices) = maxAndIndex(axis: a)
        let (outer, size, inner) = split(at: a)
        let original = shape
        let result = values.reshaped(reducedShape([a], keepDims: keepDims))
        return result.recording([self]) { g in
            let dx = Tensor.zeros(original)
            for o in 0..<outer {
                for j in 0..<inner {
                    dx.storage.pointer[(o * size + indices[o * inner + j]) * inner + j] =
                        g.storage.pointer[o * inner + j]
                }
            }
            return [dx]
        }
    }

    /// Index of the first maximum along `axis` (as float values, no gradient).
    public func argmax(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = checked { () throws(ShapeError) in try ShapeCheck.axis(axis, rank: rank) }
        let indices = maxAndIndex(axis: a).indices
        return Tensor(indices.map(Float.init), shape: reducedShape([a], keepDims: keepDims))
    }

    /// log(sum(exp(x))) along `axis`, computed stably.
    public func logSumExp(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = checked { () throws(ShapeError) in try ShapeCheck.axis(axis, rank: rank) }
        let shift = withoutGrad { max(axis: a, keepDims: true) }
            .map { $0.isFinite ? $0 : 0 }
        let result = (self - shift).exp().sum(axis: a, keepDims: true).log() + shift
        return keepDims ? result : result.reshaped(reducedShape([a], keepDims: false))
    }
}
