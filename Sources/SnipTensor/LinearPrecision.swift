import CSnipKernels

/// The precision of a linear layer's three products: its forward and the gradients of its
/// input and weight.
public enum LinearPrecision: String, Codable, Sendable, CaseIterable {
    /// float32 operands and sums (the default, and the reference's).
    case float32
    /// Operands rounded to bfloat16 (8 significant bits), sums, bias, ReLU and gradients'
    /// accumulation in float32: on CPUs with AVX-512 BF16 the small models' products run about
    /// 1.8× as fast (`snip_narrow_gemm_bf16`, docs/BENCHMARKS.md). For training; products the
    /// kernel does not take (other CPUs, wide layers) stay float32.
    case bfloat16

    /// Whether this CPU multiplies in bfloat16 at all (AVX-512 BF16, and the narrow kernels on).
    public static var bfloat16IsAvailable: Bool {
        NarrowProducts.isEnabled && snip_narrow_gemm_bf16_accepts(0, 0, 16, 16, 16) != 0
    }
}

extension Tensor {
    /// The precision of the linear layers (`Tensor.linear`, `linearReLU`) run while it is bound,
    /// e.g. `Tensor.$linearPrecision.withValue(.bfloat16) { step() }`; a layer's gradients use the
    /// precision its forward used. Bound per task (or thread, outside tasks).
    @TaskLocal public static var linearPrecision = LinearPrecision.float32
}
