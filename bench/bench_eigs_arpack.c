/* bench_eigs_arpack.c: spartan's IRAM and MIRAMns against ARPACK-NG
 * (dnaupd/dneupd, dsaupd/dseupd for symmetric input) on the same matrix, nev,
 * ncv, which, tol and start vector; prints one Markdown table row per method.
 * A benchmark, not a test: it asserts nothing and exits 0 unless the input is bad. */
#include "spartan/eigen.h"
#include "spartan/generate.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- ARPACK-NG, Fortran 77 entry points (gfortran >= 8: hidden string
 * lengths are size_t, appended in argument order; LOGICAL is a 4-byte int) -- */
extern void dnaupd_(int *ido, char *bmat, int *n, char *which, int *nev, double *tol, double *resid,
                    int *ncv, double *v, int *ldv, int *iparam, int *ipntr, double *workd,
                    double *workl, int *lworkl, int *info, size_t bmat_len, size_t which_len);
extern void dneupd_(int *rvec, char *howmny, int *select, double *dr, double *di, double *z,
                    int *ldz, double *sigmar, double *sigmai, double *workev, char *bmat, int *n,
                    char *which, int *nev, double *tol, double *resid, int *ncv, double *v,
                    int *ldv, int *iparam, int *ipntr, double *workd, double *workl, int *lworkl,
                    int *info, size_t howmny_len, size_t bmat_len, size_t which_len);
extern void dsaupd_(int *ido, char *bmat, int *n, char *which, int *nev, double *tol, double *resid,
                    int *ncv, double *v, int *ldv, int *iparam, int *ipntr, double *workd,
                    double *workl, int *lworkl, int *info, size_t bmat_len, size_t which_len);
extern void dseupd_(int *rvec, char *howmny, int *select, double *d, double *z, int *ldz,
                    double *sigma, char *bmat, int *n, char *which, int *nev, double *tol,
                    double *resid, int *ncv, double *v, int *ldv, int *iparam, int *ipntr,
                    double *workd, double *workl, int *lworkl, int *info, size_t howmny_len,
                    size_t bmat_len, size_t which_len);

/* ---- options and results ------------------------------------------------ */

enum { RUN_ARPACK = 1, RUN_IRAM = 2, RUN_MIRAMNS = 4 };

typedef struct bench_options {
    const char *matrix, *gen, *label;
    int nev, ncv, maxit, threads, methods, header, copies, repeat_min_ms, values;
    char which[3];
    double tol;
    uint64_t seed;
    int nested[SP_EIGS_MAX_NESTED], nested_count;
} bench_options;

typedef struct bench_run {
    const char *method;
    int ok; /* the solver ran (converged or not) */
    int nconv, restarts;
    long long matvecs;
    double seconds;  /* wall clock */
    double cpu;      /* process CPU time: robust to other jobs on the machine */
    double *re, *im; /* nconv eigenvalues */
    char note[160];
} bench_run;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bench_eigs_arpack (--matrix FILE.mtx[.gz] | --gen SPEC) [options]\n"
            "  --gen SPEC        laplace2d:N, laplace3d:N, random-sparse:N:R[:S], "
            "powerlaw:N:R[:A[:S]]\n"
            "  --label NAME      name in the table (default: file name or spec)\n"
            "  --nev K           wanted eigenvalues (default 4)\n"
            "  --ncv M           subspace size, the same for all methods (default 20)\n"
            "  --nested a,b,c    MIRAMns sizes (default auto up to ncv); ncv = last size\n"
            "  --which W         LM (default), SM, LR, SR, LI, SI, LA, SA, BE\n"
            "  --tol T           relative tolerance (default 1e-10; 0 = machine eps)\n"
            "  --maxit N         max restarts / ARPACK iterations (default 30000)\n"
            "  --seed S          seed of the shared start vector (default 1)\n"
            "  --methods LIST    comma list of arpack,iram,miramns (default all)\n"
            "  --threads T       OpenMP threads of the matvec (both) and spartan (default 1;\n"
            "                    OpenBLAS threads come from OPENBLAS_NUM_THREADS)\n"
            "  --copies          let spartan search for missed copies of repeated eigenvalues\n"
            "                    (off by default: ARPACK does not)\n"
            "  --repeat-ms MS    repeat runs faster than this and keep the fastest (default 200)\n"
            "  --header          print the table header first\n"
            "  --values          also print every method's eigenvalues on stderr\n");
}

