/* cooc_hot.c: internal id order of the co-occurrence accumulator and its hot
 * block. At the first chunk the ids are ranked by how often they occur in it
 * (then by id): every id's internal id is its rank, so the H most frequent
 * are 0..H-1 and the commonest pairs crowd one corner of the hot block (a
 * row's hot cells then share cache lines: with hash buckets, whose public
 * order is random, the hot block took 1.8x the L1 misses in public order);
 * hot_pub lists the hot ids in public order for the merge; the rest follow
 * by frequency (rare ids last, which keeps the accumulator's hot end small).
 * A pair of two hot ids is added straight into an upper-triangular H x H block
 * sized to stay in L2 (uint32 counts, or the current chunk's double sums,
 * folded into double totals per chunk: the same order of additions as the
 * chunk path). Guarantees: exact counts; the result does not depend on H. */
#include <stdlib.h>
#include <string.h>
#include "data/cooc_internal.h"

#define HOT_CACHE_BYTES ((size_t)1 << 20) /* current block: half an L2 */

static int64_t cells_of(int64_t H) { return H * (H - 1) / 2; }

/* Largest H whose current block fits the cache target and whose block and
 * totals fit an eighth of the budget. */
static int hot_auto(int n, const sp_cooc_options *o)
{
    size_t cell = o->weighted ? sizeof(double) : sizeof(uint32_t);
    int64_t H = 1;
    while (H < n && (size_t)cells_of(H + 1) * cell <= HOT_CACHE_BYTES &&
           (size_t)cells_of(H + 1) * (cell + sizeof(double)) <= o->memory_bytes / 8)
        H++;
    return (int)H;
}

size_t sp_cooc_hot_bytes(int n, const sp_cooc_options *o)
{
    size_t cell = o->weighted ? sizeof(double) : sizeof(uint32_t);
    int64_t H = hot_auto(n, o);
    return (size_t)cells_of(H) * (cell + sizeof(double)) + (size_t)H * sizeof(int64_t) +
           (size_t)n * (2 * sizeof(int) + 1);
}

/* Ids by count in the chunk (descending, then id): stable counting sort. */
static int rank_ids(const sp_cooc *c, int *order)
{
    const sp_cooc_chunk *ch = &c->ch;
    int n = c->n, maxc = 0;
    int *cnt = sp_calloc((size_t)n, sizeof *cnt);
    if (!cnt) return SP_ENOMEM;
    for (int e = 0; e < ch->used; e++) cnt[ch->ids[e]]++;
    for (int a = 0; a < n; a++) maxc = cnt[a] > maxc ? cnt[a] : maxc;
    int *pos = sp_calloc((size_t)maxc + 2, sizeof *pos);
    if (!pos) {
        free(cnt);
        return SP_ENOMEM;
    }
    for (int a = 0; a < n; a++) pos[maxc - cnt[a] + 1]++;
    for (int k = 0; k <= maxc; k++) pos[k + 1] += pos[k];
    for (int a = 0; a < n; a++) order[pos[maxc - cnt[a]]++] = a;
    free(pos);
    free(cnt);
    return SP_OK;
}

/* perm, inv: internal id = rank in order; hot_pub: the hot ids (internal
 * 0..H-1) in public order. */
static void number_ids(sp_cooc *c, const int *order)
{
    int n = c->n, H = c->H, next = 0;
    for (int k = 0; k < n; k++) c->perm[order[k]] = k;
    for (int a = 0; a < n; a++) {
        c->inv[c->perm[a]] = a;
        if (c->perm[a] < H) c->hot_pub[next++] = c->perm[a];
    }
}

static int hot_alloc(sp_cooc *c)
{
    int64_t H = c->H, cells = cells_of(H) + 1;
    c->hot_base = sp_malloc(((size_t)H + 1) * sizeof *c->hot_base);
    c->hot_tot = sp_calloc((size_t)cells, sizeof *c->hot_tot);
    if (c->opt.weighted) c->hotw = sp_calloc((size_t)cells, sizeof *c->hotw);
    else c->hot32 = sp_calloc((size_t)cells, sizeof *c->hot32);
    if (!c->hot_base || !c->hot_tot || !(c->hotw || c->hot32)) return SP_ENOMEM;
    for (int64_t s = 0; s < H; s++) c->hot_base[s] = s * (H - 1) - s * (s - 1) / 2 - s; /* cells 1.. */
    return SP_OK;
}

