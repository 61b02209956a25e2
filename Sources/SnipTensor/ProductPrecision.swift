import CSnipKernels

/// The precision of the matrix products inside linear layers (forward, input and weight
/// gradients) and the fused attention kernel (scores, weights times values, and their
/// gradients).
public enum ProductPrecision: String, Codable, Sendable, CaseIterable {
    /// float32 operands and sums (the default, and the reference's).
    case float32
    /// Operands rounded to bfloat16 (8 significant bits) where they enter a product; sums,
    /// softmax, bias, ReLU and every accumulation in float32. On CPUs with AVX-512 BF16 the
    /// small models' products run about 1.8× as fast (`snip_narrow_gemm_bf16`,
    /// `snip_attention_forward_bf16`; docs/BENCHMARKS.md), and on CPUs with AMX tiles the
    /// linear layers' 1.8–2.6× (the attention at head width 16 stays float32 there:
    /// ``attentionInBFloat16(headWidth:)``).
    /// For training; products the kernels do not take (other CPUs, wide layers, other head
    /// widths) stay float32.
    case bfloat16

    /// Whether this CPU multiplies in bfloat16 at all (AVX-512 BF16, and the narrow kernels on).
    public static var bfloat16IsAvailable: Bool {
        NarrowProducts.isEnabled && snip_narrow_gemm_bf16_accepts(0, 0, 16, 16, 16) != 0
    }

    /// Whether the fused attention multiplies in bfloat16 when ``bfloat16`` is asked for, at
    /// head width `headWidth`: on CPUs with AVX-512 BF16, except that on CPUs whose bfloat16
    /// products run on AMX tiles (Intel Xeons from Sapphire Rapids on) only from head width 32 on.
    /// There the tiles make one head's attention (200 keys) 1.6–2.4× as fast at widths 32 and
    /// 64, but at the small model's 16 the step measured the same as in float32 (the softmax and
    /// the packing are most of it), and the AVX-512 BF16 kernel was 1.5× slower than float32
    /// (docs/BENCHMARKS.md).
    public static func attentionInBFloat16(headWidth: Int) -> Bool {
        bfloat16IsAvailable && (snip_narrow_gemm_bf16_uses_amx() == 0 || headWidth >= 32)
    }

    /// How fast this CPU's bfloat16 products run against float32's, measured here on one
    /// product of a small model's linear layer (4,096 × 64 × 256, the best of 5 runs each, one
    /// thread, ~15 ms in all): above 1 where bfloat16 pays (the AMD EPYC measured here: ~1.8;
    /// an Intel Xeon with AMX tiles: ~2.5), below 1 where it costs (the same Xeon with SNIP_AMX=0,
    /// whose bfloat16 dot products issue on one port: ~0.55). nil where this CPU has no bfloat16
    /// products.
    public static func measuredBFloat16Speedup() -> Double? {
        guard bfloat16IsAvailable else { return nil }
        let (m, k, n) = (4096, 64, 256)
        let a = (0..<(m * k)).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 }
        let b = (0..<(k * n)).map { Float(($0 * 104_729) % 1000) / 1000 - 0.5 }
        var c = [Float](repeating: 0, count: m * n)
        func fastest(bfloat16: Bool) -> Duration {
            func product() {
                c.withUnsafeMutableBufferPointer { out in
                    _ = bfloat16
                        ? snip_narrow_gemm_bf16(0, 0, m, n, k, a, k, b, n, nil, 0, 0, out.baseAddress, n)
                        : snip_narrow_gemm(0, 0, m, n, k, a, k, b, n, nil, 0, 0, out.baseAddress, n)
                }
            }
            product()  // warms the caches; not timed
            let clock = ContinuousClock()
            return (0..<5).map { _ in clock.measure(product) }.min()!
        }
        let single = fastest(bfloat16: false), half = fastest(bfloat16: true)
        return half > .zero ? single / half : nil
    }
}

extension Tensor {
    /// The precision of the linear layers (`Tensor.linear`, `linearReLU`) and the fused
    /// attention (`segmentedSelfAttention`) run while it is bound, e.g.
    /// `Tensor.$productPrecision.withValue(.bfloat16) { step() }`; gradients use the precision
    /// their forward used. Bound per task (or thread, outside tasks).
    @TaskLocal public static var productPrecision = ProductPrecision.float32
}
