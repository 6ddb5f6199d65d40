/* cmd_gen.c: `spartan gen KIND N [options] -o OUT.mtx`: write a generated test
 * matrix (Laplacians, random sparse, power-law co-occurrence) as Matrix Market,
 * or as binary CSR when OUT ends in .csr. Symmetric kinds are written in
 * symmetric storage (lower triangle) or with the binary symmetric flag. */
#include "cli/cli.h"
#include "spartan/csr_binary.h"
#include "spartan/generate.h"
#include <string.h>

typedef struct gen_args {
    const char *kind, *output;
    long n;
    double nnz_per_row, alpha;
    uint64_t seed;
    int has_nnz_per_row, has_seed, has_alpha;
} gen_args;

typedef struct gen_kind_cli {
    const char *name;
    long n_min, n_max;
    int takes_random; /* --nnz-per-row and --seed (required / allowed) */
    int takes_alpha;
    int symmetric;
} gen_kind_cli;

static const gen_kind_cli kinds[] = {
    {"laplace2d", 1, 46340, 0, 0, 1},
    {"laplace3d", 1, 1290, 0, 0, 1},
    {"random-sparse", 1, 2147483647L, 1, 0, 0},
    {"powerlaw", 2, 2147483647L, 1, 1, 1},
};
static const int kind_count = (int)(sizeof kinds / sizeof kinds[0]);

static void print_gen_help(FILE *out)
{
    fprintf(
        out,
        "usage: spartan gen laplace2d N -o OUT.mtx\n"
        "       spartan gen laplace3d N -o OUT.mtx\n"
        "       spartan gen random-sparse N --nnz-per-row R [--seed S] -o OUT.mtx\n"
        "       spartan gen powerlaw N --nnz-per-row R [--alpha A] [--seed S] -o OUT.mtx\n\n"
        "Write a generated sparse matrix as Matrix Market, or binary CSR when OUT ends in\n"
        ".csr (fast to read, also in parallel by mpirun ... spartan eigs); temp file, then renamed.\n"
        "  laplace2d N      5-point Dirichlet Laplacian on an N x N grid: n = N^2, N <= 46340,\n"
        "                   eigenvalues 4 - 2cos(p pi/(N+1)) - 2cos(q pi/(N+1)); symmetric\n"
        "  laplace3d N      7-point Laplacian on an N^3 grid: n = N^3 (N <= 1290); symmetric\n"
        "  random-sparse N  nonsymmetric, exactly R distinct random columns per row, values\n"
        "                   uniform on [-1, 1); general storage\n"
        "  powerlaw N       feature co-occurrence-like: symmetric, nonnegative counts, Zipf(A)\n"
        "                   feature frequencies, heavy-tailed row lengths, diagonal = row sums,\n"
        "                   about R nonzeros per row on average; symmetric storage\n\n"
        "options:\n"
        "  -o, --output FILE    where to write (required): FILE.mtx, or FILE.csr for binary CSR\n"
        "  --nnz-per-row R      nonzeros per row (random-sparse: exact integer; powerlaw: mean)\n"
        "  --alpha A            Zipf exponent of feature frequencies, (0, 4] (default 1.0)\n"
        "  --seed S             random seed (default %llu); same seed, same matrix\n"
        "  -h, --help           this help\n\n"
        "examples:\n"
        "  spartan gen laplace2d 1000 -o lap1000.mtx           # n = 10^6, nnz ~ 5e6\n"
        "  spartan gen random-sparse 10000 --nnz-per-row 8 --seed 1 -o rand.mtx\n"
        "  spartan gen powerlaw 200000 --nnz-per-row 33 --seed 7 -o cooc.mtx   # nnz ~ 6.6e6\n"
        "  spartan gen powerlaw 10000000 --nnz-per-row 10 -o cooc1e7.csr      # binary, 1.3 GB\n\n"
        "exit status: 0 written, 2 bad usage or the file could not be written\n",
        (unsigned long long)SP_DEFAULT_SEED);
}

/* Value of option argv[*i] (either "--opt=value" or "--opt value"), or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *eq)
{
    if (eq) return eq + 1;
    if (*i + 1 >= argc) return NULL;
    return argv[++*i];
}

/* One option at argv[*i]: returns 0, or SP_EXIT_USAGE after printing why. */
static int parse_option(int argc, char **argv, int *i, gen_args *a)
{
    const char *arg = argv[*i], *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const char *v;
#define IS(name) (len == strlen(name) && !strncmp(arg, name, len))
    if (IS("-o") || IS("--output")) {
        if (!(v = option_value(argc, argv, i, eq)) || !*v)
            return sp_cli_usage_error("gen", "%s needs a file name", arg);
        a->output = v;
    } else if (IS("--nnz-per-row")) {
        if (!(v = option_value(argc, argv, i, eq)))
            return sp_cli_usage_error("gen", "--nnz-per-row needs a value");
        if (sp_cli_parse_double("gen", "--nnz-per-row", v, 1.0, 2147483647.0, &a->nnz_per_row) < 0)
            return SP_EXIT_USAGE;
        a->has_nnz_per_row = 1;
    } else if (IS("--alpha")) {
        if (!(v = option_value(argc, argv, i, eq)))
            return sp_cli_usage_error("gen", "--alpha needs a value");
        if (sp_cli_parse_double("gen", "--alpha", v, 1e-6, 4.0, &a->alpha) < 0)
            return SP_EXIT_USAGE;
        a->has_alpha = 1;
    } else if (IS("--seed")) {
        if (!(v = option_value(argc, argv, i, eq)))
            return sp_cli_usage_error("gen", "--seed needs a value");
        if (sp_cli_parse_u64("gen", "--seed", v, &a->seed) < 0) return SP_EXIT_USAGE;
        a->has_seed = 1;
    } else {
        return sp_cli_usage_error("gen", "unknown option '%s'", arg);
    }
#undef IS
    return 0;
}

