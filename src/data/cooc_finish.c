/* cooc_finish.c: assemble the accumulated co-occurrence C as a full symmetric
 * CSR in two merge passes (count, then fill), with optional diagonal and the
 * sym / ppmi normalizations, and the read-map-accumulate pipeline of a file.
 * Guarantees: rows sorted, no duplicates, exact zeros (and ppmi <= 0) dropped. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "data/cooc_internal.h"

/* Both passes touch each pair's two rows: one row after another for the
 * upper part, but scattered over all rows for the lower part (the
 * transpose). Each put therefore goes through a short pipeline: the row's
 * cursor (and row sum) is prefetched; FILL_AHEAD puts later it is counted
 * (counting pass), or read and incremented and the target lines are
 * prefetched (fill pass); FILL_AHEAD puts after that the entry is written.
 * Every stage takes the puts in program order, so each row gets the same
 * entries, counts and sums in the same order as putting at once. */
#define FILL_AHEAD 16
#define FILL_RING 64 /* a power of 2 above 2 * FILL_AHEAD */

typedef struct pending_put {
    int row, col;
    double v;
    int64_t p;              /* its place in the output, once the cursor is read */
} pending_put;

typedef struct assemble {
    const sp_cooc *c;
    int fill;               /* 0: counting pass, 1: fill pass */
    int next_diag;          /* rows below have had their diagonal placed */
    int lo, hi;             /* rows kept */
    int64_t *cursor;        /* hi - lo: counts (pass 0), write positions (pass 1) */
    double *rowsum;         /* hi - lo: row sums of the raw output (sym only, all rows; else NULL) */
    int sym;                /* sym normalization: rowsum needed */
    sp_csr *C;
    pending_put ring[FILL_RING];
    uint64_t pushed, placed, written; /* puts entered, counted or given a place, written */
} assemble;

/* Normalized value of raw entry v at (i, j); 0 means "drop". */
static double normalized(const assemble *a, int i, int j, double v)
{
    const sp_cooc *c = a->c;
    if (c->opt.normalize == SP_COOC_NORM_SYM) {
        double d = a->rowsum[i - a->lo] * a->rowsum[j - a->lo]; /* lo = 0 here */
        return d > 0.0 ? v / sqrt(d) : 0.0;
    }
    if (c->opt.normalize == SP_COOC_NORM_PPMI) {
        double d = c->diag[i] * c->diag[j];
        if (v <= 0.0 || d <= 0.0) return 0.0;
        double pmi = log(v * (double)c->st.rows / d);
        return pmi > 0.0 ? pmi : 0.0;
    }
    return v;
}

static int keep(const assemble *a, int i, int j, double v)
{
    if (v == 0.0) return 0;
    return a->c->opt.normalize == SP_COOC_NORM_PPMI ? normalized(a, i, j, v) > 0.0 : 1;
}

static void place_one(assemble *a)
{
    pending_put *e = &a->ring[a->placed++ & (FILL_RING - 1)];
    int r = e->row - a->lo;
    if (!a->fill) {
        a->cursor[r]++;
        if (a->sym) a->rowsum[r] += e->v;
        return;
    }
    e->p = a->cursor[r]++;
    __builtin_prefetch(a->C->colind + e->p, 1);
    __builtin_prefetch(a->C->val + e->p, 1);
}

static void write_one(assemble *a)
{
    const pending_put *e = &a->ring[a->written++ & (FILL_RING - 1)];
    a->C->colind[e->p] = e->col;
    a->C->val[e->p] = normalized(a, e->row, e->col, e->v);
}

/* Every pending put done (the end of a pass). */
static void drain_puts(assemble *a)
{
    while (a->placed < a->pushed) place_one(a);
    while (a->fill && a->written < a->placed) write_one(a);
}

static void put(assemble *a, int row, int col, double v)
{
    if (row < a->lo || row >= a->hi) return;
    int r = row - a->lo;
    a->ring[a->pushed++ & (FILL_RING - 1)] = (pending_put){.row = row, .col = col, .v = v};
    __builtin_prefetch(a->cursor + r, 1);
    if (a->sym && !a->fill) __builtin_prefetch(a->rowsum + r, 1);
    if (a->pushed - a->placed > FILL_AHEAD) place_one(a);
    if (a->fill && a->placed - a->written > FILL_AHEAD) write_one(a);
}

/* Diagonals of rows [next_diag, upto): they sit after each row's lower part. */
static void place_diagonals(assemble *a, int upto)
{
    for (; a->next_diag < upto; a->next_diag++) {
        int r = a->next_diag;
        double v = a->c->diag[r];
        if (a->c->opt.diagonal && keep(a, r, r, v)) put(a, r, r, v);
    }
}

