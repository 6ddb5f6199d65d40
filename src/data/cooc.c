/* cooc.c: streaming co-occurrence accumulator C = X^T X: options, rows in
 * (checked, then buffered for cooc_chunk.c and cooc_hot.c), the dense rows of frequent ids
 * (i < h: uint32 counts or double weights) and the open-addressing hash of
 * packed (i, j) keys for the rest, sorted and spilled to a temp file as a run
 * whenever it would outgrow the memory budget. Does not accumulate pairs
 * (cooc_chunk.c), assemble the output (cooc_finish.c), write runs
 * (cooc_runs.c) nor merge them (cooc_merge.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "data/cooc_internal.h"

void sp_cooc_options_default(sp_cooc_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->memory_bytes = (size_t)512 << 20;
    opt->dense_ids = -1;
}

sp_cooc_stats sp_cooc_get_stats(const sp_cooc *c) { return c->st; }

/* Bytes per dense cell: double weights, or uint32 counts (flushed before overflow). */
static size_t cell_bytes(const sp_cooc_options *o) { return o->weighted ? 8 : 4; }

/* Dense rows: only when asked for (the hot block and the sorted store
 * serve the default better: they touch only the memory the pairs need). */
static int64_t dense_block_ids(int n, const sp_cooc_options *o)
{
    if (o->dense_ids >= 0) return o->dense_ids < n ? o->dense_ids : n;
    return 0;
}

static int check_options(int n, const sp_cooc_options *o)
{
    if (n < 1) return sp_error(SP_EINVAL, "co-occurrence size n = %d must be >= 1", n);
    if ((unsigned)o->normalize >= SP_COOC_NORM_COUNT)
        return sp_error(SP_EINVAL, "unknown normalization %d", (int)o->normalize);
    if (o->memory_bytes < ((size_t)64 << 10))
        return sp_error(SP_EINVAL, "memory budget %zu bytes is below the minimum 64 KiB",
                        o->memory_bytes);
    int all = o->row_begin == 0 && o->row_end == 0;
    if (!all && (o->row_begin < 0 || o->row_begin > o->row_end || o->row_end > n))
        return sp_error(SP_EINVAL, "row range [%d, %d) is not within [0, %d]", o->row_begin,
                        o->row_end, n);
    if (!all && o->normalize == SP_COOC_NORM_SYM)
        return sp_error(SP_EINVAL, "sym normalization needs every row's sum: build the row "
                        "block unnormalized and scale after reducing the row sums");
    return SP_OK;
}

/* Store and hash table from what the budget leaves after diag, dense rows,
 * chunk and hot block; at least a quarter of the budget. (The arrays sized
 * by n, about 35 bytes an id, can take the whole budget of a small
 * --memory: a store of a few entries would then spill a run every few
 * pairs. The floor costs a quarter of the budget above it instead, and
 * st.memory_bytes says so.) */
static int table_init(sp_cooc *c)
{
    size_t used = (size_t)c->n * sizeof(double) + (size_t)(c->h * c->n) * cell_bytes(&c->opt) +
                  (size_t)(c->h * c->touched_words) * sizeof(uint64_t) +
                  sp_cooc_chunk_bytes(c->n, &c->opt) + sp_cooc_hot_bytes(c->n, &c->opt);
    size_t left = c->opt.memory_bytes > used ? c->opt.memory_bytes - used : 0;
    if (left < c->opt.memory_bytes / 4) left = c->opt.memory_bytes / 4;
    c->st.memory_bytes = (int64_t)(used + left);
    int rc = sp_cooc_store_init(c, left - left / 8);
    if (rc < 0) return rc;
    left /= 8; /* the table only takes flushed counts and hash-only rows */
    c->max_cap = 256;
    while (c->max_cap * 2 * sizeof(sp_cooc_entry) <= left) c->max_cap *= 2;
    c->cap = c->max_cap < ((size_t)1 << 14) ? c->max_cap : ((size_t)1 << 14);
    c->shift = 64;
    for (size_t k = c->cap; k > 1; k >>= 1) c->shift--;
    c->tab = sp_malloc(c->cap * sizeof *c->tab);
    if (!c->tab) return SP_ENOMEM;
    for (size_t i = 0; i < c->cap; i++) c->tab[i].key = SP_COOC_EMPTY;
    return SP_OK;
}

