import Foundation

/// The switch for the narrow-product kernel (`snip_narrow_gemm` in CSnipKernels): on CPUs with
/// AVX-512 it computes the linear layers' products at the small models' widths (n a multiple of
/// 16, the small operand ≤ 256 KB) instead of BLAS, 15–30 % faster on one thread than
/// OpenBLAS, which packs both operands on every call (docs/BENCHMARKS.md). Every other product,
/// and every product on other CPUs, goes to BLAS.
///
/// `SNIP_NARROW_PRODUCTS=0` sends them all to BLAS (for comparisons, or to use only the library
/// `SNIP_BLAS_LIBRARY` names).
enum NarrowProducts {
    static let isEnabled = ProcessInfo.processInfo.environment["SNIP_NARROW_PRODUCTS"] != "0"
}
