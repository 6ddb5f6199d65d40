/* cmd_embdim.c: `spartan embdim DATA|C.mtx --candidates 16,24,...`: the
 * embedding-dimension advisor (include/spartan/advisor.h) on a click log
 * (co-occurrence built first) or a matrix file; a table or --json on stdout,
 * optional Figure 11 plot. Exit 0 rule met, 1 fallback recommendation, 2 bad
 * usage or input. Under mpirun (MPI builds) it runs distributed: embdim_mpi.c.
 * No numerics here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/embdim_cli.h"
#include "cli/eigs_cli.h"
#include "cli/svg_plot.h"
#include "cli/sweep_run.h"
#include "spartan/advisor.h"
#include "spartan/csr_binary.h"

#define DEFAULT_CANDIDATES "16,24,32,40,80,120,200"

static void print_help(FILE *out)
{
    fprintf(out,
            "usage: spartan embdim DATA|C.mtx|C.csr [--candidates K1,K2,...] [options]\n"
            "       mpirun -np P spartan embdim DATA|C.mtx|C.csr [options]\n\n"
            "Embedding-dimension advisor: for each candidate k, MIRAMns (nev = k, largest\n"
            "magnitude) on the feature co-occurrence matrix C within a restart budget. It\n"
            "reports convergence, restarts, matvecs, final residual, the gap |l_k+1|/|l_k|\n"
            "and the captured share sum_{i<=k} l_i^2 / ||C||_F^2, then recommends the\n"
            "smallest k that converged within the budget and captures at least the share.\n"
            "DATA may be a Criteo click log (C is built as by `spartan cooc`) or a symmetric\n"
            "matrix (Matrix Market or binary CSR). Candidates k > n - 2 are skipped with a note.\n"
            "l_k+1 comes from a larger candidate that converged, else from one extra solve on\n"
            "C deflated by the k eigenvectors; a candidate that did not converge borrows its\n"
            "captured share and gap from a larger converged one (marked *), else shows a\n"
            "lower bound (>=). Fallbacks (exit 1): the converged k capturing the most, else\n"
            "the k with the smallest residual.\n\n"
            "Under mpirun (spartan built with MPI) C is distributed by row blocks: a click\n"
            "log is read by every rank, each building only its rows of C (the vocabulary is\n"
            "counted once, on rank 0); a .mtx or .csr file is read in parallel. Results are\n"
            "printed once and match the serial run to rounding.\n\n"
            "options:\n"
            "  --candidates LIST    dimensions to try (default " DEFAULT_CANDIDATES ")\n"
            "  --nested auto|LIST   MIRAMns subspace sizes per k: auto (default: 5 sizes from\n"
            "                       max(2k, k+8) to max(3k, k+16)), absolute sizes 60,80,100\n"
            "                       (those in [k+2, n] are used), or multiples of k: 2k,2.5k,3k\n"
            "  --max-restarts N     restart budget per candidate (default 10)\n"
            "  --tol T              relative tolerance (default 1e-8)\n"
            "  --min-captured S     share of ||C||_F^2 the recommendation must capture (0.9)\n"
            "  --plot OUT.svg       residual estimate (log) per restart, one line per k (Figure 11)\n"
            "  --seed S             start-vector seed (default %llu)\n"
            "  --threads T          OpenMP threads for the matrix-vector products\n"
            "  --json               one JSON object on stdout instead of the table\n"
            "  --train [OPTIONS]    then train Wide & Deep at the kept dimensions (converged,\n"
            "                       capturing --min-captured) on the same vocabulary and print\n"
            "                       the comparison table; the rest of the line are options of\n"
            "                       `spartan sweep` (--epochs, --batch, --deep, --plot, ...)\n"
            "  -h, --help           this help\n\n",
            (unsigned long long)SP_DEFAULT_SEED);
    sp_cooc_args_help(out);
    fprintf(out,
            "\nexamples:\n"
            "  spartan embdim tests/data/criteo/criteo_train_2000.txt.gz --min-count 5 \\\n"
            "      --candidates 4,8,16,32 --plot conv.svg\n"
            "  spartan embdim cooc.mtx --candidates 16,24,32,40,80 --json\n"
            "  mpirun -np 2 spartan embdim cooc.csr --candidates 16,32,80\n\n"
            "exit status: 0 a candidate met the rule, 1 ran but none did (a fallback is\n"
            "             recommended and the reason says why), 2 bad usage or bad input\n");
}

static int parse_number(const char *arg, const char *v, embdim_cli *a)
{
    if (sp_cli_is_opt(arg, "--max-restarts"))
        return sp_cli_parse_int("embdim", "--max-restarts", v, 1, 100000000L, &a->max_restarts);
    if (sp_cli_is_opt(arg, "--threads")) return sp_cli_parse_int("embdim", "--threads", v, 1, 4096, &a->threads);
    if (sp_cli_is_opt(arg, "--seed")) return sp_cli_parse_u64("embdim", "--seed", v, &a->seed);
    if (sp_cli_is_opt(arg, "--min-captured"))
        return sp_cli_parse_double("embdim", "--min-captured", v, 0.0, 1.0, &a->min_captured);
    return sp_cli_parse_double("embdim", "--tol", v, 0.0, 1.0, &a->tol);
}

static int parse_option(int argc, char **argv, int *i, embdim_cli *a)
{
    const char *arg = argv[*i];
    int got = sp_cooc_args_parse("embdim", argc, argv, i, &a->c);
    if (got) return got < 0 ? -1 : 0;
    const char *texts[] = {"--candidates", "--nested", "--plot"};
    const char **targets[] = {&a->candidates, &a->nested, &a->plot};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
        if (sp_cli_is_opt(arg, texts[t]))
            return (*targets[t] = sp_cli_option_value("embdim", argc, argv, i, texts[t])) ? 0 : -1;
    const char *nums[] = {"--max-restarts", "--threads", "--seed", "--min-captured", "--tol"};
    for (size_t t = 0; t < sizeof nums / sizeof nums[0]; t++)
        if (sp_cli_is_opt(arg, nums[t])) {
            const char *v = sp_cli_option_value("embdim", argc, argv, i, nums[t]);
            return v ? parse_number(arg, v, a) : -1;
        }
    if (!strcmp(arg, "--json")) return a->json = 1, 0;
    return sp_cli_usage_error("embdim", "unknown option '%s'", arg), -1;
}

/* 0 ok, 1 help printed, -1 usage error printed. */
static int parse_args(int argc, char **argv, embdim_cli *a)
{
    memset(a, 0, sizeof *a);
    sp_cooc_args_init(&a->c);
    a->candidates = DEFAULT_CANDIDATES;
    a->max_restarts = 10;
    a->tol = 1e-8;
    a->min_captured = 0.9;
    a->seed = SP_DEFAULT_SEED;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
        if (!strcmp(argv[i], "--train")) { /* the rest of the line: sweep options */
            a->train_argv = argv + i + 1;
            a->train_argc = argc - i - 1;
            break;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            if (parse_option(argc, argv, &i, a) < 0) return -1;
        } else if (!a->data) {
            a->data = argv[i];
        } else {
            return sp_cli_usage_error("embdim", "unexpected argument '%s' (one DATA file)", argv[i]), -1;
        }
    }
    if (!a->data) return sp_cli_usage_error("embdim", "no DATA: give a click log or a matrix file"), -1;
    return 0;
}

