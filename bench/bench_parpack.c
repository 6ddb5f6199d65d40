/* bench_parpack.c: distributed spartan IRAM against PARPACK (pdnaupd/pdneupd,
 * pdsaupd/pdseupd when symmetric) in the same mpirun, on the same distributed
 * matrix, nev, ncv, tol, which and start vector (not a test). Prints per
 * solver: time, matvecs, allreduces per Arnoldi step (spartan from
 * sp_dist_stats, PARPACK by interposing its Fortran mpi_allreduce_ through
 * PMPI), matvec compute / communication time, allreduce time, peak RSS per
 * rank against the (nnz/P) 12 + n_local ncv 8 model; then the ratios.
 *   mpirun -np P bench_parpack (--gen SPEC | FILE.mtx | FILE.csr) [--nev K]
 *       [--ncv M] [--tol T] [--which LM|LA|...] [--maxit N] [--seed S] [--row-weight W]
 *       [--balance auto|measured|interleave|model]
 * Rows go to ranks as spartan eigs does (--balance auto, the default:
 * sp_dist_csr_balance_auto), by measured time (measured), dealt by row
 * length (interleave) or by the model nnz + W rows (model; default
 * W = ncv/3, 0 = nnz only). The start vector is a function of the original
 * row index, so every P and partition starts from the same vector.
 * Both solvers use the same distributed matvec (sp_dist_csr_matvec) and the
 * same allocator (sp_malloc: huge-page advice for large blocks), so the
 * comparison is of the Krylov codes; spartan's final true residuals go
 * through its block product (sp_dist_csr_matmat). Both return eigenvectors
 * (PARPACK rvec = 1). spartan's missed-copies search is off (PARPACK has
 * none). Nothing is asserted; output on rank 0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <parpack.h>
#include "spartan/dist.h"
#include "spartan/generate.h"

/* ---- counting PARPACK's reductions (PMPI interposition) --------------- */

static long long fortran_allreduces, c_allreduces;
static double fortran_allreduce_seconds;

/* PARPACK (Fortran) calls mpi_allreduce_; this definition in the executable
 * interposes the library's and forwards to the C profiling interface. */
void mpi_allreduce_(void *sendbuf, void *recvbuf, MPI_Fint *count, MPI_Fint *datatype, MPI_Fint *op,
                    MPI_Fint *comm, MPI_Fint *ierr);
void mpi_allreduce_(void *sendbuf, void *recvbuf, MPI_Fint *count, MPI_Fint *datatype, MPI_Fint *op,
                    MPI_Fint *comm, MPI_Fint *ierr)
{
    double t0 = PMPI_Wtime();
    fortran_allreduces++;
    *ierr = PMPI_Allreduce(sendbuf, recvbuf, *count, MPI_Type_f2c(*datatype), MPI_Op_f2c(*op),
                           MPI_Comm_f2c(*comm));
    fortran_allreduce_seconds += PMPI_Wtime() - t0;
}

/* Every C MPI_Allreduce (spartan's, cross-check of sp_dist_stats). */
int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                  MPI_Comm comm)
{
    c_allreduces++;
    return PMPI_Allreduce(sendbuf, recvbuf, count, datatype, op, comm);
}

/* ---- memory ----------------------------------------------------------- */

/* VmHWM (peak) or VmRSS of this process in MiB, from /proc/self/status. */
static double proc_mib(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kib = 0.0;
    size_t len = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, key, len)) kib = atof(line + len + 1);
    if (f) fclose(f);
    return kib / 1024.0;
}

/* Reset the peak RSS to the current RSS (Linux clear_refs "5"). */
static void reset_peak_rss(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) fputs("5", f), fclose(f);
}

/* ---- setup --------------------------------------------------------------- */

typedef struct bench_args {
    const char *input;
    int gen, nev, ncv, maxit;
    long row_weight; /* -1: ncv / 3 */
    int balance;     /* 0 model, 1 measured, 2 interleave, 3 auto (default) */
    double tol;
    sp_which which;
    uint64_t seed;
} bench_args;