/* ---- argument parsing ----------------------------------------------------- */

static int parse_methods(const char *s)
{
    int mask = 0;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (!strcmp(tok, "arpack"))
            mask |= RUN_ARPACK;
        else if (!strcmp(tok, "iram"))
            mask |= RUN_IRAM;
        else if (!strcmp(tok, "miramns"))
            mask |= RUN_MIRAMNS;
        else
            return -1;
    }
    return mask;
}

static int parse_nested(const char *s, bench_options *o)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    o->nested_count = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (o->nested_count == SP_EIGS_MAX_NESTED || atoi(tok) < 2) return -1;
        o->nested[o->nested_count++] = atoi(tok);
    }
    return o->nested_count > 0 ? 0 : -1;
}

/* One option with its value; returns 0, or -1 for a bad one. */
static int parse_option(const char *opt, const char *val, bench_options *o)
{
    if (!strcmp(opt, "--matrix"))
        o->matrix = val;
    else if (!strcmp(opt, "--gen"))
        o->gen = val;
    else if (!strcmp(opt, "--label"))
        o->label = val;
    else if (!strcmp(opt, "--nev"))
        o->nev = atoi(val);
    else if (!strcmp(opt, "--ncv"))
        o->ncv = atoi(val);
    else if (!strcmp(opt, "--maxit"))
        o->maxit = atoi(val);
    else if (!strcmp(opt, "--threads"))
        o->threads = atoi(val);
    else if (!strcmp(opt, "--repeat-ms"))
        o->repeat_min_ms = atoi(val);
    else if (!strcmp(opt, "--tol"))
        o->tol = atof(val);
    else if (!strcmp(opt, "--seed"))
        o->seed = strtoull(val, NULL, 10);
    else if (!strcmp(opt, "--which") && strlen(val) == 2)
        memcpy(o->which, val, 3);
    else if (!strcmp(opt, "--methods"))
        return (o->methods = parse_methods(val)) > 0 ? 0 : -1;
    else if (!strcmp(opt, "--nested"))
        return parse_nested(val, o);
    else
        return -1;
    return 0;
}

static int parse_args(int argc, char **argv, bench_options *o)
{
    *o = (bench_options){.nev = 4,
                         .ncv = 20,
                         .maxit = 30000,
                         .threads = 1,
                         .tol = 1e-10,
                         .seed = 1,
                         .methods = RUN_ARPACK | RUN_IRAM | RUN_MIRAMNS,
                         .repeat_min_ms = 200,
                         .which = "LM"};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--header"))
            o->header = 1;
        else if (!strcmp(argv[i], "--copies"))
            o->copies = 1;
        else if (!strcmp(argv[i], "--values"))
            o->values = 1;
        else if (!strcmp(argv[i], "--help")) {
            usage(stdout);
            exit(0);
        } else if (i + 1 < argc && !parse_option(argv[i], argv[i + 1], o))
            i++;
        else {
            fprintf(stderr, "bench_eigs_arpack: bad option '%s'\n", argv[i]);
            return -1;
        }
    }
    if (o->nested_count) o->ncv = o->nested[o->nested_count - 1];
    if ((!o->matrix) == (!o->gen) || o->nev < 1 || o->ncv < o->nev + 1) {
        usage(stderr);
        return -1;
    }
    return 0;
}

/* ---- timing ------------------------------------------------------------------ */

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- input ------------------------------------------------------------------ */

static int load_matrix(const bench_options *o, sp_csr *A)
{
    if (o->gen) return sp_gen_spec(o->gen, A, NULL);
    sp_mm_info info;
    int rc = sp_mm_read(o->matrix, A, &info);
    if (rc == SP_OK) sp_mm_info_uninit(&info);
    return rc;
}

/* The shared start vector: uniform on [-1, 1) as ARPACK's dgetv0 draws it. */
static double *start_vector(int n, uint64_t seed)
{
    sp_rng rng;
    sp_rng_seed(&rng, seed);
    double *v0 = malloc((size_t)n * sizeof *v0);
    for (int i = 0; v0 && i < n; i++)
        v0[i] = 2.0 * sp_rng_uniform(&rng) - 1.0;
    return v0;
}

/* ---- ARPACK ------------------------------------------------------------------ */

