import CBLAS
import CSnipKernels
import Foundation

// Matrix products on OpenBLAS SGEMM. Transposed operands are passed to BLAS as flags, never
// copied.

/// C = alpha · op(A) · op(B) + beta · C for row-major matrices; `lda`/`ldb`/`ldc` default to
/// the packed widths.
///
/// Narrow products with many rows (a linear layer over every point of a batch: m in the
/// thousands, n and k at most 512) or a long inner dimension (its weight gradient: k in the
/// thousands) are split over the compute threads here, each part on single-threaded BLAS:
/// OpenBLAS's own threading gained nothing on them (the small model's linear layers took as
/// long on 2 threads as on 1).
@inline(__always)
func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int? = nil, _ b: UnsafePointer<Float>, ldb: Int? = nil,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int? = nil, bfloat16: Bool = false
) {
    let lda = lda ?? (transposeA ? m : k)
    let ldb = ldb ?? (transposeB ? k : n)
    let ldc = ldc ?? n
    let threads = Runtime.threadCount
    if threads > 1 && ProductSplitting.isEnabled && !ProductSplitting.isInsideParallelProducts
        && m &* n &* k >= ProductSplitting.minimumWork
    {
        if m >= ProductSplitting.minimumRows * threads && n <= ProductSplitting.narrow && k <= ProductSplitting.narrow {
            ProductSplitting.byRows(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb,
                beta: beta, c, ldc: ldc, threads: threads, bfloat16: bfloat16)
            return
        }
        if k >= ProductSplitting.minimumRows * threads && m <= ProductSplitting.narrow && n <= ProductSplitting.narrow {
            ProductSplitting.byInner(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb,
                beta: beta, c, ldc: ldc, threads: threads, bfloat16: bfloat16)
            return
        }
    }
    sgemmOnce(
        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb,
        beta: beta, c, ldc: ldc, bfloat16: bfloat16)
}

