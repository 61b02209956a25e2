import Foundation
import SnipTensor
import Testing
import TestSupport

/// The packed (segmented) attention primitives against naive float64 loops.
struct AttentionTests {
    static func naiveAttention(_ q: [Double], _ k: [Double], _ v: [Double], d: Int, heads: Int, lengths: [Int], scale: Double) -> [Double] {
        let e = d / heads
        var out = [Double](repeating: 0, count: q.count)
        var start = 0
        for l in lengths {
            for h in 0..<heads {
                for i in 0..<l {
                    var scores = [Double](repeating: 0, count: l)
                    for j in 0..<l {
                        var s = 0.0
                        for c in 0..<e { s += q[(start + i) * d + h * e + c] * k[(start + j) * d + h * e + c] }
                        scores[j] = s * scale
                    }
                    let m = scores.max()!
                    let w = scores.map { Foundation.exp($0 - m) }
                    let z = w.reduce(0, +)
                    for c in 0..<e {
                        var acc = 0.0
                        for j in 0..<l { acc += w[j] / z * v[(start + j) * d + h * e + c] }
                        out[(start + i) * d + h * e + c] = acc
                    }
                }
            }
            start += l
        }
        return out
    }

    @Test func segmentedSelfAttentionMatchesNaive() {
        let lengths = [3, 1, 5]
        let (d, heads) = (6, 2)
        let n = lengths.reduce(0, +)
        let segments = Segments(lengths: lengths)
        checkGradients(
            [randomTensor([n, d], seed: 1), randomTensor([n, d], seed: 2), randomTensor([n, d], seed: 3)],
            forward: { Tensor.segmentedSelfAttention(query: $0[0], key: $0[1], value: $0[2], heads: heads, segments: segments, scale: 0.7) },
            reference: { Self.naiveAttention($0[0], $0[1], $0[2], d: d, heads: heads, lengths: lengths, scale: 0.7) })
    }

    /// The fused kernel against the float64 loops, forward and gradients: head width 8 (the
    /// 8-lane builds) and 16 (AVX-512 where the CPU has it), lengths around the kernel's
    /// four-row blocks, an empty sequence.
    @Test(arguments: [(16, 2), (32, 2)])
    func fusedKernelMatchesNaive(width d: Int, heads: Int) {
        let lengths = [3, 1, 0, 6, 9]
        let n = lengths.reduce(0, +)
        let segments = Segments(lengths: lengths)
        checkGradients(
            [randomTensor([n, d], seed: 21), randomTensor([n, d], seed: 22), randomTensor([n, d], seed: 23)],
            forward: {
                Tensor.segmentedSelfAttention(
                    query: $0[0], key: $0[1], value: $0[2], heads: heads, segments: segments, scale: 0.6, kernel: .fused)
            },
            reference: { Self.naiveAttention($0[0], $0[1], $0[2], d: d, heads: heads, lengths: lengths, scale: 0.6) })
    }

    /// Scores far apart (weights that underflow below float's normal range, where the kernel's
    /// exponential stops at 2^-125) still give the float64 softmax, at lengths that fill whole
    /// 16-lane vectors and leave a partial one; a NaN in one sequence's keys makes that
    /// sequence's outputs NaN and leaves the other sequence alone.
    @Test func fusedKernelHandlesUnderflowAndNaN() {
        let lengths = [17, 40]
        let (d, heads) = (32, 2)
        let n = lengths.reduce(0, +)
        let segments = Segments(lengths: lengths)
        let (q, k, v) = (
            randomTensor([n, d], low: -3, high: 3, seed: 31), randomTensor([n, d], low: -3, high: 3, seed: 32),
            randomTensor([n, d], seed: 33)
        )
        let scale: Float = 6  // scores spread over hundreds
        let out = Tensor.segmentedSelfAttention(query: q, key: k, value: v, heads: heads, segments: segments, scale: scale, kernel: .fused)
        let expected = Self.naiveAttention(
            q.scalars.map(Double.init), k.scalars.map(Double.init), v.scalars.map(Double.init), d: d, heads: heads,
            lengths: lengths, scale: Double(scale))
        let worst = zip(out.scalars, expected).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(worst < 1e-4, "largest difference \(worst)")

        var keys = k.scalars
        keys[3 * d + 1] = .nan  // sequence 0, head 0
        let poisoned = Tensor.segmentedSelfAttention(
            query: q, key: Tensor(keys, shape: [n, d]), value: v, heads: heads, segments: segments, scale: scale,
            kernel: .fused
        ).scalars
        let e = d / heads
        #expect((0..<17).allSatisfy { row in (0..<e).allSatisfy { poisoned[row * d + $0].isNaN } })
        #expect(poisoned[(17 * d)...].allSatisfy { $0.isFinite })
    }

