// Resolves OpenBLAS's entry points with dlopen on the first call (see BLASLoader.h). A missing
// library ends the process with a message saying what to install.
#include "BLASLoader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*SgemmFunction)(int, int, int, int, int, int, float, const float *, int,
                              const float *, int, float, float *, int);
typedef void (*DgemmFunction)(int, int, int, int, int, int, double, const double *, int,
                              const double *, int, double, double *, int);
typedef void (*DgesvFunction)(const int *, const int *, double *, const int *, int *, double *,
                              const int *, int *);
typedef void (*DgetrfFunction)(const int *, const int *, double *, const int *, int *, int *);
typedef void (*SetThreadsFunction)(int);
typedef char *(*ConfigFunction)(void);

static pthread_once_t loaded = PTHREAD_ONCE_INIT;
static SgemmFunction sgemm;
static DgemmFunction dgemm;
static DgesvFunction dgesv;
static DgetrfFunction dgetrf;
static SetThreadsFunction setThreads;
static ConfigFunction config;
static ConfigFunction coreName;
static const char *chosenCore;

// OpenBLAS (a DYNAMIC_ARCH build such as Debian's) picks its kernels from the CPU's family and
// model numbers, and falls back to its SSE3 kernels ("Prescott") for a model it does not know:
// Debian 12's 0.3.21 does so on the Xeon this project's machines now have (AVX-512), where its
// SGEMM then runs 4-10 times slower than with its AVX-512 kernels (512^3 on one thread:
// 10-32 against 112-147 GFLOP/s). So, unless the user chose with OPENBLAS_CORETYPE, choose by
// the instruction sets the CPU reports: OpenBLAS reads the variable when it is loaded.
static void chooseCoreType(void) {
    if (getenv("OPENBLAS_CORETYPE") != NULL) return;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512cd")) {
        chosenCore = "SkylakeX";
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        // AMD's Zen gets the same AVX2 kernels with its own block sizes
        chosenCore = __builtin_cpu_is("amd") ? "Zen" : "Haswell";
    }
    if (chosenCore != NULL) setenv("OPENBLAS_CORETYPE", chosenCore, 0);
}

// OpenBLAS's idle worker threads spin for up to 2^28 cycles after each call before they sleep
// (OPENBLAS_THREAD_TIMEOUT, read when it is loaded). snip's own parallel loops (the attention
// kernel, element-wise work) run between BLAS calls on other threads, which then share the cores
// with a spinning worker: on 2 cores the small model's training step took 0.21-0.22 s with the
// default and 0.15-0.17 s with the shortest spin (2^4 cycles), the paper configuration's the same
// either way. So, unless the user chose, spin the shortest time.
static void chooseThreadTimeout(void) {
    setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0);
}

static const char *libraryName = "OpenBLAS";

static void *required(void *library, const char *name) {
    void *symbol = dlsym(library, name);
    if (symbol == NULL) {
        fprintf(stderr, "snip: %s has no %s: %s\n", libraryName, name, dlerror());
        exit(1);
    }
    return symbol;
}

// SNIP_BLAS_LIBRARY names another CBLAS library to load instead of OpenBLAS (a path or a
// soname, e.g. Intel MKL's libmkl_rt.so), for comparing BLAS implementations; it needs
// cblas_sgemm and cblas_dgemm, and a thread-count setter of OpenBLAS's or MKL's if the
// thread count is to apply (MKL: set MKL_THREADING_LAYER=SEQUENTIAL or GNU as well).
static void *openChosenLibrary(void) {
    const char *chosen = getenv("SNIP_BLAS_LIBRARY");
    if (chosen == NULL || chosen[0] == 0) return NULL;
    libraryName = chosen;
    void *library = dlopen(chosen, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        fprintf(stderr, "snip: cannot load SNIP_BLAS_LIBRARY=%s (%s)\n", chosen, dlerror());
        exit(1);
    }
    return library;
}

static void noThreadSetter(int threads) { (void)threads; }

static void load(void) {
    void *library = openChosenLibrary();
    if (library == NULL) {
        chooseCoreType();
        chooseThreadTimeout();
        static const char *names[] = {"libopenblas.so.0", "libopenblas.so"};
        for (unsigned i = 0; i < sizeof names / sizeof names[0] && library == NULL; i++) {
            library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        }
    }
    if (library == NULL) {
        fprintf(stderr,
                "snip: cannot load OpenBLAS (%s); install it with Scripts/setup "
                "(Debian: apt-get install libopenblas-dev)\n",
                dlerror());
        exit(1);
    }
    sgemm = (SgemmFunction)required(library, "cblas_sgemm");
    dgemm = (DgemmFunction)required(library, "cblas_dgemm");
    // LAPACK comes with OpenBLAS; without it the language uses its own LU decomposition
    dgesv = (DgesvFunction)dlsym(library, "dgesv_");
    dgetrf = (DgetrfFunction)dlsym(library, "dgetrf_");
    setThreads = (SetThreadsFunction)dlsym(library, "openblas_set_num_threads");
    if (setThreads == NULL) setThreads = (SetThreadsFunction)dlsym(library, "MKL_Set_Num_Threads");
    if (setThreads == NULL) setThreads = noThreadSetter;
    config = (ConfigFunction)dlsym(library, "openblas_get_config");
    coreName = (ConfigFunction)dlsym(library, "openblas_get_corename");
}

void snip_blas_sgemm(int order, int transposeA, int transposeB, int m, int n, int k,
                     float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                     float *c, int ldc) {
    pthread_once(&loaded, load);
    sgemm(order, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void snip_blas_dgemm(int order, int transposeA, int transposeB, int m, int n, int k,
                     double alpha, const double *a, int lda, const double *b, int ldb, double beta,
                     double *c, int ldc) {
    pthread_once(&loaded, load);
    dgemm(order, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

int snip_lapack_dgesv(int n, int nrhs, double *a, int lda, int *pivots, double *b, int ldb) {
    pthread_once(&loaded, load);
    if (dgesv == NULL) return -1000;
    int info = 0;
    dgesv(&n, &nrhs, a, &lda, pivots, b, &ldb, &info);
    return info;
}

int snip_lapack_dgetrf(int m, int n, double *a, int lda, int *pivots) {
    pthread_once(&loaded, load);
    if (dgetrf == NULL) return -1000;
    int info = 0;
    dgetrf(&m, &n, a, &lda, pivots, &info);
    return info;
}

void snip_blas_set_num_threads(int threads) {
    pthread_once(&loaded, load);
    setThreads(threads);
}

const char *snip_blas_config(void) {
    pthread_once(&loaded, load);
    return config == NULL ? NULL : config();
}

const char *snip_blas_library_name(void) {
    pthread_once(&loaded, load);
    return libraryName;
}

const char *snip_blas_core_name(void) {
    pthread_once(&loaded, load);
    return coreName == NULL ? NULL : coreName();
}
