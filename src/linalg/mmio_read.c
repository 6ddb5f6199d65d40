/* mmio_read.c: Matrix Market reader (coordinate / array; real, integer,
 * pattern; general, symmetric, skew-symmetric) into CSR or dense matrices.
 * Guarantees: every malformed input gives SP_EFORMAT "PATH:LINE: what" and
 * frees everything; memory grows with the entries actually read, never with
 * the count a (possibly corrupt) size line announces. Does not support
 * complex or hermitian matrices (clear error), nor vector objects. */
#include "mmio_scan.h"
#include "spartan/linalg.h"
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define SP_MM_MAX_COMMENTS (1u << 20) /* comment bytes kept; the rest is dropped */

typedef struct mm_header {
    sp_mm_format format;
    sp_mm_field field;
    sp_mm_symmetry symmetry;
    int rows, cols;
    int64_t stored; /* entry lines announced (array: implied by the shape) */
    char *comments; /* owned */
    size_t comments_len;
} mm_header;

/* Destination of parsed entries (0-based, validated, one call per entry line). */
typedef struct mm_sink {
    int (*add)(struct mm_sink *sink, int i, int j, double v);
    int sign;         /* 0 general, +1 symmetric, -1 skew: mirror off-diagonal entries */
    int coordinate;   /* 1: zero values are entries, duplicates summed; 0 (array): each
                         position once, zero values are not entries */
    int64_t expanded; /* entries of the full matrix added (mirrors counted) */
} mm_sink;

/* ---- banner ------------------------------------------------------------ */

/* Copy the next blank-separated word of *p, lower-cased, into word (cap bytes). */
static void next_word(const char **p, char *word, size_t cap)
{
    const char *q = *p;
    while (*q == ' ' || *q == '\t')
        q++;
    size_t n = 0;
    for (; *q && *q != ' ' && *q != '\t'; q++)
        if (n + 1 < cap) word[n++] = (char)tolower((unsigned char)*q);
    word[n] = '\0';
    *p = q;
}

/* Index of word in names (count entries), or -1. */
static int word_index(const char *word, const char *const *names, int count)
{
    for (int k = 0; k < count; k++)
        if (!strcmp(word, names[k])) return k;
    return -1;
}

/* The combinations the Matrix Market specification rules out. */
static int check_banner_combination(const sp_mm_scanner *s, const mm_header *h)
{
    if (h->field == SP_MM_PATTERN && h->format == SP_MM_ARRAY)
        return sp_mm_fail(s, 0, "banner: 'array pattern' is not a valid combination");
    if (h->field == SP_MM_PATTERN && h->symmetry == SP_MM_SKEW_SYMMETRIC)
        return sp_mm_fail(s, 0, "banner: 'pattern skew-symmetric' is not a valid combination");
    return SP_OK;
}

/* w[2..4] (lower-cased format, field, symmetry) into h. */
static int parse_banner_kinds(const sp_mm_scanner *s, char w[5][32], mm_header *h)
{
    static const char *const formats[] = {"coordinate", "array"};
    static const char *const fields[] = {"real", "integer", "pattern", "double"};
    static const char *const symmetries[] = {"general", "symmetric", "skew-symmetric"};
    int f = word_index(w[2], formats, 2), t = word_index(w[3], fields, 4);
    int y = word_index(w[4], symmetries, 3);
    if (f < 0) return sp_mm_fail(s, 0, "banner: format '%s' is not 'coordinate' or 'array'", w[2]);
    if (!strcmp(w[3], "complex"))
        return sp_mm_fail(s, 0,
                          "banner: complex matrices are unsupported (real, integer, pattern only)");
    if (t < 0)
        return sp_mm_fail(s, 0, "banner: field '%s' is not 'real', 'integer' or 'pattern'", w[3]);
    if (!strcmp(w[4], "hermitian"))
        return sp_mm_fail(s, 0, "banner: hermitian matrices are unsupported");
    if (y < 0)
        return sp_mm_fail(s, 0,
                          "banner: symmetry '%s' is not 'general', 'symmetric' or "
                          "'skew-symmetric'",
                          w[4]);
    h->format = (sp_mm_format)f;
    h->field = t == 3 ? SP_MM_REAL : (sp_mm_field)t;
    h->symmetry = (sp_mm_symmetry)y;
    return check_banner_combination(s, h);
}