typedef struct arpack_work {
    int n, nev, ncv, ldv, lworkl, symmetric;
    double tol; /* one variable for aupd and eupd: aupd turns 0 into eps in place */
    int iparam[11], ipntr[14];
    double *resid, *v, *workd, *workl;
} arpack_work;

static void arpack_work_free(arpack_work *w)
{
    free(w->resid);
    free(w->v);
    free(w->workd);
    free(w->workl);
}

static int arpack_work_init(arpack_work *w, int n, int nev, int ncv, double tol, int symmetric,
                            const double *v0)
{
    *w =
        (arpack_work){.n = n, .nev = nev, .ncv = ncv, .ldv = n, .tol = tol, .symmetric = symmetric};
    w->lworkl = symmetric ? ncv * ncv + 8 * ncv : 3 * ncv * ncv + 6 * ncv;
    w->resid = malloc((size_t)n * sizeof *w->resid);
    w->v = malloc((size_t)n * ncv * sizeof *w->v);
    w->workd = malloc(3 * (size_t)n * sizeof *w->workd);
    w->workl = malloc((size_t)w->lworkl * sizeof *w->workl);
    if (!w->resid || !w->v || !w->workd || !w->workl) return -1;
    memcpy(w->resid, v0, (size_t)n * sizeof *v0);
    return 0;
}

/* The reverse-communication loop; returns ARPACK's info. */
static int arpack_iterate(const sp_csr *A, arpack_work *w, char *which, int maxit)
{
    int ido = 0, info = 1; /* info = 1: resid holds the start vector */
    char bmat[] = "I";
    memset(w->iparam, 0, sizeof w->iparam);
    w->iparam[0] = 1; /* exact shifts */
    w->iparam[2] = maxit;
    w->iparam[6] = 1; /* mode 1: A x = lambda x */
    for (;;) {
        if (w->symmetric)
            dsaupd_(&ido, bmat, &w->n, which, &w->nev, &w->tol, w->resid, &w->ncv, w->v, &w->ldv,
                    w->iparam, w->ipntr, w->workd, w->workl, &w->lworkl, &info, 1, 2);
        else
            dnaupd_(&ido, bmat, &w->n, which, &w->nev, &w->tol, w->resid, &w->ncv, w->v, &w->ldv,
                    w->iparam, w->ipntr, w->workd, w->workl, &w->lworkl, &info, 1, 2);
        if (ido != -1 && ido != 1) return info;
        sp_csr_matvec(A, w->workd + w->ipntr[0] - 1, w->workd + w->ipntr[1] - 1);
    }
}

/* Ritz values (and vectors, as spartan computes them too) after convergence. */
static int arpack_extract(arpack_work *w, char *which, double *re, double *im)
{
    int rvec = 1, info = 0, ldz = w->n;
    char howmny[] = "A", bmat[] = "I";
    int *select = calloc((size_t)w->ncv, sizeof *select);
    double *z = malloc((size_t)w->n * (w->nev + 1) * sizeof *z);
    double *workev = malloc(3 * (size_t)w->ncv * sizeof *workev);
    double sigmar = 0.0, sigmai = 0.0;
    if (!select || !z || !workev)
        info = -9999;
    else if (w->symmetric)
        dseupd_(&rvec, howmny, select, re, z, &ldz, &sigmar, bmat, &w->n, which, &w->nev, &w->tol,
                w->resid, &w->ncv, w->v, &w->ldv, w->iparam, w->ipntr, w->workd, w->workl,
                &w->lworkl, &info, 1, 1, 2);
    else
        dneupd_(&rvec, howmny, select, re, im, z, &ldz, &sigmar, &sigmai, workev, bmat, &w->n,
                which, &w->nev, &w->tol, w->resid, &w->ncv, w->v, &w->ldv, w->iparam, w->ipntr,
                w->workd, w->workl, &w->lworkl, &info, 1, 1, 2);
    free(select);
    free(z);
    free(workev);
    return info;
}

