/* embdim_cli.h: what `spartan embdim` shares between its serial path
 * (cmd_embdim.c) and its mpirun path (embdim_mpi.c): parsed arguments, the
 * progress monitor, the table / JSON output and the plot, so both print the
 * same. Not a library interface: these functions print. */
#ifndef SPARTAN_EMBDIM_CLI_H
#define SPARTAN_EMBDIM_CLI_H

#include <stdint.h>
#include "cli/cooc_args.h"
#include "spartan/advisor.h"

typedef struct embdim_cli {
    const char *data, *candidates, *nested, *plot;
    long max_restarts, threads;
    double tol, min_captured;
    uint64_t seed;
    int json;
    sp_cooc_args c;
    int train_argc;    /* --train: the arguments after it are `spartan sweep` options */
    char **train_argv; /* NULL without --train */
} embdim_cli;

/* Parse argv into args and options. Returns -1 to go on, otherwise the exit
 * code (0 after --help, 2 after a usage error, both already printed). */
int sp_embdim_cli_parse(int argc, char **argv, embdim_cli *a, sp_embdim_options *o);

/* The table, or with --json one object; extra_json (may be NULL) is inserted
 * before the closing brace, extra_line (may be NULL) printed after the table. */
void sp_embdim_cli_print(const embdim_cli *a, const sp_embdim_options *o, const sp_embdim_result *r,
                         const sp_cooc_build_info *info, const char *extra_json,
                         const char *extra_line);

/* Figure 11 (residual estimate per restart, one line per k) as SVG. */
int sp_embdim_cli_write_plot(const char *path, const char *data, const sp_embdim_result *r);

/* Progress line on stderr (when a terminal) after every restart. */
typedef struct embdim_monitor_state {
    sp_progress bar;
} embdim_monitor_state;
int sp_embdim_cli_monitor(void *user, int k, const sp_eigs_monitor_info *info);

/* mpirun path (embdim_mpi.c, MPI builds): every rank runs the whole command;
 * see embdim_mpi.c for how the matrix is distributed. */
int sp_embdim_mpi(int argc, char **argv);

#endif
