// OpenBLAS, loaded on first use: the library starts its thread pool when it is loaded, and its
// threads spin for about a tenth of a second before they sleep, so commands that never
// multiply matrices (generating data, most scripts) should not load it at all.
#ifndef SNIP_BLAS_LOADER_H
#define SNIP_BLAS_LOADER_H

// The CBLAS enumeration values of the calls below.
enum {
    SnipBLASRowMajor = 101,
    SnipBLASNoTranspose = 111,
    SnipBLASTranspose = 112,
};

// cblas_sgemm.
void snip_blas_sgemm(int order, int transposeA, int transposeB, int m, int n, int k,
                     float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                     float *c, int ldc);

// openblas_set_num_threads.
void snip_blas_set_num_threads(int threads);

// openblas_get_config (NULL when the library does not have it).
const char *snip_blas_config(void);

// openblas_get_corename: the kernels OpenBLAS uses (NULL when the library does not have it).
// Unless OPENBLAS_CORETYPE is set, the loader sets it from the CPU's instruction sets before
// loading OpenBLAS (SkylakeX with AVX-512, Haswell or Zen with AVX2 and FMA), because
// OpenBLAS's own detection falls back to SSE3 kernels on CPU models it does not know.
const char *snip_blas_core_name(void);

#endif