/* --nested: auto, absolute sizes, or multiples "2k,3k". */
static int parse_nested(const char *text, sp_embdim_options *o)
{
    if (!text || !strcmp(text, "auto")) return 0;
    if (!strchr(text, 'k'))
        return (o->nested_count = sp_cli_parse_int_list("embdim", "--nested", text, 3, 2147483647L,
                                                        o->nested, SP_EIGS_MAX_NESTED)) < 0 ? -1 : 0;
    char buf[256];
    if (strlen(text) >= sizeof buf) return sp_cli_usage_error("embdim", "--nested: list too long"), -1;
    strcpy(buf, text);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        size_t len = strlen(tok);
        if (len < 2 || tok[len - 1] != 'k')
            return sp_cli_usage_error("embdim", "--nested: '%s': write every size as a multiple "
                                      "of k (2k,3k) or every size as a number", tok), -1;
        tok[len - 1] = '\0';
        if (o->nested_factor_count >= SP_EIGS_MAX_NESTED)
            return sp_cli_usage_error("embdim", "--nested: more than %d sizes", SP_EIGS_MAX_NESTED), -1;
        if (sp_cli_parse_double("embdim", "--nested", tok, 1.0, 1000.0,
                                &o->nested_factors[o->nested_factor_count++]) < 0) return -1;
    }
    return 0;
}

