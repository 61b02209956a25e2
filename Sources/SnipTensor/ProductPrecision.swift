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
    /// `snip_attention_forward_bf16`; docs/BENCHMARKS.md). For training; products the kernels do
    /// not take (other CPUs, wide layers, other head widths) stay float32.
    case bfloat16

    /// Whether this CPU multiplies in bfloat16 at all (AVX-512 BF16, and the narrow kernels on).
    public static var bfloat16IsAvailable: Bool {
        NarrowProducts.isEnabled && snip_narrow_gemm_bf16_accepts(0, 0, 16, 16, 16) != 0
    }
}

extension Tensor {
    /// The precision of the linear layers (`Tensor.linear`, `linearReLU`) and the fused
    /// attention (`segmentedSelfAttention`) run while it is bound, e.g.
    /// `Tensor.$productPrecision.withValue(.bfloat16) { step() }`; gradients use the precision
    /// their forward used. Bound per task (or thread, outside tasks).
    @TaskLocal public static var productPrecision = ProductPrecision.float32
}
