/* cmd_cooc.c: `spartan cooc DATA -o C.mtx`: the feature co-occurrence matrix
 * of a Criteo click log, written as Matrix Market (symmetric, lower triangle)
 * or binary CSR, temp file then rename; a summary (or --json) on stdout.
 * Exit 0 written, 2 bad usage or bad input. No numerics here. */
#include <string.h>
#include "cli/cli.h"
#include "cli/cooc_args.h"
#include "spartan/csr_binary.h"

typedef struct cooc_cli {
    const char *data, *out, *format;
    int json, verbose;
    sp_cooc_args c;
} cooc_cli;

static void print_help(FILE *out)
{
    fprintf(out,
            "usage: spartan cooc DATA -o OUT [options]\n\n"
            "The feature co-occurrence matrix C of a click log: C[i][j] = number of rows in\n"
            "which features i and j both occur (MindSpore Wide & Deep ids: 13 integer fields,\n"
            "26 out-of-vocabulary ids, then the vocabulary, most frequent first). Built in\n"
            "two streaming passes with bounded memory (sorted runs spill to $TMPDIR).\n\n"
            "options:\n"
            "  -o, --output OUT     output file (required)\n"
            "  --format F           mtx (default: Matrix Market, symmetric storage) or csr\n"
            "                       (spartan binary CSR, see include/spartan/csr_binary.h)\n"
            "  --json               one JSON object on stdout instead of the summary\n"
            "  --verbose            timings per pass on stderr\n"
            "  -h, --help           this help\n\n");
    sp_cooc_args_help(out);
    fprintf(out,
            "\nexamples:\n"
            "  spartan cooc tests/data/criteo/criteo_train_2000.txt.gz -o cooc.mtx --min-count 5\n"
            "  spartan cooc train.txt.gz -o cooc.csr --format csr --hash-buckets 200000 --dense log\n"
            "  spartan cooc tests/data/advisor/planted_k4.svm.gz --input-format libsvm -o cooc.mtx\n\n"
            "exit status: 0 written, 2 bad usage or bad input (e.g. a malformed line without\n"
            "             --skip-bad: the message names file, line and field)\n");
}

static int parse_option(int argc, char **argv, int *i, cooc_cli *a)
{
    const char *arg = argv[*i];
    int got = sp_cooc_args_parse("cooc", argc, argv, i, &a->c);
    if (got) return got < 0 ? -1 : 0;
    if (!strcmp(arg, "-o") || sp_cli_is_opt(arg, "--output")) {
        const char *opt = strcmp(arg, "-o") ? "--output" : "-o";
        return (a->out = sp_cli_option_value("cooc", argc, argv, i, opt)) ? 0 : -1;
    }
    if (sp_cli_is_opt(arg, "--format"))
        return (a->format = sp_cli_option_value("cooc", argc, argv, i, "--format")) ? 0 : -1;
    if (!strcmp(arg, "--json")) return a->json = 1, 0;
    if (!strcmp(arg, "--verbose")) return a->verbose = 1, 0;
    return sp_cli_usage_error("cooc", "unknown option '%s'", arg), -1;
}

/* 0 ok, 1 help printed, -1 usage error printed. */
static int parse_args(int argc, char **argv, cooc_cli *a)
{
    memset(a, 0, sizeof *a);
    sp_cooc_args_init(&a->c);
    a->format = "mtx";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            if (parse_option(argc, argv, &i, a) < 0) return -1;
        } else if (!a->data) {
            a->data = argv[i];
        } else {
            return sp_cli_usage_error("cooc", "unexpected argument '%s' (one DATA file)", argv[i]), -1;
        }
    }
    if (!a->data) return sp_cli_usage_error("cooc", "no DATA file"), -1;
    if (!a->out) return sp_cli_usage_error("cooc", "-o OUT is required"), -1;
    if (strcmp(a->format, "mtx") && strcmp(a->format, "csr"))
        return sp_cli_usage_error("cooc", "--format: '%s' is not mtx or csr", a->format), -1;
    return 0;
}

