/* cooc_chunk.c: a chunk of buffered rows, accumulated row of C by row of C
 * (Gustavson): sort each row's ids (internal order: hot ids first), take
 * the ids in most rows out (count mode, cooc_dense_ids.c), add the pairs of
 * hot ids to the hot block (cooc_hot.c), group the cold occurrences by id,
 * then accumulate and dump every cold id's column (cooc_columns.c) and merge
 * the chunk's totals into the store (cooc_store.c).
 * Guarantees: exact counts; duplicates in a row merged (weights summed in
 * input order). Does not spill or merge runs. */
#include <stdlib.h>
#include <string.h>
#include "data/cooc_internal.h"

/* Bytes per buffered entry: ids (sorted in place), row_start, rlen, rhot,
 * occ (16), and the dense ids' share (rows of SP_COOC_DENSE_MIN_ROW ids or
 * more on average): count mode a row's lacking mask, 1 byte per entry at
 * most; weighted w and SP_COOC_WDENSE_MAX floats per row, 8 bytes at most. */
static size_t entry_bytes(const sp_cooc_options *o)
{
    return 4 * sizeof(int) + sizeof(sp_cooc_occ) + (o->weighted ? sizeof(float) + 8 : 1);
}
#define CHUNK_MIN 64
#define CHUNK_MAX (1 << 22)

/* A quarter of the budget. Larger chunks move each pair's total fewer
 * times (fewer column dumps and store merges). Weighted sums depend on the
 * chunk boundaries (each chunk's sum is added to the total): since 2026-12
 * a weighted chunk holds 1.6x the entries it did (about 1.1x faster
 * weighted accumulation on the Criteo sample repeated), and 1.18x more
 * since rows are sorted in place, so weighted values differ from earlier
 * builds in the last bits. */
static int chunk_entries(const sp_cooc_options *o)
{
    size_t e = o->memory_bytes / 4 / entry_bytes(o);
    return e < CHUNK_MIN ? CHUNK_MIN : e > CHUNK_MAX ? CHUNK_MAX : (int)e;
}

size_t sp_cooc_chunk_bytes(int n, const sp_cooc_options *o)
{
    size_t acc = o->weighted ? sizeof(double) : sizeof(uint32_t);
    return (size_t)chunk_entries(o) * entry_bytes(o) +
           ((size_t)n + 1) * (3 * sizeof(int) + acc + 1) + (size_t)n / 8 + 8;
}

/* (Re)allocate the entry arrays for cap entries; contents of ids, w and
 * row_start kept. Weights (w) only when weighted. Rows are sorted in place
 * (a row's sorted ids never pass its unread input, and the row is still in
 * cache when sorted on arrival). */
static int entries_alloc(sp_cooc_chunk *ch, int cap, int weighted)
{
    int **ints[] = {&ch->ids, &ch->row_start, &ch->rlen, &ch->rhot};
    float **floats[] = {&ch->w};
    size_t slots = (size_t)cap + 1;
    for (size_t t = 0; t < sizeof ints / sizeof ints[0]; t++) {
        int *p = sp_realloc(*ints[t], slots * sizeof(int));
        if (!p) return SP_ENOMEM;
        *ints[t] = p;
    }
    for (size_t t = 0; t < sizeof floats / sizeof floats[0] && weighted; t++) {
        float *p = sp_realloc(*floats[t], slots * sizeof(float));
        if (!p) return SP_ENOMEM;
        *floats[t] = p;
    }
    sp_cooc_occ *o = sp_realloc(ch->occ, slots * sizeof *o);
    if (!o) return SP_ENOMEM;
    ch->occ = o;
    ch->cap = cap;
    return SP_OK;
}

int sp_cooc_chunk_init(sp_cooc *c)
{
    sp_cooc_chunk *ch = &c->ch;
    memset(ch, 0, sizeof *ch);
    int rc = entries_alloc(ch, chunk_entries(&c->opt), c->opt.weighted);
    if (rc < 0) return rc;
    ch->row_start[0] = 0;
    ch->colptr = sp_calloc((size_t)c->n + 2, sizeof *ch->colptr);
    if (c->opt.weighted) ch->acc = sp_calloc((size_t)c->n + 1, sizeof *ch->acc);
    else ch->acc32 = sp_calloc((size_t)c->n + 1, sizeof *ch->acc32);
    ch->mark = sp_calloc((size_t)c->n + 1, 1);
    ch->list = sp_malloc(((size_t)c->n + 1) * sizeof *ch->list);
    ch->hbits = sp_calloc((size_t)c->n / 64 + 1, sizeof *ch->hbits);
    ch->hw = sp_malloc(((size_t)c->n + 1) * sizeof *ch->hw);
    return ch->colptr && (ch->acc || ch->acc32) && ch->mark && ch->list && ch->hbits && ch->hw
               ? SP_OK : SP_ENOMEM;
}

