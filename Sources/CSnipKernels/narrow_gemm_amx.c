// The bfloat16 narrow products of narrow_gemm_bf16.c on Intel's AMX tile engine (Sapphire Rapids
// and later: tdpbf16ps multiplies a 16 × 32 bfloat16 tile by a 32 × 16 one into 16 × 16 float32
// sums, 16,384 multiply-adds per instruction where vdpbf16ps does 32). The operands are rounded
// and packed exactly as the AVX-512 BF16 kernel packs them (bf16_pairs.h: pairs along the inner
// dimension, which is the layout tdpbf16ps reads for both tiles), the inner dimension is padded
// with zero pairs to a multiple of 16 pairs, and the bias, the accumulation into C and the ReLU
// are applied in float32 as the tiles are stored. The same sums as the AVX-512 BF16 kernel, in
// another order.
//
// Linux gives a process the tiles' 8 KB of register state only when it asks
// (arch_prctl(ARCH_REQ_XCOMP_PERM)); `amx_available` asks once. SNIP_AMX=0 keeps the AVX-512
// BF16 kernel (for comparisons).
#include "narrow_gemm_amx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bf16_pairs.h"
#include "kernel_math.h"

#if defined(__x86_64__) && defined(__linux__)
#include <cpuid.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#define AMX_TARGET                                                                                 \
    __attribute__((target(                                                                         \
        "amx-tile,amx-bf16,avx512f,avx512vl,avx512bw,avx512dq,avx512bf16,avx2,fma")))

#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

#define TILE_ROWS 16         // rows of every tile
#define TILE_PAIRS 16        // bfloat16 pairs in a row of an A tile (64 bytes)
#define BLOCK 32             // rows and columns of C per block: 2 × 2 tiles
#define INNER_CHUNK_PAIRS 256  // pairs of rows per chunk of a weight gradient's inner dimension

static int amx_granted;

// CPUID leaf 7 (EDX bit 22 AMX-BF16, bit 24 AMX-TILE), SNIP_AMX, then the kernel's permission
static void amx_look_up(void) {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    int ok = cpu_has_bf16() && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) &&
             (edx & (1u << 22)) && (edx & (1u << 24));
    const char *setting = getenv("SNIP_AMX");
    if (setting && strcmp(setting, "0") == 0) ok = 0;
    // the permission is the whole process's, its threads' included
    if (ok) ok = syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
    amx_granted = ok;
}

int amx_available(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, amx_look_up);
    return amx_granted;
}

typedef struct {
    uint8_t palette;
    uint8_t start_row;
    uint8_t reserved[14];
    uint16_t bytes_per_row[16];
    uint8_t rows[16];
} __attribute__((packed, aligned(64))) tile_configuration;

AMX_TARGET void amx_configure_tiles(void) {
    tile_configuration configuration;
    memset(&configuration, 0, sizeof configuration);
    configuration.palette = 1;
    for (int t = 0; t < 8; t++) {
        configuration.rows[t] = TILE_ROWS;
        configuration.bytes_per_row[t] = 64;
    }
    _tile_loadconfig(&configuration);
}

// C rows i < rows, columns j < cols (a multiple of 16) from the float32 sums s (row stride lds):
// c = s (+ bias[j]) (+ c), then max(·, 0) when relu (NaN → 0, as the other kernels).
AMX_TARGET static void store_rows(const float *s, long lds, long rows, long cols,
                                  const float *bias, int relu, float *c, long ldc, int add) {
    for (long r = 0; r < rows; r++)
        for (long j = 0; j < cols; j += 16) {
            __m512 y = _mm512_loadu_ps(s + r * lds + j);
            if (bias) y = _mm512_add_ps(y, _mm512_loadu_ps(bias + j));
            float *q = c + r * ldc + j;
            if (add) y = _mm512_add_ps(y, _mm512_loadu_ps(q));
            _mm512_storeu_ps(q, relu ? _mm512_max_ps(y, _mm512_setzero_ps()) : y);
        }
}

// Σ over pairs p0 < pairs (a multiple of 16) into tiles 0–3: A's rows from `a` (two row
// tiles, the second 16 rows on; row stride lda pairs), B's columns from `b` (row stride ldb
// pairs; the second column tile only when `wide`).
#define ACCUMULATE_BLOCK(a, lda, b, ldb, pairs, wide)                                              \
    for (long p0 = 0; p0 < (pairs); p0 += TILE_PAIRS) {                                            \
        _tile_loadd(4, (a) + p0, (lda) * 4);                                                       \
        _tile_loadd(5, (a) + TILE_ROWS * (lda) + p0, (lda) * 4);                                   \
        _tile_loadd(6, (b) + p0 * (ldb), (ldb) * 4);                                               \
        _tile_dpbf16ps(0, 4, 6);                                                                   \
        _tile_dpbf16ps(2, 5, 6);                                                                   \
        if (wide) {                                                                                \
            _tile_loadd(7, (b) + p0 * (ldb) + 16, (ldb) * 4);                                      \
            _tile_dpbf16ps(1, 4, 7);                                                               \
            _tile_dpbf16ps(3, 5, 7);                                                               \
        }                                                                                          \
    }