/// One product on one thread's worth of work: the narrow kernel where it takes the shape
/// (`NarrowProducts`; in bfloat16 when `bfloat16` and the CPU has it), else one SGEMM call on
/// OpenBLAS as it is configured.
@inline(__always)
func sgemmOnce(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int? = nil, _ b: UnsafePointer<Float>, ldb: Int? = nil,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int? = nil, bfloat16: Bool = false
) {
    let lda = lda ?? (transposeA ? m : k)
    let ldb = ldb ?? (transposeB ? k : n)
    let ldc = ldc ?? n
    if bfloat16 && NarrowProducts.isEnabled && alpha == 1 && (beta == 0 || beta == 1)
        && snip_narrow_gemm_bf16(
            transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, a, lda, b, ldb, nil, 0, beta == 1 ? 1 : 0, c, ldc) != 0
    {
        return
    }
    if NarrowProducts.isEnabled && alpha == 1 && (beta == 0 || beta == 1)
        && snip_narrow_gemm(
            transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, a, lda, b, ldb, nil, 0, beta == 1 ? 1 : 0, c, ldc) != 0
    {
        return
    }
    _ = Runtime.blasConfigured
    snip_blas_sgemm(
        Int32(SnipBLASRowMajor), Int32(transposeA ? SnipBLASTranspose : SnipBLASNoTranspose),
        Int32(transposeB ? SnipBLASTranspose : SnipBLASNoTranspose), Int32(m), Int32(n), Int32(k), alpha,
        a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Runs `count` independent products. Small ones (attention's per-head products) run one per
/// thread with single-threaded BLAS, which avoids OpenBLAS waking its thread pool for every
/// small call; large ones run in turn, each using every thread.
func forEachSmallProduct(_ count: Int, flops: Int, _ body: (Int) -> Void) {
    forEachSmallProduct(count, flops: flops) { item, _ in body(item) }
}

/// `forEachSmallProduct` that also tells `body` which thread (0..<threadCount) runs it, for
/// per-thread scratch memory.
func forEachSmallProduct(_ count: Int, flops: Int, _ body: (_ item: Int, _ thread: Int) -> Void) {
    let threads = Runtime.threadCount
    guard threads > 1, count >= threads, flops < 1 << 23 else {
        for i in 0..<count { body(i, 0) }
        return
    }
    ProductSplitting.onSingleThreadedBLAS(threads: threads) { t in
        for i in stride(from: t, to: count, by: threads) { body(i, t) }
    }
}

extension Tensor {
    /// Matrix product of the last two axes: `op(a) · op(b)`, where `op` transposes when asked.
    ///
    /// `a` may carry batch axes; `b` either has the same batch axes or is 2-D (shared by every
    /// batch entry, computed as one large product).
    public static func matmul(
        _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
    ) -> Tensor {
        let shape = checked { () throws(ShapeError) in
            try ShapeCheck.matmul(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB)
        }
        let m = shape[shape.count - 2]
        let n = shape[shape.count - 1]
        let k = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
        let result = Tensor.uninitialized(shape)
        let batch = shape.dropLast(2).reduce(1, *)
        if b.rank == 2 && !transposeA {
            // one product for the whole batch: [batch·m, k] · op(b)
            sgemm(
                transposeA: false, transposeB: transposeB, m: batch * m, n: n, k: k,
                a.storage.pointer, b.storage.pointer, result.storage.pointer)
        } else {
            let strideB = b.rank == 2 ? 0 : k * n
            let (pa, pb, pc) = (
                UnsafeSendable(a.storage.pointer), UnsafeSendable(b.storage.pointer),
                UnsafeSendable(result.storage.pointer)
            )
            forEachSmallProduct(batch, flops: m * n * k) { i in
                sgemm(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                    pa.value + i * m * k, pb.value + i * strideB, pc.value + i * m * n)
            }
        }
        return result.recording([a, b]) { g in
            // C = op(A)·op(B):  dA = g·op(B)ᵀ (or its transpose),  dB = op(A)ᵀ·g (or its transpose)
            var da: Tensor?
            var db: Tensor?
            if a.node != nil {
                if transposeA && b.rank == 2 && a.rank > 2 {
                    // dA_i = op(B)·g_iᵀ = (g_i·op(B)ᵀ)ᵀ, keeping the shared 2-D B on the right
                    da = matmul(g, b, transposeB: !transposeB).transposed(-2, -1)
                } else {
                    da = transposeA
                        ? matmul(b, g, transposeA: transposeB, transposeB: true)
                        : matmul(g, b, transposeB: !transposeB)
                }
            }
            if b.node != nil {
                if b.rank == 2 && a.rank > 2 {
                    let flat: Tensor
                    if transposeA {
                        // Σ_i A_i·g_i, summed over the batch axes
                        flat = matmul(a, g).sum(axes: Array(0..<(a.rank - 2)))
                    } else {
                        // one product over the flattened batch: A_flatᵀ·g_flat
                        flat = matmul(a.reshaped([-1, k]), g.reshaped([-1, n]), transposeA: true)
                    }
                    db = transposeB ? flat.transposed() : flat
                } else {
                    db = transposeB
                        ? matmul(g, a, transposeA: true, transposeB: transposeA)
                        : matmul(a, g, transposeA: !transposeA)
                }
            }
            return [da, db]
        }
    }

    /// Matrix product `self · other`.
    public func matmul(_ other: Tensor) -> Tensor { Tensor.matmul(self, other) }

    /// `x · weightᵀ + bias` with PyTorch's weight layout `[out, in]`; `x` is `[..., in]`.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        linear(x, weight: weight, bias: bias, relu: false)
    }

    /// `max(x · weightᵀ + bias, 0)` as one op: the ReLU runs in place on the product, and its
    /// backward masks the output gradient right before the two backward products (the same
    /// values as `linear(…).relu()`, without the second `[rows, out]` tensor and its pass).
    public static func linearReLU(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        linear(x, weight: weight, bias: bias, relu: true)
    }

    private static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, relu: Bool) -> Tensor {
        let shape = checked { () throws(ShapeError) in
            try ShapeCheck.linear(x.shape, weight: weight.shape, bias: bias?.shape)
        }
        let outputs = weight.shape[0]
        let inputs = weight.shape[1]
        let rows = x.count / Swift.max(inputs, 1)
        let result = Tensor.uninitialized(shape)
        let bfloat16 = Tensor.productPrecision == .bfloat16
        let product = bfloat16 && NarrowProducts.acceptsBFloat16(transposeA: false, transposeB: false, m: rows, n: outputs, k: inputs)
            ? snip_narrow_gemm_bf16 : snip_narrow_gemm
        if NarrowProducts.accepts(transposeA: false, transposeB: false, m: rows, n: outputs, k: inputs) {
            // x · Wᵀ as x · (Wᵀ made once for every part), with bias and ReLU inside the product:
            // no separate passes over the output; A·B needs no scratch, so it is always taken
            let transposedWeight = Tensor.uninitialized([inputs, outputs])
            let (w, wt) = (weight.storage.pointer, transposedWeight.storage.pointer)
            for j in 0..<outputs {
                for t in 0..<inputs { wt[t * outputs + j] = w[j * inputs + t] }
            }
            let (px, pwt, pb, py) = (
                UnsafeSendable(x.storage.pointer), UnsafeSendable(UnsafePointer(wt)),
                UnsafeSendable(bias.map { UnsafePointer($0.storage.pointer) }), UnsafeSendable(result.storage.pointer)
            )
            parallelChunks(rows, cost: inputs * outputs) { part in
                let taken = product(
                    0, 0, part.count, outputs, inputs, px.value + part.lowerBound * inputs, inputs, pwt.value, outputs,
                    pb.value, relu ? 1 : 0, 0, py.value + part.lowerBound * outputs, outputs)
                precondition(taken != 0, "the narrow kernel refused a product it accepts")
            }
            withExtendedLifetime(transposedWeight) {}
        } else {
            if let bias {
                for r in 0..<rows {
                    (result.storage.pointer + r * outputs).update(from: bias.storage.pointer, count: outputs)
                }
            }
            sgemm(
                transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs,
                x.storage.pointer, weight.storage.pointer, beta: bias == nil ? 0 : 1,
                result.storage.pointer)
            if relu {
                let y = UnsafeSendable(result.storage.pointer)
                parallelChunks(result.count) { r in snip_relu_in_place(y.value + r.lowerBound, r.count) }
            }
        }
        var inputsList = [x, weight]
        if let bias { inputsList.append(bias) }
        let output: Tensor? = relu ? result : nil  // kept only for the ReLU's mask
        return result.recording(inputsList) { upstream in
            var g = upstream
            if let output {
                // dZ = dY where Y > 0
                let masked = Tensor.uninitialized(output.shape)
                let (yp, gp, dp) = (
                    UnsafeSendable(output.storage.pointer), UnsafeSendable(upstream.storage.pointer),
                    UnsafeSendable(masked.storage.pointer)
                )
                parallelChunks(masked.count) { r in
                    snip_relu_backward(yp.value + r.lowerBound, gp.value + r.lowerBound, dp.value + r.lowerBound, r.count)
                }
                g = masked
            }
            var grads: [Tensor?] = []
            if x.node != nil {
                let dx = Tensor.uninitialized(x.shape)
                sgemm(
                    transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs,
                    g.storage.pointer, weight.storage.pointer, dx.storage.pointer, bfloat16: bfloat16)
                grads.append(dx)
            } else {
                grads.append(nil)
            }
            if weight.node != nil {
                let dw = Tensor.uninitialized(weight.shape)
                sgemm(
                    transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows,
                    g.storage.pointer, x.storage.pointer, dw.storage.pointer, bfloat16: bfloat16)
                grads.append(dw)
            } else {
                grads.append(nil)
            }
            if let bias {
                grads.append(bias.node == nil ? nil : g.reshaped([rows, outputs]).sum(axis: 0))
            }
            return grads
        }
    }
}
