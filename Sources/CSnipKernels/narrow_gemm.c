// Matrix products for the narrow shapes of the small models' linear layers (a width of 64 to a
// few hundred, thousands of rows), on AVX-512: C = op(A) · op(B) (+ bias) (+ C), optionally
// through a ReLU. OpenBLAS reaches 80–95
// GFLOP/s on one thread at these shapes, a quarter of it lost to packing both operands on every
// call; here the small operand is read in place (or, for A·Bᵀ, transposed once per call) and
// blocks of C stay in 16 vector registers while the whole inner dimension streams past them.
#include "snip_kernels.h"
#include <stdlib.h>

#include "kernel_math.h"

#define NARROW_ROWS 8      // rows of C per register block

#if defined(__x86_64__)
#include <immintrin.h>

#define NARROW_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")))

// One register block of C: rows i < `rows` (≤ 8) from `a`, columns j0..<j0+16·V (V = 1 or 2):
// c_i = Σ_t A(i, t) · b[t·ldb + j0 …] (+ bias[j0 …]) (+ c_i), t < k, where A(i, t) =
// a[i·si + t·st], then max(·, 0) when `relu` (NaN → 0, as snip_relu_in_place). Rows past
// `rows` repeat the last one (computed, never written). The 8 rows are read at offsets from one
// base pointer (8 separate row pointers measured 15–35 % slower).
#define NARROW_BLOCK(V)                                                                          \
    NARROW_TARGET static inline __attribute__((always_inline)) void narrow_block##V(            \
        const float *a, long si, long st, long rows, const float *b, long ldb, long k, long j0,  \
        const float *bias, int relu, float *c, long ldc, int add) {                              \
        __m512 acc[NARROW_ROWS][V];                                                              \
        long offset[NARROW_ROWS];                                                                \
        for (int r = 0; r < NARROW_ROWS; r++) offset[r] = (r < rows ? r : rows - 1) * si;       \
        for (int r = 0; r < NARROW_ROWS; r++)                                                    \
            for (int v = 0; v < V; v++)                                                          \
                acc[r][v] = bias ? _mm512_loadu_ps(bias + j0 + 16 * v) : _mm512_setzero_ps();    \
        for (long t = 0; t < k; t++) {                                                           \
            __m512 bv[V];                                                                        \
            for (int v = 0; v < V; v++) bv[v] = _mm512_loadu_ps(b + t * ldb + j0 + 16 * v);      \
            const float *at = a + t * st;                                                        \
            for (int r = 0; r < NARROW_ROWS; r++) {                                              \
                __m512 x = _mm512_set1_ps(at[offset[r]]);                                        \
                for (int v = 0; v < V; v++) acc[r][v] = _mm512_fmadd_ps(x, bv[v], acc[r][v]);    \
            }                                                                                    \
        }                                                                                        \
        for (int r = 0; r < NARROW_ROWS; r++) {                                                  \
            if (r >= rows) break;                                                                \
            for (int v = 0; v < V; v++) {                                                        \
                float *p = c + r * ldc + j0 + 16 * v;                                            \
                __m512 y = add ? _mm512_add_ps(acc[r][v], _mm512_loadu_ps(p)) : acc[r][v];         \
                _mm512_storeu_ps(p, relu ? _mm512_max_ps(y, _mm512_setzero_ps()) : y);             \
            }                                                                                    \
        }                                                                                        \
    }
NARROW_BLOCK(1)
NARROW_BLOCK(2)

// C[m][n] = Σ_t A(i, t) · B[t][j] (+ bias[j]) (+ C), then max(·, 0) when `relu`: A(i, t) =
// a[i·si + t·st] (si, st: A's strides, so that A and Aᵀ are both read in place), B row-major
// [k][n] with stride ldb; n % 16 == 0.
// The inner dimension goes in chunks so that a chunk of B stays in L2 across row blocks.
NARROW_TARGET static void narrow_product(const float *a, long si, long st, const float *b,
                                         long ldb, long m, long n, long k, const float *bias,
                                         int relu, float *c, long ldc, int add, long chunk) {
    for (long t0 = 0; t0 < k; t0 += chunk) {
        long kc = k - t0 < chunk ? k - t0 : chunk;
        int accumulate = add || t0 > 0;
        const float *chunk_bias = t0 == 0 ? bias : NULL;  // added once, by the first chunk
        int chunk_relu = relu && t0 + kc == k;            // applied once, by the last
        for (long i0 = 0; i0 < m; i0 += NARROW_ROWS) {
            long rows = m - i0 < NARROW_ROWS ? m - i0 : NARROW_ROWS;
            const float *ai = a + i0 * si + t0 * st;
            long j0 = 0;
            for (; j0 + 32 <= n; j0 += 32)
                narrow_block2(ai, si, st, rows, b + t0 * ldb, ldb, kc, j0, chunk_bias, chunk_relu,
                              c + i0 * ldc, ldc, accumulate);
            if (j0 < n)
                narrow_block1(ai, si, st, rows, b + t0 * ldb, ldb, kc, j0, chunk_bias, chunk_relu,
                              c + i0 * ldc, ldc, accumulate);
        }
    }
}
#endif

int snip_narrow_gemm_accepts(int transpose_a, int transpose_b, long m, long n, long k) {
#if defined(__x86_64__)
    if (cpu_level() < 2 || m <= 0 || k <= 0 || n <= 0 || n % 16 != 0 || n > 1024) return 0;
    // A·B and A·Bᵀ: B (or Bᵀ) stays in L2 (≤ 256 KB); Aᵀ·B: C does
    if (!transpose_a) return k * n <= 65536;
    return !transpose_b && m * n <= 65536;
#else
    (void)transpose_a; (void)transpose_b; (void)m; (void)n; (void)k;
    return 0;
#endif
}

int snip_narrow_gemm(int transpose_a, int transpose_b, long m, long n, long k, const float *a,
                     long lda, const float *b, long ldb, const float *bias, int relu, int add,
                     float *c, long ldc) {
    if (!snip_narrow_gemm_accepts(transpose_a, transpose_b, m, n, k)) return 0;
#if defined(__x86_64__)
    if (!transpose_a && !transpose_b) {
        // A·B: rows of A against B in place (the input gradient of a linear layer)
        narrow_product(a, lda, 1, b, ldb, m, n, k, bias, relu, c, ldc, add, k);
        return 1;
    }
    if (!transpose_b) {
        // Aᵀ·B over a long inner dimension (a linear layer's weight gradient): A read by
        // columns in place, the inner dimension in chunks of B of ~256 KB
        narrow_product(a, 1, lda, b, ldb, m, n, k, bias, relu, c, ldc, add, 65536 / n);
        return 1;
    }
    // A·Bᵀ: Bᵀ made once (the forward of a linear layer, B = its [n, k] weight), 64-byte
    // aligned, as every row of it then is (n % 16 == 0): a vector load that straddles two
    // cache lines costs two
    float *bt = NULL;
    if (posix_memalign((void **)&bt, 64, sizeof(float) * (size_t)(k * n)) != 0) return 0;
    for (long j = 0; j < n; j++)
        for (long t = 0; t < k; t++) bt[t * n + j] = b[j * ldb + t];
    narrow_product(a, lda, 1, bt, n, m, n, k, bias, relu, c, ldc, add, k);
    free(bt);
    return 1;
#else
    return 0;
#endif
}
