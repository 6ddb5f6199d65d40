/* cmd_eigs.c: `spartan eigs FILE.mtx --nev K [...]`: a few eigenvalues of a
 * sparse matrix by IRAM, MIRAMns or dense LAPACK; a table (or --json) on
 * stdout, optional vectors (.mtx), history (.csv) and plot (.svg), each
 * written to a temp file then renamed. Exit 0 all converged, 1 not all
 * (converged ones still printed), 2 bad usage or input. No numerics here.
 * Under mpirun (MPI builds) the command runs distributed: eigs_mpi.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/eigs_cli.h"
#include "cli/svg_plot.h"
#include "spartan/csr_binary.h"
#include "spartan/eigen.h"
#include "spartan/generate.h"

static void print_help(FILE *out)
{
    fprintf(out,
            "usage: spartan eigs FILE.mtx --nev K [options]\n"
            "       spartan eigs --gen SPEC --nev K [options]\n"
            "       mpirun -np P spartan eigs (FILE | --gen SPEC) --nev K [options]\n\n"
            "A few eigenvalues (and vectors) of a real square sparse matrix by implicitly\n"
            "restarted Arnoldi (IRAM, ARPACK's algorithm), MIRAMns (nested subspaces) or,\n"
            "for small matrices, dense LAPACK.\n\n"
            "options:\n"
            "  --nev K              number of eigenvalues (required, 1 <= K <= n)\n"
            "  --method M           auto (default: dense when n <= max(200, 2 ncv) or K >= n-1,\n"
            "                       else iram), iram, miramns, dense\n"
            "  --ncv M              Krylov subspace size, nev+2 <= M <= n (default max(2K+1, 20))\n"
            "  --nested LIST|auto   MIRAMns nested sizes, e.g. 10,15,20 (implies --method miramns)\n"
            "  --which W            LM (default) SM LR SR LI SI; symmetric only: LA SA BE\n"
            "  --tol T              relative tolerance (default 1e-10; 0 = machine precision)\n"
            "  --max-restarts N     restart limit (default 1000)\n"
            "  --seed S             start-vector seed (default %llu)\n"
            "  --v0 FILE.mtx        start vector (n x 1 Matrix Market array)\n"
            "  --vectors OUT.mtx    write the eigenvectors (n x nconv; a complex pair as Re, Im)\n"
            "  --history OUT.csv    per restart: residual estimate of every wanted pair and subspace\n"
            "  --plot OUT.svg       convergence plot: residual (log) against restart per subspace\n"
            "  --no-copies-search   skip the search for missed copies of repeated eigenvalues\n"
            "  --threads T          OpenMP threads for the matrix-vector products\n"
            "  --verbose            memory estimate and settings on stderr\n"
            "  --json               one JSON object on stdout instead of the table\n"
            "  -h, --help           this help\n\n"
            "FILE is Matrix Market (.mtx, or gzip) or binary CSR (.csr, see 'spartan convert').\n"
            "Under mpirun (spartan built with MPI) every rank reads or generates only its\n"
            "rows (contiguous blocks balancing nnz + ncv/3 x rows) and results are printed\n"
            "once, by rank 0.\n\n"
            "examples:\n"
            "  spartan eigs tests/data/bfwa62.mtx --nev 4\n"
            "  spartan eigs tests/data/plat362.mtx --nev 7 --method iram --ncv 15 --tol 1e-8\n"
            "  spartan eigs tests/data/west0479.mtx --nev 2 --nested 10,15,20 --plot conv.svg\n"
            "  spartan eigs --gen laplace2d:100 --nev 6 --which LA --json\n"
            "  mpirun -np 2 spartan eigs --gen powerlaw:1000000:10 --nev 10 --method iram\n\n"
            "exit status: 0 all K converged, 1 not all (the converged ones are printed),\n"
            "             2 bad usage or bad input\n",
            (unsigned long long)SP_DEFAULT_SEED);
}

/* ---- argument parsing ---------------------------------------------------- */