static int parse_banner_words(const sp_mm_scanner *s, const char *line, mm_header *h)
{
    static const char *const what[5] = {"", "object", "format", "field", "symmetry"};
    char w[5][32];
    for (int k = 0; k < 5; k++)
        next_word(&line, w[k], sizeof w[k]);
    if (strcmp(w[0], "%%matrixmarket"))
        return sp_mm_fail(s, 0,
                          "not a Matrix Market file: the first line must start with "
                          "'%%%%MatrixMarket matrix'");
    for (int k = 1; k < 5; k++)
        if (!w[k][0])
            return sp_mm_fail(s, 0,
                              "banner: missing %s (expected '%%%%MatrixMarket matrix "
                              "FORMAT FIELD SYMMETRY')",
                              what[k]);
    if (strcmp(w[1], "matrix"))
        return sp_mm_fail(s, 0, "banner: object '%s' is not supported (only 'matrix')", w[1]);
    int rc = parse_banner_kinds(s, w, h);
    return rc < 0 ? rc : sp_mm_scan_end(s, line);
}

static int read_banner(sp_mm_scanner *s, mm_header *h)
{
    char *line = NULL;
    int rc = sp_mm_scanner_next(s, &line);
    if (rc < 0) return rc;
    if (!line) return sp_mm_fail(s, 1, "empty file (expected a '%%%%MatrixMarket matrix' banner)");
    return parse_banner_words(s, line, h);
}

/* ---- comments and size line ---------------------------------------------- */

/* Append a comment line without its leading '%'. */
static int keep_comment(mm_header *h, const char *line)
{
    size_t len = strlen(line + 1);
    if (h->comments_len + len + 2 > SP_MM_MAX_COMMENTS) return SP_OK;
    char *grown = sp_realloc(h->comments, h->comments_len + len + 2);
    if (!grown) return SP_ENOMEM;
    h->comments = grown;
    if (h->comments_len) grown[h->comments_len++] = '\n';
    memcpy(grown + h->comments_len, line + 1, len + 1);
    h->comments_len += len;
    return SP_OK;
}

/* Entry lines implied by an array file's shape and symmetry. */
static int64_t array_stored(const mm_header *h)
{
    int64_t n = h->rows, m = h->cols;
    if (h->symmetry == SP_MM_SYMMETRIC) return n * (n + 1) / 2;
    if (h->symmetry == SP_MM_SKEW_SYMMETRIC) return n * (n - 1) / 2;
    return n * m;
}

static int parse_size_line(const sp_mm_scanner *s, const char *p, mm_header *h)
{
    int64_t rows, cols, stored = 0;
    int rc = sp_mm_scan_int(s, &p, "number of rows (size line)", 0, INT_MAX, &rows);
    if (rc == SP_OK) rc = sp_mm_scan_int(s, &p, "number of columns (size line)", 0, INT_MAX, &cols);
    if (rc == SP_OK && h->format == SP_MM_COORDINATE)
        rc = sp_mm_scan_int(s, &p, "number of entries (size line)", 0, INT64_MAX, &stored);
    if (rc == SP_OK) rc = sp_mm_scan_end(s, p);
    if (rc < 0) return rc;
    h->rows = (int)rows;
    h->cols = (int)cols;
    if (h->symmetry != SP_MM_GENERAL && rows != cols)
        return sp_mm_fail(s, 0, "size line: a %s matrix must be square, not %lld x %lld",
                          h->symmetry == SP_MM_SYMMETRIC ? "symmetric" : "skew-symmetric",
                          (long long)rows, (long long)cols);
    h->stored = h->format == SP_MM_ARRAY ? array_stored(h) : stored;
    return SP_OK;
}