// A·B: A row-major float32 [m][k] (stride lda), B packed as pairs [pairs16][n] with zero pairs
// from ⌈k/2⌉ on. Each panel of 32 rows of A is packed into `panel` ([32][pairs16], its pad
// pairs zero) just before its blocks; `sums` holds one block of C ([32][32] floats).
AMX_TARGET static void rows_product(const float *a, long lda, const uint32_t *bp, long m, long n,
                                    long k, long pairs16, const float *bias, int relu, float *c,
                                    long ldc, int add, uint32_t *panel, float *sums) {
    // tiles 0–3: the 2 × 2 tiles of a block of C, 4–5 A's two row tiles, 6–7 B's two column tiles
    amx_configure_tiles();
    for (long i0 = 0; i0 < m; i0 += BLOCK) {
        long rows = m - i0 < BLOCK ? m - i0 : BLOCK;
        pairs_along_rows(a + i0 * lda, lda, rows, k, panel, pairs16);
        for (long j0 = 0; j0 < n; j0 += BLOCK) {
            int wide = j0 + BLOCK <= n;
            _tile_zero(0);
            _tile_zero(1);
            _tile_zero(2);
            _tile_zero(3);
            ACCUMULATE_BLOCK(panel, pairs16, bp + j0, n, pairs16, wide)
            _tile_stored(0, sums, BLOCK * 4);
            _tile_stored(2, sums + TILE_ROWS * BLOCK, BLOCK * 4);
            if (wide) {
                _tile_stored(1, sums + 16, BLOCK * 4);
                _tile_stored(3, sums + TILE_ROWS * BLOCK + 16, BLOCK * 4);
            }
            store_rows(sums, BLOCK, rows, wide ? 32 : 16, bias ? bias + j0 : NULL, relu,
                       c + i0 * ldc + j0, ldc, add);
        }
    }
    _tile_release();
}

int amx_rows_gemm(const float *a, long lda, const float *b, long ldb, int transpose_b, long m,
                  long n, long k, const float *bias, int relu, int add, float *c, long ldc) {
    long pairs = (k + 1) / 2;
    long pairs16 = (pairs + TILE_PAIRS - 1) / TILE_PAIRS * TILE_PAIRS;
    uint32_t *bp = NULL, *panel = NULL;
    float *sums = NULL;
    if (posix_memalign((void **)&bp, 64, sizeof(uint32_t) * (size_t)(pairs16 * n)) != 0) return 0;
    if (posix_memalign((void **)&panel, 64, sizeof(uint32_t) * (size_t)(BLOCK * pairs16)) != 0 ||
        posix_memalign((void **)&sums, 64, sizeof(float) * BLOCK * BLOCK) != 0) {
        free(panel);
        free(bp);
        return 0;
    }
    // zero pad pairs (and a last panel's rows past m, whose sums are never stored)
    memset(bp + pairs * n, 0, sizeof(uint32_t) * (size_t)((pairs16 - pairs) * n));
    memset(panel, 0, sizeof(uint32_t) * (size_t)(BLOCK * pairs16));
    pairs_of_b(b, ldb, transpose_b, k, n, bp);
    rows_product(a, lda, bp, m, n, k, pairs16, bias, relu, c, ldc, add, panel, sums);
    free(sums);
    free(panel);
    free(bp);
    return 1;
}