/* "--opt value" or "--opt=value": returns the value or NULL (usage error printed). */
static const char *option_value(int argc, char **argv, int *i, const char *opt)
{
    size_t len = strlen(opt);
    if (argv[*i][len] == '=') return argv[*i] + len + 1;
    if (*i + 1 >= argc) {
        sp_cli_usage_error("eigs", "%s needs a value", opt);
        return NULL;
    }
    return argv[++*i];
}

static int is_opt(const char *arg, const char *opt)
{
    size_t len = strlen(opt);
    return !strncmp(arg, opt, len) && (arg[len] == '\0' || arg[len] == '=');
}

typedef struct { const char *name; const char **target; } text_opt;

static int parse_number_opt(const char *arg, const char *v, eigs_args *a)
{
    if (is_opt(arg, "--nev")) return sp_cli_parse_int("eigs", "--nev", v, -2147483647L, 2147483647L, &a->nev);
    if (is_opt(arg, "--ncv")) return sp_cli_parse_int("eigs", "--ncv", v, -2147483647L, 2147483647L, &a->ncv);
    if (is_opt(arg, "--max-restarts"))
        return sp_cli_parse_int("eigs", "--max-restarts", v, 1, 100000000L, &a->max_restarts);
    if (is_opt(arg, "--threads")) return sp_cli_parse_int("eigs", "--threads", v, 1, 4096, &a->threads);
    if (is_opt(arg, "--seed")) return sp_cli_parse_u64("eigs", "--seed", v, &a->seed);
    a->has_tol = 1;
    return sp_cli_parse_double("eigs", "--tol", v, 0.0, 1.0, &a->tol);
}

static int parse_option(int argc, char **argv, int *i, eigs_args *a)
{
    const char *arg = argv[*i];
    const text_opt texts[] = {{"--gen", &a->gen}, {"--v0", &a->v0}, {"--vectors", &a->vectors},
                              {"--history", &a->history}, {"--plot", &a->plot},
                              {"--which", &a->which_name}, {"--method", &a->method_name},
                              {"--nested", &a->nested}};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
        if (is_opt(arg, texts[t].name)) {
            const char *v = option_value(argc, argv, i, texts[t].name);
            *texts[t].target = v;
            return v ? 0 : -1;
        }
    const char *numeric[] = {"--nev", "--ncv", "--max-restarts", "--threads", "--seed", "--tol"};
    for (size_t t = 0; t < sizeof numeric / sizeof numeric[0]; t++)
        if (is_opt(arg, numeric[t])) {
            const char *v = option_value(argc, argv, i, numeric[t]);
            return v ? parse_number_opt(arg, v, a) : -1;
        }
    if (!strcmp(arg, "--verbose")) return a->verbose = 1, 0;
    if (!strcmp(arg, "--json")) return a->json = 1, 0;
    if (!strcmp(arg, "--no-copies-search")) return a->no_copies = 1, 0;
    sp_cli_usage_error("eigs", "unknown option '%s'", arg);
    return -1;
}

/* 0 ok, 1 help printed, -1 usage error printed. */
static int parse_args(int argc, char **argv, eigs_args *a)
{
    memset(a, 0, sizeof *a);
    a->seed = SP_DEFAULT_SEED;
    a->tol = 1e-10;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            if (parse_option(argc, argv, &i, a) < 0) return -1;
        } else if (!a->file) {
            a->file = argv[i];
        } else {
            sp_cli_usage_error("eigs", "unexpected argument '%s' (one matrix file)", argv[i]);
            return -1;
        }
    }
    if (!a->file && !a->gen) return sp_cli_usage_error("eigs", "no matrix: give FILE.mtx or --gen SPEC"), -1;
    if (a->file && a->gen) return sp_cli_usage_error("eigs", "give FILE.mtx or --gen, not both"), -1;
    if (!a->nev) return sp_cli_usage_error("eigs", "--nev K is required"), -1;
    return 0;
}

/* ---- options for the library ---------------------------------------------- */

static int build_nested(const eigs_args *a, sp_eigs_options *o)
{
    if (!a->nested) return 0;
    if (o->method == SP_EIG_IRAM || o->method == SP_EIG_DENSE)
        return sp_cli_usage_error("eigs", "--nested needs --method miramns (or auto)"), -1;
    o->method = SP_EIG_MIRAMNS;
    if (!strcmp(a->nested, "auto")) return 0;
    if (a->ncv) return sp_cli_usage_error("eigs", "give --ncv or --nested sizes, not both"), -1;
    int count = sp_cli_parse_int_list("eigs", "--nested", a->nested, 1, 2147483647L, o->nested,
                                      SP_EIGS_MAX_NESTED);
    if (count < 0) return -1;
    o->nested_count = count;
    return 0;
}

