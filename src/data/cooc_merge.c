/* cooc_merge.c: k-way merge (tournament tree) of the co-occurrence
 * accumulator's sorted sources (dense block, in-memory table, hot block,
 * store, spilled runs) into one stream of distinct pairs in key order,
 * values summed. Memory: one buffer per run. Also the merge of the shorter
 * half of the runs into one when there are too many to read at once. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "data/cooc_internal.h"

typedef struct source {
    int kind;               /* 0 dense block, 1 array in memory, 2 run on disk, 3 hot block */
    uint64_t key;
    double val;
    int64_t i, j;           /* dense: position; i < j */
    const sp_cooc_entry *arr;
    int64_t pos, len;       /* array: next index, length */
    sp_cooc_run_reader run;
} source;

static void swap_entries(sp_cooc_entry *a, sp_cooc_entry *b)
{
    sp_cooc_entry t = *a;
    *a = *b;
    *b = t;
}

void sp_cooc_sort_entries(sp_cooc_entry *a, size_t n)
{
    while (n > 16) {
        uint64_t p = a[(n - 1) / 2].key;
        ptrdiff_t i = -1, j = (ptrdiff_t)n;
        for (;;) { /* Hoare: ends with [0, j] <= p <= [j + 1, n), 0 <= j < n - 1 */
            do i++; while (a[i].key < p);
            do j--; while (a[j].key > p);
            if (i >= j) break;
            swap_entries(&a[i], &a[j]);
        }
        size_t left = (size_t)j + 1;
        if (left < n - left) { /* recurse on the smaller side, loop on the larger */
            sp_cooc_sort_entries(a, left);
            a += left;
            n -= left;
        } else {
            sp_cooc_sort_entries(a + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        sp_cooc_entry e = a[i];
        size_t k = i;
        for (; k > 0 && a[k - 1].key > e.key; k--) a[k] = a[k - 1];
        a[k] = e;
    }
}

size_t sp_cooc_table_compact(sp_cooc *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->cap; i++)
        if (c->tab[i].key != SP_COOC_EMPTY) c->tab[k++] = c->tab[i];
    sp_cooc_sort_entries(c->tab, k);
    return k;
}

/* Next pair i < j of the dense block (skipping zeros and blocks never
 * written): 1 or 0 at end. */
static int dense_next(const sp_cooc *c, source *s)
{
    while (s->i < c->h && s->i < c->n - 1) {
        while (++s->j < c->n) {
            int64_t blk = s->j / SP_COOC_BLOCK;
            if ((s->j % SP_COOC_BLOCK == 0 || s->j == s->i + 1) &&
                !sp_cooc_block_touched(c, s->i, blk)) {
                s->j = (blk + 1) * SP_COOC_BLOCK - 1; /* the rest of the block is zero */
                continue;
            }
            double v = sp_cooc_dense_value(c, s->i, s->j);
            if (v != 0.0) {
                s->key = (uint64_t)s->i << 32 | (uint64_t)s->j;
                s->val = v;
                return 1;
            }
        }
        s->i++;
        s->j = s->i;
    }
    return 0;
}

/* Next nonzero pair of the hot block, in public order (positions i < j of hot_pub). */
static int hot_next(const sp_cooc *c, source *s)
{
    while (s->i < c->H) {
        while (++s->j < c->H) {
            int a = c->hot_pub[s->i], b = c->hot_pub[s->j];
            double v = sp_cooc_hot_value(c, a, b);
            if (v != 0.0) {
                s->key = (uint64_t)c->inv[a] << 32 | (uint64_t)c->inv[b];
                s->val = v;
                return 1;
            }
        }
        s->i++;
        s->j = s->i;
    }
    return 0;
}

static int source_next(const sp_cooc *c, source *s)
{
    if (s->kind == 0) return dense_next(c, s);
    if (s->kind == 2) return sp_cooc_run_next(&s->run, &s->key, &s->val);
    if (s->kind == 3) return hot_next(c, s);
    if (s->pos >= s->len) return 0;
    s->key = s->arr[s->pos].key;
    s->val = s->arr[s->pos++].val;
    return 1;
}

/* Tournament (loser) tree over the sources: leaves K..2K-1 are sources
 * 0..K-1 (those >= k empty), node t in 1..K-1 holds the loser of its
 * match, lose[0] the winner. An exhausted source has key DONE (no pair
 * (i < j < 2^31) packs to it). One comparison per level when the winner
 * advances: half a binary heap's. */
#define DONE UINT64_MAX

typedef struct tourney {
    source *src;
    size_t k, K;
    size_t *lose;
} tourney;

static inline uint64_t key_of(const tourney *t, size_t i) { return i < t->k ? t->src[i].key : DONE; }

static size_t play(tourney *t, size_t node)
{
    if (node >= t->K) return node - t->K;
    size_t a = play(t, 2 * node), b = play(t, 2 * node + 1);
    if (key_of(t, b) < key_of(t, a)) {
        size_t x = a;
        a = b;
        b = x;
    }
    t->lose[node] = b;
    return a;
}

/* Source w has moved on: replay its path to the root; the new winner. */
static size_t replay(tourney *t, size_t w)
{
    uint64_t kw = key_of(t, w);
    for (size_t node = (w + t->K) / 2; node >= 1; node /= 2) {
        size_t l = t->lose[node];
        uint64_t kl = key_of(t, l);
        if (kl < kw) {
            t->lose[node] = w;
            w = l;
            kw = kl;
        }
    }
    return t->lose[0] = w;
}

/* Sources: dense, table, hot block, store (unless runs_only), runs from
 * first_run on; run buffers share a quarter of the budget. */
static int sources_init(sp_cooc *c, size_t table_entries, int runs_only, size_t first_run,
                        source *src, size_t *count)
{
    size_t k = 0;
    if (!runs_only) {
        src[k++] = (source){.kind = 0, .i = 0, .j = 0};
        src[k++] = (source){.kind = 1, .arr = c->tab, .len = (int64_t)table_entries};
        src[k++] = (source){.kind = 3, .i = 0, .j = 0};
        src[k++] = (source){.kind = 1, .arr = c->st_arr, .len = (int64_t)c->st_len};
    }
    size_t nruns = c->nruns - first_run;
    size_t per_run = nruns ? c->opt.memory_bytes / 4 / nruns : 0; /* bytes */
    if (per_run < 4096) per_run = 4096;
    if (per_run > ((size_t)1 << 20)) per_run = (size_t)1 << 20;
    if (c->spill && fflush(c->spill) != 0)
        return sp_error(SP_EIO, "writing co-occurrence spill file failed (disk full?)");
    for (size_t r = first_run; r < c->nruns; r++) {
        src[k] = (source){.kind = 2};
        int rc = sp_cooc_run_reader_init(&src[k++].run, c, &c->runs[r], per_run);
        if (rc < 0) {
            *count = k;
            return rc;
        }
    }
    *count = k;
    return SP_OK;
}

static int merge_loop(sp_cooc *c, tourney *t, sp_cooc_visit visit, void *ctx)
{
    size_t w = t->lose[0];
    for (uint64_t key; (key = key_of(t, w)) != DONE;) {
        double v = 0.0;
        while (key_of(t, w) == key) {
            v += t->src[w].val;
            int rc = source_next(c, &t->src[w]);
            if (rc < 0) return rc;
            if (rc == 0) t->src[w].key = DONE;
            w = replay(t, w);
        }
        visit(ctx, (int)(key >> 32), (int)(key & 0xffffffffu), v);
    }
    return SP_OK;
}

static int merge_sources(sp_cooc *c, size_t table_entries, int runs_only, size_t first_run,
                         sp_cooc_visit visit, void *ctx)
{
    size_t ns = 0, K = 1;
    while (K < c->nruns + 4) K *= 2;
    source *src = sp_calloc(c->nruns + 4, sizeof *src);
    tourney t = {.src = src, .K = K, .lose = sp_calloc(K, sizeof *t.lose)};
    int rc = (src && t.lose) ? sources_init(c, table_entries, runs_only, first_run, src, &ns)
                             : SP_ENOMEM;
    for (size_t k = 0; rc == SP_OK && k < ns; k++) {
        rc = source_next(c, &src[k]);
        if (rc == 0) src[k].key = DONE;
        rc = rc < 0 ? rc : SP_OK;
    }
    t.k = ns;
    if (rc == SP_OK) {
        t.lose[0] = play(&t, 1);
        rc = merge_loop(c, &t, visit, ctx);
    }
    for (size_t k = 0; src && k < ns; k++) free(src[k].run.buf);
    free(src);
    free(t.lose);
    return rc;
}

int sp_cooc_merge(sp_cooc *c, size_t table_entries, int runs_only, sp_cooc_visit visit,
                  void *ctx)
{
    return merge_sources(c, table_entries, runs_only, 0, visit, ctx);
}

static void write_entry(void *ctx, int i, int j, double v)
{
    sp_cooc_run_put(ctx, (uint64_t)i << 32 | (uint64_t)j, v);
}

/* Longer runs first; equal lengths in file order. */
static int by_length_desc(const void *x, const void *y)
{
    const sp_cooc_run *a = x, *b = y;
    if (a->len != b->len) return a->len < b->len ? 1 : -1;
    return (a->start > b->start) - (a->start < b->start);
}

int sp_cooc_merge_runs(sp_cooc *c)
{
    qsort(c->runs, c->nruns, sizeof *c->runs, by_length_desc);
    size_t k = c->nruns / 2 < 2 ? 2 : c->nruns / 2, first = c->nruns - k;
    int64_t start = c->file_bytes;
    sp_cooc_run_writer w;
    int rc;
    if (fseeko(c->spill, start, SEEK_SET) != 0)
        return sp_error(SP_EIO, "cannot seek in co-occurrence spill file");
    if ((rc = sp_cooc_run_begin(c, &w, c->spill)) < 0 ||
        (rc = merge_sources(c, 0, 1, first, write_entry, &w)) < 0 ||
        (rc = sp_cooc_run_end(&w)) < 0)
        return rc;
    c->st.run_merges++;
    return sp_cooc_merged_run(c, first, start, &w);
}