int sp_cooc_chunk_grow(sp_cooc *c, int entries)
{
    return entries <= c->ch.cap ? SP_OK : entries_alloc(&c->ch, entries, c->opt.weighted);
}

void sp_cooc_chunk_uninit(sp_cooc_chunk *ch)
{
    void *all[] = {ch->ids, ch->w, ch->row_start, ch->occ, ch->hw, ch->rlen, ch->colptr,
                   ch->acc32, ch->acc, ch->mark, ch->list, ch->hbits, ch->rhot, ch->hcnt,
                   ch->dpos, ch->mh, ch->absent, ch->dw, ch->hx};
    for (size_t t = 0; t < sizeof all / sizeof all[0]; t++) free(all[t]);
    memset(ch, 0, sizeof *ch);
}

/* Hot ids of the row noted in hbits (weights summed in hw, input order),
 * their distinct count in *nh; cold ones sorted (stable insertion) into s
 * and sw, *dup set when one repeats. Returns the cold count. */
static int split_row(sp_cooc *c, int base, int k, int *s, float *sw, int *nh, int *dup)
{
    sp_cooc_chunk *ch = &c->ch;
    int H = c->H, nc = 0, hot = 0, rep = 0, *x = ch->ids + base;
    const int *perm = c->perm;
    for (int e = 0; e < k; e++) x[e] = perm[x[e]]; /* internal ids: independent loads, in flight together */
    if (!c->opt.weighted) { /* counts: no weights to carry */
        for (int e = 0; e < k; e++) {
            int a = x[e], t = nc++;
            if (a < H) {
                uint64_t bit = (uint64_t)1 << (a & 63), *word = ch->hbits + (a >> 6);
                hot += !(*word & bit);
                *word |= bit;
                nc--;
                continue;
            }
            for (; t > 0 && s[t - 1] > a; t--) s[t] = s[t - 1];
            s[t] = a;
            rep |= t > 0 && s[t - 1] == a;
        }
        *nh = hot;
        *dup = rep;
        return nc;
    }
    for (int e = 0; e < k; e++) {
        int a = x[e];
        float w = ch->w[base + e];
        if (a < H) {
            uint64_t bit = (uint64_t)1 << (a & 63);
            int seen = (ch->hbits[a >> 6] & bit) != 0;
            ch->hw[a] = seen ? ch->hw[a] + w : w;
            hot += !seen;
            ch->hbits[a >> 6] |= bit;
            continue;
        }
        int t = nc++;
        for (; t > 0 && s[t - 1] > a; t--) s[t] = s[t - 1], sw[t] = sw[t - 1];
        s[t] = a;
        sw[t] = w;
        rep |= t > 0 && s[t - 1] == a;
    }
    *nh = hot;
    *dup = rep;
    return nc;
}

/* Row r sorted, duplicates merged (weights summed in input order), internal
 * ids: the hot ones from the bitmap (they all precede the cold ones), then
 * the sorted cold ones. Returns its distinct ids; m gets the hot ones. */
static int sort_row(sp_cooc *c, int r, int *m)
{
    sp_cooc_chunk *ch = &c->ch;
    int base = ch->row_start[r], H = c->H, nh = 0, dup = 0, words = H > 0 ? ((H - 1) >> 6) + 1 : 0;
    int *s = ch->ids + base, wt = c->opt.weighted;
    float *sw = wt ? ch->w + base : NULL;
    int nc = split_row(c, base, ch->row_start[r + 1] - base, s, sw, &nh, &dup);
    memmove(s + nh, s, (size_t)nc * sizeof *s);
    if (wt) memmove(sw + nh, sw, (size_t)nc * sizeof *sw);
    for (int wd = 0, p = 0; wd < words; wd++) {
        for (uint64_t bits = ch->hbits[wd]; bits; bits &= bits - 1, p++) {
            int a = wd * 64 + __builtin_ctzll(bits);
            s[p] = a;
            if (wt) sw[p] = ch->hw[a];
            ch->hcnt[a]++;
        }
        ch->hbits[wd] = 0;
    }
    *m = nh;
    if (!dup) return nh + nc;
    int len = nh;
    for (int t = nh; t < nh + nc; t++) {
        if (len > nh && s[t] == s[len - 1]) {
            if (wt) sw[len - 1] += sw[t];
            continue;
        }
        s[len] = s[t];
        if (wt) sw[len] = sw[t];
        len++;
    }
    return len;
}