static int build_options(const eigs_args *a, sp_eigs_options *o)
{
    *o = sp_eigs_options_default();
    if (a->nev < 1) return sp_cli_usage_error("eigs", "--nev %ld must be >= 1", a->nev), -1;
    if (a->ncv < 0) return sp_cli_usage_error("eigs", "--ncv %ld must be >= 1", a->ncv), -1;
    o->nev = (int)a->nev;
    o->ncv = (int)a->ncv;
    o->tol = a->tol;
    o->seed = a->seed;
    o->max_restarts = (int)a->max_restarts;
    o->check_missed_copies = !a->no_copies;
    if (a->which_name && sp_which_parse(a->which_name, &o->which) < 0)
        return sp_cli_usage_error("eigs", "--which: %s", sp_errmsg()), -1;
    if (a->method_name && sp_eig_method_parse(a->method_name, &o->method) < 0)
        return sp_cli_usage_error("eigs", "--method: %s", sp_errmsg()), -1;
    return build_nested(a, o);
}

int sp_eigs_cli_parse(int argc, char **argv, eigs_args *a, sp_eigs_options *o)
{
    int prc = parse_args(argc, argv, a);
    if (prc == 1) return print_help(stdout), SP_EXIT_OK;
    if (prc < 0 || build_options(a, o) < 0) return SP_EXIT_USAGE;
    return -1;
}

const char *sp_eigs_cli_source(const eigs_args *a) { return a->gen ? a->gen : a->file; }

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* ---- input ---------------------------------------------------------------- */

static int load_matrix(const eigs_args *a, sp_csr *A, int *file_symmetric)
{
    int rc;
    *file_symmetric = 0;
    if (a->gen) {
        rc = sp_gen_spec(a->gen, A, file_symmetric);
    } else if (ends_with(a->file, ".csr")) {
        sp_csr_binary_info info;
        rc = sp_csr_binary_read(a->file, A, &info);
        *file_symmetric = rc == SP_OK && info.symmetric;
    } else {
        sp_mm_info info;
        memset(&info, 0, sizeof info);
        rc = sp_mm_read(a->file, A, &info);
        *file_symmetric = rc == SP_OK && info.symmetry == SP_MM_SYMMETRIC;
        sp_mm_info_uninit(&info);
    }
    if (rc < 0) return sp_cli_report("eigs", rc), -1;
    const char *what = a->gen ? a->gen : a->file;
    if (A->rows != A->cols)
        return sp_cli_usage_error("eigs", "%s: the matrix is %d x %d, not square", what, A->rows, A->cols), -1;
    if (A->rows == 0) return sp_cli_usage_error("eigs", "%s: the matrix is empty", what), -1;
    for (int64_t q = 0; q < A->nnz; q++)
        if (!isfinite(A->val[q]))
            return sp_cli_usage_error("eigs", "%s: entry %lld is %g (NaN or inf)", what,
                                      (long long)q + 1, A->val[q]), -1;
    return 0;
}

int sp_eigs_cli_load_v0(const char *path, int n, sp_dmat *v0)
{
    sp_mm_info info;
    memset(&info, 0, sizeof info);
    int rc = sp_mm_read_dense(path, v0, &info);
    sp_mm_info_uninit(&info);
    if (rc < 0) return sp_cli_report("eigs", rc), -1;
    if ((int64_t)v0->rows * v0->cols != n || (v0->cols != 1 && v0->rows != 1))
        return sp_cli_usage_error("eigs", "--v0 %s is %d x %d, expected %d x 1", path, v0->rows,
                                  v0->cols, n), -1;
    for (int i = 0; i < n; i++)
        if (!isfinite(v0->data[i])) return sp_cli_usage_error("eigs", "--v0 %s: entry %d is not finite", path, i + 1), -1;
    return 0;
}