static void visit_pair(void *ctx, int i, int j, double v)
{
    assemble *a = ctx;
    place_diagonals(a, i + 1);
    if (!keep(a, i, j, v)) return;
    put(a, i, j, v);
    put(a, j, i, v);
}

static int alloc_output(assemble *a, int ncols)
{
    sp_csr *C = a->C;
    int n = a->hi - a->lo;
    C->rows = n;
    C->cols = ncols;
    C->rowptr = sp_malloc(((size_t)n + 1) * sizeof *C->rowptr);
    if (!C->rowptr) return SP_ENOMEM;
    C->rowptr[0] = 0;
    for (int r = 0; r < n; r++) C->rowptr[r + 1] = C->rowptr[r] + a->cursor[r];
    C->nnz = C->rowptr[n];
    C->colind = sp_malloc(((size_t)C->nnz + 1) * sizeof *C->colind);
    C->val = sp_malloc(((size_t)C->nnz + 1) * sizeof *C->val);
    if (!C->colind || !C->val) return SP_ENOMEM;
    memcpy(a->cursor, C->rowptr, (size_t)n * sizeof *a->cursor);
    return SP_OK;
}

static int two_passes(sp_cooc *c, size_t entries, assemble *a)
{
    for (a->fill = 0; a->fill < 2; a->fill++) {
        a->next_diag = 0;
        a->pushed = a->placed = a->written = 0;
        int rc = sp_cooc_merge(c, entries, 0, visit_pair, a);
        if (rc < 0) return rc;
        place_diagonals(a, c->n);
        drain_puts(a);
        if (!a->fill && (rc = alloc_output(a, c->n)) < 0) return rc;
    }
    for (int r = 0; r < a->hi - a->lo; r++)
        if (a->cursor[r] != a->C->rowptr[r + 1])
            return sp_error(SP_EINTERNAL, "co-occurrence assembly: row %d inconsistent", r);
    return SP_OK;
}

/* The diagonal, summed by internal id (cache-friendly: a row's ids are
 * mostly small), in public order. */
static int diag_to_public(sp_cooc *c)
{
    if (!c->inv) return SP_OK; /* no row was ever accumulated */
    double *d = sp_malloc((size_t)c->n * sizeof *d);
    if (!d) return SP_ENOMEM;
    for (int a = 0; a < c->n; a++) d[c->inv[a]] = c->diag[a];
    free(c->diag);
    c->diag = d;
    return SP_OK;
}

int sp_cooc_finish(sp_cooc *c, sp_csr *C)
{
    memset(C, 0, sizeof *C);
    if (c->finished) return sp_error(SP_EINVAL, "sp_cooc_finish called twice");
    c->finished = 1;
    int rc = sp_cooc_chunk_flush(c);
    if (rc == SP_OK) rc = sp_cooc_store_finish(c);
    if (rc == SP_OK) rc = diag_to_public(c);
    if (rc < 0) return rc;
    size_t entries = sp_cooc_table_compact(c);
    assemble a = {.c = c, .C = C, .lo = c->lo, .hi = c->hi,
                  .sym = c->opt.normalize == SP_COOC_NORM_SYM};
    a.cursor = sp_calloc((size_t)(c->hi - c->lo) + 1, sizeof *a.cursor);
    if (a.sym) a.rowsum = sp_calloc((size_t)(c->hi - c->lo) + 1, sizeof *a.rowsum);
    rc = (a.cursor && (a.rowsum || !a.sym)) ? two_passes(c, entries, &a) : SP_ENOMEM;
    free(a.cursor);
    free(a.rowsum);
    if (rc < 0) sp_csr_uninit(C);
    else c->st.nnz = C->nnz;
    return rc;
}

int sp_cooc_from_file(const char *path, const sp_criteo_options *ropt, const sp_vocab *v,
                      unsigned flags, const sp_cooc_options *opt, sp_csr *C,
                      sp_cooc_stats *stats)
{
    memset(C, 0, sizeof *C);
    sp_criteo_reader *r = NULL;
    sp_cooc *c = NULL;
    int rc = sp_criteo_reader_open(&r, path, ropt);
    if (rc == SP_OK) rc = sp_cooc_new(&c, sp_vocab_n_ids(v), opt);
    sp_criteo_row row;
    int ids[SP_CRITEO_FIELDS];
    float w[SP_CRITEO_FIELDS], *wp = opt && opt->weighted ? w : NULL; /* counts need no weights */
    while (rc == SP_OK && (rc = sp_criteo_reader_next(r, &row)) == 1) {
        int k = sp_feature_map(v, &row, flags, ids, wp);
        rc = sp_cooc_add(c, ids, wp, k);
    }
    if (rc == 0) rc = sp_cooc_finish(c, C);
    if (stats && c) *stats = sp_cooc_get_stats(c);
    sp_cooc_free(c);
    sp_criteo_reader_close(r);
    return rc;
}
