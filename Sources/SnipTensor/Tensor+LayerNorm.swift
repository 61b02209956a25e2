import CSnipKernels

extension Tensor {
    /// Layer normalisation over the last axis with an optional affine weight and bias (each of
    /// shape `[last]`); forward and backward are fused kernels.
    public func layerNorm(weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) -> Tensor {
        let cols = shape.last ?? 1
        for p in [weight, bias] {
            if let p {
                precondition(p.shape == [cols], "layer norm parameter \(describe(p.shape)) does not fit \(describe(shape))")
            }
        }
        let rows = count / Swift.max(cols, 1)
        let y = Tensor.uninitialized(shape)
        let mean = Tensor.uninitialized([rows])
        let rstd = Tensor.uninitialized([rows])
        let (xp, yp, mp, rp) = (
            UnsafeSendable(storage.pointer), UnsafeSendable(y.storage.pointer),
            UnsafeSendable(mean.storage.pointer), UnsafeSendable(rstd.storage.pointer)
        )
        let (wp, bp) = (UnsafeSendable(weight?.storage.pointer), UnsafeSendable(bias?.storage.pointer))
        parallelChunks(rows, cost: cols * 4) { r in
            let o = r.lowerBound * cols
            snip_layer_norm_forward(
                xp.value + o, wp.value, bp.value, yp.value + o, mp.value + r.lowerBound,
                rp.value + r.lowerBound, r.count, cols, epsilon)
        }
        let x = self
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        return y.recording(inputs) { g in
            let dx = Tensor.uninitialized(x.shape)
            let threads = Swift.min(Runtime.threadCount, Swift.max(rows, 1))
            // per-thread partial sums of dweight and dbias, added up afterwards
            let partialW = Tensor.zeros([threads, cols])
            let partialB = Tensor.zeros([threads, cols])
            // the saved statistics and inputs, captured by value so they live as long as the graph
            let (xp, mp, rp) = (
                UnsafeSendable(x.storage.pointer), UnsafeSendable(mean.storage.pointer),
                UnsafeSendable(rstd.storage.pointer)
            )
            let wp = UnsafeSendable(weight?.storage.pointer)
            let (gp, dp, pw, pb) = (
                UnsafeSendable(g.storage.pointer), UnsafeSendable(dx.storage.pointer),
                UnsafeSendable(partialW.storage.pointer), UnsafeSendable(partialB.storage.pointer)
            )
            let needW = weight?.node != nil
            let needB = bias?.node != nil
            parallelChunks(threads, cost: 1 << 20) { chunk in
                for t in chunk {
                    let start = rows * t / threads
                    let end = rows * (t + 1) / threads
                    let o = start * cols
                    snip_layer_norm_backward(
                        gp.value + o, xp.value + o, wp.value, mp.value + start, rp.value + start,
                        dp.value + o, needW ? pw.value + t * cols : nil,
                        needB ? pb.value + t * cols : nil, end - start, cols)
                }
            }
            var grads: [Tensor?] = [dx]
            if weight != nil { grads.append(needW ? partialW.sum(axis: 0) : nil) }
            if bias != nil { grads.append(needB ? partialB.sum(axis: 0) : nil) }
            return grads
        }
    }
}
