import CBLAS
import CSnipKernels
import Foundation

// N packed rows (all sequences one after another, no padding), D width, H heads,
// E = D / H head width, L a sequence's length, B sequences

/// Where each sequence of a packed batch starts and ends: sequence b is rows
/// `bounds[b]..<bounds[b+1]`.
public struct Segments: Equatable, Sendable {
    /// Row offsets, `count + 1` of them, starting at 0.
    public let bounds: [Int]

    /// Segments of the given lengths, in order.
    public init(lengths: [Int]) {
        precondition(lengths.allSatisfy { $0 >= 0 }, "negative sequence length in \(lengths)")
        var bounds = [0]
        for length in lengths { bounds.append(bounds.last! + length) }
        self.bounds = bounds
    }

    /// Number of sequences.
    public var count: Int { bounds.count - 1 }
    /// Total rows.
    public var rows: Int { bounds.last ?? 0 }
    /// Length of sequence `b`.
    public func length(_ b: Int) -> Int { bounds[b + 1] - bounds[b] }
    /// Rows of sequence `b`.
    public func range(_ b: Int) -> Range<Int> { bounds[b]..<bounds[b + 1] }
    /// Every sequence's length.
    public var lengths: [Int] { (0..<count).map(length) }
}

/// How `Tensor.segmentedSelfAttention` computes.
public enum AttentionKernel: Sendable {
    /// The fused C kernel where it takes the head width (a multiple of 8), else `.blas`
    /// (always `.blas` when the environment sets `SNIP_ATTENTION=blas`).
    case automatic
    /// Per sequence and head: query rows 4 or 8 at a time, scores, softmax and products with V
    /// while the rows are in L1 (`snip_attention_forward`/`backward`); no [L, L] matrix.
    case fused
    /// Per sequence and head: SGEMMs on strided views and a row softmax over the whole [L, L]
    /// weights (the first implementation, kept as the reference for the fused kernel).
    case blas
}

/// Q, K and V of a packed batch: where each starts and the row stride they share (`d` when
/// they are separate `[N, D]` tensors, `3·d` when they are column blocks of one `[N, 3D]`).
private struct AttentionOperands {
    let q: UnsafeMutablePointer<Float>
    let k: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>
    let ld: Int
}

extension Tensor {
    /// Multi-head self-attention inside each sequence of a packed batch:
    /// `softmax(Q_h K_hᵀ · scale) V_h` per sequence and head, where head h is the column block
    /// `h·E..<(h+1)·E` of `query`, `key`, `value` (`[N, D]` each). The result is `[N, D]` with
    /// heads side by side (ready for the output projection).
    ///
    /// No padding, no masks and no head-splitting copies: every (sequence, head) pair works on
    /// strided views of the packed rows, one pair per thread (see `AttentionKernel`).
    ///
    /// The softmax weights are not kept for the backward pass, which recomputes them from Q and
    /// K (one more `[L, L]` product and softmax per sequence and head, as FlashAttention does):
    /// keeping them cost H·L² floats per sequence, 41 MB per layer of the numeric encoder at the
    /// paper configuration and batch 16, a third of its saved activations.
    public static func segmentedSelfAttention(
        query: Tensor, key: Tensor, value: Tensor, heads: Int, segments: Segments, scale: Float,
        kernel: AttentionKernel = .automatic
    ) -> Tensor {
        precondition(query.rank == 2 && query.shape == key.shape && key.shape == value.shape,
                     "attention: query \(describe(query.shape)), key \(describe(key.shape)), value \(describe(value.shape))")
        let (n, d) = (query.shape[0], query.shape[1])
        let operands = AttentionOperands(
            q: query.storage.pointer, k: key.storage.pointer, v: value.storage.pointer, ld: d)
        let bfloat16 = Tensor.productPrecision == .bfloat16  // the backward keeps the forward's
        let output = attentionForward(
            operands, n: n, d: d, heads: heads, segments: segments, scale: scale, kernel: kernel, bfloat16: bfloat16)
        return output.recording([query, key, value]) { g in
            let dq = Tensor.uninitialized([n, d])
            let dk = Tensor.uninitialized([n, d])
            let dv = Tensor.uninitialized([n, d])
            // the inputs, captured so that they live as long as the graph
            let inputs = AttentionOperands(
                q: query.storage.pointer, k: key.storage.pointer, v: value.storage.pointer, ld: d)
            let grads = AttentionOperands(
                q: dq.storage.pointer, k: dk.storage.pointer, v: dv.storage.pointer, ld: d)
            attentionBackward(inputs, gradient: g, into: grads, n: n, d: d, heads: heads, segments: segments,
                              scale: scale, kernel: kernel, bfloat16: bfloat16)
            return [dq, dk, dv]
        }
    }