static void run_arpack(const sp_csr *A, int symmetric, const bench_options *o, const double *v0,
                       bench_run *r)
{
    arpack_work w;
    char which[3];
    memcpy(which, o->which, 3);
    r->method = symmetric ? "ARPACK dsaupd" : "ARPACK dnaupd";
    r->re = calloc((size_t)o->nev + 1, sizeof *r->re);
    r->im = calloc((size_t)o->nev + 1, sizeof *r->im);
    double t0 = sp_time_now(), c0 = cpu_now();
    if (arpack_work_init(&w, A->rows, o->nev, o->ncv, o->tol, symmetric, v0) < 0) {
        snprintf(r->note, sizeof r->note, "out of memory");
        arpack_work_free(&w);
        return;
    }
    int info = arpack_iterate(A, &w, which, o->maxit);
    r->restarts = w.iparam[2];
    r->matvecs = w.iparam[8];
    if (info < 0) snprintf(r->note, sizeof r->note, "aupd info = %d", info);
    int einfo = info >= 0 ? arpack_extract(&w, which, r->re, r->im) : 0;
    r->seconds = sp_time_now() - t0;
    r->cpu = cpu_now() - c0;
    if (einfo != 0) snprintf(r->note, sizeof r->note, "eupd info = %d", einfo);
    if (info == 1) snprintf(r->note, sizeof r->note, "maxit reached");
    r->ok = info >= 0 && einfo == 0;
    r->nconv = r->ok ? w.iparam[4] : 0;
    arpack_work_free(&w);
}

/* ---- spartan ----------------------------------------------------------------- */

/* Note for a finished spartan run: extra matvecs of the final true-residual
 * check (not in the matvecs column), MIRAMns sizes, missed-copy search. */
static void describe_spartan_run(const sp_eigs_result *res, char *note, size_t size)
{
    int len = snprintf(note, size, "+%lld residual matvecs", (long long)res->residual_matvecs);
    if (res->method == SP_EIG_MIRAMNS && res->n_sizes > 0 && len > 0 && (size_t)len < size)
        len += snprintf(note + len, size - (size_t)len, "; sizes %d..%d (%d)", res->sizes[0],
                        res->sizes[res->n_sizes - 1], res->n_sizes);
    if (res->copies_searched && len > 0 && (size_t)len < size)
        snprintf(note + len, size - (size_t)len, "; copies search +%d in %d rounds",
                 res->copies_found, res->copies_rounds);
}

static void run_spartan(const sp_csr *A, sp_eig_method method, const bench_options *o,
                        const double *v0, bench_run *r)
{
    sp_operator op;
    sp_eigs_options opt = sp_eigs_options_default();
    sp_eigs_result res;
    memset(&res, 0, sizeof res);
    r->method = method == SP_EIG_IRAM ? "spartan IRAM" : "spartan MIRAMns";
    if (sp_operator_csr(A, &op) < 0 || sp_which_parse(o->which, &opt.which) < 0) {
        snprintf(r->note, sizeof r->note, "%s", sp_errmsg());
        return;
    }
    opt.nev = o->nev;
    opt.ncv = o->ncv;
    opt.tol = o->tol;
    opt.max_restarts = o->maxit;
    opt.method = method;
    opt.v0 = v0;
    opt.check_missed_copies = o->copies;
    if (method == SP_EIG_MIRAMNS && o->nested_count) {
        memcpy(opt.nested, o->nested, sizeof o->nested);
        opt.nested_count = o->nested_count;
    }
    double t0 = sp_time_now(), c0 = cpu_now();
    int rc = sp_eigs(&op, &opt, &res);
    r->seconds = sp_time_now() - t0;
    r->cpu = cpu_now() - c0;
    r->ok = rc == SP_OK || rc == SP_ENOCONV;
    if (!r->ok || rc == SP_ENOCONV) snprintf(r->note, sizeof r->note, "%s", sp_errmsg());
    if (!r->note[0]) describe_spartan_run(&res, r->note, sizeof r->note);
    r->nconv = r->ok ? res.nconv : 0;
    r->matvecs = res.matvecs;
    r->restarts = res.restarts;
    r->re = calloc((size_t)r->nconv + 1, sizeof *r->re);
    r->im = calloc((size_t)r->nconv + 1, sizeof *r->im);
    for (int i = 0; i < r->nconv; i++) {
        r->re[i] = res.re[i];
        r->im[i] = res.im[i];
    }
    sp_eigs_result_uninit(&res);
}

/* ---- exact Laplacian eigenvalues (an independent reference) -------------- */

static int compare_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* The `count` largest eigenvalues of laplace2d:N / laplace3d:N (descending,
 * with multiplicity): the sums of the per-dimension 2 - 2cos(p pi/(N+1))
 * over the largest `count` indices per dimension suffice. NULL otherwise. */
