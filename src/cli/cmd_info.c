/* cmd_info.c: `spartan info FILE.mtx [--json]`: read a Matrix Market file and
 * describe it: shape, nnz, storage and numerical symmetry, norms, diagonal
 * dominance, row lengths, zeros and non-finite values. Prints a table (or one
 * JSON object) on stdout; errors on stderr with exit status 2. Read-only. */
#include "cli/cli.h"
#include "spartan/linalg.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Relative asymmetry at or below this counts as numerically (skew-)symmetric. */
#define INFO_SYMMETRY_TOL 1e-10

typedef struct info_stats {
    double asymmetry, skew_defect; /* sp_csr_symmetry_defect(A, +1 / -1) */
    const char *numeric_symmetry;  /* symmetric, skew-symmetric, none, undetermined, n/a */
    double norm_fro, norm_1, norm_inf;
    int64_t dominant_strict, dominant_weak; /* rows; -1 when not square */
    int64_t zero_diagonal;                  /* diagonal positions absent or zero */
    int64_t explicit_zeros, nan_count, inf_count;
    int64_t row_min, row_max, empty_rows;
    double row_mean, row_std;
} info_stats;

static const char *const format_names[] = {"coordinate", "array"};
static const char *const field_names[] = {"real", "integer", "pattern"};
static const char *const symmetry_names[] = {"general", "symmetric", "skew-symmetric"};

static void print_help(FILE *out)
{
    fprintf(out,
            "usage: spartan info FILE.mtx [--json]\n\n"
            "Read a Matrix Market file (coordinate or array; real, integer or pattern;\n"
            "general, symmetric or skew-symmetric; plain or .gz) and describe it: rows,\n"
            "cols, nnz (entries of the full matrix, symmetric storage expanded), stored\n"
            "(entry lines in the file), storage symmetry, numerical symmetry (max relative\n"
            "asymmetry max |a_ij - a_ji| / max(|a_ij|, |a_ji|); <= %g counts as symmetric,\n"
            "likewise |a_ij + a_ji| for skew-symmetric), Frobenius / 1 / inf norms, rows\n"
            "strictly and weakly diagonally dominant, zero diagonal entries, explicit zeros,\n"
            "row-length statistics and the count of NaN / inf values.\n\n"
            "options:\n"
            "  --json      print one JSON object instead of the table (keys: file, rows,\n"
            "              cols, nnz, stored, format, field, symmetry, duplicates,\n"
            "              numeric_symmetry, max_rel_asymmetry, max_rel_skew_defect,\n"
            "              norm_fro, norm_1, norm_inf, diag_dominant_rows_strict,\n"
            "              diag_dominant_rows_weak, zero_diagonal, explicit_zeros,\n"
            "              row_length {min, max, mean, std, empty}, nan, inf, comments;\n"
            "              non-finite numbers and quantities undefined for non-square\n"
            "              matrices are null)\n"
            "  -h, --help  show this help\n\n"
            "examples:\n"
            "  spartan info tests/data/bfwa62.mtx\n"
            "  spartan info ../shared/data/matrices/af23560.mtx.gz --json\n\n"
            "exit status: 0 success, 2 bad usage or malformed file (the message names the\n"
            "file and line: 'spartan info: malformed input: a.mtx:12: ...')\n",
            INFO_SYMMETRY_TOL);
}

static void row_length_stats(const sp_csr *A, info_stats *st)
{
    st->row_min = A->rows ? INT64_MAX : 0;
    st->row_max = st->empty_rows = 0;
    double sum = 0.0, sum2 = 0.0;
    for (int i = 0; i < A->rows; i++) {
        int64_t len = A->rowptr[i + 1] - A->rowptr[i];
        if (len < st->row_min) st->row_min = len;
        if (len > st->row_max) st->row_max = len;
        st->empty_rows += len == 0;
        sum += (double)len;
    }
    st->row_mean = A->rows ? sum / A->rows : 0.0;
    for (int i = 0; i < A->rows; i++) {
        double d = (double)(A->rowptr[i + 1] - A->rowptr[i]) - st->row_mean;
        sum2 += d * d;
    }
    st->row_std = A->rows ? sqrt(sum2 / A->rows) : 0.0;
}

static void value_counts(const sp_csr *A, info_stats *st)
{
    st->explicit_zeros = st->nan_count = st->inf_count = 0;
    for (int64_t k = 0; k < A->nnz; k++) {
        double v = A->val[k];
        st->explicit_zeros += v == 0.0;
        st->nan_count += isnan(v) != 0;
        st->inf_count += isinf(v) != 0;
    }
}