/* ---- output ---------------------------------------------------------------- */

static void print_table(const eigs_args *a, int n, int64_t nnz, const sp_eigs_options *o,
                        const sp_eigs_result *r)
{
    printf("%s: n = %d, nnz = %lld, %s\n", sp_eigs_cli_source(a), n, (long long)nnz,
           r->symmetric ? "symmetric" : "nonsymmetric");
    if (r->method == SP_EIG_DENSE)
        printf("method dense (LAPACK %s on the whole matrix%s)\n", r->symmetric ? "dsyev" : "dgeev",
               o->method == SP_EIG_AUTO ? ": n is small; --method iram forces Krylov" : "");
    else
        printf("method %s, ncv %d, which %s, tol %g\n", sp_eig_method_name(r->method), r->ncv,
               sp_which_name(o->which), o->tol);
    printf("%6s %24s %24s %14s\n", "index", "real", "imag", "rel.residual");
    for (int i = 0; i < r->nconv; i++)
        printf("%6d %24.16e %24.16e %14.3e\n", i + 1, r->re[i], r->im[i], r->residual[i]);
    printf("n %d, nnz %lld, method %s, restarts %d, matvecs %lld (+%lld for residuals), %.3f s\n",
           n, (long long)nnz, sp_eig_method_name(r->method), r->restarts,
           (long long)r->matvecs, (long long)r->residual_matvecs, r->seconds);
    if (r->kept_pair) printf("note: kept nev+1 at a restart so a complex-conjugate pair was not split\n");
    if (r->copies_searched)
        printf("missed-copies search: %d search round(s), %d eigenvalue(s) added\n",
               r->copies_rounds, r->copies_found);
    if (r->nconv < o->nev)
        printf("NOT CONVERGED: only %d of %d eigenvalues converged (shown above)\n", r->nconv, o->nev);
}

static void print_json_sizes(const sp_eigs_result *r)
{
    printf(", \"sizes\": [");
    for (int s = 0; s < r->n_sizes; s++) printf("%s%d", s ? ", " : "", r->sizes[s]);
    printf("], \"chosen\": [");
    for (int i = 0; i < r->history_count; i++) printf("%s%d", i ? ", " : "", r->chosen[i]);
    printf("]");
}

static void print_json(const eigs_args *a, int n, int64_t nnz, const sp_eigs_options *o,
                       const sp_eigs_result *r, const char *extra_json)
{
    printf("{\"file\": ");
    sp_json_string(stdout, a->gen ? a->gen : a->file);
    printf(", \"n\": %d, \"nnz\": %lld, \"symmetric\": %s, \"method\": \"%s\", \"nev\": %d, "
           "\"ncv\": %d, \"which\": \"%s\", \"tol\": ", n, (long long)nnz,
           r->symmetric ? "true" : "false", sp_eig_method_name(r->method), o->nev, r->ncv,
           sp_which_name(o->which));
    sp_json_number(stdout, o->tol);
    printf(", \"converged\": %s, \"nconv\": %d, \"restarts\": %d, \"matvecs\": %lld, "
           "\"residual_matvecs\": %lld, \"seconds\": ", r->nconv >= o->nev ? "true" : "false",
           r->nconv, r->restarts, (long long)r->matvecs, (long long)r->residual_matvecs);
    sp_json_number(stdout, r->seconds);
    printf(", \"kept_pair\": %s, \"copies_found\": %d", r->kept_pair ? "true" : "false", r->copies_found);
    print_json_sizes(r);
    printf(", \"eigenvalues\": [");
    for (int i = 0; i < r->nconv; i++) {
        printf("%s{\"re\": ", i ? ", " : "");
        sp_json_number(stdout, r->re[i]);
        printf(", \"im\": ");
        sp_json_number(stdout, r->im[i]);
        printf(", \"residual\": ");
        sp_json_number(stdout, r->residual[i]);
        printf("}");
    }
    printf("]%s}\n", extra_json ? extra_json : "");
}

void sp_eigs_cli_print(const eigs_args *a, int n, int64_t nnz, const sp_eigs_options *o,
                       const sp_eigs_result *r, const char *extra_json)
{
    if (a->json) print_json(a, n, nnz, o, r, extra_json);
    else print_table(a, n, nnz, o, r);
}