/* Dense block (zeroed lazily by the system: untouched pages cost nothing)
 * and its touched map. */
static int dense_init(sp_cooc *c)
{
    size_t cells = (size_t)(c->h * c->n) + 1;
    c->touched_words = (((int64_t)c->n + SP_COOC_BLOCK - 1) / SP_COOC_BLOCK + 63) / 64;
    c->touched = sp_calloc((size_t)(c->h * c->touched_words) + 1, sizeof *c->touched);
    if (c->opt.weighted) c->sq = sp_calloc(cells, sizeof *c->sq);
    else c->sq32 = sp_calloc(cells, sizeof *c->sq32);
    c->sq32_limit = UINT32_MAX;
    return (c->touched && (c->sq || c->sq32)) ? SP_OK : SP_ENOMEM;
}

int sp_cooc_new(sp_cooc **out, int n, const sp_cooc_options *opt)
{
    *out = NULL;
    sp_cooc_options def;
    sp_cooc_options_default(&def);
    if (!opt) opt = &def;
    int rc = check_options(n, opt);
    if (rc < 0) return rc;
    sp_cooc *c = sp_calloc(1, sizeof *c);
    if (!c) return SP_ENOMEM;
    c->n = n;
    c->opt = *opt;
    c->h = dense_block_ids(n, opt);
    c->max_runs = opt->memory_bytes / 4 / (256 * sizeof(sp_cooc_entry)); /* merge buffers */
    if (c->max_runs > 256) c->max_runs = 256;
    if (c->max_runs < 4) c->max_runs = 4;
    c->lo = opt->row_begin;
    c->hi = (opt->row_begin == 0 && opt->row_end == 0) ? n : opt->row_end;
    c->st.dense_ids = c->h;
    c->hot_req = -1;
    c->diag = sp_calloc((size_t)n, sizeof *c->diag);
    if (!c->diag || (rc = dense_init(c)) < 0 || (rc = sp_cooc_chunk_init(c)) < 0 ||
        (rc = table_init(c)) < 0) {
        sp_cooc_free(c);
        return rc < 0 ? rc : SP_ENOMEM;
    }
    *out = c;
    return SP_OK;
}

void sp_cooc_free(sp_cooc *c)
{
    if (!c) return;
    if (c->spill) fclose(c->spill);
    free(c->diag);
    free(c->sq);
    free(c->sq32);
    free(c->touched);
    free(c->tab);
    free(c->runs);
    free(c->run_buf);
    sp_cooc_chunk_uninit(&c->ch);
    sp_cooc_hot_free(c);
    sp_cooc_store_free(c);
    free(c);
}

static inline size_t slot_of(const sp_cooc *c, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> c->shift);
}

static void table_insert(sp_cooc *c, uint64_t key, double v)
{
    size_t mask = c->cap - 1, i = slot_of(c, key);
    while (c->tab[i].key != SP_COOC_EMPTY && c->tab[i].key != key) i = (i + 1) & mask;
    if (c->tab[i].key == key) {
        c->tab[i].val += v;
    } else {
        c->tab[i].key = key;
        c->tab[i].val = v;
        c->count++;
    }
}

static int table_grow(sp_cooc *c)
{
    sp_cooc_entry *old = c->tab;
    size_t old_cap = c->cap;
    sp_cooc_entry *tab = sp_malloc(2 * old_cap * sizeof *tab);
    if (!tab) return SP_ENOMEM;
    for (size_t i = 0; i < 2 * old_cap; i++) tab[i].key = SP_COOC_EMPTY;
    c->tab = tab;
    c->cap = 2 * old_cap;
    c->shift--;
    c->count = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key != SP_COOC_EMPTY) table_insert(c, old[i].key, old[i].val);
    free(old);
    return SP_OK;
}

