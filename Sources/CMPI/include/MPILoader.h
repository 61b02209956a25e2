// Open MPI, loaded at run time with dlopen: snip links no MPI library, so a machine without MPI
// builds and runs everything; only a process started by mpirun or srun loads libmpi (see
// MPILoader.c). All calls act on MPI_COMM_WORLD and return MPI's error code (0: success).
#ifndef SNIP_MPI_LOADER_H
#define SNIP_MPI_LOADER_H

#include <stddef.h>

// Loads libmpi (`path`, or SNIP_MPI_LIBRARY, or the usual Open MPI names) and resolves the
// calls below. Returns 0, or -1 with a reason written to `message` (`length` bytes).
int snip_mpi_load(const char *path, char *message, size_t length);

// MPI_Init_thread with MPI_THREAD_FUNNELED (only the main thread calls MPI); sets the rank
// and size in MPI_COMM_WORLD.
int snip_mpi_init(int *rank, int *size);

// Whether MPI_Init_thread has been called and MPI_Finalize not yet.
int snip_mpi_is_initialized(void);

// MPI_Allreduce in place with MPI_SUM: `values` (`count` floats or doubles) become their sum
// over all ranks.
int snip_mpi_allreduce_sum_float(float *values, size_t count);
int snip_mpi_allreduce_sum_double(double *values, size_t count);

// MPI_Allgatherv of bytes: `count` bytes from each rank, rank r's at `displacements[r]` of
// `receive` (`counts[r]` bytes).
int snip_mpi_allgatherv_bytes(const void *send, int count, void *receive, const int *counts,
                              const int *displacements);

// MPI_Bcast of `count` bytes from `root`.
int snip_mpi_bcast_bytes(void *buffer, size_t count, int root);

// MPI_Barrier.
int snip_mpi_barrier(void);

// MPI_Wtime.
double snip_mpi_wtime(void);

// MPI_Abort(MPI_COMM_WORLD, code): ends every process of the job.
void snip_mpi_abort(int code);

// MPI_Finalize.
int snip_mpi_finalize(void);

// MPI_Error_string into `message`.
void snip_mpi_error_string(int code, char *message, size_t length);

#endif
