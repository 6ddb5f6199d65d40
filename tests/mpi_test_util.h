/* mpi_test_util.h: the harness shared by the MPI test programs (tests/mpi_*.c,
 * run by CTest under mpirun at 1-4 ranks): per-rank check counters, a CHECK
 * macro that names the rank, file and line, and a closing line with the sums
 * over all ranks ("N passed, N failed"), whose failure count is the exit code. */
#ifndef SPARTAN_MPI_TEST_UTIL_H
#define SPARTAN_MPI_TEST_UTIL_H

#include <mpi.h>
#include <stdio.h>

static int rank_, nranks_, passed_, failed_;

#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (cond) passed_++;                                                                   \
        else {                                                                                 \
            failed_++;                                                                         \
            fprintf(stderr, "rank %d: %s:%d: FAILED %s: ", rank_, __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fputc('\n', stderr);                                                               \
        }                                                                                      \
    } while (0)

static inline void mpi_test_init(int *argc, char ***argv)
{
    MPI_Init(argc, argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks_);
}

/* Sum the counters over ranks, print them on rank 0, finalize; 1 on any failure. */
static inline int mpi_test_finish(const char *name)
{
    int totals[2] = {passed_, failed_}, sums[2];
    MPI_Allreduce(totals, sums, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank_ == 0) printf("%s (%d ranks): %d passed, %d failed\n", name, nranks_, sums[0], sums[1]);
    MPI_Finalize();
    return sums[1] != 0;
}

#endif
