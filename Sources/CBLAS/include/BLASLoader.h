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

// cblas_dgemm (float64, for the language's matrices).
void snip_blas_dgemm(int order, int transposeA, int transposeB, int m, int n, int k,
                     double alpha, const double *a, int lda, const double *b, int ldb, double beta,
                     double *c, int ldc);

// LAPACK's dgesv (column-major): solves A X = B in place, B becoming X. Returns LAPACK's info
// (0: done, > 0: A is singular), or -1000 when the library has no LAPACK.
int snip_lapack_dgesv(int n, int nrhs, double *a, int lda, int *pivots, double *b, int ldb);

// LAPACK's dgetrf (column-major): the LU factorisation of A in place, with 1-based pivots.
// Returns LAPACK's info, or -1000 when the library has no LAPACK.
int snip_lapack_dgetrf(int m, int n, double *a, int lda, int *pivots);

// openblas_set_num_threads (or MKL_Set_Num_Threads; nothing for a library that has neither).
void snip_blas_set_num_threads(int threads);

// "OpenBLAS", or what SNIP_BLAS_LIBRARY named (another CBLAS library loaded instead, such as
// Intel MKL's libmkl_rt.so, for comparisons).
const char *snip_blas_library_name(void);

// openblas_get_config (NULL when the library does not have it).
const char *snip_blas_config(void);

// openblas_get_corename: the kernels OpenBLAS uses (NULL when the library does not have it).
// Unless OPENBLAS_CORETYPE is set, the loader sets it from the CPU's instruction sets before
// loading OpenBLAS (SkylakeX with AVX-512, Haswell or Zen with AVX2 and FMA), because
// OpenBLAS's own detection falls back to SSE3 kernels on CPU models it does not know.
const char *snip_blas_core_name(void);

#endif
