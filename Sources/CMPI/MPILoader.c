// Resolves Open MPI's entry points and predefined handles with dlopen/dlsym (see MPILoader.h).
//
// Open MPI's handles are the addresses of global objects (MPI_COMM_WORLD is
// &ompi_mpi_comm_world, MPI_FLOAT &ompi_mpi_float, MPI_SUM &ompi_mpi_op_sum), so they come from
// dlsym like the functions. The library is opened RTLD_GLOBAL: Open MPI's own plugins (MCA
// components) are shared objects that expect libmpi's symbols to be visible.
#include "MPILoader.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void *Handle;  // MPI_Comm, MPI_Datatype, MPI_Op: pointers in Open MPI

enum { ThreadFunneled = 1 };  // MPI_THREAD_FUNNELED in Open MPI

static int (*initThread)(int *, char ***, int, int *);
static int (*initialized)(int *);
static int (*finalized)(int *);
static int (*commRank)(Handle, int *);
static int (*commSize)(Handle, int *);
static int (*allreduce)(const void *, void *, int, Handle, Handle, Handle);
static int (*allgatherv)(const void *, int, Handle, void *, const int *, const int *, Handle,
                         Handle);
static int (*bcast)(void *, int, Handle, int, Handle);
static int (*barrier)(Handle);
static double (*wtime)(void);
static int (*abortJob)(Handle, int);
static int (*finalize)(void);
static int (*errorString)(int, char *, int *);

static Handle world, floatType, doubleType, byteType, sumOp;

static void *library;

static int resolve(const char *name, void **out, char *message, size_t length) {
    *out = dlsym(library, name);
    if (*out == NULL) {
        snprintf(message, length, "%s has no %s (snip needs Open MPI 4 or later)", "libmpi", name);
        return -1;
    }
    return 0;
}

int snip_mpi_load(const char *path, char *message, size_t length) {
    if (library != NULL) return 0;
    const char *chosen = path != NULL ? path : getenv("SNIP_MPI_LIBRARY");
    static const char *names[] = {"libmpi.so.40", "libmpi.so"};
    if (chosen != NULL && chosen[0] != 0) {
        library = dlopen(chosen, RTLD_NOW | RTLD_GLOBAL);
    } else {
        for (unsigned i = 0; i < sizeof names / sizeof names[0] && library == NULL; i++) {
            library = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
        }
    }
    if (library == NULL) {
        snprintf(message, length, "cannot load the MPI library (%s)", dlerror());
        return -1;
    }
    struct {
        const char *name;
        void **slot;
    } symbols[] = {
        {"MPI_Init_thread", (void **)&initThread},
        {"MPI_Initialized", (void **)&initialized},
        {"MPI_Finalized", (void **)&finalized},
        {"MPI_Comm_rank", (void **)&commRank},
        {"MPI_Comm_size", (void **)&commSize},
        {"MPI_Allreduce", (void **)&allreduce},
        {"MPI_Allgatherv", (void **)&allgatherv},
        {"MPI_Bcast", (void **)&bcast},
        {"MPI_Barrier", (void **)&barrier},
        {"MPI_Wtime", (void **)&wtime},
        {"MPI_Abort", (void **)&abortJob},
        {"MPI_Finalize", (void **)&finalize},
        {"MPI_Error_string", (void **)&errorString},
        {"ompi_mpi_comm_world", &world},
        {"ompi_mpi_float", &floatType},
        {"ompi_mpi_double", &doubleType},
        {"ompi_mpi_byte", &byteType},
        {"ompi_mpi_op_sum", &sumOp},
    };
    for (unsigned i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        if (resolve(symbols[i].name, symbols[i].slot, message, length) != 0) {
            dlclose(library);
            library = NULL;
            return -1;
        }
    }
    return 0;
}

int snip_mpi_init(int *rank, int *size) {
    int provided = 0;
    int code = initThread(NULL, NULL, ThreadFunneled, &provided);
    if (code != 0) return code;
    code = commRank(world, rank);
    if (code != 0) return code;
    return commSize(world, size);
}

int snip_mpi_is_initialized(void) {
    if (library == NULL) return 0;
    int started = 0, ended = 0;
    initialized(&started);
    finalized(&ended);
    return started && !ended;
}

// MPI counts are ints: larger buffers go in pieces of at most 2^30 elements.
static const size_t pieceLength = (size_t)1 << 30;

// MPI_IN_PLACE in Open MPI's mpi.h.
#define InPlace ((void *)1)

int snip_mpi_allreduce_sum_float(float *values, size_t count) {
    for (size_t done = 0; done < count; done += pieceLength) {
        size_t n = count - done < pieceLength ? count - done : pieceLength;
        int code = allreduce(InPlace, values + done, (int)n, floatType, sumOp, world);
        if (code != 0) return code;
    }
    return 0;
}

int snip_mpi_allreduce_sum_double(double *values, size_t count) {
    for (size_t done = 0; done < count; done += pieceLength) {
        size_t n = count - done < pieceLength ? count - done : pieceLength;
        int code = allreduce(InPlace, values + done, (int)n, doubleType, sumOp, world);
        if (code != 0) return code;
    }
    return 0;
}

int snip_mpi_allgatherv_bytes(const void *send, int count, void *receive, const int *counts,
                              const int *displacements) {
    return allgatherv(send, count, byteType, receive, counts, displacements, byteType, world);
}

int snip_mpi_bcast_bytes(void *buffer, size_t count, int root) {
    for (size_t done = 0; done < count; done += pieceLength) {
        size_t n = count - done < pieceLength ? count - done : pieceLength;
        int code = bcast((char *)buffer + done, (int)n, byteType, root, world);
        if (code != 0) return code;
    }
    return 0;
}

int snip_mpi_barrier(void) { return barrier(world); }

double snip_mpi_wtime(void) { return wtime(); }

void snip_mpi_abort(int code) {
    abortJob(world, code);
    exit(code);  // MPI_Abort does not return; in case it does
}

int snip_mpi_finalize(void) { return finalize(); }

void snip_mpi_error_string(int code, char *message, size_t length) {
    char text[512];  // MPI_MAX_ERROR_STRING is 256 in Open MPI
    int n = 0;
    if (library == NULL || errorString(code, text, &n) != 0) {
        snprintf(message, length, "MPI error %d", code);
        return;
    }
    snprintf(message, length, "%.*s", n, text);
}