/* Diagonal dominance |a_ii| > (>=) sum_{j != i} |a_ij| and zero diagonals. */
static void diagonal_stats(const sp_csr *A, info_stats *st)
{
    int square = A->rows == A->cols;
    int ndiag = A->rows < A->cols ? A->rows : A->cols;
    st->dominant_strict = st->dominant_weak = square ? 0 : -1;
    st->zero_diagonal = 0;
    for (int i = 0; i < A->rows; i++) {
        double diag = 0.0, off = 0.0;
        for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++)
            if (A->colind[k] == i)
                diag = fabs(A->val[k]);
            else
                off += fabs(A->val[k]);
        if (i < ndiag) st->zero_diagonal += diag == 0.0;
        if (square) {
            st->dominant_strict += diag > off;
            st->dominant_weak += diag >= off;
        }
    }
}

static void symmetry_stats(const sp_csr *A, info_stats *st)
{
    if (A->rows != A->cols) {
        st->asymmetry = st->skew_defect = INFINITY;
        st->numeric_symmetry = "n/a";
        return;
    }
    st->asymmetry = sp_csr_symmetry_defect(A, 1);
    st->skew_defect = sp_csr_symmetry_defect(A, -1);
    if (st->asymmetry <= INFO_SYMMETRY_TOL)
        st->numeric_symmetry = "symmetric";
    else if (st->skew_defect <= INFO_SYMMETRY_TOL)
        st->numeric_symmetry = "skew-symmetric";
    else if (isnan(st->asymmetry) || isnan(st->skew_defect))
        st->numeric_symmetry = "undetermined";
    else
        st->numeric_symmetry = "none";
}

static void compute_stats(const sp_csr *A, info_stats *st)
{
    symmetry_stats(A, st);
    st->norm_fro = sp_csr_norm_fro(A);
    st->norm_1 = sp_csr_norm_1(A);
    st->norm_inf = sp_csr_norm_inf(A);
    diagonal_stats(A, st);
    value_counts(A, st);
    row_length_stats(A, st);
}

/* First non-blank comment line (the title in SuiteSparse headers), or "". */
static void first_comment_line(const char *comments, char *out, size_t cap)
{
    out[0] = '\0';
    for (const char *p = comments ? comments : ""; *p;) {
        size_t len = strcspn(p, "\n"), skip = strspn(p, " %-=\t");
        if (skip < len) {
            snprintf(out, cap, "%.*s", (int)(len - skip), p + skip);
            return;
        }
        p += len + (p[len] == '\n');
    }
}

static void print_count_or_na(const char *label, int64_t v)
{
    if (v < 0)
        printf("%-24s n/a (not square)\n", label);
    else
        printf("%-24s %lld\n", label, (long long)v);
}

static void print_table(const char *path, const sp_mm_info *info, const info_stats *st,
                        double seconds)
{
    char title[120];
    first_comment_line(info->comments, title, sizeof title);
    printf("%-24s %s\n", "file", path);
    if (title[0]) printf("%-24s %s\n", "title", title);
    printf("%-24s %s %s %s\n", "format", format_names[info->format], field_names[info->field],
           symmetry_names[info->symmetry]);
    printf("%-24s %d x %d\n", "size (rows x cols)", info->rows, info->cols);
    printf("%-24s %lld\n", "nnz (full matrix)", (long long)info->nnz);
    printf("%-24s %lld\n", "stored (entry lines)", (long long)info->stored);
    if (info->duplicates) printf("%-24s %lld\n", "duplicates summed", (long long)info->duplicates);
    printf("%-24s %s\n", "storage symmetry", symmetry_names[info->symmetry]);
    printf("%-24s %s (max relative asymmetry %.3g, skew defect %.3g)\n", "numerical symmetry",
           st->numeric_symmetry, st->asymmetry, st->skew_defect);
    printf("%-24s %.6e\n%-24s %.6e\n%-24s %.6e\n", "norm Frobenius", st->norm_fro, "norm 1",
           st->norm_1, "norm inf", st->norm_inf);
    print_count_or_na("diag. dominant (strict)", st->dominant_strict);
    print_count_or_na("diag. dominant (weak)", st->dominant_weak);
    printf("%-24s %lld\n", "zero diagonal entries", (long long)st->zero_diagonal);
    printf("%-24s %lld\n", "explicit zeros", (long long)st->explicit_zeros);
    printf("%-24s min %lld, max %lld, mean %.2f, std %.2f, empty rows %lld\n", "row length",
           (long long)st->row_min, (long long)st->row_max, st->row_mean, st->row_std,
           (long long)st->empty_rows);
    printf("%-24s %lld NaN, %lld inf\n", "non-finite values", (long long)st->nan_count,
           (long long)st->inf_count);
    printf("%-24s %.3f s\n", "read time", seconds);
}

