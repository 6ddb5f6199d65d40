/* eigs_mpi.c: `mpirun -np P spartan eigs ...`: the serial command's options
 * and output, with the matrix distributed by contiguous row blocks balancing
 * nnz + (ncv/3) x rows (dist.h: the matvec costs per nonzero, the Krylov
 * vectors per row). Guarantees: MPI is initialized only when mpirun started the
 * process; results and messages are printed once, by rank 0; every rank ends
 * with the same exit code (0, 1 not converged, 2 bad usage or input), errors
 * being agreed across ranks so none hangs. Does no numerics itself. */
#include <stdlib.h>
#include "cli/cli.h"
#include "cli/eigs_cli.h"

int sp_eigs_mpi_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL;
}

#ifdef SPARTAN_HAVE_MPI
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "cli/eigs_mpi.h"

/* Ranks other than 0 parse the same argv silently: their stdout and stderr
 * go to /dev/null meanwhile (saved[] keeps the originals). */
void sp_cli_mpi_quiet_begin(int rank, int saved[2])
{
    saved[0] = saved[1] = -1;
    if (rank == 0) return;
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull < 0) return;
    fflush(stdout), fflush(stderr);
    saved[0] = dup(1), saved[1] = dup(2);
    dup2(devnull, 1), dup2(devnull, 2);
    close(devnull);
}

void sp_cli_mpi_quiet_end(int saved[2])
{
    fflush(stdout), fflush(stderr);
    for (int k = 0; k < 2; k++)
        if (saved[k] >= 0) dup2(saved[k], k + 1), close(saved[k]);
}

/* The status as an exit code, its message printed by rank 0 only. */
static int report(int rank, int status)
{
    if (rank == 0) return sp_cli_report("eigs", status);
    return status == SP_ENOCONV ? SP_EXIT_NOTCONV : SP_EXIT_USAGE;
}

/* Counters of the run, worst (max) over ranks for times. */
typedef struct dist_summary {
    double compute, comm, allreduce;
    long long matvecs, allreduces, allreduce_doubles;
} dist_summary;

static void summarize(sp_dist_csr *D, dist_summary *s)
{
    double t[3] = {D->stats.seconds_compute, D->stats.seconds_comm, D->stats.seconds_allreduce}, tmax[3];
    MPI_Allreduce(t, tmax, 3, MPI_DOUBLE, MPI_MAX, D->comm);
    *s = (dist_summary){tmax[0], tmax[1], tmax[2], (long long)D->stats.matvecs,
                        (long long)D->stats.allreduces, (long long)D->stats.allreduce_doubles};
}

static void print_results(const eigs_args *a, sp_dist_csr *D, const sp_eigs_options *o,
                          const sp_eigs_result *r)
{
    dist_summary s;
    summarize(D, &s); /* collective */
    if (D->rank != 0) return;
    double per = s.matvecs ? (double)s.allreduces / (double)s.matvecs : 0.0;
    char extra[512];
    snprintf(extra, sizeof extra, ", \"ranks\": %d, \"exchange\": \"%s\", \"allreduces\": %lld, "
             "\"allreduces_per_matvec\": %.3f, \"matvec_compute_seconds\": %.6f, "
             "\"matvec_comm_seconds\": %.6f, \"allreduce_seconds\": %.6f", D->nranks,
             sp_dist_exchange_name(D->exchange), s.allreduces, per, s.compute, s.comm, s.allreduce);
    sp_eigs_cli_print(a, D->n, D->nnz, o, r, extra);
    if (!a->json)
        printf("distributed over %d ranks (%s, %s exchange): matvec compute %.3f s, "
               "communication %.3f s, %lld allreduces (%.2f per matvec, %.3f s)\n", D->nranks,
               D->orig_row ? "rows dealt by length" : "rows balanced by measured time",
               sp_dist_exchange_name(D->exchange), s.compute, s.comm, s.allreduces, per, s.allreduce);
    fflush(stdout);
}

/* --vectors (collective), --history and --plot (rank 0); status agreed. */
static int write_outputs(const eigs_args *a, sp_dist_csr *D, const sp_eigs_result *r)
{
    int rc = SP_OK;
    if (a->vectors && r->nconv > 0) rc = sp_eigs_mpi_write_vectors(a->vectors, D, r);
    if (rc == SP_OK && D->rank == 0 && a->history) rc = sp_eigs_cli_write_history(a->history, r);
    if (rc == SP_OK && D->rank == 0 && a->plot && r->history_count > 0)
        rc = sp_eigs_cli_write_plot(a->plot, sp_eigs_cli_source(a), r);
    return sp_dist_agree(D->comm, rc);
}