int sp_eigs_cli_write_history(const char *path, const sp_eigs_result *r)
{
    sp_atomic_file f;
    int rc = sp_atomic_open(&f, path);
    if (rc < 0) return rc;
    fprintf(f.fp, "restart,subspace,chosen,kept");
    for (int j = 0; j < r->nev; j++) fprintf(f.fp, ",residual_%d", j + 1);
    fprintf(f.fp, "\n");
    for (int i = 0; i < r->history_count; i++)
        for (int s = 0; s < r->n_sizes; s++) {
            fprintf(f.fp, "%d,%d,%d,%d", i + 1, r->sizes[s], r->sizes[s] == r->chosen[i], r->kept[i]);
            for (int j = 0; j < r->nev; j++) {
                double v = r->history[((size_t)i * r->n_sizes + s) * r->nev + j];
                if (isfinite(v)) fprintf(f.fp, ",%.6e", v);
                else fprintf(f.fp, ",");
            }
            fprintf(f.fp, "\n");
        }
    return sp_atomic_commit(&f);
}

/* Worst normalized estimate over the wanted pairs, per restart and subspace. */
int sp_eigs_cli_write_plot(const char *path, const char *title, const sp_eigs_result *r)
{
    int rows = r->history_count, ns = r->n_sizes;
    double *x = malloc(sizeof(double) * (size_t)(rows + 1)), *y = malloc(sizeof(double) * (size_t)(rows * ns + 1));
    sp_plot_series series[SP_EIGS_MAX_NESTED];
    char names[SP_EIGS_MAX_NESTED][32];
    if (!x || !y) return free(x), free(y), sp_error(SP_ENOMEM, "plot: out of memory");
    for (int i = 0; i < rows; i++) x[i] = i + 1;
    for (int s = 0; s < ns; s++) {
        for (int i = 0; i < rows; i++) {
            double worst = NAN;
            for (int j = 0; j < r->nev; j++) {
                double v = r->history[((size_t)i * ns + s) * r->nev + j];
                if (isfinite(v)) worst = isnan(worst) ? v : fmax(worst, v);
            }
            y[s * rows + i] = worst;
        }
        snprintf(names[s], sizeof names[s], "m = %d", r->sizes[s]);
        series[s] = (sp_plot_series){names[s], x, y + s * rows, rows};
    }
    sp_plot p = {title, "restart", "worst residual estimate (relative)", 1, 0, 0, series, ns};
    int rc = sp_plot_write_svg(&p, path);
    free(x), free(y);
    return rc;
}

static int write_vectors(const char *path, const sp_eigs_result *r)
{
    sp_dmat X = sp_dmat_wrap(r->vectors, r->n_local, r->nconv, r->n_local > 0 ? r->n_local : 1);
    return sp_mm_write_dense(path, &X, SP_EIGS_VECTORS_COMMENT);
}

static int write_outputs(const eigs_args *a, const sp_eigs_result *r)
{
    int rc = SP_OK;
    if (a->vectors && r->nconv > 0 && (rc = write_vectors(a->vectors, r)) < 0) return rc;
    if (a->history && (rc = sp_eigs_cli_write_history(a->history, r)) < 0) return rc;
    if (a->plot && r->history_count > 0 && (rc = sp_eigs_cli_write_plot(a->plot, sp_eigs_cli_source(a), r)) < 0)
        return rc;
    return SP_OK;
}

/* ---- the command ----------------------------------------------------------- */

int sp_eigs_cli_monitor(void *user, const sp_eigs_monitor_info *info)
{
    eigs_monitor_state *m = user;
    char detail[96];
    double worst = 0;
    for (int j = 0; j < info->nev; j++) {
        double v = info->estimates[(info->n_sizes - 1) * info->nev + j];
        if (isfinite(v)) worst = fmax(worst, v);
    }
    snprintf(detail, sizeof detail, "restart %d, %lld matvecs, %d/%d converged, worst %.1e",
             info->restart, (long long)info->matvecs, info->nconv, info->nev, worst);
    sp_progress_update(&m->bar, info->restart, detail);
    return 0;
}

