/* libsvm_reader.c: streaming reader for "label id:value ..." lines (libsvm /
 * svmlight, as CTR tools export them), plain or gzip.
 * Guarantees: malformed lines fatal or skipped with a count, as the Criteo
 * reader; ids and values kept as written (no sorting, no dedup, no remapping). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "data/data_internal.h"

struct sp_libsvm_reader {
    sp_line_source src;
    sp_libsvm_options opt;
    int *ids;
    float *vals;
    int cap;
    int max_id;
    int64_t bad;
    char first_bad[512];
};

int sp_libsvm_reader_open(sp_libsvm_reader **out, const char *path, const sp_libsvm_options *opt)
{
    *out = NULL;
    sp_libsvm_reader *r = sp_calloc(1, sizeof *r);
    if (!r) return SP_ENOMEM;
    if (opt) r->opt = *opt;
    r->max_id = -1;
    r->cap = 64;
    r->ids = sp_malloc((size_t)r->cap * sizeof *r->ids);
    r->vals = sp_malloc((size_t)r->cap * sizeof *r->vals);
    int rc = (r->ids && r->vals) ? sp_line_source_open(&r->src, path, r->opt.chunk_bytes)
                                 : SP_ENOMEM;
    if (rc < 0) {
        free(r->ids);
        free(r->vals);
        free(r);
        return rc;
    }
    *out = r;
    return SP_OK;
}

static int reject(sp_libsvm_reader *r, const char *what, const char *p, size_t n)
{
    char q[48], msg[512];
    sp_quote_field(p, n, q);
    snprintf(msg, sizeof msg, "%s:%lld: '%s' is not %s", r->src.path, (long long)r->src.line_no,
             q, what);
    if (!r->opt.skip_bad) return sp_error(SP_EFORMAT, "%s", msg);
    if (r->bad++ == 0) snprintf(r->first_bad, sizeof r->first_bad, "%s", msg);
    return 0;
}

static int parse_label(const char *p, size_t n, int *label)
{
    if (n == 1 && (p[0] == '0' || p[0] == '1')) *label = p[0] - '0';
    else if (n == 2 && p[0] == '+' && p[1] == '1') *label = 1;
    else if (n == 2 && p[0] == '-' && p[1] == '1') *label = 0;
    else return -1;
    return 0;
}

/* "id:value" token; 0 ok, -1 bad. */
static int parse_pair(const char *p, size_t n, int *id, float *val)
{
    const char *colon = memchr(p, ':', n);
    if (!colon || colon == p || (size_t)(colon - p) > 10) return -1;
    int64_t v = 0;
    for (const char *s = p; s < colon; s++) {
        if ((unsigned)(*s - '0') >= 10u) return -1;
        v = v * 10 + (*s - '0');
    }
    if (v > INT32_MAX) return -1;
    size_t m = n - (size_t)(colon - p) - 1;
    char tmp[64];
    if (m == 0 || m >= sizeof tmp) return -1;
    memcpy(tmp, colon + 1, m);
    tmp[m] = '\0';
    char *end;
    errno = 0;
    double d = strtod(tmp, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(d)) return -1;
    *id = (int)v;
    *val = (float)d;
    return 0;
}

static int grow(sp_libsvm_reader *r)
{
    int cap = r->cap * 2;
    int *ids = sp_realloc(r->ids, (size_t)cap * sizeof *ids);
    if (!ids) return SP_ENOMEM;
    r->ids = ids;
    float *vals = sp_realloc(r->vals, (size_t)cap * sizeof *vals);
    if (!vals) return SP_ENOMEM;
    r->vals = vals;
    r->cap = cap;
    return SP_OK;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* 1 parsed, 0 skipped (blank, comment or bad with skip_bad), < 0 fatal. */
static int parse_line(sp_libsvm_reader *r, const char *p, size_t len, sp_libsvm_row *row)
{
    const char *hash = memchr(p, '#', len);
    const char *end = hash ? hash : p + len;
    int k = -1, rc;
    while (p < end) {
        while (p < end && is_space(*p)) p++;
        const char *q = p;
        while (q < end && !is_space(*q)) q++;
        if (q == p) break;
        if (k < 0 && parse_label(p, (size_t)(q - p), &row->label) < 0)
            return reject(r, "a label (0, 1, -1 or +1)", p, (size_t)(q - p));
        if (k >= 0) {
            if (k == r->cap && (rc = grow(r)) < 0) return rc;
            if (parse_pair(p, (size_t)(q - p), &r->ids[k], &r->vals[k]) < 0)
                return reject(r, "an id:value pair", p, (size_t)(q - p));
        }
        k++;
        p = q;
    }
    if (k < 0) return 0; /* blank or comment line */
    for (int i = 0; i < k; i++)
        if (r->ids[i] > r->max_id) r->max_id = r->ids[i];
    row->line = r->src.line_no;
    row->n = k;
    row->ids = r->ids;
    row->vals = r->vals;
    return 1;
}

int sp_libsvm_reader_next(sp_libsvm_reader *r, sp_libsvm_row *row)
{
    const char *line;
    size_t len;
    int rc;
    while ((rc = sp_line_source_next(&r->src, &line, &len)) == 1) {
        rc = parse_line(r, line, len, row);
        if (rc != 0) break;
    }
    return rc;
}

int sp_libsvm_reader_rewind(sp_libsvm_reader *r)
{
    r->bad = 0;
    r->first_bad[0] = '\0';
    return sp_line_source_rewind(&r->src);
}

int64_t sp_libsvm_reader_bad_lines(const sp_libsvm_reader *r) { return r->bad; }
const char *sp_libsvm_reader_first_bad(const sp_libsvm_reader *r) { return r->first_bad; }
int sp_libsvm_reader_max_id(const sp_libsvm_reader *r) { return r->max_id; }
int64_t sp_libsvm_reader_offset(const sp_libsvm_reader *r) { return sp_line_source_offset(&r->src); }

void sp_libsvm_reader_close(sp_libsvm_reader *r)
{
    if (!r) return;
    sp_line_source_close(&r->src);
    free(r->ids);
    free(r->vals);
    free(r);
}
