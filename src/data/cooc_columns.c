/* cooc_columns.c: one cold id b's column of C for a chunk (Gustavson):
 * for each of its occurrences (grouped by cooc_chunk.c, with the row's start
 * and lacking mask), add the ids before b in that row into one dense
 * accumulator (n cells, cache resident); then move the column's nonzeros to
 * the dense rows or the store once per chunk instead of once per pair. Hot
 * partners (a row's first ids) get a byte mark, cold ones are listed on
 * first touch and the list sorted at the dump; dense ids come from row
 * counts (cooc_dense_ids.c). With a row block, pairs touching no kept row
 * are skipped.
 * Guarantees: exact counts; weights added in row order (the sums do not
 * depend on anything but the chunk boundaries). */
#include <string.h>
#include "data/cooc_internal.h"

/* One pair's chunk total (internal ids a < b) into the dense rows or the store. */
static inline int dump_pair(sp_cooc *c, int a, int b, double v)
{
    int i = c->inv[a], j = c->inv[b];
    if (i > j) {
        int t = i;
        i = j;
        j = t;
    }
    if (i < c->h) {
        int64_t cell = (int64_t)i * c->n + j, blk = j / SP_COOC_BLOCK;
        if (c->sq) c->sq[cell] += v;
        else c->sq32[cell] += (uint32_t)v;
        c->touched[(int64_t)i * c->touched_words + (blk >> 6)] |= (uint64_t)1 << (blk & 63);
        return SP_OK;
    }
    return sp_cooc_store_add(c, (uint64_t)b << 32 | (uint64_t)a, v);
}

/* Remember partner a of the current column: its mark, and for a cold id a
 * list entry on first touch. (A hot id's mark is a plain store: a bit set in
 * a shared word would chain each partner to the last through memory.) */
static inline void note_partner(sp_cooc_chunk *ch, int a, int H, int *k)
{
    if (a >= H && !ch->mark[a]) ch->list[(*k)++] = a;
    ch->mark[a] = 1;
}

/* Count the dense ids that the row of occurrence q lacks into macc (column pass). */
static inline void note_lacking(sp_cooc_chunk *ch, int q)
{
    for (uint64_t bits = ch->occ[q].u.absent; bits; bits &= bits - 1)
        ch->macc[__builtin_ctzll(bits)]++;
}

/* Count mode: column b's dense ids (rows of b less those lacking them, in
 * macc, which is zeroed) join the hot bitmap (only kept ones when b is not
 * a kept row). Returns the cold partner count k unchanged. */
static int dense_partners(sp_cooc *c, int b, int k)
{
    sp_cooc_chunk *ch = &c->ch;
    const unsigned char *kept = c->kept && !c->kept[b] ? c->kept : NULL;
    uint32_t rows_b = (uint32_t)(ch->colptr[b + 1] - ch->colptr[b]);
    for (int i = 0; i < ch->nd; i++) {
        int d = ch->dlist[i];
        uint32_t v = rows_b - ch->macc[i];
        ch->macc[i] = 0;
        if (v == 0 || (kept && !kept[d])) continue;
        ch->acc32[d] = v; /* a dense id is never a partner in the rows */
        note_partner(ch, d, c->H, &k);
    }
    return k;
}

/* Weighted: add w_b times the dense weights of occurrence q's row. */
static inline void add_dense_weights(const sp_cooc_chunk *ch, int q, double wb, sp_v2d *dacc)
{
    sp_v2d d[SP_WDENSE_V2];
    sp_wdense_load(d, sp_cooc_wdense_row(ch, ch->occ[q].u.w.row));
    for (int j = 0; j < SP_WDENSE_V2; j++) dacc[j] += d[j] * wb;
}

/* Weighted: column b's dense ids (sums in dacc) join the hot bitmap (only
 * kept ones when b is not a kept row). Returns k unchanged. */
static int dense_weight_partners(sp_cooc *c, int b, int k, const sp_v2d *dv)
{
    double dacc[SP_COOC_WDENSE_MAX];
    memcpy(dacc, dv, sizeof dacc);
    sp_cooc_chunk *ch = &c->ch;
    const unsigned char *kept = c->kept && !c->kept[b] ? c->kept : NULL;
    for (int i = 0; i < ch->nd; i++) {
        int d = ch->dlist[i];
        if (dacc[i] == 0.0 || (kept && !kept[d])) continue;
        ch->acc[d] = dacc[i]; /* a dense id is never a partner in the rows */
        note_partner(ch, d, c->H, &k);
    }
    return k;
}

/* A helper that only prefetches: inlined always, as GCC 12 may otherwise
 * find it free of side effects and drop the call. */
#define SP_PREFETCHER __attribute__((always_inline))

/* Prefetch what occurrence q reads of v (its row's ids or weights, entries
 * 0..p), ahead of use: every cache line of the span. */
