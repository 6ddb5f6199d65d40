/* cooc_chunk.c: accumulate a chunk of buffered rows row of C by row of C
 * (Gustavson): group the chunk's occurrences by id, sort each row's ids, then
 * for every id a add the ids after it in each of its rows into one dense
 * accumulator row (n cells, cache resident), and move that row's nonzeros to
 * the dense rows or the hash table once per chunk instead of once per pair.
 * Guarantees: exact counts; duplicates in a row merged (weights summed in
 * input order); pairs touching no kept row skipped. Does not spill or merge. */
#include <stdlib.h>
#include <string.h>
#include "data/cooc_internal.h"

/* Bytes per buffered entry: ids, w, row_start, occ_row, occ_w, occ_pos, srow, sw, rlen. */
#define ENTRY_BYTES (9 * 4)
#define CHUNK_MIN 64
#define CHUNK_MAX (1 << 22)

/* An eighth of the budget: larger chunks move each pair's total fewer times. */
static int chunk_entries(const sp_cooc_options *o)
{
    size_t e = o->memory_bytes / 8 / ENTRY_BYTES;
    return e < CHUNK_MIN ? CHUNK_MIN : e > CHUNK_MAX ? CHUNK_MAX : (int)e;
}

size_t sp_cooc_chunk_bytes(int n, const sp_cooc_options *o)
{
    size_t acc = o->weighted ? sizeof(double) : sizeof(uint32_t);
    return (size_t)chunk_entries(o) * ENTRY_BYTES + ((size_t)n + 1) * (sizeof(int) + acc);
}

/* (Re)allocate the entry arrays for cap entries; contents of ids, w and row_start kept. */
static int entries_alloc(sp_cooc_chunk *ch, int cap)
{
    int **ints[] = {&ch->ids, &ch->row_start, &ch->occ_row, &ch->occ_pos, &ch->srow, &ch->rlen};
    float **floats[] = {&ch->w, &ch->occ_w, &ch->sw};
    for (size_t t = 0; t < sizeof ints / sizeof ints[0]; t++) {
        int *p = sp_realloc(*ints[t], ((size_t)cap + 1) * sizeof(int));
        if (!p) return SP_ENOMEM;
        *ints[t] = p;
    }
    for (size_t t = 0; t < sizeof floats / sizeof floats[0]; t++) {
        float *p = sp_realloc(*floats[t], ((size_t)cap + 1) * sizeof(float));
        if (!p) return SP_ENOMEM;
        *floats[t] = p;
    }
    ch->cap = cap;
    return SP_OK;
}

int sp_cooc_chunk_init(sp_cooc *c)
{
    sp_cooc_chunk *ch = &c->ch;
    memset(ch, 0, sizeof *ch);
    int rc = entries_alloc(ch, chunk_entries(&c->opt));
    if (rc < 0) return rc;
    ch->row_start[0] = 0;
    ch->colptr = sp_calloc((size_t)c->n + 2, sizeof *ch->colptr);
    if (c->opt.weighted) ch->acc = sp_calloc((size_t)c->n + 1, sizeof *ch->acc);
    else ch->acc32 = sp_calloc((size_t)c->n + 1, sizeof *ch->acc32);
    return ch->colptr && (ch->acc || ch->acc32) ? SP_OK : SP_ENOMEM;
}

int sp_cooc_chunk_grow(sp_cooc *c, int entries)
{
    return entries <= c->ch.cap ? SP_OK : entries_alloc(&c->ch, entries);
}

void sp_cooc_chunk_uninit(sp_cooc_chunk *ch)
{
    void *all[] = {ch->ids, ch->w, ch->row_start, ch->occ_row, ch->occ_w, ch->occ_pos,
                   ch->srow, ch->sw, ch->rlen, ch->colptr, ch->acc32, ch->acc};
    for (size_t t = 0; t < sizeof all / sizeof all[0]; t++) free(all[t]);
    memset(ch, 0, sizeof *ch);
}

/* Occurrences grouped by id (counting sort): afterwards the occurrences of
 * id a are [colptr[a], colptr[a + 1]), in row order. */
static void group_by_id(sp_cooc *c)
{
    sp_cooc_chunk *ch = &c->ch;
    int *colptr = ch->colptr, n = c->n, weighted = c->opt.weighted;
    memset(colptr, 0, ((size_t)n + 2) * sizeof *colptr);
    for (int e = 0; e < ch->used; e++) colptr[ch->ids[e] + 2]++;
    for (int a = 0; a < n; a++) colptr[a + 2] += colptr[a + 1];
    for (int r = 0; r < ch->rows; r++)
        for (int e = ch->row_start[r]; e < ch->row_start[r + 1]; e++) {
            int q = colptr[ch->ids[e] + 1]++;
            ch->occ_row[q] = r;
            if (weighted) ch->occ_w[q] = ch->w[e];
        }
}

/* Rows rebuilt with ascending distinct ids (srow, sw, rlen); occ_pos is each
 * occurrence's position there, -1 for a duplicate (its weight added). */