    /// Output and gradients of one attention call with `kernel`, for a fixed upstream gradient.
    static func attentionAndGradients(
        _ kernel: AttentionKernel, d: Int, heads: Int, lengths: [Int], seed: UInt64
    ) -> [[Float]] {
        let segments = Segments(lengths: lengths)
        var q = randomTensor([segments.rows, d], low: -2, high: 2, seed: seed)
        var k = randomTensor([segments.rows, d], low: -2, high: 2, seed: seed + 1)
        var v = randomTensor([segments.rows, d], seed: seed + 2)
        let upstream = randomTensor([segments.rows, d], seed: seed + 3)
        q.requiresGrad = true
        k.requiresGrad = true
        v.requiresGrad = true
        let out = Tensor.segmentedSelfAttention(
            query: q, key: k, value: v, heads: heads, segments: segments, scale: 1 / Float(d / heads).squareRoot(),
            kernel: kernel)
        out.backward(seed: upstream)
        return [out.scalars, q.grad!.scalars, k.grad!.scalars, v.grad!.scalars]
    }

    /// The fused kernel against the BLAS path at the model's shapes (200-row sequences, head
    /// widths 8, 16, 32 and 64) and at odd lengths.
    @Test(arguments: [(64, 8), (64, 4), (128, 4), (256, 4)])
    func fusedKernelAgreesWithBLAS(width d: Int, heads: Int) {
        let lengths = [200, 37, 1, 64, 5, 2]
        let fused = Self.attentionAndGradients(.fused, d: d, heads: heads, lengths: lengths, seed: 31)
        let blas = Self.attentionAndGradients(.blas, d: d, heads: heads, lengths: lengths, seed: 31)
        for (i, what) in ["output", "dQ", "dK", "dV"].enumerated() {
            assertClose(fused[i], blas[i].map(Double.init), rtol: 1e-4, atol: 1e-5, "\(what), width \(d), \(heads) heads")
        }
    }

    /// Q, K and V as column blocks of one [N, 3D] tensor give what the three tensors give, and
    /// the gradient comes back in the same layout.
    @Test(arguments: [AttentionKernel.fused, .blas])
    func packedQKVMatchesSeparateTensors(kernel: AttentionKernel) {
        let lengths = [7, 3, 12]
        let (d, heads) = (32, 4)
        let segments = Segments(lengths: lengths)
        var qkv = randomTensor([segments.rows, 3 * d], seed: 41)
        qkv.requiresGrad = true
        let upstream = randomTensor([segments.rows, d], seed: 42)
        let packed = Tensor.segmentedSelfAttention(packedQKV: qkv, heads: heads, segments: segments, scale: 0.3, kernel: kernel)
        packed.backward(seed: upstream)
        var parts = (0..<3).map { qkv.detached().sliced(axis: 1, $0 * d..<($0 + 1) * d) }
        for i in parts.indices { parts[i].requiresGrad = true }
        let separate = Tensor.segmentedSelfAttention(
            query: parts[0], key: parts[1], value: parts[2], heads: heads, segments: segments, scale: 0.3, kernel: kernel)
        separate.backward(seed: upstream)
        #expect(packed.scalars == separate.scalars)
        let joined = Tensor.concatenate(parts.map { $0.grad! }, axis: 1)
        #expect(qkv.grad!.scalars == joined.scalars)
    }