static int parse(int argc, char **argv, bench_args *b)
{
    *b = (bench_args){NULL, 0, 10, 0, 300000, -1, 3, 1e-10, SP_WHICH_LM, SP_DEFAULT_SEED};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--gen") && v) b->input = v, b->gen = 1, i++;
        else if (!strcmp(a, "--nev") && v) b->nev = atoi(v), i++;
        else if (!strcmp(a, "--ncv") && v) b->ncv = atoi(v), i++;
        else if (!strcmp(a, "--maxit") && v) b->maxit = atoi(v), i++;
        else if (!strcmp(a, "--row-weight") && v) b->row_weight = atol(v), i++;
        else if (!strcmp(a, "--balance") && v) {
            static const char *const names[] = {"model", "measured", "interleave", "auto"};
            b->balance = -1;
            for (int k = 0; k < 4; k++) b->balance = strcmp(v, names[k]) ? b->balance : k;
            if (b->balance < 0) return 2;
            i++;
        }
        else if (!strcmp(a, "--tol") && v) b->tol = atof(v), i++;
        else if (!strcmp(a, "--seed") && v) b->seed = strtoull(v, NULL, 10), i++;
        else if (!strcmp(a, "--which") && v) { if (sp_which_parse(v, &b->which) < 0) return 2; i++; }
        else if (a[0] != '-') b->input = a;
        else return 2;
    }
    if (b->ncv == 0) b->ncv = 2 * b->nev + 1 > 20 ? 2 * b->nev + 1 : 20;
    if (b->row_weight < 0) b->row_weight = b->ncv / 3 > 1 ? b->ncv / 3 : 1;
    return b->input && b->nev > 0 ? 0 : 2;
}

static int world_sum(void *ctx, double *buf, int count)
{
    (void)ctx;
    return PMPI_Allreduce(MPI_IN_PLACE, buf, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD) == MPI_SUCCESS ? SP_OK : SP_EMPI;
}

/* --gen: each rank its even share of rows, then nnz-balanced; files: parallel readers. */
static int load(const bench_args *b, sp_dist_csr *D)
{
    size_t len = strlen(b->input);
    if (!b->gen && len > 4 && !strcmp(b->input + len - 4, ".csr"))
        return sp_dist_csr_binary_read(MPI_COMM_WORLD, b->input, D, NULL);
    if (!b->gen) return sp_dist_mm_read(MPI_COMM_WORLD, b->input, D, NULL);
    int rank, P, n = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    int rc = sp_dist_agree(MPI_COMM_WORLD, sp_gen_spec_size(b->input, &n, NULL));
    if (rc < 0) return rc;
    int r0 = (int)((int64_t)n * rank / P), r1 = (int)((int64_t)n * (rank + 1) / P);
    sp_csr rows = {0, 0, 0, NULL, NULL, NULL};
    rc = sp_dist_agree(MPI_COMM_WORLD, sp_gen_spec_rows(b->input, r0, r1, world_sum, NULL, &rows));
    if (rc < 0) return sp_csr_uninit(&rows), rc;
    return sp_dist_csr_from_blocks(MPI_COMM_WORLD, n, r0, &rows, D);
}

/* ---- one solver's measurements ----------------------------------------- */

typedef struct run_stats {
    const char *name;
    int status, nconv;
    double seconds, matvec_compute, matvec_comm, allreduce_seconds, peak_mib;
    long long matvecs, allreduces, restarts;
    double eig[2 * 64]; /* re, im of up to 64 eigenvalues */
    int ranks_shown;     /* per_rank holds compute, comm, allreduce of ranks 0..ranks_shown-1 */
    double per_rank[3 * 8];
} run_stats;

