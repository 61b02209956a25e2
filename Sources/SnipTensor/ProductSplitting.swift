import CBLAS
import Dispatch
import Foundation
import Synchronization

/// Runs parts of matrix products on the compute threads, each part on single-threaded BLAS
/// (see ``sgemm(transposeA:transposeB:m:n:k:alpha:_:lda:_:ldb:beta:_:ldc:)``).
enum ProductSplitting {
    /// Products below this many multiply-adds run as one call (the hand-off would cost more).
    static var minimumWork: Int { 1 << 21 }
    /// Each part gets at least this many rows (or inner-dimension entries).
    static var minimumRows: Int { 1024 }
    /// The widths up to which a product counts as narrow.
    static var narrow: Int { 512 }

    /// Whether narrow products are split at all (`SNIP_SPLIT_PRODUCTS=0` turns it off, for
    /// comparisons).
    static let isEnabled = ProcessInfo.processInfo.environment["SNIP_SPLIT_PRODUCTS"] != "0"

    /// How many parallel product regions are running (products inside one are not split again).
    private static let depth = Atomic<Int>(0)

    /// Whether a parallel product region is running: its products run as they are.
    static var isInsideParallelProducts: Bool { depth.load(ordering: .relaxed) > 0 }

    /// Runs `body(t)` for t in 0..<threads concurrently, with OpenBLAS on one thread meanwhile.
    static func onSingleThreadedBLAS(threads: Int, _ body: (Int) -> Void) {
        _ = Runtime.blasConfigured
        depth.add(1, ordering: .relaxed)
        snip_blas_set_num_threads(1)
        defer {
            snip_blas_set_num_threads(Int32(Runtime.threadCount))
            depth.subtract(1, ordering: .relaxed)
        }
        withoutActuallyEscaping(body) { body in
            let shared = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: threads) { t in shared.value(t) }
        }
    }

    /// C = alpha · op(A) · op(B) + beta · C with the m rows of op(A) and C in `threads` blocks.
    static func byRows(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float, _ a: UnsafePointer<Float>, lda: Int,
        _ b: UnsafePointer<Float>, ldb: Int, beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int,
        bfloat16: Bool = false
    ) {
        let (pa, pb, pc) = (UnsafeSendable(a), UnsafeSendable(b), UnsafeSendable(c))
        onSingleThreadedBLAS(threads: threads) { t in
            let (start, end) = (m * t / threads, m * (t + 1) / threads)
            guard start < end else { return }
            // row r of op(A) is row r of A, or column r of a transposed A
            sgemmOnce(
                transposeA: transposeA, transposeB: transposeB, m: end - start, n: n, k: k, alpha: alpha,
                pa.value + (transposeA ? start : start * lda), lda: lda, pb.value, ldb: ldb, beta: beta,
                pc.value + start * ldc, ldc: ldc, bfloat16: bfloat16)
        }
    }

    /// C = alpha · op(A) · op(B) + beta · C with the inner dimension k in `threads` blocks: the
    /// first block's product goes into C, the others' into scratch matrices added to it after.
    static func byInner(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float, _ a: UnsafePointer<Float>, lda: Int,
        _ b: UnsafePointer<Float>, ldb: Int, beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int,
        bfloat16: Bool = false
    ) {
        let scratch = Tensor.uninitialized([(threads - 1) * m * n])
        let (pa, pb, pc, ps) = (UnsafeSendable(a), UnsafeSendable(b), UnsafeSendable(c), UnsafeSendable(scratch.storage.pointer))
        onSingleThreadedBLAS(threads: threads) { t in
            let (start, end) = (k * t / threads, k * (t + 1) / threads)
            // columns start..<end of op(A) and the same rows of op(B)
            let partA = pa.value + (transposeA ? start * lda : start)
            let partB = pb.value + (transposeB ? start : start * ldb)
            if t == 0 {
                sgemmOnce(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: end - start, alpha: alpha, partA,
                    lda: lda, partB, ldb: ldb, beta: beta, pc.value, ldc: ldc, bfloat16: bfloat16)
            } else {
                sgemmOnce(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: end - start, alpha: alpha, partA,
                    lda: lda, partB, ldb: ldb, beta: 0, ps.value + (t - 1) * m * n, ldc: n, bfloat16: bfloat16)
            }
        }
        for t in 1..<threads {
            let part = ps.value + (t - 1) * m * n
            for r in 0..<m {
                let row = pc.value + r * ldc
                let add = part + r * n
                for j in 0..<n { row[j] += add[j] }
            }
        }
    }
}
