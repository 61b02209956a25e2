// The bfloat16 pair packing shared by the bfloat16 product kernels (narrow_gemm_bf16.c, and
// narrow_gemm_amx.c on CPUs with AMX): operands rounded to bfloat16 (nearest even) and packed in
// pairs along the inner dimension, the layout both vdpbf16ps and AMX's tdpbf16ps read. Private to
// CSnipKernels (not under include/).
#ifndef SNIP_BF16_PAIRS_H
#define SNIP_BF16_PAIRS_H

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define BF16_TARGET                                                                                \
    __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx512bf16,avx2,fma")))

// x rounded to bfloat16, as vcvtneps2bf16 does (nearest even; a NaN stays a NaN).
static inline uint32_t bf16_bits(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (u >> 16) | 0x40u;
    return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}

// out[i·ldo + p] = (x[i·ld + 2p], x[i·ld + 2p + 1]) as a bfloat16 pair, for i < rows and
// p < ⌈cols / 2⌉; a missing last element is 0. Pairs along each row, 32 values at a time.
BF16_TARGET static inline void pairs_along_rows(const float *x, long ld, long rows, long cols,
                                         uint32_t *out, long ldo) {
    for (long i = 0; i < rows; i++) {
        const float *row = x + i * ld;
        uint32_t *o = out + i * ldo;
        for (long t = 0; t < cols; t += 32) {
            long left = cols - t;
            __mmask16 lo = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1u);
            __mmask16 hi = left >= 32   ? 0xffff
                           : left <= 16 ? 0
                                        : (__mmask16)((1u << (left - 16)) - 1u);
            __m512bh v = _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, row + t + 16),
                                             _mm512_maskz_loadu_ps(lo, row + t));
            long pairs = left >= 32 ? 16 : (left + 1) / 2;
            _mm512_mask_storeu_epi32(o + t / 2, (__mmask16)((1u << pairs) - 1u), (__m512i)v);
        }
    }
}

// out[p·ldo + j] = (x[2p·ld + j], x[(2p + 1)·ld + j]) as a bfloat16 pair, for p < ⌈rows / 2⌉
// and j < cols; a missing last row is 0. Pairs across two rows, 16 columns at a time.
BF16_TARGET static inline void pairs_across_rows(const float *x, long ld, long rows, long cols,
                                          uint32_t *out, long ldo) {
    for (long p = 0; 2 * p < rows; p++) {
        const float *r0 = x + 2 * p * ld;
        const float *r1 = 2 * p + 1 < rows ? r0 + ld : NULL;
        for (long j = 0; j < cols; j += 16) {
            long left = cols - j;
            __mmask16 mask = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1u);
            __m256i even = (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, r0 + j));
            __m256i odd = r1 ? (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, r1 + j))
                             : _mm256_setzero_si256();
            __m512i pair = _mm512_or_si512(_mm512_cvtepu16_epi32(even),
                                           _mm512_slli_epi32(_mm512_cvtepu16_epi32(odd), 16));
            _mm512_mask_storeu_epi32(out + p * ldo + j, mask, pair);
        }
    }
}

// B of A·B (B [k][n], stride ldb) or of A·Bᵀ (B an [n][k] weight, `transposed`) as pairs
// [⌈k/2⌉][n] with row stride n: the operand both bfloat16 kernels multiply by.
BF16_TARGET static inline void pairs_of_b(const float *b, long ldb, int transposed, long k, long n,
                                          uint32_t *out) {
    if (!transposed) {
        pairs_across_rows(b, ldb, k, n, out, n);
        return;
    }
    // pairs along the weight's rows, then transposed
    long pairs = (k + 1) / 2;
    for (long j = 0; j < n; j++)
        for (long p = 0; p < pairs; p++) {
            const float *w = b + j * ldb + 2 * p;
            out[p * n + j] = bf16_bits(w[0]) | (2 * p + 1 < k ? bf16_bits(w[1]) << 16 : 0u);
        }
}

#endif
#endif