static int kept_alloc(sp_cooc *c)
{
    if (c->lo == 0 && c->hi == c->n) return SP_OK;
    c->kept = sp_malloc((size_t)c->n);
    if (!c->kept) return SP_ENOMEM;
    for (int a = 0; a < c->n; a++) c->kept[c->perm[a]] = a >= c->lo && a < c->hi;
    return SP_OK;
}

int sp_cooc_hot_setup(sp_cooc *c)
{
    int n = c->n;
    c->H = c->hot_req >= 0 ? (c->hot_req < n ? c->hot_req : n) : hot_auto(n, &c->opt);
    c->perm = sp_malloc((size_t)n * sizeof *c->perm);
    c->inv = sp_malloc((size_t)n * sizeof *c->inv);
    c->hot_pub = sp_malloc(((size_t)c->H + 1) * sizeof *c->hot_pub);
    int *order = sp_malloc((size_t)n * sizeof *order);
    int rc = (c->perm && c->inv && c->hot_pub && order) ? rank_ids(c, order) : SP_ENOMEM;
    if (rc == SP_OK) {
        number_ids(c, order);
        rc = hot_alloc(c);
    }
    if (rc == SP_OK) rc = kept_alloc(c);
    free(order);
    return rc;
}

void sp_cooc_hot_free(sp_cooc *c)
{
    void *all[] = {c->perm, c->inv, c->hot_pub, c->kept, c->hot_base, c->hot32, c->hotw,
                   c->hot_tot};
    for (size_t t = 0; t < sizeof all / sizeof all[0]; t++) free(all[t]);
}

/* Count mode: 1 for every pair of the row's first m (hot) ids. */
static void row_counts(sp_cooc *c, const int *s, int m)
{
    for (int p = 0; p + 1 < m; p++) {
        uint32_t *b = c->hot32 + c->hot_base[s[p]];
        for (int t = p + 1; t < m; t++) b[s[t]]++;
    }
}

/* Weighted: w_a w_b (the row's summed weights) for every pair of hot ids;
 * past the last weight other than 1, w_b = 1 and w_a * 1 is w_a exactly. */
static void row_weights(sp_cooc *c, const int *s, const float *w, int m)
{
    int lead = sp_cooc_weight_lead(w, m);
    for (int p = 0; p + 1 < m; p++) {
        double *b = c->hotw + c->hot_base[s[p]], wa = w[p];
        int t = p + 1;
        for (; t < lead; t++) b[s[t]] += wa * (double)w[t];
        for (; t < m; t++) b[s[t]] += wa;
    }
}

void sp_cooc_hot_row(sp_cooc *c, const int *s, const float *w, int m)
{
    if (c->hot32) {
        row_counts(c, s, m); /* the diagonal: from the chunk's counts (cooc_chunk.c, cooc_dense_ids.c) */
    } else {
        for (int p = 0; p < m; p++) c->diag[s[p]] += (double)w[p] * (double)w[p]; /* cold: column pass */
        row_weights(c, s, w, m);
    }
}

void sp_cooc_hot_fold(sp_cooc *c)
{
    int64_t cells = cells_of(c->H) + 1; /* cell 0 is unused */
    if (!c->hot_tot || cells == 1) return;
    if (c->hot32) {
        for (int64_t k = 1; k < cells; k++) c->hot_tot[k] += (double)c->hot32[k];
        memset(c->hot32, 0, (size_t)cells * sizeof *c->hot32);
    } else {
        for (int64_t k = 1; k < cells; k++) c->hot_tot[k] += c->hotw[k];
        memset(c->hotw, 0, (size_t)cells * sizeof *c->hotw);
    }
    c->hot_folded = 1;
}