static int spill_run(sp_cooc *c)
{
    size_t k = sp_cooc_table_compact(c);
    int rc = sp_cooc_spill_entries(c, c->tab, k);
    for (size_t i = 0; i < c->cap; i++) c->tab[i].key = SP_COOC_EMPTY;
    c->count = 0;
    return rc;
}

/* Room for one more entry: grow while allowed, else spill a run. */
static int table_make_room(sp_cooc *c)
{
    if (4 * (c->count + 1) <= 3 * c->cap) return SP_OK;
    if (c->cap < c->max_cap) return table_grow(c);
    return spill_run(c);
}

/* The message for a row with an id out of range or a non-finite weight. */
static int row_error(const sp_cooc *c, const int *ids, const float *w, int k)
{
    for (int t = 0; t < k; t++) {
        if (ids[t] < 0 || ids[t] >= c->n)
            return sp_error(SP_EINVAL, "row %lld: id %d outside [0, %d)",
                            (long long)c->st.rows + 1, ids[t], c->n);
        if (c->opt.weighted && w && !isfinite(w[t]))
            return sp_error(SP_EINVAL, "row %lld: weight of id %d is not finite",
                            (long long)c->st.rows + 1, ids[t]);
    }
    return sp_error(SP_EINTERNAL, "row %lld: rejected without a reason", (long long)c->st.rows + 1);
}

int sp_cooc_table_add(sp_cooc *c, uint64_t key, double v)
{
    int rc = table_make_room(c);
    if (rc < 0) return rc;
    table_insert(c, key, v);
    return SP_OK;
}

/* Move the uint32 counts into the table before they could overflow (every
 * 2^32 - 1 rows); the merge sums a key found in several sources. */
int sp_cooc_flush_counts(sp_cooc *c)
{
    for (int64_t i = 0; i < c->h; i++) {
        for (int64_t j = i + 1; j < c->n; j++) {
            if (!sp_cooc_block_touched(c, i, j / SP_COOC_BLOCK)) continue;
            double v = sp_cooc_dense_value(c, i, j);
            if (v == 0.0) continue;
            int rc = sp_cooc_table_add(c, (uint64_t)i << 32 | (uint64_t)j, v);
            if (rc < 0) return rc;
            c->sq32[i * c->n + j] = 0;
        }
    }
    c->sq32_rows = 0;
    return SP_OK;
}

/* Room for one more row of k entries in the chunk: accumulate it when full. */
static int chunk_room(sp_cooc *c, int k)
{
    sp_cooc_chunk *ch = &c->ch;
    if (ch->used + k <= ch->cap) return SP_OK;
    int rc = sp_cooc_chunk_flush(c);
    if (rc < 0 || k <= ch->cap) return rc;
    return sp_cooc_chunk_grow(c, k); /* one row longer than the whole chunk */
}

int sp_cooc_flush(sp_cooc *c)
{
    if (c->finished) return sp_error(SP_EINVAL, "sp_cooc_flush after sp_cooc_finish");
    return sp_cooc_chunk_flush(c);
}

int sp_cooc_add(sp_cooc *c, const int *ids, const float *weights, int k)
{
    if (c->finished) return sp_error(SP_EINVAL, "sp_cooc_add after sp_cooc_finish");
    if (k < 0 || (k > 0 && !ids)) return sp_error(SP_EINVAL, "bad row: k = %d", k);
    int bad = 0, weighted = c->opt.weighted && weights;
    for (int t = 0; t < k; t++)
        bad |= (ids[t] < 0) | (ids[t] >= c->n) | (weighted && !isfinite(weights[t]));
    if (bad) return row_error(c, ids, weights, k);
    int rc = chunk_room(c, k);
    if (rc < 0) return rc;
    c->st.rows++;
    if (k == 0) return SP_OK;
    sp_cooc_chunk *ch = &c->ch;
    memcpy(ch->ids + ch->used, ids, (size_t)k * sizeof *ids);
    if (c->opt.weighted)
        for (int t = 0; t < k; t++) ch->w[ch->used + t] = weighted ? weights[t] : 1.0f;
    ch->used += k;
    ch->row_start[++ch->rows] = ch->used;
    sp_cooc_chunk_sort_last(c); /* while the row is in cache */
    return SP_OK;
}
