// The AMX path of snip_narrow_gemm_bf16 (narrow_gemm_amx.c); private to CSnipKernels (not under
// include/).
#ifndef SNIP_NARROW_GEMM_AMX_H
#define SNIP_NARROW_GEMM_AMX_H

// Whether this CPU has AMX-BF16 tiles, Linux granted this process their state, and SNIP_AMX is
// not 0; looked up once.
int amx_available(void);

// Loads the tile configuration both AMX kernels use: tiles 0–7, each 16 rows of 64 bytes. The
// configuration is per thread, so each kernel call loads it (and releases the tiles at its end).
void amx_configure_tiles(void);

// C = A·B or A·Bᵀ (transpose_b) (+ bias) (+ C), then ReLU, A row-major [m][k], in bfloat16
// products with float32 sums; n a multiple of 16. 0 where scratch memory was refused.
int amx_rows_gemm(const float *a, long lda, const float *b, long ldb, int transpose_b, long m,
                  long n, long k, const float *bias, int relu, int add, float *c, long ldc);

// C = Aᵀ·B (+ bias) (+ C), then ReLU, A [k][m], B [k][n], likewise; 0 where scratch memory was
// refused.
int amx_inner_gemm(const float *a, long lda, const float *b, long ldb, long m, long n, long k,
                   const float *bias, int relu, int add, float *c, long ldc);

#endif
