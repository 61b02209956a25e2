// The narrow products of narrow_gemm.c with bfloat16 operands and float32 sums, on CPUs with
// AVX-512 BF16 (vdpbf16ps: 32 multiply-adds per instruction where vfmadd231ps does 16). Both
// operands are rounded to bfloat16 (round to nearest even) as they are packed in pairs along
// the inner dimension — the layout vdpbf16ps reads: one 32-bit lane holds A(i, 2p) and
// A(i, 2p + 1), or B(2p, j) and B(2p + 1, j) — and every sum, the bias, the accumulation into C
// and the ReLU stay in float32. An odd inner dimension is padded with a zero.
#include "snip_kernels.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bf16_pairs.h"
#include "kernel_math.h"
#include "narrow_gemm_amx.h"

#define BF16_ROWS 8  // rows of C per register block

#if defined(__x86_64__)
// One register block of C: rows i < `rows` (≤ 8), columns j0..<j0+16·V (V = 1 or 2):
// c_i = Σ_p A(i, p) · B(p, j) over bfloat16 pairs p < `pairs` (+ bias) (+ c_i), then max(·, 0)
// when `relu` (NaN → 0). A(i, p) = a[i·si + p·sp] (a pair), B(p, ·) = b + p·ldb (pairs).
#define BF16_BLOCK(V)                                                                              \
    BF16_TARGET static inline __attribute__((always_inline)) void bf16_block##V(                   \
        const uint32_t *a, long si, long sp, long rows, const uint32_t *b, long ldb, long pairs,   \
        long j0, const float *bias, int relu, float *c, long ldc, int add) {                       \
        __m512 acc[BF16_ROWS][V];                                                                  \
        long offset[BF16_ROWS];                                                                    \
        for (int r = 0; r < BF16_ROWS; r++) offset[r] = (r < rows ? r : rows - 1) * si;            \
        for (int r = 0; r < BF16_ROWS; r++)                                                        \
            for (int v = 0; v < V; v++)                                                            \
                acc[r][v] = bias ? _mm512_loadu_ps(bias + j0 + 16 * v) : _mm512_setzero_ps();      \
        for (long p = 0; p < pairs; p++) {                                                         \
            __m512bh bv[V];                                                                        \
            for (int v = 0; v < V; v++)                                                            \
                bv[v] = (__m512bh)_mm512_loadu_si512(b + p * ldb + j0 + 16 * v);                   \
            const uint32_t *ap = a + p * sp;                                                       \
            for (int r = 0; r < BF16_ROWS; r++) {                                                  \
                __m512bh x = (__m512bh)_mm512_set1_epi32((int)ap[offset[r]]);                      \
                for (int v = 0; v < V; v++) acc[r][v] = _mm512_dpbf16_ps(acc[r][v], x, bv[v]);     \
            }                                                                                      \
        }                                                                                          \
        for (int r = 0; r < BF16_ROWS; r++) {                                                      \
            if (r >= rows) break;                                                                  \
            for (int v = 0; v < V; v++) {                                                          \
                float *q = c + r * ldc + j0 + 16 * v;                                              \
                __m512 y = add ? _mm512_add_ps(acc[r][v], _mm512_loadu_ps(q)) : acc[r][v];         \
                _mm512_storeu_ps(q, relu ? _mm512_max_ps(y, _mm512_setzero_ps()) : y);             \
            }                                                                                      \
        }                                                                                          \
    }
BF16_BLOCK(1)
BF16_BLOCK(2)

// The register blocks of C's rows i0..<i0+rows for every column block.
BF16_TARGET static void bf16_rows(const uint32_t *a, long si, long sp, long rows, const uint32_t *b,
                                  long ldb, long n, long pairs, const float *bias, int relu,
                                  float *c, long ldc, int add) {
    long j0 = 0;
    for (; j0 + 32 <= n; j0 += 32)
        bf16_block2(a, si, sp, rows, b, ldb, pairs, j0, bias, relu, c, ldc, add);
    if (j0 < n) bf16_block1(a, si, sp, rows, b, ldb, pairs, j0, bias, relu, c, ldc, add);
}