/* Comment lines (kept), blank lines (skipped), then the size line. */
static int read_size(sp_mm_scanner *s, mm_header *h)
{
    for (;;) {
        char *line = NULL;
        int rc = sp_mm_scanner_next(s, &line);
        if (rc < 0) return rc;
        if (!line) return sp_mm_fail(s, 1, "file ends before the size line");
        if (line[0] == '%') {
            if ((rc = keep_comment(h, line)) < 0) return rc;
        } else if (!sp_mm_line_blank(line)) {
            return parse_size_line(s, line, h);
        }
    }
}

/* ---- entries ------------------------------------------------------------- */

/* Next line that is neither blank nor a '%' comment; NULL at end of file. */
static int next_data_line(sp_mm_scanner *s, char **line)
{
    int rc;
    while ((rc = sp_mm_scanner_next(s, line)) == SP_OK && *line)
        if ((*line)[0] != '%' && !sp_mm_line_blank(*line)) break;
    return rc;
}

static int scan_value(const sp_mm_scanner *s, const char **p, sp_mm_field field, double *v)
{
    if (field == SP_MM_PATTERN) {
        *v = 1.0;
        return SP_OK;
    }
    if (field == SP_MM_INTEGER) return sp_mm_scan_integer_value(s, p, "value", v);
    return sp_mm_scan_real(s, p, "value", v);
}

/* Symmetric storage keeps row >= column; skew keeps row > column. */
static int check_triangle(const sp_mm_scanner *s, sp_mm_symmetry sym, int64_t i, int64_t j)
{
    if (sym == SP_MM_SYMMETRIC && j > i)
        return sp_mm_fail(s, 0,
                          "entry (%lld, %lld) is in the upper triangle, but symmetric "
                          "storage keeps only the lower triangle (row >= column)",
                          (long long)i, (long long)j);
    if (sym == SP_MM_SKEW_SYMMETRIC && j == i)
        return sp_mm_fail(s, 0,
                          "diagonal entry (%lld, %lld) in skew-symmetric storage (the "
                          "diagonal is zero and must not be stored)",
                          (long long)i, (long long)j);
    if (sym == SP_MM_SKEW_SYMMETRIC && j > i)
        return sp_mm_fail(s, 0,
                          "entry (%lld, %lld) is in the upper triangle, but skew-symmetric "
                          "storage keeps only the strict lower triangle (row > column)",
                          (long long)i, (long long)j);
    return SP_OK;
}

static int truncated(const sp_mm_scanner *s, int64_t got, int64_t want)
{
    return sp_mm_fail(s, 1,
                      "file ends after %lld of the %lld entries given by the size line "
                      "(truncated file?)",
                      (long long)got, (long long)want);
}

static int parse_coordinate_line(const sp_mm_scanner *s, const mm_header *h, const char *p,
                                 mm_sink *sink)
{
    int64_t i, j;
    double v;
    int rc = sp_mm_scan_int(s, &p, "row index", 1, h->rows, &i);
    if (rc == SP_OK) rc = sp_mm_scan_int(s, &p, "column index", 1, h->cols, &j);
    if (rc == SP_OK) rc = scan_value(s, &p, h->field, &v);
    if (rc == SP_OK) rc = sp_mm_scan_end(s, p);
    if (rc == SP_OK) rc = check_triangle(s, h->symmetry, i, j);
    if (rc == SP_OK) rc = sink->add(sink, (int)(i - 1), (int)(j - 1), v);
    return rc;
}

static int read_coordinate(sp_mm_scanner *s, const mm_header *h, mm_sink *sink)
{
    for (int64_t k = 0; k < h->stored; k++) {
        char *line = NULL;
        int rc = next_data_line(s, &line);
        if (rc < 0) return rc;
        if (!line) return truncated(s, k, h->stored);
        if ((rc = parse_coordinate_line(s, h, line, sink)) < 0) return rc;
    }
    return SP_OK;
}