static inline SP_PREFETCHER void prefetch_span(const sp_cooc_chunk *ch, const void *v, int q)
{
    const char *x = (const char *)v + (size_t)ch->occ[q].start * 4;
    int bytes = ch->occ[q].pos * 4;
    for (int t = 0; t < bytes; t += 64) __builtin_prefetch(x + t);
    __builtin_prefetch(x + bytes);
}

/* Counts, every row kept: column b of C for this chunk. Hot partners (a
 * row's first ids) are marked; each cold one is listed when its count
 * leaves 0, and the list is sorted at the dump. */
static int accumulate_counts(sp_cooc *c, int b)
{
    sp_cooc_chunk *ch = &c->ch;
    uint32_t *acc = ch->acc32;
    unsigned char *mark = ch->mark;
    int *list = ch->list, k = 0, last = ch->colptr[ch->hi], H = c->H;
    for (int q = ch->colptr[b], end = ch->colptr[b + 1]; q < end; q++) {
        if (q + SP_COOC_AHEAD < last) prefetch_span(ch, ch->ids, q + SP_COOC_AHEAD);
        int p = ch->occ[q].pos, t = 0;
        const int *s = ch->ids + ch->occ[q].start;
        for (; s[t] < H; t++) { /* s[p] = b is cold: the hot ids end by p */
            int a = s[t];
            acc[a]++;
            mark[a] = 1;
        }
        for (; t < p; t++) {
            int a = s[t];
            list[k] = a;
            k += acc[a]++ == 0;
        }
        if (ch->nd) note_lacking(ch, q);
    }
    return dense_partners(c, b, k);
}

/* Weighted partners s[t0, t1) of column b: acc[a] += w_a w_b, hot ones
 * marked, cold ones listed on first touch; w NULL: every w_a is 1, and
 * 1 * w_b is w_b exactly, and t1 is b's position (b, cold, ends the hot
 * ids). Returns the cold partners listed, k on entry. */
static inline int add_weighted(sp_cooc_chunk *ch, const int *s, const float *w, int t0, int t1,
                               double wb, int H, int k)
{
    double *acc = ch->acc;
    unsigned char *mark = ch->mark;
    int t = t0;
    for (; (!w || t < t1) && s[t] < H; t++) {
        int a = s[t];
        acc[a] += w ? (double)w[t] * wb : wb;
        mark[a] = 1;
    }
    for (; t < t1; t++) {
        int a = s[t];
        acc[a] += w ? (double)w[t] * wb : wb;
        ch->list[k] = a;
        k += !mark[a];
        mark[a] = 1;
    }
    return k;
}

/* Prefetch the weights occurrence q reads: those other than 1, up to its own. */
static inline SP_PREFETCHER void prefetch_lead(const sp_cooc_chunk *ch, int q)
{
    const sp_cooc_occ *o = &ch->occ[q];
    int n = o->pos < o->u.w.lead ? o->pos + 1 : o->u.w.lead;
    const char *x = (const char *)(ch->w + o->start);
    for (int t = 0; t < 4 * n; t += 64) __builtin_prefetch(x + t);
    if (n > 0) __builtin_prefetch(x + 4 * n - 4);
}

/* Weights, every row kept: column b of C for this chunk, acc[a] += w_a w_b
 * in row order; partners marked, cold ones listed on first touch; b's
 * diagonal. Only a row's lead (its weights up to the last one other than
 * 1) is read. */
static int accumulate_weights(sp_cooc *c, int b)
{
    sp_cooc_chunk *ch = &c->ch;
    int k = 0, last = ch->colptr[ch->hi], H = c->H;
    double diag = c->diag[b];
    sp_v2d dacc[SP_WDENSE_V2] = {{0}};
    for (int q = ch->colptr[b], end = ch->colptr[b + 1]; q < end; q++) {
        if (q + SP_COOC_AHEAD < last) {
            prefetch_span(ch, ch->ids, q + SP_COOC_AHEAD);
            prefetch_lead(ch, q + SP_COOC_AHEAD);
            if (ch->nd)
                __builtin_prefetch(sp_cooc_wdense_row(ch, ch->occ[q + SP_COOC_AHEAD].u.w.row));
        }
        int p = ch->occ[q].pos, lead = ch->occ[q].u.w.lead;
        const int *s = ch->ids + ch->occ[q].start;
        const float *w = ch->w + ch->occ[q].start;
        double wb = p < lead ? (double)w[p] : 1.0;
        int mid = p < lead ? p : lead;
        diag += wb * wb;
        k = add_weighted(ch, s, w, 0, mid, wb, H, k);
        k = add_weighted(ch, s, NULL, mid, p, wb, H, k);
        if (ch->nd) add_dense_weights(ch, q, wb, dacc);
    }
    c->diag[b] = diag;
    return ch->nd ? dense_weight_partners(c, b, k, dacc) : k;
}