void sp_eigs_cli_verbose(int n, int64_t nnz, const sp_eigs_options *o)
{
    int ncv = o->ncv > 0 ? o->ncv : (o->nested_count > 0 ? o->nested[o->nested_count - 1] : 0);
    if (ncv == 0) ncv = 2 * o->nev + 1 > 20 ? 2 * o->nev + 1 : 20;
    if (ncv > n) ncv = n;
    int64_t bytes = sp_eigs_memory_estimate(n, o->nev, ncv);
    fprintf(stderr, "spartan eigs: n = %d, nnz = %lld, nev %d, ncv %d, which %s, tol %g, seed %llu, "
                    "threads %d\nspartan eigs: memory estimate 8 n (ncv + nev + 3) = %lld bytes "
                    "(%.1f MiB) plus the matrix\n", n, (long long)nnz, o->nev, ncv,
            sp_which_name(o->which), o->tol, (unsigned long long)o->seed, sp_get_threads(),
            (long long)bytes, bytes / 1048576.0);
}

int sp_eigs_cli_check(const sp_operator *op, const sp_eigs_options *o, int print)
{
    if (sp_which_symmetric_only(o->which) && !op->symmetric)
        return print ? sp_cli_usage_error("eigs", "--which %s needs a symmetric matrix; this one is not",
                                          sp_which_name(o->which))
                     : SP_EXIT_USAGE;
    if (sp_eigs_check(op, o) < 0) return print ? sp_cli_usage_error("eigs", "%s", sp_errmsg()) : SP_EXIT_USAGE;
    return 0;
}

static int solve_and_print(const eigs_args *a, const sp_csr *A, sp_eigs_options *o)
{
    sp_operator op;
    int rc = sp_operator_csr(A, &op);
    if (rc < 0) return sp_cli_report("eigs", rc);
    if ((rc = sp_eigs_cli_check(&op, o, 1)) != 0) return rc;
    if (a->verbose) sp_eigs_cli_verbose(A->rows, A->nnz, o);
    eigs_monitor_state mon;
    sp_progress_init(&mon.bar, "eigs", 0);
    o->monitor = sp_eigs_cli_monitor;
    o->monitor_user = &mon;
    o->want_vectors = a->vectors != NULL;
    sp_eigs_result r;
    rc = sp_eigs(&op, o, &r);
    sp_progress_finish(&mon.bar);
    int exit_code = rc == SP_OK ? SP_EXIT_OK : rc == SP_ENOCONV ? SP_EXIT_NOTCONV : -1;
    if (exit_code < 0) {
        exit_code = sp_cli_report("eigs", rc);
    } else {
        sp_eigs_cli_print(a, A->rows, A->nnz, o, &r, NULL);
        int wrc = write_outputs(a, &r);
        if (wrc < 0) exit_code = sp_cli_report("eigs", wrc);
    }
    sp_eigs_result_uninit(&r);
    return exit_code;
}

int sp_cmd_eigs(int argc, char **argv)
{
#ifdef SPARTAN_HAVE_MPI
    if (sp_eigs_mpi_launched()) return sp_eigs_mpi(argc, argv);
#else
    if (sp_eigs_mpi_launched())
        fprintf(stderr, "spartan eigs: warning: started by mpirun but built without MPI: every rank "
                        "solves the whole problem alone\n");
#endif
    eigs_args a;
    sp_eigs_options o;
    int prc = sp_eigs_cli_parse(argc, argv, &a, &o);
    if (prc >= 0) return prc;
    if (a.threads > 0) sp_set_threads((int)a.threads);
    sp_csr A;
    memset(&A, 0, sizeof A);
    int file_symmetric = 0, code = SP_EXIT_USAGE;
    sp_dmat v0 = {0, 0, 1, NULL, 0};
    if (load_matrix(&a, &A, &file_symmetric) == 0 && (!a.v0 || sp_eigs_cli_load_v0(a.v0, A.rows, &v0) == 0)) {
        o.v0 = a.v0 ? v0.data : NULL;
        code = solve_and_print(&a, &A, &o);
    }
    sp_dmat_uninit(&v0);
    sp_csr_uninit(&A);
    return code;
}