static int build_options(const embdim_cli *a, sp_embdim_options *o)
{
    *o = sp_embdim_options_default();
    int count = sp_cli_parse_int_list("embdim", "--candidates", a->candidates, 1, 2147483645L,
                                      o->candidates, SP_EMBDIM_MAX_CANDIDATES);
    if (count < 0) return -1;
    o->n_candidates = count;
    o->max_restarts = (int)a->max_restarts;
    o->tol = a->tol;
    o->min_captured = a->min_captured;
    o->seed = a->seed;
    return parse_nested(a->nested, o);
}

int sp_embdim_cli_parse(int argc, char **argv, embdim_cli *a, sp_embdim_options *o)
{
    int prc = parse_args(argc, argv, a);
    if (prc == 1) return print_help(stdout), SP_EXIT_OK;
    if (prc < 0 || build_options(a, o) < 0) return SP_EXIT_USAGE;
    return -1;
}

/* ---- input ------------------------------------------------------------------ */

static int check_matrix(const char *what, const sp_csr *A)
{
    if (A->rows != A->cols)
        return sp_cli_usage_error("embdim", "%s: the matrix is %d x %d, not square", what, A->rows, A->cols), -1;
    if (A->rows < 3) return sp_cli_usage_error("embdim", "%s: the matrix is %d x %d (need n >= 3)", what,
                                               A->rows, A->cols), -1;
    for (int64_t q = 0; q < A->nnz; q++)
        if (!isfinite(A->val[q]))
            return sp_cli_usage_error("embdim", "%s: entry %lld is not finite", what, (long long)q + 1), -1;
    return 0;
}

/* C from a matrix file or a click log; 0 or an exit code. */
static int load_input(const embdim_cli *a, sp_csr *C, sp_cooc_build_info *info)
{
    sp_input_kind kind;
    memset(C, 0, sizeof *C);
    memset(info, 0, sizeof *info);
    if (sp_input_kind_of("embdim", a->data, &kind) < 0) return SP_EXIT_USAGE;
    if (a->train_argv && kind != SP_INPUT_LOG)
        return sp_cli_usage_error("embdim", "--train needs a click log; %s is a matrix file", a->data);
    if (a->train_argv && sp_cooc_args_libsvm(&a->c))
        return sp_cli_usage_error("embdim", "--train trains Wide & Deep on Criteo rows; a libsvm "
                                  "log has no fields: run the advisor alone");
    if (kind == SP_INPUT_LOG) {
        int code = sp_cooc_build("embdim", a->data, &a->c, C, info);
        return code ? code : check_matrix(a->data, C) < 0 ? SP_EXIT_USAGE : 0;
    }
    if (a->c.given)
        return sp_cli_usage_error("embdim", "%s applies to click logs; %s is a matrix file", a->c.first,
                                  a->data);
    int rc = kind == SP_INPUT_MTX ? sp_mm_read(a->data, C, NULL) : sp_csr_binary_read(a->data, C, NULL);
    if (rc < 0) return sp_cli_report("embdim", rc);
    return check_matrix(a->data, C) < 0 ? SP_EXIT_USAGE : 0;
}

/* ---- output ------------------------------------------------------------------- */

static void print_captured(const sp_embdim_candidate *c)
{
    char mark = c->spectrum_from && c->spectrum_from != c->k ? '*' : ' ';
    if (!c->captured_exact) printf("  >=%7.4f ", c->captured);
    else printf("  %9.4f%c", c->captured, mark);
}

static void print_row(const sp_embdim_candidate *c)
{
    if (c->skipped) {
        printf("%6d  %s\n", c->k, c->note);
        return;
    }
    printf("%6d  %-4s %9d %9lld %12.3e ", c->k, c->converged ? "yes" : "no", c->restarts,
           (long long)c->matvecs, c->residual);
    if (isfinite(c->gap)) printf("%9.4f", c->gap);
    else printf("%9s", "-");
    print_captured(c);
    printf(" %4d..%-5d %8.3f\n", c->sizes[0], c->sizes[c->n_sizes - 1], c->seconds);
}