static void json_int_or_null(const char *key, int64_t v)
{
    printf(", \"%s\": ", key);
    if (v < 0)
        printf("null");
    else
        printf("%lld", (long long)v);
}

static void json_num(const char *key, double v)
{
    printf(", \"%s\": ", key);
    sp_json_number(stdout, v);
}

static void print_json(const char *path, const sp_mm_info *info, const info_stats *st)
{
    printf("{\"file\": ");
    sp_json_string(stdout, path);
    printf(", \"rows\": %d, \"cols\": %d, \"nnz\": %lld, \"stored\": %lld", info->rows, info->cols,
           (long long)info->nnz, (long long)info->stored);
    printf(", \"format\": \"%s\", \"field\": \"%s\", \"symmetry\": \"%s\", \"duplicates\": %lld",
           format_names[info->format], field_names[info->field], symmetry_names[info->symmetry],
           (long long)info->duplicates);
    if (info->rows == info->cols)
        printf(", \"numeric_symmetry\": \"%s\"", st->numeric_symmetry);
    else
        printf(", \"numeric_symmetry\": null");
    json_num("max_rel_asymmetry", st->asymmetry);
    json_num("max_rel_skew_defect", st->skew_defect);
    json_num("norm_fro", st->norm_fro);
    json_num("norm_1", st->norm_1);
    json_num("norm_inf", st->norm_inf);
    json_int_or_null("diag_dominant_rows_strict", st->dominant_strict);
    json_int_or_null("diag_dominant_rows_weak", st->dominant_weak);
    printf(", \"zero_diagonal\": %lld, \"explicit_zeros\": %lld", (long long)st->zero_diagonal,
           (long long)st->explicit_zeros);
    printf(", \"row_length\": {\"min\": %lld, \"max\": %lld, \"mean\": ", (long long)st->row_min,
           (long long)st->row_max);
    sp_json_number(stdout, st->row_mean);
    printf(", \"std\": ");
    sp_json_number(stdout, st->row_std);
    printf(", \"empty\": %lld}", (long long)st->empty_rows);
    printf(", \"nan\": %lld, \"inf\": %lld, \"comments\": ", (long long)st->nan_count,
           (long long)st->inf_count);
    sp_json_string(stdout, info->comments);
    printf("}\n");
}

/* Parse argv: one FILE and --json. Returns -1 after printing a usage error,
 * 1 when --help was printed, 0 to go on. */
static int parse_args(int argc, char **argv, const char **path, int *json)
{
    *path = NULL;
    *json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            print_help(stdout);
            return 1;
        }
        if (!strcmp(argv[i], "--json"))
            *json = 1;
        else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            sp_cli_usage_error("info", "unknown option '%s'", argv[i]);
            return -1;
        } else if (*path) {
            sp_cli_usage_error("info", "one file expected, got '%s' and '%s'", *path, argv[i]);
            return -1;
        } else
            *path = argv[i];
    }
    if (!*path) {
        sp_cli_usage_error("info", "missing FILE.mtx");
        return -1;
    }
    return 0;
}

int sp_cmd_info(int argc, char **argv)
{
    const char *path;
    int json;
    int arg = parse_args(argc, argv, &path, &json);
    if (arg != 0) return arg > 0 ? SP_EXIT_OK : SP_EXIT_USAGE;
    sp_csr A;
    sp_mm_info info;
    double t0 = sp_time_now();
    int rc = sp_mm_read(path, &A, &info);
    if (rc < 0) return sp_cli_report("info", rc);
    double seconds = sp_time_now() - t0;
    info_stats st;
    compute_stats(&A, &st);
    if (json)
        print_json(path, &info, &st);
    else
        print_table(path, &info, &st, seconds);
    sp_csr_uninit(&A);
    sp_mm_info_uninit(&info);
    return SP_EXIT_OK;
}
