import CSnipKernels

// Softmax and log-softmax along an axis (max-subtracted, so large inputs do not overflow).

extension Tensor {
    /// Runs a row kernel over the last axis, moving `axis` there and back when needed.
    private func alongAxis(_ axis: Int, _ body: (Tensor) -> Tensor) -> Tensor {
        let a = checked { () throws(ShapeError) in try ShapeCheck.axis(axis, rank: rank) }
        if a == rank - 1 { return body(self) }
        return body(transposed(a, rank - 1)).transposed(a, rank - 1)
    }

    /// Applies a row kernel `(x, y, rows, cols)` to the last axis, rows split across threads.
    func rowKernel(
        cost: Int, _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) -> Void
    ) -> Tensor {
        let cols = shape.last ?? 1
        let rows = count / Swift.max(cols, 1)
        let result = Tensor.uninitialized(shape)
        let (x, y) = (UnsafeSendable(storage.pointer), UnsafeSendable(result.storage.pointer))
        parallelChunks(rows, cost: cols * cost) { r in
            kernel(x.value + r.lowerBound * cols, y.value + r.lowerBound * cols, r.count, cols)
        }
        return result
    }

    /// Softmax along `axis` (default: the last).
    public func softmax(axis: Int = -1) -> Tensor {
        alongAxis(axis) { x in
            let y = x.rowKernel(cost: 12) { snip_softmax_rows($0, $1, $2, $3) }
            return y.recording([x]) { g in
                let cols = y.shape.last ?? 1
                let rows = y.count / Swift.max(cols, 1)
                let dx = Tensor.uninitialized(y.shape)
                let (yp, gp, dp) = (
                    UnsafeSendable(y.storage.pointer), UnsafeSendable(g.storage.pointer),
                    UnsafeSendable(dx.storage.pointer)
                )
                parallelChunks(rows, cost: cols * 3) { r in
                    let o = r.lowerBound * cols
                    snip_softmax_backward_rows(yp.value + o, gp.value + o, dp.value + o, r.count, cols)
                }
                return [dx]
            }
        }
    }

    /// Log-softmax along `axis` (default: the last).
    public func logSoftmax(axis: Int = -1) -> Tensor {
        alongAxis(axis) { x in
            let y = x.rowKernel(cost: 12) { snip_log_softmax_rows($0, $1, $2, $3) }
            return y.recording([x]) { g in
                // dx = g - softmax * sum(g)
                let softmax = y.exp()
                let total = g.sum(axis: -1, keepDims: true)
                return [g - softmax * total]
            }
        }
    }
}