static void print_table(const embdim_cli *a, const sp_embdim_options *o, const sp_embdim_result *r,
                        const sp_cooc_build_info *info, const char *extra_line)
{
    printf("%s: n = %lld, nnz = %lld, ||C||_F = %.6e", a->data, (long long)r->n, (long long)r->nnz, r->fro_norm);
    if (info->rows) printf(" (co-occurrence of %lld rows)", (long long)info->rows);
    printf("\nMIRAMns, which LM, tol %g, budget %d restarts, min captured share %.3f\n", o->tol,
           o->max_restarts, o->min_captured);
    printf("%6s  %-4s %9s %9s %12s %9s %11s %11s %8s\n", "k", "conv", "restarts", "matvecs",
           "residual", "gap", "captured", "sizes", "seconds");
    int borrowed = 0, bound = 0;
    for (int i = 0; i < r->count; i++) {
        print_row(&r->cand[i]);
        borrowed |= !r->cand[i].skipped && r->cand[i].spectrum_from && r->cand[i].spectrum_from != r->cand[i].k;
        bound |= !r->cand[i].skipped && !r->cand[i].captured_exact;
    }
    if (borrowed) printf("* from the eigenvalues of the smallest larger candidate that converged\n");
    if (bound) printf(">= lower bound from the eigenvalues that converged; gap unknown\n");
    printf("recommended k = %d: %s\n", r->recommended, r->reason);
    printf("total %.3f s", r->seconds);
    if (r->largest_converged > 0)
        printf("; |l_k+1| for k = %d from a deflated solve (%lld matvecs)", r->largest_converged,
               (long long)r->gap_matvecs);
    printf("\n");
    if (extra_line) printf("%s\n", extra_line);
}

static void print_json_candidate(const sp_embdim_candidate *c)
{
    printf("{\"k\": %d, \"converged\": %s, \"restarts\": %d, \"matvecs\": %lld, \"residual\": ", c->k,
           c->converged ? "true" : "false", c->restarts, (long long)c->matvecs);
    sp_json_number(stdout, c->residual);
    printf(", \"gap\": ");
    sp_json_number(stdout, c->gap);
    printf(", \"captured\": ");
    sp_json_number(stdout, c->captured);
    printf(", \"captured_exact\": %s, \"spectrum_from\": %d, \"nconv\": %d, \"sizes\": [",
           c->captured_exact ? "true" : "false", c->spectrum_from, c->nconv);
    for (int s = 0; s < c->n_sizes; s++) printf("%s%d", s ? ", " : "", c->sizes[s]);
    printf("], \"values\": [");
    for (int j = 0; j < c->nconv; j++) {
        printf("%s", j ? ", " : "");
        sp_json_number(stdout, c->values[j]);
    }
    printf("], \"seconds\": ");
    sp_json_number(stdout, c->seconds);
    printf(", \"history\": [");
    for (int i = 0; i < c->history_count; i++) {
        printf("%s", i ? ", " : "");
        sp_json_number(stdout, c->history[i]);
    }
    printf("]}");
}

static void print_json(const embdim_cli *a, const sp_embdim_options *o, const sp_embdim_result *r,
                       const sp_cooc_build_info *info, const char *extra_json)
{
    printf("{\"data\": ");
    sp_json_string(stdout, a->data);
    printf(", \"n\": %lld, \"nnz\": %lld, \"rows\": %lld, \"fro_norm\": ", (long long)r->n,
           (long long)r->nnz, (long long)info->rows);
    sp_json_number(stdout, r->fro_norm);
    printf(", \"tol\": ");
    sp_json_number(stdout, o->tol);
    printf(", \"max_restarts\": %d, \"min_captured\": ", o->max_restarts);
    sp_json_number(stdout, o->min_captured);
    printf(", \"candidates\": [");
    for (int i = 0, first = 1; i < r->count; i++)
        if (!r->cand[i].skipped) printf("%s", first ? "" : ", "), print_json_candidate(&r->cand[i]), first = 0;
    printf("], \"skipped\": [");
    for (int i = 0, first = 1; i < r->count; i++)
        if (r->cand[i].skipped) {
            printf("%s{\"k\": %d, \"reason\": ", first ? "" : ", ", r->cand[i].k);
            sp_json_string(stdout, r->cand[i].note);
            printf("}");
            first = 0;
        }
    printf("], \"recommended\": %d, \"rule_met\": %s, \"reason\": ", r->recommended,
           r->rule_met ? "true" : "false");
    sp_json_string(stdout, r->reason);
    printf(", \"gap_matvecs\": %lld, \"seconds\": ", (long long)r->gap_matvecs);
    sp_json_number(stdout, r->seconds);
    printf("%s}\n", extra_json ? extra_json : "");
}

void sp_embdim_cli_print(const embdim_cli *a, const sp_embdim_options *o, const sp_embdim_result *r,
                         const sp_cooc_build_info *info, const char *extra_json,
                         const char *extra_line)
{
    if (a->json) print_json(a, o, r, info, extra_json);
    else print_table(a, o, r, info, extra_line);
}

