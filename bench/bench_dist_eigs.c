/* bench_dist_eigs.c: distributed sp_eigs under mpirun (not a test): time,
 * matvecs, allreduces per Arnoldi step, matvec compute / communication split
 * and peak RSS per rank, for one input and one exchange mode.
 *   mpirun -np P bench_dist_eigs (--gen SPEC | FILE.mtx | FILE.csr) [--nev K]
 *          [--ncv M] [--tol T] [--which LM] [--exchange p2p|neighbor|allgather]
 * --gen builds the matrix on every rank then distributes it (simple path);
 * files go through the parallel readers. Prints one line per run on rank 0. */
#ifdef SPARTAN_HAVE_MPI
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "spartan/dist.h"
#include "spartan/generate.h"

typedef struct step_count {
    sp_dist_csr *D;
    int64_t last_allreduces, last_matvecs, step_allreduces, step_matvecs;
} step_count;

/* After each restart: allreduces and matvecs since the previous one. */
static int monitor(void *user, const sp_eigs_monitor_info *info)
{
    step_count *s = user;
    (void)info;
    s->step_allreduces += s->D->stats.allreduces - s->last_allreduces;
    s->step_matvecs += s->D->stats.matvecs - s->last_matvecs;
    s->last_allreduces = s->D->stats.allreduces;
    s->last_matvecs = s->D->stats.matvecs;
    return 0;
}

static int load(const char *input, int gen, sp_dist_csr *D)
{
    if (gen) {
        sp_csr A;
        int rc = sp_dist_agree(MPI_COMM_WORLD, sp_gen_spec(input, &A, NULL));
        if (rc == SP_OK) rc = sp_dist_csr_from_full(MPI_COMM_WORLD, &A, D);
        if (rc == SP_OK) sp_csr_uninit(&A);
        return rc;
    }
    size_t len = strlen(input);
    if (len > 4 && !strcmp(input + len - 4, ".csr")) return sp_dist_csr_binary_read(MPI_COMM_WORLD, input, D, NULL);
    return sp_dist_mm_read(MPI_COMM_WORLD, input, D, NULL);
}

static int parse(int argc, char **argv, const char **input, int *gen, sp_eigs_options *o, sp_dist_exchange *ex)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--gen") && v) *input = v, *gen = 1, i++;
        else if (!strcmp(a, "--nev") && v) o->nev = atoi(v), i++;
        else if (!strcmp(a, "--ncv") && v) o->ncv = atoi(v), i++;
        else if (!strcmp(a, "--tol") && v) o->tol = atof(v), i++;
        else if (!strcmp(a, "--which") && v) { if (sp_which_parse(v, &o->which) < 0) return 2; i++; }
        else if (!strcmp(a, "--exchange") && v) { if (sp_dist_exchange_parse(v, ex) < 0) return 2; i++; }
        else if (a[0] != '-') *input = a;
        else return 2;
    }
    return *input ? 0 : 2;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, P;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    const char *input = NULL;
    int gen = 0;
    sp_eigs_options o = sp_eigs_options_default();
    o.nev = 10;
    o.method = SP_EIG_IRAM;
    sp_dist_exchange ex = SP_DIST_EXCHANGE_P2P;
    if (parse(argc, argv, &input, &gen, &o, &ex)) {
        if (rank == 0) fprintf(stderr, "usage: bench_dist_eigs (--gen SPEC | FILE) [--nev K] [--ncv M] [--tol T] [--which W] [--exchange MODE]\n");
        MPI_Finalize();
        return 2;
    }
    sp_dist_csr D;
    sp_operator op;
    sp_eigs_result res;
    double t0 = MPI_Wtime();
    int rc = load(input, gen, &D);
    double t_load = MPI_Wtime() - t0;
    if (rc == SP_OK) rc = sp_dist_operator(&D, &op);
    if (rc == SP_OK) rc = sp_dist_csr_set_exchange(&D, ex);
    if (rc < 0) {
        if (rank == 0) fprintf(stderr, "bench_dist_eigs: %s\n", sp_errmsg());
        MPI_Finalize();
        return 2;
    }
    step_count sc = {&D, 0, 0, 0, 0};
    o.monitor = monitor;
    o.monitor_user = &sc;
    sp_dist_stats_reset(&D);
    t0 = MPI_Wtime();
    rc = sp_eigs(&op, &o, &res);
    double t_solve = MPI_Wtime() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double rss = (double)ru.ru_maxrss / 1024.0, rss_max = 0.0, comm = 0.0, compute = 0.0;
    MPI_Reduce(&rss, &rss_max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&D.stats.seconds_comm, &comm, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&D.stats.seconds_compute, &compute, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank == 0)
        printf("%s P=%d n=%d nnz=%lld exchange=%s status=%d nconv=%d load=%.2fs solve=%.2fs matvecs=%lld "
               "allreduces/matvec=%.2f allreduces/step(in restarts)=%.2f matvec compute=%.2fs comm=%.2fs "
               "allreduce=%.2fs peakRSS=%.0fMiB/rank\n",
               input, P, D.n, (long long)D.nnz, sp_dist_exchange_name(ex), rc, res.nconv, t_load, t_solve,
               (long long)D.stats.matvecs, (double)D.stats.allreduces / (double)(D.stats.matvecs ? D.stats.matvecs : 1),
               (double)sc.step_allreduces / (double)(sc.step_matvecs ? sc.step_matvecs : 1), compute, comm,
               D.stats.seconds_allreduce, rss_max);
    sp_eigs_result_uninit(&res);
    sp_dist_csr_uninit(&D);
    MPI_Finalize();
    return rc == SP_OK ? 0 : 1;
}
#else
#include <stdio.h>
int main(void)
{
    fprintf(stderr, "bench_dist_eigs: spartan was built without MPI\n");
    return 2;
}
#endif