    /// `segmentedSelfAttention` on the query, key and value projections side by side in one
    /// `[N, 3D]` tensor (columns `0..<D`, `D..<2D`, `2D..<3D`), as one fused projection makes
    /// them; the gradient comes back as one `[N, 3D]` tensor, for that projection's one
    /// backward product.
    public static func segmentedSelfAttention(
        packedQKV qkv: Tensor, heads: Int, segments: Segments, scale: Float,
        kernel: AttentionKernel = .automatic
    ) -> Tensor {
        precondition(qkv.rank == 2 && qkv.shape[1] % 3 == 0, "attention: packed QKV \(describe(qkv.shape))")
        let (n, d) = (qkv.shape[0], qkv.shape[1] / 3)
        let base = qkv.storage.pointer
        let operands = AttentionOperands(q: base, k: base + d, v: base + 2 * d, ld: 3 * d)
        let bfloat16 = Tensor.productPrecision == .bfloat16  // the backward keeps the forward's
        let output = attentionForward(
            operands, n: n, d: d, heads: heads, segments: segments, scale: scale, kernel: kernel, bfloat16: bfloat16)
        return output.recording([qkv]) { g in
            let dqkv = Tensor.uninitialized([n, 3 * d])
            let base = qkv.storage.pointer
            let inputs = AttentionOperands(q: base, k: base + d, v: base + 2 * d, ld: 3 * d)
            let dbase = dqkv.storage.pointer
            let grads = AttentionOperands(q: dbase, k: dbase + d, v: dbase + 2 * d, ld: 3 * d)
            attentionBackward(inputs, gradient: g, into: grads, n: n, d: d, heads: heads, segments: segments,
                              scale: scale, kernel: kernel, bfloat16: bfloat16)
            return [dqkv]
        }
    }

    /// `SNIP_ATTENTION=blas` makes `.automatic` take the BLAS path (for benchmarks that set
    /// the two side by side).
    private static let automaticUsesBLAS = ProcessInfo.processInfo.environment["SNIP_ATTENTION"] == "blas"

    /// Whether `kernel` resolves to the fused kernel for head width `e`.
    private static func usesFusedKernel(_ kernel: AttentionKernel, headWidth e: Int) -> Bool {
        switch kernel {
        case .automatic: return !automaticUsesBLAS && snip_attention_supported(e) != 0
        case .fused:
            precondition(snip_attention_supported(e) != 0, "the fused attention kernel needs a head width that is a multiple of 8, got \(e)")
            return true
        case .blas: return false
        }
    }

    /// Whether the fused kernel multiplies in bfloat16 for head width `e`: asked for
    /// (``ProductPrecision/bfloat16``), available on this CPU and worth it at this width
    /// (``ProductPrecision/attentionInBFloat16(headWidth:)``), and a width the kernel takes.
    private static func usesBFloat16Kernel(_ bfloat16: Bool, headWidth e: Int) -> Bool {
        bfloat16 && ProductPrecision.attentionInBFloat16(headWidth: e) && snip_attention_bf16_supported(e) != 0
    }

    /// The attention output `[N, D]` of every sequence and head.
    private static func attentionForward(
        _ x: AttentionOperands, n: Int, d: Int, heads: Int, segments: Segments, scale: Float,
        kernel: AttentionKernel, bfloat16: Bool
    ) -> Tensor {
        precondition(n == segments.rows && d % heads == 0, "attention: \(n) rows, \(segments.rows) in segments, width \(d), \(heads) heads")
        let e = d / heads
        let output = Tensor.uninitialized([n, d])
        let longest = Swift.max(segments.lengths.max() ?? 0, 1)
        let o = UnsafeSendable(output.storage.pointer)
        let operands = UnsafeSendable(x)
        if usesFusedKernel(kernel, headWidth: e) {
            let perThread = snip_attention_scratch(longest, e)
            let scratch = Tensor.uninitialized([Runtime.threadCount * perThread])
            let sp = UnsafeSendable(scratch.storage.pointer)
            let half = usesBFloat16Kernel(bfloat16, headWidth: e)
            forEachSmallProduct(segments.count * heads, flops: 0) { item, thread in
                let (b, h) = (item / heads, item % heads)
                let x = operands.value
                let offset = segments.bounds[b] * x.ld + h * e
                let (q, k, v, out) = (x.q + offset, x.k + offset, x.v + offset, o.value + segments.bounds[b] * d + h * e)
                let (l, scratch) = (segments.length(b), sp.value + thread * perThread)
                if !(half && snip_attention_forward_bf16(q, k, v, x.ld, out, d, l, e, scale, scratch) != 0) {
                    snip_attention_forward(q, k, v, x.ld, out, d, l, e, scale, scratch)
                }
            }
            return output
        }
        // one [L, L] scratch matrix per thread, for the longest sequence
        let scratch = Tensor.uninitialized([Runtime.threadCount * longest * longest])
        let sp = UnsafeSendable(scratch.storage.pointer)
        forEachSmallProduct(segments.count * heads, flops: 0) { item, thread in
            let (b, h) = (item / heads, item % heads)
            let l = segments.length(b)
            guard l > 0 else { return }
            let x = operands.value
            let offset = segments.bounds[b] * x.ld + h * e
            let probabilities = sp.value + thread * longest * longest
            blasAttentionWeights(x, offset: offset, l: l, e: e, scale: scale, into: probabilities)  // [L, L]
            // O = P V   [L, E] into the head's columns
            sgemm(transposeA: false, transposeB: false, m: l, n: e, k: l,
                  probabilities, lda: l, x.v + offset, ldb: x.ld, o.value + segments.bounds[b] * d + h * e, ldc: d)
        }
        return output
    }