/* Array files list columns in order; symmetric ones from the diagonal down. */
static int read_array(sp_mm_scanner *s, const mm_header *h, mm_sink *sink)
{
    int first = h->symmetry == SP_MM_SYMMETRIC ? 0 : h->symmetry == SP_MM_SKEW_SYMMETRIC ? 1 : -1;
    int64_t k = 0;
    for (int j = 0; j < h->cols; j++)
        for (int i = first < 0 ? 0 : j + first; i < h->rows; i++, k++) {
            char *line = NULL;
            double v;
            int rc = next_data_line(s, &line);
            if (rc < 0) return rc;
            if (!line) return truncated(s, k, h->stored);
            const char *p = line;
            if ((rc = scan_value(s, &p, h->field, &v)) < 0) return rc;
            if ((rc = sp_mm_scan_end(s, p)) < 0) return rc;
            if ((rc = sink->add(sink, i, j, v)) < 0) return rc;
        }
    return SP_OK;
}

static int read_entries(sp_mm_scanner *s, const mm_header *h, mm_sink *sink)
{
    int rc = h->format == SP_MM_COORDINATE ? read_coordinate(s, h, sink) : read_array(s, h, sink);
    if (rc < 0) return rc;
    char *line = NULL;
    if ((rc = next_data_line(s, &line)) < 0) return rc;
    if (line)
        return sp_mm_fail(s, 0, "more entries than the %lld given by the size line",
                          (long long)h->stored);
    return SP_OK;
}

/* Open, read banner, comments and size line. On error everything is freed. */
static int read_header(sp_mm_scanner *s, const char *path, mm_header *h)
{
    memset(h, 0, sizeof *h);
    if (!path) return sp_error(SP_EINVAL, "mm_read: NULL path");
    int rc = sp_mm_scanner_open(s, path);
    if (rc < 0) return rc;
    if ((rc = read_banner(s, h)) == SP_OK) rc = read_size(s, h);
    if (rc < 0) {
        sp_mm_scanner_close(s);
        free(h->comments);
        h->comments = NULL;
    }
    return rc;
}

static void fill_info(sp_mm_info *info, mm_header *h, int64_t nnz, int64_t duplicates)
{
    if (!info) {
        free(h->comments);
        h->comments = NULL;
        return;
    }
    info->format = h->format;
    info->field = h->field;
    info->symmetry = h->symmetry;
    info->rows = h->rows;
    info->cols = h->cols;
    info->stored = h->stored;
    info->nnz = nnz;
    info->duplicates = duplicates;
    info->comments = h->comments ? h->comments : sp_calloc(1, 1);
    h->comments = NULL;
}

static int sink_sign(sp_mm_symmetry sym)
{
    return sym == SP_MM_SYMMETRIC ? 1 : sym == SP_MM_SKEW_SYMMETRIC ? -1 : 0;
}

void sp_mm_info_uninit(sp_mm_info *info)
{
    if (!info) return;
    free(info->comments);
    memset(info, 0, sizeof *info);
}

/* ---- into CSR: collect triplets, then sp_csr_from_triplets ---------------- */

typedef struct mm_triplets {
    mm_sink sink; /* first member: the sink pointer is the struct pointer */
    int *ri, *ci;
    double *v;
    int64_t n, cap, cap_max;
} mm_triplets;

static int triplets_grow(mm_triplets *t)
{
    int64_t cap = t->cap ? 2 * t->cap : 4096;
    if (cap > t->cap_max) cap = t->cap_max;
    if (cap < t->n + 2) cap = t->n + 2;
    int *ri = sp_realloc(t->ri, (size_t)cap * sizeof *ri);
    if (ri) t->ri = ri;
    int *ci = ri ? sp_realloc(t->ci, (size_t)cap * sizeof *ci) : NULL;
    if (ci) t->ci = ci;
    double *v = ci ? sp_realloc(t->v, (size_t)cap * sizeof *v) : NULL;
    if (v) t->v = v;
    if (!v) return SP_ENOMEM;
    t->cap = cap;
    return SP_OK;
}