/* x = restarts applied before the estimate (0: the first factorization), as
 * the table's restarts column; a candidate with one point says so in the legend. */
int sp_embdim_cli_write_plot(const char *path, const char *data, const sp_embdim_result *r)
{
    sp_plot_series series[SP_EMBDIM_MAX_CANDIDATES];
    char names[SP_EMBDIM_MAX_CANDIDATES][48], title[320];
    double *x = NULL;
    int ns = 0, most = 1;
    for (int i = 0; i < r->count; i++) most = r->cand[i].history_count > most ? r->cand[i].history_count : most;
    if (!(x = malloc(sizeof(double) * (size_t)most))) return sp_error(SP_ENOMEM, "plot: out of memory");
    for (int i = 0; i < most; i++) x[i] = i;
    for (int i = 0; i < r->count; i++) {
        const sp_embdim_candidate *c = &r->cand[i];
        if (c->skipped) continue;
        snprintf(names[ns], sizeof names[ns], "k = %d%s", c->k,
                 !c->converged ? " (not conv.)" : c->history_count <= 1 ? " (0 restarts)" : "");
        series[ns] = (sp_plot_series){names[ns], x, c->history, c->history_count};
        ns++;
    }
    snprintf(title, sizeof title, "MIRAMns convergence per candidate k: %s", data);
    sp_plot p = {title, "restarts", "worst residual estimate of the k wanted (relative)", 1, 0, 0, series, ns};
    int rc = sp_plot_write_svg(&p, path);
    free(x);
    return rc;
}

/* ---- the command ------------------------------------------------------------- */

int sp_embdim_cli_monitor(void *user, int k, const sp_eigs_monitor_info *info)
{
    embdim_monitor_state *m = user;
    char detail[96];
    snprintf(detail, sizeof detail, "k = %d: restart %d, %lld matvecs, %d/%d converged", k,
             info->restart, (long long)info->matvecs, info->nconv, info->nev);
    sp_progress_update(&m->bar, info->restart, detail);
    return 0;
}

static int advise_and_print(const embdim_cli *a, const sp_csr *C, sp_embdim_options *o,
                            const sp_cooc_build_info *info)
{
    sp_operator op;
    int rc = sp_operator_csr(C, &op);
    if (rc < 0) return sp_cli_report("embdim", rc);
    if (sp_embdim_check(&op, o) < 0) {
        const char *msg = sp_errmsg();
        if (!strncmp(msg, "embdim: ", 8)) msg += 8;
        return sp_cli_usage_error("embdim", "%s: %s", a->data, msg);
    }
    embdim_monitor_state mon;
    sp_progress_init(&mon.bar, "embdim", 0);
    o->monitor = sp_embdim_cli_monitor;
    o->monitor_user = &mon;
    sp_embdim_result r;
    rc = sp_embdim_advise(&op, o, &r);
    sp_progress_finish(&mon.bar);
    int code = rc == SP_OK ? SP_EXIT_OK : rc == SP_ENOCONV ? SP_EXIT_NOTCONV : -1;
    if (code < 0) code = sp_cli_report("embdim", rc);
    else {
        sp_embdim_cli_print(a, o, &r, info, NULL, NULL);
        if (a->plot && (rc = sp_embdim_cli_write_plot(a->plot, a->data, &r)) < 0)
            code = sp_cli_report("embdim", rc);
        if (a->train_argv && code != SP_EXIT_USAGE) {
            int t = sp_cli_embdim_train(a->data, &r, a->min_captured, &a->c, a->json, a->train_argc,
                                        a->train_argv, stdout);
            if (t) code = t;
        }
    }
    sp_embdim_result_uninit(&r);
    return code;
}

int sp_cmd_embdim(int argc, char **argv)
{
#ifdef SPARTAN_HAVE_MPI
    if (sp_eigs_mpi_launched()) return sp_embdim_mpi(argc, argv);
#else
    if (sp_eigs_mpi_launched())
        fprintf(stderr, "spartan embdim: warning: started by mpirun but built without MPI: every "
                        "rank runs the whole problem alone\n");
#endif
    embdim_cli a;
    sp_embdim_options o;
    int prc = sp_embdim_cli_parse(argc, argv, &a, &o);
    if (prc >= 0) return prc;
    if (a.threads > 0) sp_set_threads((int)a.threads);
    sp_csr C;
    sp_cooc_build_info info;
    int code = load_input(&a, &C, &info);
    if (code == 0) code = advise_and_print(&a, &C, &o, &info);
    sp_csr_uninit(&C);
    return code;
}