    /// P = softmax(scale · Q Kᵀ) of one sequence and head, into `probabilities` `[L, L]`.
    private static func blasAttentionWeights(
        _ x: AttentionOperands, offset: Int, l: Int, e: Int, scale: Float,
        into probabilities: UnsafeMutablePointer<Float>
    ) {
        sgemm(transposeA: false, transposeB: true, m: l, n: l, k: e, alpha: scale,
              x.q + offset, lda: x.ld, x.k + offset, ldb: x.ld, probabilities, ldc: l)
        snip_softmax_rows(probabilities, probabilities, l, l)
    }

    /// Writes dQ, dK, dV (at `grads`) from the output gradient `g` `[N, D]`.
    private static func attentionBackward(
        _ x: AttentionOperands, gradient g: Tensor, into grads: AttentionOperands, n: Int, d: Int,
        heads: Int, segments: Segments, scale: Float, kernel: AttentionKernel, bfloat16: Bool
    ) {
        let e = d / heads
        let longest = Swift.max(segments.lengths.max() ?? 0, 1)
        let (gp, operands, out) = (UnsafeSendable(g.storage.pointer), UnsafeSendable(x), UnsafeSendable(grads))
        if usesFusedKernel(kernel, headWidth: e) {
            let perThread = snip_attention_scratch(longest, e)
            let scratch = Tensor.uninitialized([Runtime.threadCount * perThread])
            let sp = UnsafeSendable(scratch.storage.pointer)
            let half = usesBFloat16Kernel(bfloat16, headWidth: e)
            forEachSmallProduct(segments.count * heads, flops: 0) { item, thread in
                let (b, h) = (item / heads, item % heads)
                let (x, dx) = (operands.value, out.value)
                let offset = segments.bounds[b] * x.ld + h * e
                let dOffset = segments.bounds[b] * dx.ld + h * e
                let (q, k, v, g) = (x.q + offset, x.k + offset, x.v + offset, gp.value + segments.bounds[b] * d + h * e)
                let (dq, dk, dv) = (dx.q + dOffset, dx.k + dOffset, dx.v + dOffset)
                let (l, scratch) = (segments.length(b), sp.value + thread * perThread)
                if !(half && snip_attention_backward_bf16(q, k, v, x.ld, g, d, dq, dk, dv, dx.ld, l, e, scale, scratch) != 0) {
                    snip_attention_backward(q, k, v, x.ld, g, d, dq, dk, dv, dx.ld, l, e, scale, scratch)
                }
            }
            return
        }
        // per thread: the recomputed weights P and the score gradients, [L, L] each
        let scratch = Tensor.uninitialized([Runtime.threadCount * 2 * longest * longest])
        let sp = UnsafeSendable(scratch.storage.pointer)
        forEachSmallProduct(segments.count * heads, flops: 0) { item, thread in
            let (b, h) = (item / heads, item % heads)
            let l = segments.length(b)
            guard l > 0 else { return }
            let (x, dx) = (operands.value, out.value)
            let offset = segments.bounds[b] * x.ld + h * e
            let dOffset = segments.bounds[b] * dx.ld + h * e
            let gOffset = segments.bounds[b] * d + h * e
            let probabilities = sp.value + thread * 2 * longest * longest
            let dScores = probabilities + longest * longest
            blasAttentionWeights(x, offset: offset, l: l, e: e, scale: scale, into: probabilities)  // [L, L]
            // dP = dO Vᵀ   [L, L]
            sgemm(transposeA: false, transposeB: true, m: l, n: l, k: e,
                  gp.value + gOffset, lda: d, x.v + offset, ldb: x.ld, dScores, ldc: l)
            // dV = Pᵀ dO   [L, E]
            sgemm(transposeA: true, transposeB: false, m: l, n: e, k: l,
                  probabilities, lda: l, gp.value + gOffset, ldb: d, dx.v + dOffset, ldc: dx.ld)
            // dS = softmax backward
            snip_softmax_backward_rows(probabilities, dScores, dScores, l, l)
            // dQ = scale · dS K,  dK = scale · dSᵀ Q
            sgemm(transposeA: false, transposeB: false, m: l, n: e, k: l, alpha: scale,
                  dScores, lda: l, x.k + offset, ldb: x.ld, dx.q + dOffset, ldc: dx.ld)
            sgemm(transposeA: true, transposeB: false, m: l, n: e, k: l, alpha: scale,
                  dScores, lda: l, x.q + offset, ldb: x.ld, dx.k + dOffset, ldc: dx.ld)
        }
    }