    /// Many sequences use the threaded path; it must agree with the padded, masked batched
    /// attention built from primitives.
    @Test func agreesWithMaskedBatchedAttention() {
        let lengths = [7, 2, 9, 4, 9, 1]
        let (d, heads, t) = (8, 4, 9)
        let e = d / heads
        let segments = Segments(lengths: lengths)
        let q = randomTensor([segments.rows, d], seed: 4)
        let k = randomTensor([segments.rows, d], seed: 5)
        let v = randomTensor([segments.rows, d], seed: 6)
        let packed = Tensor.segmentedSelfAttention(query: q, key: k, value: v, heads: heads, segments: segments, scale: 1 / Float(e).squareRoot())
        // padded [B, T, D] → [B, H, T, E], masked softmax, back
        func pad(_ x: Tensor) -> Tensor {
            var rows: [Float] = []
            for b in 0..<lengths.count {
                rows += x.scalars[segments.bounds[b] * d..<segments.bounds[b + 1] * d]
                rows += [Float](repeating: 0, count: (t - lengths[b]) * d)
            }
            return Tensor(rows, shape: [lengths.count, t, heads, e]).permuted([0, 2, 1, 3])
        }
        var bias = [Float]()
        for l in lengths { bias += (0..<t).map { $0 < l ? 0 : -Float.infinity } }
        let scores = Tensor.matmul(pad(q) * (1 / Float(e).squareRoot()), pad(k), transposeB: true)
            + Tensor(bias, shape: [lengths.count, 1, 1, t])
        let context = Tensor.matmul(scores.softmax(), pad(v)).permuted([0, 2, 1, 3]).reshaped([lengths.count, t, d]).scalars
        var expected: [Double] = []
        for b in 0..<lengths.count { expected += context[b * t * d..<(b * t + lengths[b]) * d].map(Double.init) }
        assertClose(packed.scalars, expected, rtol: 1e-5, atol: 1e-6)
    }

    /// The forward pass keeps Q, K and V for the backward pass but not the H·L² softmax
    /// weights, which the backward pass recomputes.
    @Test func selfAttentionKeepsNoWeightsForBackward() {
        let (l, heads, d) = (512, 16, 64)
        let segments = Segments(lengths: [l, l])
        var q = randomTensor([2 * l, d], seed: 9)
        var k = randomTensor([2 * l, d], seed: 10)
        var v = randomTensor([2 * l, d], seed: 11)
        q.requiresGrad = true
        k.requiresGrad = true
        v.requiresGrad = true
        let weightBytes = 2 * heads * l * l * 4  // 32 MB
        var growth = Int.max
        for _ in 0..<3 {  // other tests allocate concurrently; the smallest growth counts
            let before = TensorMemory.liveBytes
            let out = Tensor.segmentedSelfAttention(query: q, key: k, value: v, heads: heads, segments: segments, scale: 0.125)
            growth = min(growth, TensorMemory.liveBytes - before)
            #expect(out.requiresGrad)
        }
        #expect(growth < weightBytes / 4, "attention kept \(growth) bytes")
    }

    @Test func segmentedPoolMatchesNaiveWithVirtualPadding() {
        let lengths = [2, 4, 1]
        let d = 3
        let segments = Segments(lengths: lengths)
        let n = segments.rows
        let extra = Tensor([0.3, -Float.infinity, 1.2])
        // differentiate with respect to the extra scores only where they are finite
        checkGradients(
            [randomTensor([n], seed: 7), randomTensor([n, d], seed: 8), Tensor([0.3, -5, 1.2])],
            forward: { Tensor.segmentedAttentionPool(scores: $0[0], values: $0[1], extraScores: $0[2], segments: segments).pooled },
            reference: { x in
                var out: [Double] = []
                for b in 0..<3 {
                    let range = segments.range(b)
                    let s = range.map { x[0][$0] }
                    let m = max(s.max()!, x[2][b])
                    let w = s.map { Foundation.exp($0 - m) }
                    let z = w.reduce(0, +) + Foundation.exp(x[2][b] - m)
                    for j in 0..<d { out.append(zip(range, w).reduce(0) { $0 + $1.1 / z * x[1][$1.0 * d + j] }) }
                }
                return out
            })
        let (_, weights) = Tensor.segmentedAttentionPool(scores: Tensor.zeros([n]), values: Tensor.ones([n, d]), extraScores: extra, segments: segments)
        // equal scores: the second sequence has no virtual row, so its weights are 1/4
        #expect(Array(weights.scalars[2..<6]) == [0.25, 0.25, 0.25, 0.25])
    }
}
