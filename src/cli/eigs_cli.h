/* eigs_cli.h: what `spartan eigs` shares between its serial path (cmd_eigs.c)
 * and its mpirun path (eigs_mpi.c): parsed arguments, checks, the progress
 * monitor and the output writers, so both print the same table and JSON.
 * Not a library interface: these functions print (usage errors, results). */
#ifndef SPARTAN_EIGS_CLI_H
#define SPARTAN_EIGS_CLI_H

#include <stdint.h>
#include "spartan/eigen.h"

typedef struct eigs_args {
    const char *file, *gen, *v0, *vectors, *history, *plot, *which_name, *method_name, *nested;
    long nev, ncv, max_restarts, threads;
    double tol;
    uint64_t seed;
    int has_tol, verbose, json, no_copies;
} eigs_args;

/* Parse argv into args and options. Returns -1 to go on, otherwise the exit
 * code (0 after --help, 2 after a usage error, both already printed). */
int sp_eigs_cli_parse(int argc, char **argv, eigs_args *a, sp_eigs_options *o);

/* Name shown for the matrix (the file or the --gen spec). */
const char *sp_eigs_cli_source(const eigs_args *a);

/* Read --v0 (n x 1 Matrix Market array); prints the error and returns -1. */
int sp_eigs_cli_load_v0(const char *path, int n, sp_dmat *v0);

/* The checks made before a solve (which needs symmetry, sp_eigs_check):
 * 0, or SP_EXIT_USAGE after printing the error when `print` is nonzero. */
int sp_eigs_cli_check(const sp_operator *op, const sp_eigs_options *o, int print);

/* --verbose settings line on stderr (n, nnz global). */
void sp_eigs_cli_verbose(int n, int64_t nnz, const sp_eigs_options *o);

/* Progress line on stderr (when a terminal) after every restart. */
typedef struct eigs_monitor_state {
    sp_progress bar;
} eigs_monitor_state;
int sp_eigs_cli_monitor(void *user, const sp_eigs_monitor_info *info);

/* The table, or with --json one object; extra_json (may be NULL) is inserted
 * before the closing brace (", \"key\": value" pairs). */
void sp_eigs_cli_print(const eigs_args *a, int n, int64_t nnz, const sp_eigs_options *o,
                       const sp_eigs_result *r, const char *extra_json);

/* --history CSV and --plot SVG (temp file, then renamed). */
int sp_eigs_cli_write_history(const char *path, const sp_eigs_result *r);
int sp_eigs_cli_write_plot(const char *path, const char *title, const sp_eigs_result *r);

/* Comment line written at the top of --vectors files. */
#define SP_EIGS_VECTORS_COMMENT "eigenvectors from spartan eigs (complex pair: Re, Im columns)"

/* mpirun path (eigs_mpi.c, built with SPARTAN_HAVE_MPI): 1 when this process
 * was started by mpirun (OMPI_COMM_WORLD_SIZE or PMIX_RANK set), without
 * touching MPI; then sp_eigs_mpi runs the whole command on every rank. */
int sp_eigs_mpi_launched(void);

/* The body of a command under mpirun (MPI builds only): MPI_Init, errors
 * returned rather than fatal, run(argc, argv, rank), flush, MPI_Finalize.
 * Returns run's exit code (2 when MPI_Init fails). */
/* Ranks other than 0 run the command silently: between begin and end their
 * stdout and stderr go to /dev/null (saved keeps the originals). */
void sp_cli_mpi_quiet_begin(int rank, int saved[2]);
void sp_cli_mpi_quiet_end(int saved[2]);

int sp_cli_mpi_main(const char *cmd, int argc, char **argv, int (*run)(int, char **, int));
int sp_eigs_mpi(int argc, char **argv);

#endif