    /// Attention pooling per sequence of a packed batch: `pooled[b] = Σ_t w_t · values[t]` over
    /// the rows t of sequence b, with `w = softmax` of `scores` (`[N]`) over the sequence
    /// extended by one virtual row of score `extraScores[b]` and value zero (`-inf` for none).
    ///
    /// The virtual row reproduces the reference's pooling over zeroed padding exactly: n padded
    /// rows of score s weigh as much as one row of score s + log n.
    /// Returns `[B, D]` and the weights of the real rows (`[N]`, no gradient).
    public static func segmentedAttentionPool(
        scores: Tensor, values: Tensor, extraScores: Tensor, segments: Segments
    ) -> (pooled: Tensor, weights: Tensor) {
        let (n, d) = (values.shape[0], values.shape[1])
        precondition(scores.shape == [n] && extraScores.shape == [segments.count] && n == segments.rows,
                     "pool: scores \(describe(scores.shape)), values \(describe(values.shape)), extra \(describe(extraScores.shape))")
        let weights = Tensor.uninitialized([n])
        let extraWeights = Tensor.uninitialized([segments.count])
        let pooled = Tensor.zeros([segments.count, d])
        for b in 0..<segments.count {
            let range = segments.range(b)
            let extra = extraScores.storage.pointer[b]
            var m = extra
            for t in range { m = Swift.max(m, scores.storage.pointer[t]) }
            var total: Float = extra == -.infinity ? 0 : Foundation.exp(extra - m)
            let extraMass = total
            for t in range {
                let w = Foundation.exp(scores.storage.pointer[t] - m)
                weights.storage.pointer[t] = w
                total += w
            }
            extraWeights.storage.pointer[b] = extraMass / total
            for t in range { weights.storage.pointer[t] /= total }
            // pooled[b] = Σ w_t values[t]
            let out = pooled.storage.pointer + b * d
            for t in range {
                let w = weights.storage.pointer[t]
                let row = values.storage.pointer + t * d
                for j in 0..<d { out[j] += w * row[j] }
            }
        }
        let result = pooled.recording([scores, values, extraScores]) { g in
            let dScores = Tensor.uninitialized([n])
            let dValues = Tensor.uninitialized([n, d])
            let dExtra = Tensor.uninitialized([segments.count])
            for b in 0..<segments.count {
                let gb = g.storage.pointer + b * d
                // dw_t = g_b · values[t];  ds_t = w_t (dw_t − Σ_j w_j dw_j), the virtual row has dw = 0
                var weighted: Float = 0
                for t in segments.range(b) {
                    let row = values.storage.pointer + t * d
                    var dot: Float = 0
                    for j in 0..<d { dot += gb[j] * row[j] }
                    dScores.storage.pointer[t] = dot
                    weighted += weights.storage.pointer[t] * dot
                    let w = weights.storage.pointer[t]
                    let drow = dValues.storage.pointer + t * d
                    for j in 0..<d { drow[j] = w * gb[j] }
                }
                for t in segments.range(b) {
                    dScores.storage.pointer[t] = weights.storage.pointer[t] * (dScores.storage.pointer[t] - weighted)
                }
                dExtra.storage.pointer[b] = -extraWeights.storage.pointer[b] * weighted
            }
            return [dScores, dValues, dExtra]
        }
        return (result, weights)
    }
}
