import CSnipKernels
import Foundation

/// The switch for the narrow-product kernel (`snip_narrow_gemm` in CSnipKernels): on CPUs with
/// AVX-512 it computes the linear layers' products at the small models' widths (n a multiple of
/// 16, the small operand ≤ 256 KB) instead of BLAS, up to 45 % faster on one thread than
/// OpenBLAS, which packs both operands on every call, and with a linear layer's bias and ReLU
/// applied inside the product (docs/BENCHMARKS.md). Every other product, and every product on
/// other CPUs, goes to BLAS.
///
/// `SNIP_NARROW_PRODUCTS=0` sends them all to BLAS (for comparisons, or to use only the library
/// `SNIP_BLAS_LIBRARY` names).
enum NarrowProducts {
    static let isEnabled = ProcessInfo.processInfo.environment["SNIP_NARROW_PRODUCTS"] != "0"

    /// Whether the kernel is on and computes op(A)·op(B) of this shape on this CPU.
    static func accepts(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int) -> Bool {
        isEnabled && snip_narrow_gemm_accepts(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k) != 0
    }

    /// Whether the kernel is on and computes op(A)·op(B) of this shape in bfloat16 on this CPU
    /// (``ProductPrecision/bfloat16``).
    static func acceptsBFloat16(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int) -> Bool {
        isEnabled && snip_narrow_gemm_bf16_accepts(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k) != 0
    }
}
