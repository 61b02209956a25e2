import CSnipKernels
import Foundation
import SnipTensor
import TestSupport
import Testing

/// The bfloat16 attention kernels (`snip_attention_forward_bf16`, `…_backward_bf16`) against a
/// float64 attention that rounds to bfloat16 exactly where the kernels do: Q, scale·log2 e·K,
/// V and dO as they are packed, the softmax numerators before P·V and Pᵀ·dO, dS before dS·K and
/// dSᵀ·Q, and 1/sum·dO before Pᵀ·dO; everything else in float64. Strided rows, odd and tiny
/// lengths, head widths 16 and 32.
struct AttentionBFloat16Tests {
    static func r(_ x: Double) -> Double { Double(NarrowProductsBFloat16Tests.bfloat16(Float(x))) }

    /// (output, dQ, dK, dV) of one sequence, [l][e] each, in the kernels' rounding.
    static func reference(
        q: [Double], k: [Double], v: [Double], g: [Double], l: Int, e: Int, scale: Float
    ) -> [[Double]] {
        let log2Scale = scale * Float(1.4426950408889634)  // the kernel's scale · log2 e, in float
        var out = [Double](repeating: 0, count: l * e), dq = out, dk = out, dv = out
        for i in 0..<l {
            var s = [Double](repeating: 0, count: l)
            for j in 0..<l {
                for c in 0..<e {
                    s[j] += r(q[i * e + c]) * r(Double(log2Scale * Float(k[j * e + c])))
                }
            }
            let m = s.max()!
            let numerators = s.map { Foundation.pow(2, $0 - m) }
            let inverse = 1 / numerators.reduce(0, +)
            var dp = [Double](repeating: 0, count: l)
            for j in 0..<l {
                for c in 0..<e {
                    out[i * e + c] += inverse * r(numerators[j]) * r(v[j * e + c])
                    dp[j] += r(g[i * e + c]) * r(v[j * e + c])
                }
            }
            let dot = inverse * zip(numerators, dp).map(*).reduce(0, +)
            for j in 0..<l {
                let ds = inverse * numerators[j] * (dp[j] - dot)
                for c in 0..<e {
                    dq[i * e + c] += Double(scale) * r(ds) * r(k[j * e + c])
                    dk[j * e + c] += Double(scale) * r(ds) * r(q[i * e + c])
                    dv[j * e + c] += r(numerators[j]) * r(inverse * g[i * e + c])
                }
            }
        }
        return [out, dq, dk, dv]
    }

    @Test(arguments: [(200, 16), (37, 16), (1, 16), (5, 32), (64, 32), (16, 16), (17, 16), (48, 64)])
    func matchesTheRoundedFloat64Attention(_ shape: (Int, Int)) {
        let (l, e) = shape
        let ld = 3 * e + 16  // q, k, v side by side in wider rows, as in the packed QKV tensor
        let x = randomTensor([l * ld], low: -2, high: 2, seed: UInt64(l * 10 + e)).scalars
        let g = randomTensor([l * e], seed: UInt64(l + e)).scalars
        func column(_ offset: Int) -> [Double] {
            (0..<l).flatMap { i in (0..<e).map { Double(x[i * ld + offset + $0]) } }
        }
        let scale = 1 / Float(e).squareRoot()
        // the scratch the kernels say they need, then 256 sentinels they must not touch
        let needed = snip_attention_scratch(l, e)
        let scratch = [Float](repeating: .nan, count: needed) + [Float](repeating: 12345, count: 256)
        var out = [Float](repeating: 0, count: l * e), dq = out, dk = out, dv = out
        var fp32 = out
        let supported = snip_attention_bf16_supported(e) != 0
        var scratchCopy = scratch
        let taken = x.withUnsafeBufferPointer { px in
            scratchCopy.withUnsafeMutableBufferPointer { ps -> Int32 in
                let p = px.baseAddress!
                snip_attention_forward(
                    p, p + e, p + 2 * e, ld, &fp32, e, l, e, scale, ps.baseAddress)
                let forward = snip_attention_forward_bf16(
                    p, p + e, p + 2 * e, ld, &out, e, l, e, scale, ps.baseAddress)
                let backward = snip_attention_backward_bf16(
                    p, p + e, p + 2 * e, ld, g, e, &dq, &dk, &dv, e, l, e, scale, ps.baseAddress)
                #expect(forward == backward)
                return forward
            }
        }
        #expect(scratchCopy[needed...].allSatisfy { $0 == 12345 }, "wrote past its scratch")
        #expect(
            (taken == 1) == supported && supported == NarrowProductsBFloat16Tests.hasBFloat16,
            "\(shape)")
        guard taken == 1 else {
            #expect(
                out.allSatisfy { $0 == 0 } && dq.allSatisfy { $0 == 0 },
                "a refused call wrote its outputs")
            return
        }
        let expected = Self.reference(
            q: column(0), k: column(e), v: column(2 * e), g: g.map(Double.init), l: l, e: e,
            scale: scale)
        for (got, (want, what)) in zip(
            [out, dq, dk, dv], zip(expected, ["output", "dQ", "dK", "dV"]))
        {
            assertClose(got, want, rtol: 1e-3, atol: 2e-4, "\(what), l \(l), e \(e)")
        }
        // and the rounding shows against the float32 kernel
        let apart = zip(out, fp32).map { abs($0 - $1) }.max()!
        if l > 1 { #expect(apart > 1e-4, "bfloat16 and float32 outputs differ by only \(apart)") }
    }

    /// Head widths the AVX-512 kernels do not take are refused, untouched.
    @Test func refusesOtherHeadWidths() {
        #expect(snip_attention_bf16_supported(8) == 0 && snip_attention_bf16_supported(24) == 0)
        #expect(snip_attention_bf16_supported(0) == 0)
        var o = [Float](repeating: 7, count: 64)
        let q = [Float](repeating: 1, count: 64 * 3)
        var scratch = [Float](repeating: 0, count: snip_attention_scratch(8, 8))
        #expect(snip_attention_forward_bf16(q, q, q, 24, &o, 8, 8, 8, 1, &scratch) == 0)
        #expect(o.allSatisfy { $0 == 7 })
    }
}