static double *laplace_exact_top(const char *spec, int count)
{
    int dims = !strncmp(spec, "laplace2d:", 10) ? 2 : !strncmp(spec, "laplace3d:", 10) ? 3 : 0;
    int N = dims ? atoi(spec + 10) : 0;
    if (N < 1) return NULL;
    int m = count < N ? count : N; /* indices N-m+1..N per dimension */
    int total = dims == 2 ? m * m : m * m * m;
    double *all = malloc((size_t)total * sizeof *all), *top = malloc((size_t)count * sizeof *top);
    for (int t = 0; all && t < total; t++) {
        int idx[3] = {t % m, (t / m) % m, t / m / m};
        all[t] = 0.0;
        for (int d = 0; d < dims; d++)
            all[t] += 2.0 - 2.0 * cos((N - idx[d]) * 3.14159265358979323846 / (N + 1));
    }
    if (all && top) {
        qsort(all, (size_t)total, sizeof *all, compare_desc);
        for (int i = 0; i < count; i++)
            top[i] = i < total ? all[i] : NAN;
    }
    free(all);
    return top;
}

/* max_i |theta_i - lambda_i| / lambda_i, both sorted descending. */
static double exact_top_error(const bench_run *r, const double *exact)
{
    double *theta = malloc(((size_t)r->nconv + 1) * sizeof *theta), worst = 0.0;
    memcpy(theta, r->re, (size_t)r->nconv * sizeof *theta);
    qsort(theta, (size_t)r->nconv, sizeof *theta, compare_desc);
    for (int i = 0; i < r->nconv; i++)
        worst = fmax(worst, fabs(theta[i] - exact[i]) / fabs(exact[i]));
    free(theta);
    return worst;
}

/* ---- timing, comparison, printing ---------------------------------------------- */

static void bench_run_free(bench_run *r)
{
    free(r->re);
    free(r->im);
    r->re = r->im = NULL;
}

static void run_method(const sp_csr *A, int symmetric, int method, const bench_options *o,
                       const double *v0, bench_run *r)
{
    bench_run_free(r);
    memset(r, 0, sizeof *r);
    if (method == RUN_ARPACK)
        run_arpack(A, symmetric, o, v0, r);
    else
        run_spartan(A, method == RUN_IRAM ? SP_EIG_IRAM : SP_EIG_MIRAMNS, o, v0, r);
}

/* Run every selected method once; when a round took under repeat_min_ms,
 * run more rounds (up to 20 in all, about repeat_min_ms in total), the
 * methods interleaved so that background load hits them alike, and keep each
 * method's fastest time. Results (deterministic) are those of the last round. */
static void run_all(const sp_csr *A, int symmetric, const int *methods, const bench_options *o,
                    const double *v0, bench_run *runs)
{
    double best[3] = {INFINITY, INFINITY, INFINITY}, best_cpu[3] = {INFINITY, INFINITY, INFINITY};
    double round_time = 0.0;
    int rounds = 1;
    for (int round = 0; round < rounds; round++) {
        for (int m = 0; m < 3; m++) {
            if (!(o->methods & methods[m])) continue;
            run_method(A, symmetric, methods[m], o, v0, &runs[m]);
            best[m] = fmin(best[m], runs[m].seconds);
            best_cpu[m] = fmin(best_cpu[m], runs[m].cpu);
            if (round == 0) round_time += runs[m].seconds;
        }
        if (round == 0 && round_time * 1000.0 < o->repeat_min_ms)
            rounds = round_time > 0 ? (int)fmin(20.0, o->repeat_min_ms / 1000.0 / round_time) : 20;
    }
    for (int m = 0; m < 3; m++) {
        runs[m].seconds = best[m];
        runs[m].cpu = best_cpu[m];
    }
}

/* max over the reference's eigenvalues of |lambda - lambda_ref| / |lambda_ref|,
 * each matched to the nearest unused eigenvalue of r (greedy). */