// Aᵀ·B over a long inner dimension k (a linear layer's weight gradient): A [k][m] (stride lda),
// B [k][n] (stride ldb). Chunk by chunk of 512 rows: B's chunk packed as pairs across rows
// (B tiles), A's likewise and then transposed to [m][pairs] (A tiles); the sums of C stay in
// float32 in `total` ([m rounded up to 32][n]) between chunks.
AMX_TARGET static void inner_product(const float *a, long lda, const float *b, long ldb, long m,
                                     long m32, long n, long k, uint32_t *at, uint32_t *across,
                                     uint32_t *bp, float *total) {
    // tiles 0–3: the 2 × 2 tiles of a block of C, 4–5 A's two row tiles, 6–7 B's two column tiles
    amx_configure_tiles();
    for (long t0 = 0; t0 < k; t0 += 2 * INNER_CHUNK_PAIRS) {
        long rows = k - t0 < 2 * INNER_CHUNK_PAIRS ? k - t0 : 2 * INNER_CHUNK_PAIRS;
        long pairs = (rows + 1) / 2;
        long pairs16 = (pairs + TILE_PAIRS - 1) / TILE_PAIRS * TILE_PAIRS;
        pairs_across_rows(b + t0 * ldb, ldb, rows, n, bp, n);
        memset(bp + pairs * n, 0, sizeof(uint32_t) * (size_t)((pairs16 - pairs) * n));
        pairs_across_rows(a + t0 * lda, lda, rows, m, across, m);
        // at[i][p] = across[p][i]: 16 pairs of a row of `at` gathered at once (zero past `pairs`)
        __m512i strides = _mm512_mullo_epi32(
            _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
            _mm512_set1_epi32((int)m));
        for (long p0 = 0; p0 < pairs16; p0 += 16) {
            long present = pairs - p0 < 16 ? pairs - p0 : 16;
            __mmask16 mask = present >= 16 ? 0xffff : (__mmask16)((1u << present) - 1u);
            for (long i = 0; i < m; i++)
                _mm512_storeu_si512(at + i * INNER_CHUNK_PAIRS + p0,
                                    _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), mask, strides,
                                                                across + p0 * m + i, 4));
        }
        for (long i0 = 0; i0 < m32; i0 += BLOCK)
            for (long j0 = 0; j0 < n; j0 += BLOCK) {
                int wide = j0 + BLOCK <= n;
                float *s = total + i0 * n + j0;
                _tile_loadd(0, s, n * 4);
                _tile_loadd(2, s + TILE_ROWS * n, n * 4);
                if (wide) {
                    _tile_loadd(1, s + 16, n * 4);
                    _tile_loadd(3, s + TILE_ROWS * n + 16, n * 4);
                }
                ACCUMULATE_BLOCK(at + i0 * INNER_CHUNK_PAIRS, INNER_CHUNK_PAIRS, bp + j0, n,
                                 pairs16, wide)
                _tile_stored(0, s, n * 4);
                _tile_stored(2, s + TILE_ROWS * n, n * 4);
                if (wide) {
                    _tile_stored(1, s + 16, n * 4);
                    _tile_stored(3, s + TILE_ROWS * n + 16, n * 4);
                }
            }
    }
    _tile_release();
}

int amx_inner_gemm(const float *a, long lda, const float *b, long ldb, long m, long n, long k,
                   const float *bias, int relu, int add, float *c, long ldc) {
    long m32 = (m + BLOCK - 1) / BLOCK * BLOCK;
    uint32_t *at = NULL, *across = NULL, *bp = NULL;
    float *total = NULL;
    int allocated =
        posix_memalign((void **)&at, 64, sizeof(uint32_t) * (size_t)(m32 * INNER_CHUNK_PAIRS)) == 0 &&
        posix_memalign((void **)&across, 64, sizeof(uint32_t) * (size_t)(INNER_CHUNK_PAIRS * m)) == 0 &&
        posix_memalign((void **)&bp, 64, sizeof(uint32_t) * (size_t)(INNER_CHUNK_PAIRS * n)) == 0 &&
        posix_memalign((void **)&total, 64, sizeof(float) * (size_t)(m32 * n)) == 0;
    if (allocated) {
        // A's rows past m stay zero pairs; C's sums start at zero
        memset(at, 0, sizeof(uint32_t) * (size_t)(m32 * INNER_CHUNK_PAIRS));
        memset(total, 0, sizeof(float) * (size_t)(m32 * n));
        inner_product(a, lda, b, ldb, m, m32, n, k, at, across, bp, total);
        store_rows(total, n, m, n, bias, relu, c, ldc, add);
    }
    free(total);
    free(bp);
    free(across);
    free(at);
    return allocated;
}

#else

int amx_available(void) { return 0; }

void amx_configure_tiles(void) {}

int amx_rows_gemm(const float *a, long lda, const float *b, long ldb, int transpose_b, long m,
                  long n, long k, const float *bias, int relu, int add, float *c, long ldc) {
    (void)a; (void)lda; (void)b; (void)ldb; (void)transpose_b; (void)m; (void)n; (void)k;
    (void)bias; (void)relu; (void)add; (void)c; (void)ldc;
    return 0;
}

int amx_inner_gemm(const float *a, long lda, const float *b, long ldb, long m, long n, long k,
                   const float *bias, int relu, int add, float *c, long ldc) {
    (void)a; (void)lda; (void)b; (void)ldb; (void)m; (void)n; (void)k; (void)bias; (void)relu;
    (void)add; (void)c; (void)ldc;
    return 0;
}

#endif