static void print_verbose(const sp_dist_csr *D, const sp_eigs_options *o)
{
    long long mine[2] = {D->n_local, (long long)D->nnz_local}, lo[2], hi[2];
    MPI_Allreduce(mine, lo, 2, MPI_LONG_LONG, MPI_MIN, D->comm);
    MPI_Allreduce(mine, hi, 2, MPI_LONG_LONG, MPI_MAX, D->comm);
    if (D->rank != 0) return;
    sp_eigs_cli_verbose(D->n, D->nnz, o);
    fprintf(stderr, "spartan eigs: %d ranks, rows per rank %lld..%lld, nonzeros per rank %lld..%lld\n",
            D->nranks, lo[0], hi[0], lo[1], hi[1]);
}

/* A failure on any rank (its message everywhere), else SP_ENOCONV when any
 * rank did not converge (they agree anyway: H is replicated), else SP_OK. */
static int agree_solve_status(MPI_Comm comm, int rc)
{
    int hard = sp_dist_agree(comm, rc < 0 && rc != SP_ENOCONV ? rc : SP_OK), mine = rc == SP_OK, all = 0;
    if (hard < 0) return hard;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, comm);
    return all ? SP_OK : SP_ENOCONV;
}

static int solve(const eigs_args *a, sp_dist_csr *D, sp_eigs_options *o)
{
    sp_operator op;
    int rc = sp_dist_operator(D, &op), code;
    if (rc < 0) return report(D->rank, rc);
    if ((code = sp_eigs_cli_check(&op, o, D->rank == 0)) != 0) return code;
    if (a->verbose) print_verbose(D, o);
    eigs_monitor_state mon;
    sp_progress_init(&mon.bar, "eigs", 0);
    if (D->rank == 0) o->monitor = sp_eigs_cli_monitor, o->monitor_user = &mon;
    o->want_vectors = a->vectors != NULL;
    sp_dist_stats_reset(D);
    sp_eigs_result r;
    rc = sp_eigs(&op, o, &r);
    if (D->rank == 0) sp_progress_finish(&mon.bar);
    rc = agree_solve_status(D->comm, rc);
    if (rc == SP_OK || rc == SP_ENOCONV) {
        code = rc == SP_OK ? SP_EXIT_OK : SP_EXIT_NOTCONV;
        print_results(a, D, o, &r);
        int wrc = write_outputs(a, D, &r);
        if (wrc < 0) code = report(D->rank, wrc);
    } else {
        code = report(D->rank, rc);
    }
    sp_eigs_result_uninit(&r);
    return code;
}

/* The largest Krylov subspace the solve will use (ncv). */
static int krylov_size(const sp_eigs_options *o, int n)
{
    int m = o->ncv > 0 ? o->ncv : o->nested_count > 0 ? o->nested[o->nested_count - 1] : 0;
    if (m == 0) m = 2 * o->nev + 1 > 20 ? 2 * o->nev + 1 : 20;
    m = m < n ? m : n;
    return m > 1 ? m : 1;
}

/* Rows to ranks as sp_dist_csr_balance_auto chooses: dealt by row length
 * when long rows are clustered (power-law matrices), else by the measured
 * time of each rank's product and vector work (bench/RESULTS.md). */
static int balance_rows(sp_dist_csr *D, const sp_eigs_options *o)
{
    return sp_dist_csr_balance_auto(D, krylov_size(o, D->n), NULL);
}

static int run(int argc, char **argv, int rank)
{
    eigs_args a;
    sp_eigs_options o;
    int saved[2];
    sp_cli_mpi_quiet_begin(rank, saved);
    int code = sp_eigs_cli_parse(argc, argv, &a, &o);
    sp_cli_mpi_quiet_end(saved);
    if (code >= 0) return code;
    if (a.threads > 0) sp_set_threads((int)a.threads);
    sp_dist_csr D;
    int rc = sp_eigs_mpi_load(MPI_COMM_WORLD, &a, &D);
    if (rc == SP_OK) rc = balance_rows(&D, &o);
    if (rc < 0) return report(rank, rc);
    double *v0 = NULL;
    code = a.v0 ? sp_eigs_mpi_load_v0(a.v0, &D, &v0) : 0;
    o.v0 = v0;
    if (code == 0) code = solve(&a, &D, &o);
    free(v0);
    sp_dist_csr_uninit(&D);
    return code;
}

int sp_cli_mpi_main(const char *cmd, int argc, char **argv, int (*run)(int, char **, int))
{
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fprintf(stderr, "spartan %s: MPI_Init failed\n", cmd);
        return SP_EXIT_USAGE;
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int code = run(argc, argv, rank);
    fflush(stdout), fflush(stderr);
    MPI_Finalize();
    return code;
}

int sp_eigs_mpi(int argc, char **argv) { return sp_cli_mpi_main("eigs", argc, argv, run); }
#else
int sp_eigs_mpi(int argc, char **argv)
{
    (void)argc, (void)argv;
    return SP_EXIT_USAGE; /* never called: cmd_eigs.c checks SPARTAN_HAVE_MPI */
}
#endif
