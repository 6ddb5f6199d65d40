/* eigs_mpi.h: input and output of `spartan eigs` under mpirun (eigs_mpi_io.c),
 * used by eigs_mpi.c. Every function is collective over D's communicator (or
 * comm) and returns the same status on every rank; none prints. Only in MPI
 * builds. */
#ifndef SPARTAN_EIGS_MPI_H
#define SPARTAN_EIGS_MPI_H

#include "cli/eigs_cli.h"
#include "spartan/dist.h"

/* The matrix of a->file (.csr binary, else Matrix Market, plain or gzip) or
 * a->gen (each rank generates its own rows, then rows are balanced by nnz),
 * checked: n >= 1 and every entry finite. */
int sp_eigs_mpi_load(MPI_Comm comm, const eigs_args *a, sp_dist_csr *D);

/* --v0 read by rank 0 (errors printed there), this rank's rows scattered into
 * *v0 (n_local, caller frees). Returns 0 or SP_EXIT_USAGE on every rank. */
int sp_eigs_mpi_load_v0(const char *path, sp_dist_csr *D, double **v0);

/* --vectors: rank 0 writes the Matrix Market array (the serial command's
 * format, temp file then renamed), receiving one rank's block of one column
 * at a time (memory: the largest block). */
int sp_eigs_mpi_write_vectors(const char *path, sp_dist_csr *D, const sp_eigs_result *r);

#endif