/* Column b (cold) of C for this chunk: acc[a] += count (or w_a w_b) for the
 * kept partners a < b in each row of b; returns the cold partners listed
 * (marked in mark). */
static int accumulate_column(sp_cooc *c, int b)
{
    sp_cooc_chunk *ch = &c->ch;
    const unsigned char *kept = c->kept && !c->kept[b] ? c->kept : NULL;
    int k = 0, H = c->H, last = ch->colptr[ch->hi];
    sp_v2d dacc[SP_WDENSE_V2] = {{0}};
    for (int q = ch->colptr[b], end = ch->colptr[b + 1]; q < end; q++) {
        if (q + SP_COOC_AHEAD < last) prefetch_span(ch, ch->ids, q + SP_COOC_AHEAD);
        if (q + SP_COOC_AHEAD < last && ch->w) prefetch_span(ch, ch->w, q + SP_COOC_AHEAD);
        int p = ch->occ[q].pos, base = ch->occ[q].start;
        const int *s = ch->ids + base;
        const float *w = ch->w ? ch->w + base : NULL; /* weighted only */
        double wb = w ? (double)w[p] : 0.0;
        if (w) c->diag[b] += wb * wb; /* rows in order, as the row pass did */
        for (int t = 0; t < p; t++) {
            int a = s[t];
            if (kept && !kept[a]) continue;
            if (ch->acc32) ch->acc32[a]++;
            else ch->acc[a] += (double)w[t] * wb;
            note_partner(ch, a, H, &k);
        }
        if (ch->nd && w) add_dense_weights(ch, q, wb, dacc);
        else if (ch->nd) note_lacking(ch, q);
    }
    return ch->w ? dense_weight_partners(c, b, k, dacc) : dense_partners(c, b, k);
}

/* Sort ints ascending: quicksort (middle pivot, smaller side first) down
 * to insertion sort of short ranges. */
static void sort_ints(int *v, int k)
{
    while (k > 24) {
        int p = v[(k - 1) / 2], i = -1, j = k;
        for (;;) { /* Hoare: [0, j] <= p <= [j + 1, k) */
            do i++; while (v[i] < p);
            do j--; while (v[j] > p);
            if (i >= j) break;
            int t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        int left = j + 1;
        if (left < k - left) {
            sort_ints(v, left);
            v += left;
            k -= left;
        } else {
            sort_ints(v + left, k - left);
            k = left;
        }
    }
    for (int i = 1; i < k; i++) {
        int x = v[i], j = i;
        for (; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Move acc[a] (if nonzero) of column b out and zero it. */
static inline int dump_cell(sp_cooc *c, int a, int b)
{
    sp_cooc_chunk *ch = &c->ch;
    double v = ch->acc32 ? (double)ch->acc32[a] : ch->acc[a];
    if (ch->acc32) ch->acc32[a] = 0;
    else ch->acc[a] = 0.0;
    return v == 0.0 ? SP_OK : dump_pair(c, a, b, v);
}

/* Column b's hot partners (marks 0 or 1 in mark[0, H)) in ascending order,
 * eight marks at a time; marks cleared. */
static int dump_hot(sp_cooc *c, int b)
{
    unsigned char *mark = c->ch.mark;
    int H = c->H, rc = SP_OK, a = 0;
    for (; a + 8 <= H; a += 8) {
        uint64_t m;
        memcpy(&m, mark + a, sizeof m);
        if (!m) continue;
        memset(mark + a, 0, sizeof m);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        m = __builtin_bswap64(m); /* mark[a] in the low byte */
#endif
        for (; m && rc == SP_OK; m &= m - 1) rc = dump_cell(c, a + (__builtin_ctzll(m) >> 3), b);
    }
    for (; a < H; a++) {
        if (!mark[a]) continue;
        mark[a] = 0;
        if (rc == SP_OK) rc = dump_cell(c, a, b);
    }
    return rc;
}

/* Column b's totals in ascending a: hot partners, then the listed cold
 * ones, sorted. */
static int dump_column(sp_cooc *c, int b, int k)
{
    sp_cooc_chunk *ch = &c->ch;
    int rc = dump_hot(c, b);
    sort_ints(ch->list, k);
    for (int t = 0; t < k; t++) {
        ch->mark[ch->list[t]] = 0;
        if (rc == SP_OK) rc = dump_cell(c, ch->list[t], b);
    }
    return rc;
}

int sp_cooc_column(sp_cooc *c, int b)
{
    int k;
    if (!c->kept || c->kept[b]) k = c->ch.acc32 ? accumulate_counts(c, b) : accumulate_weights(c, b);
    else k = accumulate_column(c, b);
    return dump_column(c, b, k);
}