/* This rank's compute / comm / allreduce seconds into s->per_rank (rank 0). */
static void gather_per_rank(run_stats *s, double compute, double comm, double allreduce)
{
    int P;
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    double mine[3] = {compute, comm, allreduce}, *all = malloc(3 * (size_t)P * sizeof *all);
    MPI_Gather(mine, 3, MPI_DOUBLE, all, 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    s->ranks_shown = P < 8 ? P : 8;
    memcpy(s->per_rank, all, 3 * (size_t)s->ranks_shown * sizeof(double));
    free(all);
}

static double max_over_ranks(double x)
{
    double m = x;
    PMPI_Allreduce(&x, &m, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return m;
}

static void begin_phase(sp_dist_csr *D, double *t0)
{
    sp_dist_stats_reset(D);
    reset_peak_rss();
    MPI_Barrier(MPI_COMM_WORLD);
    *t0 = MPI_Wtime();
}

static void end_phase(sp_dist_csr *D, double t0, run_stats *s)
{
    MPI_Barrier(MPI_COMM_WORLD);
    s->seconds = MPI_Wtime() - t0;
    s->matvec_compute = max_over_ranks(D->stats.seconds_compute);
    s->matvec_comm = max_over_ranks(D->stats.seconds_comm);
    s->peak_mib = max_over_ranks(proc_mib("VmHWM:"));
}

/* ---- spartan ------------------------------------------------------------- */

static void run_spartan(const bench_args *b, sp_dist_csr *D, const double *v0, run_stats *s)
{
    sp_operator op;
    sp_eigs_options o = sp_eigs_options_default();
    sp_eigs_result r;
    memset(&r, 0, sizeof r);
    o.nev = b->nev, o.ncv = b->ncv, o.tol = b->tol, o.which = b->which, o.seed = b->seed;
    o.method = SP_EIG_IRAM, o.v0 = v0, o.check_missed_copies = 0, o.want_vectors = 1;
    o.max_restarts = b->maxit;
    double t0;
    int rc = sp_dist_operator(D, &op);
    begin_phase(D, &t0);
    if (rc == SP_OK) rc = sp_eigs(&op, &o, &r);
    end_phase(D, t0, s);
    s->name = "spartan", s->status = rc, s->nconv = r.nconv < 64 ? r.nconv : 64;
    s->matvecs = (long long)D->stats.matvecs, s->allreduces = (long long)D->stats.allreduces;
    s->allreduce_seconds = max_over_ranks(D->stats.seconds_allreduce), s->restarts = r.restarts;
    gather_per_rank(s, D->stats.seconds_compute, D->stats.seconds_comm, D->stats.seconds_allreduce);
    for (int i = 0; i < s->nconv; i++) s->eig[2 * i] = r.re[i], s->eig[2 * i + 1] = r.im[i];
    sp_eigs_result_uninit(&r);
}

/* ---- PARPACK ------------------------------------------------------------- */

typedef struct arpack_work {
    int n, ncv, lworkl, symmetric;
    double *resid, *v, *workd, *workl, *dr, *di, *z, *workev;
    int *select;
} arpack_work;

static int work_alloc(arpack_work *w, int n_local, int nev, int ncv, int symmetric, const double *v0)
{
    int n = n_local > 0 ? n_local : 1;
    w->n = n_local, w->ncv = ncv, w->symmetric = symmetric;
    w->lworkl = symmetric ? ncv * (ncv + 8) : 3 * ncv * ncv + 6 * ncv;
    /* sp_malloc, as spartan allocates its basis: large blocks get the same
     * transparent-huge-page advice, so the shared matvec gathers alike */
    w->resid = sp_malloc((size_t)n * sizeof(double));
    w->v = sp_malloc((size_t)n * (size_t)ncv * sizeof(double));
    w->workd = sp_malloc(3 * (size_t)n * sizeof(double));
    w->workl = malloc((size_t)w->lworkl * sizeof(double));
    w->dr = calloc((size_t)nev + 1, sizeof(double)), w->di = calloc((size_t)nev + 1, sizeof(double));
    w->z = NULL;
    w->workev = malloc(3 * (size_t)ncv * sizeof(double));
    w->select = calloc((size_t)ncv, sizeof(int));
    if (!w->resid || !w->v || !w->workd || !w->workl || !w->dr || !w->di || !w->workev || !w->select) return -1;
    memcpy(w->resid, v0, (size_t)n_local * sizeof(double));
    return 0;
}

static void work_free(arpack_work *w)
{
    free(w->resid), free(w->v), free(w->workd), free(w->workl), free(w->dr), free(w->di);
    free(w->workev), free(w->select);
}

/* Reverse communication: y = A x until *aupd says it is done; info returned. */
static int arpack_iterate(const bench_args *b, sp_dist_csr *D, arpack_work *w, MPI_Fint comm,
                          int *iparam, int *ipntr, long long *matvecs)
{
    int ido = 0, info = 1, ldv = w->n > 0 ? w->n : 1;
    const char *which = sp_which_name(b->which);
    for (;;) {
        if (w->symmetric)
            pdsaupd_c(comm, &ido, "I", w->n, which, b->nev, b->tol, w->resid, w->ncv, w->v, ldv, iparam,
                      ipntr, w->workd, w->workl, w->lworkl, &info);
        else
            pdnaupd_c(comm, &ido, "I", w->n, which, b->nev, b->tol, w->resid, w->ncv, w->v, ldv, iparam,
                      ipntr, w->workd, w->workl, w->lworkl, &info);
        if (ido != 1 && ido != -1) return info;
        if (sp_dist_csr_matvec(D, w->workd + ipntr[0] - 1, w->workd + ipntr[1] - 1) < 0) return -9999;
        (*matvecs)++;
    }
}

/* Ritz values and vectors (rvec = 1, into V: ARPACK allows Z = V), as
 * spartan returns its eigenvectors (and also computes their true residuals). */
static int arpack_extract(const bench_args *b, arpack_work *w, MPI_Fint comm, int *iparam, int *ipntr)
{
    int info = 0, ldv = w->n > 0 ? w->n : 1;
    const char *which = sp_which_name(b->which);
    if (w->symmetric)
        pdseupd_c(comm, 1, "A", w->select, w->dr, w->v, ldv, 0.0, "I", w->n, which, b->nev, b->tol,
                  w->resid, w->ncv, w->v, ldv, iparam, ipntr, w->workd, w->workl, w->lworkl, &info);
    else
        pdneupd_c(comm, 1, "A", w->select, w->dr, w->di, w->v, ldv, 0.0, 0.0, w->workev, "I", w->n,
                  which, b->nev, b->tol, w->resid, w->ncv, w->v, ldv, iparam, ipntr, w->workd, w->workl,
                  w->lworkl, &info);
    return info;
}

static void run_parpack(const bench_args *b, sp_dist_csr *D, int symmetric, const double *v0, run_stats *s)
{
    arpack_work w;
    memset(&w, 0, sizeof w);
    int iparam[11] = {0}, ipntr[14] = {0}, info = -1;
    iparam[0] = 1, iparam[2] = b->maxit, iparam[6] = 1; /* exact shifts, mode 1 */
    long long matvecs = 0;
    double t0;
    MPI_Fint comm = MPI_Comm_c2f(D->comm);
    begin_phase(D, &t0);
    fortran_allreduces = 0, fortran_allreduce_seconds = 0.0;
    if (work_alloc(&w, D->n_local, b->nev, b->ncv, symmetric, v0) == 0) {
        info = arpack_iterate(b, D, &w, comm, iparam, ipntr, &matvecs);
        if (info >= 0) info = arpack_extract(b, &w, comm, iparam, ipntr);
    }
    end_phase(D, t0, s);
    s->name = symmetric ? "PARPACK pdsaupd" : "PARPACK pdnaupd", s->status = info;
    s->nconv = iparam[4] < 64 ? iparam[4] : 64, s->matvecs = matvecs, s->restarts = iparam[2];
    s->allreduces = fortran_allreduces, s->allreduce_seconds = max_over_ranks(fortran_allreduce_seconds);
    gather_per_rank(s, D->stats.seconds_compute, D->stats.seconds_comm, fortran_allreduce_seconds);
    /* pdseupd returns ascending values, pdneupd in ARPACK's order: both re-sorted at print */
    for (int i = 0; i < s->nconv; i++) s->eig[2 * i] = w.dr[i], s->eig[2 * i + 1] = symmetric ? 0.0 : w.di[i];
    work_free(&w);
}

/* ---- report ---------------------------------------------------------------- */

static int by_magnitude_desc(const void *x, const void *y)
{
    const double *a = x, *b = y;
    double ma = hypot(a[0], a[1]), mb = hypot(b[0], b[1]);
    return (ma < mb) - (ma > mb);
}

/* Largest relative difference of the eigenvalues of both runs (sorted by |lambda|). */
static double eig_agreement(run_stats *a, run_stats *b)
{
    int k = a->nconv < b->nconv ? a->nconv : b->nconv;
    qsort(a->eig, (size_t)a->nconv, 2 * sizeof(double), by_magnitude_desc);
    qsort(b->eig, (size_t)b->nconv, 2 * sizeof(double), by_magnitude_desc);
    double worst = 0.0;
    if (getenv("BENCH_PRINT_EIGENVALUES"))
        for (int i = 0; i < k; i++)
            printf("  %2d  spartan %.15g%+.15gi   PARPACK %.15g%+.15gi\n", i + 1, a->eig[2 * i], a->eig[2 * i + 1],
                   b->eig[2 * i], b->eig[2 * i + 1]);
    for (int i = 0; i < k; i++)
        worst = fmax(worst, hypot(a->eig[2 * i] - b->eig[2 * i], fabs(a->eig[2 * i + 1]) - fabs(b->eig[2 * i + 1])) /
                                fmax(hypot(a->eig[2 * i], a->eig[2 * i + 1]), 1e-300));
    return worst;
}

static void print_run(const run_stats *s, double model_mib)
{
    double per = s->matvecs ? (double)s->allreduces / (double)s->matvecs : 0.0;
    double other = s->seconds - s->matvec_compute - s->matvec_comm - s->allreduce_seconds;
    printf("%-16s status %d nconv %d | %8.2f s | matvecs %7lld | allreduces %8lld = %.2f/step | "
           "matvec compute %.2f s comm %.2f s | allreduce %.2f s | other %.2f s | peak RSS %.0f MiB/rank "
           "(model %.0f, x%.2f)\n", s->name, s->status, s->nconv, s->seconds, s->matvecs, s->allreduces, per,
           s->matvec_compute, s->matvec_comm, s->allreduce_seconds, other > 0 ? other : 0.0, s->peak_mib,
           model_mib, s->peak_mib / model_mib);
    if (s->ranks_shown < 2) return;
    printf("  per rank compute / comm / allreduce / rest s:");
    for (int q = 0; q < s->ranks_shown; q++) {
        const double *t = s->per_rank + 3 * q;
        printf(" [%d] %.2f / %.2f / %.2f / %.2f", q, t[0], t[1], t[2], s->seconds - t[0] - t[1] - t[2]);
    }
    printf("\n");
}

/* Rows and nonzeros of the largest block (max over ranks; collective). */
static void largest_block(const sp_dist_csr *D, double *rows, double *nnz)
{
    *rows = max_over_ranks((double)D->n_local);
    *nnz = max_over_ranks((double)D->nnz_local);
}

static void report(const bench_args *b, const sp_dist_csr *D, int symmetric, run_stats *sp, run_stats *pa,
                   double load_seconds, double base_mib, double rows_max, double nnz_max)
{
    int P = D->nranks;
    char model_name[64];
    snprintf(model_name, sizeof model_name, "nnz + %ld x rows", b->row_weight);
    /* the model (nnz/P) 12 + n_local ncv 8, with the largest block's nnz and rows */
    double model = (nnz_max * 12.0 + rows_max * b->ncv * 8.0) / 1048576.0;
    printf("== %s: n %d, nnz %lld, %s, P = %d, nev %d, ncv %d, tol %g, which %s; load %.2f s, "
           "RSS after load %.0f MiB/rank\n", b->input, D->n, (long long)D->nnz, symmetric ? "symmetric" : "nonsymmetric",
           P, b->nev, b->ncv, b->tol, sp_which_name(b->which), load_seconds, base_mib);
    printf("partition: %s balanced; largest block %.0f rows, %.0f nonzeros (even: %.0f, %.0f)\n",
           D->orig_row ? "rows dealt by length (interleave)" : b->balance == 0 ? model_name : "measured time", rows_max, nnz_max, (double)D->n / P,
           (double)D->nnz / P);
    print_run(sp, model);
    print_run(pa, model);
    double sp_step = sp->matvecs ? (double)sp->allreduces / sp->matvecs : 0.0;
    double pa_step = pa->matvecs ? (double)pa->allreduces / pa->matvecs : 0.0;
    printf("ratio PARPACK/spartan: time %.2fx, matvecs %.2fx, allreduces/step %.2f vs %.2f; "
           "eigenvalues agree to %.1e\n", pa->seconds / sp->seconds, (double)pa->matvecs / (double)sp->matvecs,
           pa_step, sp_step, eig_agreement(sp, pa));
    printf("RESULT input=%s P=%d n=%d nnz=%lld sp_s=%.3f pa_s=%.3f sp_mv=%lld pa_mv=%lld sp_ar_step=%.2f "
           "pa_ar_step=%.2f sp_comp=%.3f sp_comm=%.3f sp_ar=%.3f pa_comp=%.3f pa_comm=%.3f pa_ar=%.3f "
           "sp_rss=%.0f pa_rss=%.0f base_rss=%.0f model=%.0f sp_nconv=%d pa_nconv=%d w=%ld rows_max=%.0f\n", b->input, P, D->n,
           (long long)D->nnz, sp->seconds, pa->seconds, sp->matvecs, pa->matvecs, sp_step, pa_step,
           sp->matvec_compute, sp->matvec_comm, sp->allreduce_seconds, pa->matvec_compute, pa->matvec_comm,
           pa->allreduce_seconds, sp->peak_mib, pa->peak_mib, base_mib, model, sp->nconv, pa->nconv,
           b->row_weight, rows_max);
}

/* Every rank's block (rows, nonzeros) and what the measured balance saw on
 * the partition before it (ns per nonzero of the product, ns of vector work
 * per row and step); rank 0 prints. */
static void print_blocks(const sp_dist_csr *D, const sp_dist_balance_info *bal)
{
    double mine[5] = {D->n_local, (double)D->nnz_local, bal->ns_per_nnz, bal->ns_per_row, bal->seconds};
    double *all = malloc(5 * (size_t)D->nranks * sizeof *all);
    MPI_Gather(mine, 5, MPI_DOUBLE, all, 5, MPI_DOUBLE, 0, D->comm);
    if (D->rank == 0) {
        printf("blocks rows / nnz (measured before: ns per nonzero, ns per row and step):");
        for (int q = 0; q < D->nranks; q++)
            printf(" [%d] %.0f / %.0f (%.2f, %.1f)", q, all[5 * q], all[5 * q + 1], all[5 * q + 2], all[5 * q + 3]);
        printf("; measured balance took %.2f s\n", all[4]);
    }
    free(all);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    bench_args b;
    if (parse(argc, argv, &b)) {
        if (rank == 0) fprintf(stderr, "usage: bench_parpack (--gen SPEC | FILE) [--nev K] [--ncv M] [--tol T] [--which W] [--maxit N]\n");
        MPI_Finalize();
        return 2;
    }
    sp_dist_csr D;
    sp_operator op;
    double t0 = MPI_Wtime();
    int rc = load(&b, &D);
    double load_seconds = MPI_Wtime() - t0;
    sp_dist_balance_info bal = {0, 0, 0, 0};
    if (rc == SP_OK && b.balance == 0) rc = sp_dist_csr_rebalance(&D, b.row_weight);
    if (rc == SP_OK && b.balance == 1) rc = sp_dist_csr_balance_measured(&D, b.ncv, &bal);
    if (rc == SP_OK && b.balance == 2) rc = sp_dist_csr_interleave(&D);
    if (rc == SP_OK && b.balance == 3) rc = sp_dist_csr_balance_auto(&D, b.ncv, &bal);
    if (rc == SP_OK) rc = sp_dist_operator(&D, &op); /* collective symmetry check */
    if (rc < 0) {
        if (rank == 0) fprintf(stderr, "bench_parpack: %s\n", sp_errmsg());
        MPI_Finalize();
        return 2;
    }
    double base = max_over_ranks(proc_mib("VmRSS:"));
    double *v0 = malloc((size_t)(D.n_local > 0 ? D.n_local : 1) * sizeof(double));
    for (int i = 0; i < D.n_local; i++)
        v0[i] = 1.0 + 0.5 * sp_hash_normal(b.seed, (uint64_t)(D.orig_row ? D.orig_row[i] : D.row0 + i));
    run_stats sp, pa;
    memset(&sp, 0, sizeof sp), memset(&pa, 0, sizeof pa);
    run_spartan(&b, &D, v0, &sp);
    run_parpack(&b, &D, op.symmetric, v0, &pa);
    double rows_max, nnz_max;
    largest_block(&D, &rows_max, &nnz_max);
    if (rank == 0) report(&b, &D, op.symmetric, &sp, &pa, load_seconds, base, rows_max, nnz_max);
    print_blocks(&D, &bal);
    free(v0);
    sp_dist_csr_uninit(&D);
    MPI_Finalize();
    return 0;
}