static int triplets_add(mm_sink *sink, int i, int j, double v)
{
    mm_triplets *t = (mm_triplets *)sink;
    if (v == 0.0 && !sink->coordinate) return SP_OK;
    if (t->n + 2 > t->cap && triplets_grow(t) < 0) return SP_ENOMEM;
    t->ri[t->n] = i, t->ci[t->n] = j, t->v[t->n++] = v;
    if (sink->sign && i != j) t->ri[t->n] = j, t->ci[t->n] = i, t->v[t->n++] = sink->sign * v;
    sink->expanded += sink->sign && i != j ? 2 : 1;
    return SP_OK;
}

static void triplets_free(mm_triplets *t)
{
    free(t->ri);
    free(t->ci);
    free(t->v);
}

int sp_mm_read(const char *path, sp_csr *A, sp_mm_info *info)
{
    memset(A, 0, sizeof *A);
    if (info) memset(info, 0, sizeof *info);
    sp_mm_scanner s;
    mm_header h;
    int rc = read_header(&s, path, &h);
    if (rc < 0) return rc;
    mm_triplets t = {{triplets_add, sink_sign(h.symmetry), h.format == SP_MM_COORDINATE, 0},
                     NULL,
                     NULL,
                     NULL,
                     0,
                     0,
                     0};
    t.cap_max = h.stored > INT64_MAX / 2 ? INT64_MAX : 2 * h.stored; /* mirrors included */
    rc = read_entries(&s, &h, &t.sink);
    sp_mm_scanner_close(&s);
    if (rc == SP_OK) rc = sp_csr_from_triplets(h.rows, h.cols, t.n, t.ri, t.ci, t.v, A);
    triplets_free(&t);
    if (rc == SP_ENOMEM) sp_error_prefix(rc, "%s: ", path);
    if (rc == SP_OK) fill_info(info, &h, A->nnz, t.sink.expanded - A->nnz);
    free(h.comments);
    return rc;
}

/* ---- into a dense matrix --------------------------------------------------- */

typedef struct mm_dense {
    mm_sink sink;
    sp_dmat *D;
} mm_dense;

static int dense_add(mm_sink *sink, int i, int j, double v)
{
    sp_dmat *D = ((mm_dense *)sink)->D;
    if (sink->coordinate) { /* coordinate: duplicates summed */
        SP_AT(D, i, j) += v;
        if (sink->sign && i != j) SP_AT(D, j, i) += sink->sign * v;
    } else { /* array: each position once; assign keeps -0.0 */
        SP_AT(D, i, j) = v;
        if (sink->sign && i != j) SP_AT(D, j, i) = sink->sign * v;
    }
    if (v != 0.0 || sink->coordinate) sink->expanded += sink->sign && i != j ? 2 : 1;
    return SP_OK;
}

int sp_mm_read_dense(const char *path, sp_dmat *A, sp_mm_info *info)
{
    memset(A, 0, sizeof *A);
    if (info) memset(info, 0, sizeof *info);
    sp_mm_scanner s;
    mm_header h;
    int rc = read_header(&s, path, &h);
    if (rc < 0) return rc;
    mm_dense d = {{dense_add, sink_sign(h.symmetry), h.format == SP_MM_COORDINATE, 0}, A};
    rc = sp_dmat_init(A, h.rows, h.cols);
    if (rc < 0) sp_error_prefix(rc, "%s: %d x %d dense matrix: ", path, h.rows, h.cols);
    if (rc == SP_OK) rc = read_entries(&s, &h, &d.sink);
    sp_mm_scanner_close(&s);
    if (rc == SP_OK)
        fill_info(info, &h, d.sink.expanded, 0);
    else
        sp_dmat_uninit(A);
    free(h.comments);
    return rc;
}