static double max_relative_difference(const bench_run *r, const bench_run *ref)
{
    int *used = calloc((size_t)r->nconv + 1, sizeof *used);
    double worst = 0.0;
    int count = ref->nconv < r->nconv ? ref->nconv : r->nconv;
    for (int j = 0; j < count; j++) {
        int best = -1;
        double best_d = INFINITY;
        for (int i = 0; i < r->nconv; i++) {
            double d = hypot(r->re[i] - ref->re[j], r->im[i] - ref->im[j]);
            if (!used[i] && d < best_d) {
                best_d = d;
                best = i;
            }
        }
        used[best] = 1;
        worst = fmax(worst, best_d / fmax(hypot(ref->re[j], ref->im[j]), 1e-300));
    }
    free(used);
    return count > 0 ? worst : NAN;
}

/* Time ratios use CPU time on one thread (robust to other jobs on the
 * machine) and wall time with more threads. */
static double time_ratio(const bench_options *o, const bench_run *r, const bench_run *ref)
{
    return o->threads > 1 ? r->seconds / ref->seconds : r->cpu / ref->cpu;
}

static void print_header(const bench_options *o)
{
    printf(
        "| matrix | n | nnz | nev | ncv | which | tol | method | conv | matvecs | restarts | "
        "wall s | cpu s | max rel diff vs ARPACK | matvecs / ARPACK | %s time / ARPACK | note |\n",
        o->threads > 1 ? "wall" : "cpu");
    printf("|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
}

static void print_row(const char *label, const sp_csr *A, const bench_options *o,
                      const bench_run *r, const bench_run *ref)
{
    printf("| %s | %d | %lld | %d | %d | %s | %.0e | %s | %d/%d | %lld | %d | %.3g | %.3g | ",
           label, A->rows, (long long)A->nnz, o->nev, o->ncv, o->which, o->tol, r->method, r->nconv,
           o->nev, r->matvecs, r->restarts, r->seconds, r->cpu);
    if (ref && ref != r && ref->ok && ref->nconv > 0 && r->nconv > 0) {
        printf("%.1e | %.2f | %.2f | ", max_relative_difference(r, ref),
               (double)r->matvecs / (double)ref->matvecs, time_ratio(o, r, ref));
    } else {
        printf("%s | %s | %s | ", ref == r ? "(reference)" : "-", ref == r ? "1" : "-",
               ref == r ? "1" : "-");
    }
    printf("%s |\n", r->note);
    fflush(stdout);
}

static void print_values(const char *label, const bench_run *r)
{
    fprintf(stderr, "%s, %s:", label, r->method);
    for (int i = 0; i < r->nconv; i++)
        fprintf(stderr, " %.15g%+.3gi", r->re[i], r->im[i]);
    fprintf(stderr, "\n");
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int main(int argc, char **argv)
{
    bench_options o;
    if (parse_args(argc, argv, &o) < 0) return 2;
    sp_set_threads(o.threads);
    sp_csr A;
    if (load_matrix(&o, &A) < 0) {
        fprintf(stderr, "bench_eigs_arpack: %s\n", sp_errmsg());
        return 2;
    }
    const char *label = o.label ? o.label : o.gen ? o.gen : base_name(o.matrix);
    int symmetric = sp_csr_asymmetry(&A) == 0.0;
    double *v0 = start_vector(A.rows, o.seed);
    if (o.header) print_header(&o);
    bench_run runs[3];
    memset(runs, 0, sizeof runs);
    const int methods[3] = {RUN_ARPACK, RUN_IRAM, RUN_MIRAMNS};
    bench_run *ref = (o.methods & RUN_ARPACK) ? &runs[0] : NULL;
    run_all(&A, symmetric, methods, &o, v0, runs);
    double *exact = o.gen && (!strcmp(o.which, "LM") || !strcmp(o.which, "LA"))
                        ? laplace_exact_top(o.gen, o.nev + 1)
                        : NULL;
    for (int m = 0; exact && m < 3; m++) {
        size_t len = strlen(runs[m].note);
        if (runs[m].nconv > 0)
            snprintf(runs[m].note + len, sizeof runs[m].note - len, "%sexact top-%d: %.1e",
                     len ? "; " : "", runs[m].nconv, exact_top_error(&runs[m], exact));
    }
    free(exact);
    for (int m = 0; m < 3; m++) {
        if (!(o.methods & methods[m])) continue;
        print_row(label, &A, &o, &runs[m], ref);
        if (o.values) print_values(label, &runs[m]);
    }
    for (int m = 0; m < 3; m++)
        bench_run_free(&runs[m]);
    free(v0);
    sp_csr_uninit(&A);
    return 0;
}