/* argv -> args; positional KIND and N. Returns 0 or SP_EXIT_USAGE. */
static int parse_args(int argc, char **argv, gen_args *a, const char **n_text)
{
    int positional = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            if (parse_option(argc, argv, &i, a)) return SP_EXIT_USAGE;
        } else if (positional == 0) {
            a->kind = argv[i];
            positional++;
        } else if (positional == 1) {
            *n_text = argv[i];
            positional++;
        } else {
            return sp_cli_usage_error("gen", "unexpected argument '%s'", argv[i]);
        }
    }
    return 0;
}

/* Options that the kind needs or refuses. */
static int check_args(const gen_kind_cli *k, gen_args *a, const char *n_text)
{
    if (!n_text) return sp_cli_usage_error("gen", "%s needs a size N", k->name);
    if (sp_cli_parse_int("gen", "N", n_text, k->n_min, k->n_max, &a->n) < 0) return SP_EXIT_USAGE;
    if (!a->output) return sp_cli_usage_error("gen", "-o OUT.mtx is required");
    if (!k->takes_random && (a->has_nnz_per_row || a->has_seed))
        return sp_cli_usage_error("gen", "%s takes no --nnz-per-row or --seed", k->name);
    if (k->takes_random && !a->has_nnz_per_row)
        return sp_cli_usage_error("gen", "%s needs --nnz-per-row R", k->name);
    if (!k->takes_alpha && a->has_alpha)
        return sp_cli_usage_error("gen", "%s takes no --alpha", k->name);
    if (k->takes_random && !k->takes_alpha && a->nnz_per_row != (double)(long)a->nnz_per_row)
        return sp_cli_usage_error("gen", "--nnz-per-row must be an integer for %s", k->name);
    return 0;
}

static int generate(const gen_kind_cli *k, const gen_args *a, sp_csr *A)
{
    if (!strcmp(k->name, "laplace2d")) return sp_gen_laplace2d((int)a->n, A);
    if (!strcmp(k->name, "laplace3d")) return sp_gen_laplace3d((int)a->n, A);
    if (!strcmp(k->name, "random-sparse"))
        return sp_gen_random_sparse((int)a->n, (int)a->nnz_per_row, a->seed, A);
    return sp_gen_powerlaw_cooc((int)a->n, a->nnz_per_row, a->alpha, a->seed, A);
}

/* The Matrix Market comment: the command that reproduces the file. */
static void describe_command(const gen_kind_cli *k, const gen_args *a, char *buf, size_t size)
{
    int len = snprintf(buf, size, " generated by spartan %s: spartan gen %s %ld", sp_version(),
                       a->kind, a->n);
    if (k->takes_random && len > 0 && (size_t)len < size)
        len += snprintf(buf + len, size - (size_t)len, " --nnz-per-row %g --seed %llu",
                        a->nnz_per_row, (unsigned long long)a->seed);
    if (k->takes_alpha && len > 0 && (size_t)len < size)
        snprintf(buf + len, size - (size_t)len, " --alpha %g", a->alpha);
}

int sp_cmd_gen(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            print_gen_help(stdout);
            return SP_EXIT_OK;
        }
    gen_args a = {.alpha = 1.0, .seed = SP_DEFAULT_SEED};
    const char *n_text = NULL;
    if (parse_args(argc, argv, &a, &n_text)) return SP_EXIT_USAGE;
    if (!a.kind)
        return sp_cli_usage_error("gen",
                                  "missing KIND (laplace2d, laplace3d, random-sparse, powerlaw)");
    int k = 0;
    while (k < kind_count && strcmp(kinds[k].name, a.kind))
        k++;
    if (k == kind_count)
        return sp_cli_usage_error(
            "gen", "unknown KIND '%s' (laplace2d, laplace3d, random-sparse, powerlaw)", a.kind);
    if (check_args(&kinds[k], &a, n_text)) return SP_EXIT_USAGE;

    sp_csr A;
    double t0 = sp_time_now();
    int rc = generate(&kinds[k], &a, &A);
    if (rc < 0) return sp_cli_report("gen", rc);
    char comments[512];
    describe_command(&kinds[k], &a, comments, sizeof comments);
    size_t len = strlen(a.output);
    if (len > 4 && !strcmp(a.output + len - 4, ".csr"))
        rc = sp_csr_binary_write(a.output, &A, kinds[k].symmetric);
    else
        rc = sp_mm_write_csr(a.output, &A, kinds[k].symmetric ? SP_MM_SYMMETRIC : SP_MM_GENERAL,
                             comments);
    if (rc == SP_OK)
        printf("%s: %s %ld: n = %d, nnz = %lld (%.2f per row), %s storage, %.2f s\n", a.output,
               a.kind, a.n, A.rows, (long long)A.nnz, (double)A.nnz / A.rows,
               kinds[k].symmetric ? "symmetric" : "general", sp_time_now() - t0);
    sp_csr_uninit(&A);
    return rc < 0 ? sp_cli_report("gen", rc) : SP_EXIT_OK;
}