// A·B with A row-major [m][k] (stride lda) and B packed as pairs [⌈k/2⌉][n]: each panel of 8
// rows of A is packed (into L1-sized scratch) just before its blocks.
BF16_TARGET static void bf16_product_rows(const float *a, long lda, const uint32_t *bp, long m,
                                          long n, long k, const float *bias, int relu, float *c,
                                          long ldc, int add, uint32_t *panel) {
    long pairs = (k + 1) / 2;
    for (long i0 = 0; i0 < m; i0 += BF16_ROWS) {
        long rows = m - i0 < BF16_ROWS ? m - i0 : BF16_ROWS;
        pairs_along_rows(a + i0 * lda, lda, rows, k, panel, pairs);
        bf16_rows(panel, pairs, 1, rows, bp, n, n, pairs, bias, relu, c + i0 * ldc, ldc, add);
    }
}
#endif

int snip_narrow_gemm_bf16_accepts(int transpose_a, int transpose_b, long m, long n, long k) {
#if defined(__x86_64__)
    return cpu_has_bf16() && snip_narrow_gemm_accepts(transpose_a, transpose_b, m, n, k);
#else
    (void)transpose_a;
    (void)transpose_b;
    (void)m;
    (void)n;
    (void)k;
    return 0;
#endif
}

int snip_narrow_gemm_bf16_uses_amx(void) { return amx_available(); }

int snip_narrow_gemm_bf16(int transpose_a, int transpose_b, long m, long n, long k, const float *a,
                          long lda, const float *b, long ldb, const float *bias, int relu, int add,
                          float *c, long ldc) {
    if (!snip_narrow_gemm_bf16_accepts(transpose_a, transpose_b, m, n, k)) return 0;
#if defined(__x86_64__)
    // the same products on AMX tiles where the CPU has them (falling through only when its
    // scratch memory is refused)
    if (amx_available() &&
        (transpose_a ? amx_inner_gemm(a, lda, b, ldb, m, n, k, bias, relu, add, c, ldc)
                     : amx_rows_gemm(a, lda, b, ldb, transpose_b, m, n, k, bias, relu, add, c, ldc)))
        return 1;
    if (!transpose_a) {
        // A·B or A·Bᵀ: B packed once, A panel by panel
        long pairs = (k + 1) / 2;
        uint32_t *bp = NULL, *panel = NULL;
        if (posix_memalign((void **)&bp, 64, sizeof(uint32_t) * (size_t)(pairs * n)) != 0) return 0;
        if (posix_memalign((void **)&panel, 64, sizeof(uint32_t) * (size_t)(BF16_ROWS * pairs)) !=
            0) {
            free(bp);
            return 0;
        }
        pairs_of_b(b, ldb, transpose_b, k, n, bp);
        bf16_product_rows(a, lda, bp, m, n, k, bias, relu, c, ldc, add, panel);
        free(panel);
        free(bp);
        return 1;
    }
    // Aᵀ·B over a long inner dimension (a linear layer's weight gradient), in chunks of an
    // even number of rows: both operands' chunks packed as pairs across rows, A(i, p) then read
    // with stride 1 along i and m along p
    long chunk = 65536 / n;
    long pairs = (chunk + 1) / 2;
    uint32_t *ap = NULL, *bp = NULL;
    if (posix_memalign((void **)&ap, 64, sizeof(uint32_t) * (size_t)(pairs * m)) != 0) return 0;
    if (posix_memalign((void **)&bp, 64, sizeof(uint32_t) * (size_t)(pairs * n)) != 0) {
        free(ap);
        return 0;
    }
    for (long t0 = 0; t0 < k; t0 += chunk) {
        long kc = k - t0 < chunk ? k - t0 : chunk;
        long kp = (kc + 1) / 2;
        pairs_across_rows(a + t0 * lda, lda, kc, m, ap, m);
        pairs_across_rows(b + t0 * ldb, ldb, kc, n, bp, n);
        int accumulate = add || t0 > 0;
        const float *chunk_bias = t0 == 0 ? bias : NULL;
        int chunk_relu = relu && t0 + kc == k;
        for (long i0 = 0; i0 < m; i0 += BF16_ROWS) {
            long rows = m - i0 < BF16_ROWS ? m - i0 : BF16_ROWS;
            bf16_rows(ap + i0, 1, m, rows, bp, n, n, kp, chunk_bias, chunk_relu, c + i0 * ldc, ldc,
                      accumulate);
        }
    }
    free(bp);
    free(ap);
    return 1;
#else
    (void)a;
    (void)lda;
    (void)b;
    (void)ldb;
    (void)bias;
    (void)relu;
    (void)add;
    (void)c;
    (void)ldc;
    return 0;
#endif
}
