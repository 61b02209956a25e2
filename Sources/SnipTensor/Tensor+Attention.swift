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

extension Tensor {
    /// Multi-head self-attention inside each sequence of a packed batch:
    /// `softmax(Q_h K_hᵀ · scale) V_h` per sequence and head, where head h is the column block
    /// `h·E..<(h+1)·E` of `query`, `key`, `value` (`[N, D]` each). The result is `[N, D]` with
    /// heads side by side (ready for the output projection).
    ///
    /// No padding, no masks and no head-splitting copies: every product is one SGEMM on strided
    /// views of the packed rows, run one per thread with single-threaded BLAS.
    ///
    /// The softmax weights are not kept for the backward pass, which recomputes them from Q and
    /// K (one more `[L, L]` product and softmax per sequence and head, as FlashAttention does):
    /// keeping them cost H·L² floats per sequence, 41 MB per layer of the numeric encoder at the
    /// paper configuration and batch 16, a third of its saved activations.
    public static func segmentedSelfAttention(
        query: Tensor, key: Tensor, value: Tensor, heads: Int, segments: Segments, scale: Float
    ) -> Tensor {
        precondition(query.rank == 2 && query.shape == key.shape && key.shape == value.shape,
                     "attention: query \(describe(query.shape)), key \(describe(key.shape)), value \(describe(value.shape))")
        let (n, d) = (query.shape[0], query.shape[1])
        precondition(n == segments.rows && d % heads == 0, "attention: \(n) rows, \(segments.rows) in segments, width \(d), \(heads) heads")
        let e = d / heads
        let output = Tensor.uninitialized([n, d])
        // one [L, L] scratch matrix per thread, for the longest sequence
        let longest = Swift.max(segments.lengths.max() ?? 0, 1)
        let scratch = Tensor.uninitialized([Runtime.threadCount * longest * longest])
        let (q, k, v, o, sp) = (
            UnsafeSendable(query.storage.pointer), UnsafeSendable(key.storage.pointer),
            UnsafeSendable(value.storage.pointer), UnsafeSendable(output.storage.pointer),
            UnsafeSendable(scratch.storage.pointer)
        )
        /// P = softmax(scale · Q Kᵀ) of sequence b, head h, into `probabilities` `[L, L]`.
        @Sendable func attentionWeights(_ b: Int, _ h: Int, into probabilities: UnsafeMutablePointer<Float>) {
            let l = segments.length(b)
            let rowStart = segments.bounds[b] * d + h * e
            sgemm(transposeA: false, transposeB: true, m: l, n: l, k: e, alpha: scale,
                  q.value + rowStart, lda: d, k.value + rowStart, ldb: d, probabilities, ldc: l)
            snip_softmax_rows(probabilities, probabilities, l, l)
        }
        forEachSmallProduct(segments.count * heads, flops: 0) { item, thread in
            let (b, h) = (item / heads, item % heads)
            let l = segments.length(b)
            guard l > 0 else { return }
            let rowStart = segments.bounds[b] * d + h * e
            let probabilities = sp.value + thread * longest * longest
            attentionWeights(b, h, into: probabilities)  // [L, L]
            // O = P V   [L, E] into the head's columns
            sgemm(transposeA: false, transposeB: false, m: l, n: e, k: l,
                  probabilities, lda: l, v.value + rowStart, ldb: d, o.value + rowStart, ldc: d)
        }
        return output.recording([query, key, value]) { g in
            let dq = Tensor.uninitialized([n, d])
            let dk = Tensor.uninitialized([n, d])
            let dv = Tensor.uninitialized([n, d])
            // per thread: the recomputed weights P and the score gradients, [L, L] each
            let scratch = Tensor.uninitialized([Runtime.threadCount * 2 * longest * longest])
            let (gp, dqp, dkp, dvp, sp) = (
                UnsafeSendable(g.storage.pointer), UnsafeSendable(dq.storage.pointer),
                UnsafeSendable(dk.storage.pointer), UnsafeSendable(dv.storage.pointer),
                UnsafeSendable(scratch.storage.pointer)
            )
            // the inputs, captured so that they live as long as the graph
            let (q, k, v) = (
                UnsafeSendable(query.storage.pointer), UnsafeSendable(key.storage.pointer),
                UnsafeSendable(value.storage.pointer)
            )
            forEachSmallProduct(segments.count * heads, flops: 0) { item, thread in
                let (b, h) = (item / heads, item % heads)
                let l = segments.length(b)
                guard l > 0 else { return }
                let rowStart = segments.bounds[b] * d + h * e
                let probabilities = sp.value + thread * 2 * longest * longest
                let dScores = probabilities + longest * longest
                attentionWeights(b, h, into: probabilities)  // [L, L]
                // dP = dO Vᵀ   [L, L]
                sgemm(transposeA: false, transposeB: true, m: l, n: l, k: e,
                      gp.value + rowStart, lda: d, v.value + rowStart, ldb: d, dScores, ldc: l)
                // dV = Pᵀ dO   [L, E]
                sgemm(transposeA: true, transposeB: false, m: l, n: e, k: l,
                      probabilities, lda: l, gp.value + rowStart, ldb: d, dvp.value + rowStart, ldc: d)
                // dS = softmax backward
                snip_softmax_backward_rows(probabilities, dScores, dScores, l, l)
                // dQ = scale · dS K,  dK = scale · dSᵀ Q
                sgemm(transposeA: false, transposeB: false, m: l, n: e, k: l, alpha: scale,
                      dScores, lda: l, k.value + rowStart, ldb: d, dqp.value + rowStart, ldc: d)
                sgemm(transposeA: true, transposeB: false, m: l, n: e, k: l, alpha: scale,
                      dScores, lda: l, q.value + rowStart, ldb: d, dkp.value + rowStart, ldc: d)
            }
            return [dq, dk, dv]
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