static int write_matrix(const cooc_cli *a, const sp_csr *C, const sp_cooc_build_info *info)
{
    if (!strcmp(a->format, "csr")) return sp_csr_binary_write(a->out, C, 1);
    char comment[512], ids[160];
    if (sp_cooc_args_libsvm(&a->c))
        snprintf(ids, sizeof ids, "libsvm ids as written");
    else
        snprintf(ids, sizeof ids, "min-count %ld, hash-buckets %ld, ints %s", a->c.min_count,
                 a->c.hash_buckets, a->c.ints ? a->c.ints : "present");
    snprintf(comment, sizeof comment,
             "feature co-occurrence matrix from spartan cooc %s\nrows %lld, ids %d, %s, %s, "
             "diagonal %s, normalize %s", a->data, (long long)info->rows, info->n, ids,
             a->c.weighted ? "weighted" : "counts", a->c.diagonal ? "kept" : "dropped",
             a->c.normalize ? a->c.normalize : "none");
    return sp_mm_write_csr(a->out, C, SP_MM_SYMMETRIC, comment);
}

static void print_summary(const cooc_cli *a, const sp_csr *C, const sp_cooc_build_info *s, double secs)
{
    if (a->json) {
        printf("{\"data\": ");
        sp_json_string(stdout, a->data);
        printf(", \"output\": ");
        sp_json_string(stdout, a->out);
        printf(", \"format\": \"%s\", \"n\": %d, \"nnz\": %lld, \"rows\": %lld, \"bad_lines\": %lld, "
               "\"spills\": %lld, \"seconds\": ", a->format, C->rows, (long long)C->nnz,
               (long long)s->rows, (long long)s->bad_lines, (long long)s->stats.spills);
        sp_json_number(stdout, secs);
        printf("}\n");
        return;
    }
    printf("%s: %lld rows (%lld malformed skipped) -> %d x %d co-occurrence matrix, nnz %lld\n",
           a->data, (long long)s->rows, (long long)s->bad_lines, C->rows, C->cols, (long long)C->nnz);
    printf("wrote %s (%s), %lld spilled run(s), %.3f s\n", a->out,
           strcmp(a->format, "csr") ? "Matrix Market, lower triangle" : "binary CSR",
           (long long)s->stats.spills, secs);
}

/* rows/s against wall time and against CPU time ("per core"). */
static double per_s(double rows, double secs) { return secs > 0 ? rows / secs : 0.0; }

static void print_verbose(const sp_cooc_build_info *s, int libsvm)
{
    double r = (double)(s->rows + s->bad_lines);
    if (s->count_pass)
        fprintf(stderr, "spartan cooc: pass 1 (read + %s): %.3f s, %.0f rows/s; cpu %.3f s, "
                "%.0f rows/s per core\n", libsvm ? "largest id" : "count", s->count_seconds,
                per_s(r, s->count_seconds), s->count_cpu, per_s(r, s->count_cpu));
    else
        fprintf(stderr, "spartan cooc: pass 1 skipped (vocabulary file, or hash buckets with log weights)\n");
    fprintf(stderr, "spartan cooc: pass 2 (read + map + accumulate): %.3f s, %.0f rows/s; cpu %.3f s, "
            "%.0f rows/s per core; assemble (merge + CSR): %.3f s (cpu %.3f s); dense rows %lld, spills %lld\n",
            s->build_seconds, per_s(r, s->build_seconds), s->build_cpu, per_s(r, s->build_cpu),
            s->finish_seconds, s->finish_cpu, (long long)s->stats.dense_ids, (long long)s->stats.spills);
}

int sp_cmd_cooc(int argc, char **argv)
{
    cooc_cli a;
    int prc = parse_args(argc, argv, &a);
    if (prc == 1) return print_help(stdout), SP_EXIT_OK;
    if (prc < 0) return SP_EXIT_USAGE;
    sp_input_kind kind;
    if (sp_input_kind_of("cooc", a.data, &kind) < 0) return SP_EXIT_USAGE;
    if (kind != SP_INPUT_LOG)
        return sp_cli_usage_error("cooc", "%s is a matrix file, not a click log", a.data);
    double t0 = sp_time_now();
    sp_csr C;
    sp_cooc_build_info info;
    int code = sp_cooc_build("cooc", a.data, &a.c, &C, &info);
    if (code != 0) return code;
    int rc = write_matrix(&a, &C, &info);
    if (rc < 0) code = sp_cli_report("cooc", rc);
    else {
        if (a.verbose) print_verbose(&info, sp_cooc_args_libsvm(&a.c));
        print_summary(&a, &C, &info, sp_time_now() - t0);
    }
    sp_csr_uninit(&C);
    return code;
}
