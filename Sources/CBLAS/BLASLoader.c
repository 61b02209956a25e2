// Resolves OpenBLAS's entry points with dlopen on the first call (see BLASLoader.h). A missing
// library ends the process with a message saying what to install.
#include "BLASLoader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*SgemmFunction)(int, int, int, int, int, int, float, const float *, int,
                              const float *, int, float, float *, int);
typedef void (*SetThreadsFunction)(int);
typedef char *(*ConfigFunction)(void);

static pthread_once_t loaded = PTHREAD_ONCE_INIT;
static SgemmFunction sgemm;
static SetThreadsFunction setThreads;
static ConfigFunction config;

static void *required(void *library, const char *name) {
    void *symbol = dlsym(library, name);
    if (symbol == NULL) {
        fprintf(stderr, "snip: OpenBLAS has no %s: %s\n", name, dlerror());
        exit(1);
    }
    return symbol;
}

static void load(void) {
    static const char *names[] = {"libopenblas.so.0", "libopenblas.so"};
    void *library = NULL;
    for (unsigned i = 0; i < sizeof names / sizeof names[0] && library == NULL; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (library == NULL) {
        fprintf(stderr,
                "snip: cannot load OpenBLAS (%s); install it with Scripts/setup "
                "(Debian: apt-get install libopenblas-dev)\n",
                dlerror());
        exit(1);
    }
    sgemm = (SgemmFunction)required(library, "cblas_sgemm");
    setThreads = (SetThreadsFunction)required(library, "openblas_set_num_threads");
    config = (ConfigFunction)dlsym(library, "openblas_get_config");
}

void snip_blas_sgemm(int order, int transposeA, int transposeB, int m, int n, int k,
                     float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                     float *c, int ldc) {
    pthread_once(&loaded, load);
    sgemm(order, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void snip_blas_set_num_threads(int threads) {
    pthread_once(&loaded, load);
    setThreads(threads);
}

const char *snip_blas_config(void) {
    pthread_once(&loaded, load);
    return config == NULL ? NULL : config();
}