static void sort_rows(sp_cooc *c)
{
    sp_cooc_chunk *ch = &c->ch;
    const int *colptr = ch->colptr;
    int weighted = c->opt.weighted;
    memset(ch->rlen, 0, (size_t)ch->rows * sizeof *ch->rlen);
    for (int a = 0; a < c->n; a++)
        for (int q = colptr[a]; q < colptr[a + 1]; q++) {
            int r = ch->occ_row[q], base = ch->row_start[r], p = ch->rlen[r];
            if (p > 0 && ch->srow[base + p - 1] == a) {
                if (weighted) ch->sw[base + p - 1] += ch->occ_w[q];
                ch->occ_pos[q] = -1;
                continue;
            }
            ch->srow[base + p] = a;
            if (weighted) ch->sw[base + p] = ch->occ_w[q];
            ch->occ_pos[q] = p;
            ch->rlen[r] = p + 1;
        }
}

/* Columns of row a that are kept: [*b0, *b1); a >= hi keeps none. */
static void kept_columns(const sp_cooc *c, int a, int *b0, int *b1)
{
    *b0 = a < c->lo ? c->lo : a + 1;
    *b1 = a < c->lo ? c->hi : c->n;
    if (a >= c->hi) *b1 = *b0;
}

/* One pair's chunk total into the dense block or the table. */
static inline int dump_pair(sp_cooc *c, int a, int b, double v)
{
    if (a < c->h) {
        int64_t cell = (int64_t)a * c->n + b, blk = b / SP_COOC_BLOCK;
        if (c->sq) c->sq[cell] += v;
        else c->sq32[cell] += (uint32_t)v;
        c->touched[(int64_t)a * c->touched_words + (blk >> 6)] |= (uint64_t)1 << (blk & 63);
        return SP_OK;
    }
    return sp_cooc_table_add(c, (uint64_t)a << 32 | (uint64_t)b, v);
}

/* First position after p in row r whose id is >= b0. */
static inline int first_kept(const sp_cooc_chunk *ch, int r, int p, int b0)
{
    const int *s = ch->srow + ch->row_start[r];
    int t = p + 1, len = ch->rlen[r];
    while (t < len && s[t] < b0) t++;
    return t;
}

/* acc[b] += (count or w_a w_b) for the kept ids b after a in each row of a;
 * returns the number of updates. diag[a] gets its rows (or sum of w_a^2). */
static int64_t accumulate_row(sp_cooc *c, int a, int b0, int b1)
{
    sp_cooc_chunk *ch = &c->ch;
    int64_t updates = 0;
    for (int q = ch->colptr[a]; q < ch->colptr[a + 1]; q++) {
        int p = ch->occ_pos[q];
        if (p < 0) continue;
        int r = ch->occ_row[q], len = ch->rlen[r], t = first_kept(ch, r, p, b0);
        const int *s = ch->srow + ch->row_start[r];
        if (ch->acc32) {
            c->diag[a] += 1.0;
            for (; t < len && s[t] < b1; t++) ch->acc32[s[t]]++;
        } else {
            const float *w = ch->sw + ch->row_start[r];
            double wa = w[p];
            c->diag[a] += wa * wa;
            for (; t < len && s[t] < b1; t++) ch->acc[s[t]] += wa * (double)w[t];
        }
        updates += t - (p + 1);
    }
    return updates;
}

/* Move acc's nonzeros of row a to the dense block or table, zeroing acc:
 * by a scan of [b0, b1) when dense, else by revisiting a's rows. */
static int dump_row(sp_cooc *c, int a, int b0, int b1, int64_t updates)
{
    sp_cooc_chunk *ch = &c->ch;
    int rc = SP_OK;
    if (updates * 4 > (int64_t)(b1 - b0)) {
        for (int b = b0; b < b1 && rc == SP_OK; b++) {
            double v = ch->acc32 ? (double)ch->acc32[b] : ch->acc[b];
            if (v == 0.0) continue;
            if (ch->acc32) ch->acc32[b] = 0;
            else ch->acc[b] = 0.0;
            rc = dump_pair(c, a, b, v);
        }
        return rc;
    }
    for (int q = ch->colptr[a]; q < ch->colptr[a + 1] && rc == SP_OK; q++) {
        int p = ch->occ_pos[q];
        if (p < 0) continue;
        int r = ch->occ_row[q], len = ch->rlen[r];
        const int *s = ch->srow + ch->row_start[r];
        for (int t = first_kept(ch, r, p, b0); t < len && s[t] < b1 && rc == SP_OK; t++) {
            int b = s[t];
            double v = ch->acc32 ? (double)ch->acc32[b] : ch->acc[b];
            if (v == 0.0) continue;
            if (ch->acc32) ch->acc32[b] = 0;
            else ch->acc[b] = 0.0;
            rc = dump_pair(c, a, b, v);
        }
    }
    return rc;
}

int sp_cooc_chunk_flush(sp_cooc *c)
{
    sp_cooc_chunk *ch = &c->ch;
    if (ch->rows == 0) return SP_OK;
    int rc = SP_OK;
    if (c->sq32 && (uint64_t)c->sq32_rows + (uint64_t)ch->rows > c->sq32_limit)
        rc = sp_cooc_flush_counts(c);
    if (rc < 0) return rc;
    c->sq32_rows += (uint32_t)ch->rows;
    group_by_id(c);
    sort_rows(c);
    for (int a = 0; a < c->n && rc == SP_OK; a++) {
        if (ch->colptr[a] == ch->colptr[a + 1]) continue;
        int b0, b1;
        kept_columns(c, a, &b0, &b1);
        int64_t updates = accumulate_row(c, a, b0, b1);
        if (updates > 0) rc = dump_row(c, a, b0, b1, updates);
    }
    ch->rows = ch->used = 0;
    return rc;
}