void sp_cooc_chunk_sort_last(sp_cooc *c)
{
    sp_cooc_chunk *ch = &c->ch;
    if (!c->perm || ch->sorted != ch->rows - 1) return;
    ch->rlen[ch->sorted] = sort_row(c, ch->sorted, &ch->rhot[ch->sorted]);
    ch->sorted++;
}

/* Every row sorted (ids, w, rlen), the ids in most rows taken out (count
 * mode), its hot pairs and diagonal added, and the cold occurrences grouped
 * by id (counting sort): those of id b are [colptr[b], colptr[b + 1]), in
 * row order, with their row and position. */
static int prepare_rows(sp_cooc *c)
{
    sp_cooc_chunk *ch = &c->ch;
    int *colptr = ch->colptr, hi = c->H; /* only [0, hi + 2) is ever written */
    memset(colptr, 0, ((size_t)ch->hi + 2) * sizeof *colptr);
    for (int r = ch->sorted; r < ch->rows; r++) ch->rlen[r] = sort_row(c, r, &ch->rhot[r]);
    int rc = sp_cooc_dense_choose(c);
    if (rc < 0) return rc;
    for (int r = 0; r < ch->rows; r++) {
        int *s = ch->ids + ch->row_start[r], m;
        int len = sp_cooc_dense_strip(c, r, s, ch->rhot[r], ch->rlen[r], &m);
        ch->rlen[r] = len;
        sp_cooc_hot_row(c, s, ch->w ? ch->w + ch->row_start[r] : NULL, m);
        for (int p = m; p < len; p++) colptr[s[p] + 2]++;
        if (len > m && s[len - 1] >= hi) hi = s[len - 1] + 1; /* rows are sorted */
    }
    sp_cooc_dense_hot_pairs(c);
    ch->hi = hi;
    for (int a = c->H; a < hi; a++) {
        if (c->hot32) c->diag[a] += (double)colptr[a + 2]; /* counts: rows holding cold id a */
        colptr[a + 2] += colptr[a + 1];
    }
    for (int r = 0; r < ch->rows; r++) {
        const int *s = ch->ids + ch->row_start[r];
        int lead = ch->w ? sp_cooc_weight_lead(ch->w + ch->row_start[r], ch->rlen[r]) : 0;
        for (int p = ch->rlen[r] - 1; p >= 0 && s[p] >= c->H; p--) {
            int q = colptr[s[p] + 1]++;
            ch->occ[q].start = ch->row_start[r];
            ch->occ[q].pos = p;
            if (ch->w) {
                ch->occ[q].u.w.row = r;
                ch->occ[q].u.w.lead = lead;
            } else if (ch->nd) {
                ch->occ[q].u.absent = ch->absent[r];
            }
        }
    }
    return SP_OK;
}

int sp_cooc_chunk_flush(sp_cooc *c)
{
    sp_cooc_chunk *ch = &c->ch;
    if (ch->rows == 0) return SP_OK;
    int rc = c->perm ? SP_OK : sp_cooc_hot_setup(c);
    if (rc == SP_OK && !ch->hcnt) rc = sp_cooc_dense_alloc(c);
    if (rc == SP_OK && c->sq32 && (uint64_t)c->sq32_rows + (uint64_t)ch->rows > c->sq32_limit) {
        rc = sp_cooc_flush_counts(c);
        sp_cooc_hot_fold(c);
    }
    if (rc < 0) return rc;
    c->sq32_rows += (uint32_t)ch->rows;
    if (rc == SP_OK) rc = prepare_rows(c);
    for (int b = c->H; b < ch->hi && rc == SP_OK; b++) {
        if (ch->colptr[b] == ch->colptr[b + 1]) continue;
        rc = sp_cooc_column(c, b);
    }
    if (rc == SP_OK) rc = sp_cooc_store_merge(c);
    if (c->hotw) sp_cooc_hot_fold(c); /* chunk sums: the chunk path's order of additions */
    ch->rows = ch->used = ch->sorted = 0;
    return rc;
}
