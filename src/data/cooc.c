/* cooc.c: streaming co-occurrence accumulator C = X^T X. Pairs of frequent ids
 * (both < h) go to a dense h x h block (uint32 counts or double weights), the
 * rest to an open-addressing hash of packed (i, j) keys that is sorted and
 * spilled to a temp file as a run whenever it would outgrow the memory budget.
 * Does not assemble the output (cooc_finish.c) nor merge runs (cooc_merge.c). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

/* Dense block size: explicit, or the largest h with h^2 cells in half the budget. */
static int64_t dense_block_ids(int n, const sp_cooc_options *o)
{
    if (o->dense_ids >= 0) return o->dense_ids < n ? o->dense_ids : n;
    int64_t h = (int64_t)sqrt((double)(o->memory_bytes / 2) / (double)cell_bytes(o));
    return h < n ? h : n;
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

/* Hash table limits from what the budget leaves after diag and triangle. */
static int table_init(sp_cooc *c)
{
    size_t used = (size_t)c->n * (sizeof(double) + sizeof(uint32_t) + sizeof(int)) +
                  (size_t)(c->h * c->h) * cell_bytes(&c->opt);
    size_t left = c->opt.memory_bytes > used ? c->opt.memory_bytes - used : 0;
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
    c->diag = sp_calloc((size_t)n, sizeof *c->diag);
    c->stamp = sp_calloc((size_t)n, sizeof *c->stamp);
    c->slot = sp_calloc((size_t)n, sizeof *c->slot);
    size_t cells = (size_t)(c->h * c->h) + 1;
    if (opt->weighted) c->sq = sp_calloc(cells, sizeof *c->sq);
    else c->sq32 = sp_calloc(cells, sizeof *c->sq32);
    c->sq32_limit = UINT32_MAX;
    if (!c->diag || !c->stamp || !c->slot || (!c->sq && !c->sq32) ||
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
    if (c->spill_alt) fclose(c->spill_alt);
    free(c->diag);
    free(c->sq);
    free(c->sq32);
    free(c->stamp);
    free(c->slot);
    free(c->tab);
    free(c->run_start);
    free(c->run_len);
    free(c->sid);
    free(c->sw);
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

/* Temp file for runs: in tmp_dir, $TMPDIR or /tmp, unlinked at once. */
int sp_cooc_spill_open(const sp_cooc *c, FILE **fp)
{
    const char *dir = c->opt.tmp_dir ? c->opt.tmp_dir : getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    char path[4096];
    snprintf(path, sizeof path, "%s/spartan-cooc-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0)
        return sp_error(SP_EIO, "%s: cannot create spill file: %s", path, strerror(errno));
    unlink(path);
    *fp = fdopen(fd, "w+b");
    if (!*fp) {
        close(fd);
        return sp_error(SP_EIO, "cannot open spill file in %s", dir);
    }
    return SP_OK;
}

static int spill_run(sp_cooc *c)
{
    int rc;
    if (!c->spill && (rc = sp_cooc_spill_open(c, &c->spill)) < 0) return rc;
    if (c->nruns == c->runs_cap) {
        size_t cap = c->runs_cap ? 2 * c->runs_cap : 16;
        int64_t *s = sp_realloc(c->run_start, cap * sizeof *s);
        if (!s) return SP_ENOMEM;
        c->run_start = s;
        int64_t *l = sp_realloc(c->run_len, cap * sizeof *l);
        if (!l) return SP_ENOMEM;
        c->run_len = l;
        c->runs_cap = cap;
    }
    size_t k = sp_cooc_table_compact(c);
    if (fseeko(c->spill, 0, SEEK_END) != 0 || fwrite(c->tab, sizeof *c->tab, k, c->spill) != k)
        return sp_error(SP_EIO, "writing co-occurrence spill file failed (disk full?)");
    c->run_start[c->nruns] = c->file_entries;
    c->run_len[c->nruns++] = (int64_t)k;
    c->file_entries += (int64_t)k;
    c->st.spills++;
    c->st.spilled_entries += (int64_t)k;
    for (size_t i = 0; i < c->cap; i++) c->tab[i].key = SP_COOC_EMPTY;
    c->count = 0;
    return c->nruns >= c->max_runs ? sp_cooc_merge_runs(c) : SP_OK;
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

static int scratch_reserve(sp_cooc *c, int k)
{
    if (k <= c->scap) return SP_OK;
    int cap = k < 64 ? 64 : k;
    int *s = sp_realloc(c->sid, (size_t)cap * sizeof *s);
    if (!s) return SP_ENOMEM;
    c->sid = s;
    float *w = sp_realloc(c->sw, (size_t)cap * sizeof *w);
    if (!w) return SP_ENOMEM;
    c->sw = w;
    c->scap = cap;
    return SP_OK;
}

/* Next row's tag for the duplicate check (stamps reset when it wraps). */
static void next_tag(sp_cooc *c)
{
    if (++c->tag == 0) {
        memset(c->stamp, 0, (size_t)c->n * sizeof *c->stamp);
        c->tag = 1;
    }
}

/* Copy the row's distinct ids into scratch, those below h first (order
 * otherwise kept); duplicate weights summed (1 in count mode). Returns the
 * distinct count and *m_dense, or < 0. */
static int row_prepare(sp_cooc *c, const int *ids, const float *w, int k, int *m_dense)
{
    int rc = scratch_reserve(c, k), bad = 0, m = 0;
    if (rc < 0) return rc;
    for (int t = 0; t < k; t++)
        bad |= (ids[t] < 0) | (ids[t] >= c->n) | (c->opt.weighted && w && !isfinite(w[t]));
    if (bad) return row_error(c, ids, w, k);
    next_tag(c);
    int *s = c->sid;
    float *sw = c->sw;
    for (int t = 0; t < k; t++) {
        int id = ids[t];
        float wt = (c->opt.weighted && w) ? w[t] : 1.0f;
        if (c->stamp[id] == c->tag) {
            if (c->opt.weighted) sw[c->slot[id]] += wt;
            continue;
        }
        c->stamp[id] = c->tag;
        c->slot[id] = m;
        s[m] = id;
        sw[m++] = wt;
    }
    int d = 0; /* stable enough partition: dense ids to the front */
    for (int t = 0; t < m; t++) {
        if (s[t] >= c->h) continue;
        int id = s[t];
        float wt = sw[t];
        s[t] = s[d];
        sw[t] = sw[d];
        s[d] = id;
        sw[d++] = wt;
    }
    *m_dense = d;
    return m;
}

/* Pairs a < b < m_dense (positions) into the dense block. */
static void add_dense(sp_cooc *c, int m_dense)
{
    const int *s = c->sid;
    const float *w = c->sw;
    const size_t h = (size_t)c->h;
    if (!c->opt.weighted) {
        for (int b = 1; b < m_dense; b++) {
            uint32_t *row = c->sq32 + (size_t)s[b] * h;
            int a = 0;
            for (; a + 4 <= b; a += 4) {
                row[s[a]]++;
                row[s[a + 1]]++;
                row[s[a + 2]]++;
                row[s[a + 3]]++;
            }
            for (; a < b; a++) row[s[a]]++;
        }
        return;
    }
    for (int b = 1; b < m_dense; b++) {
        double *row = c->sq + (size_t)s[b] * h;
        double wb = w[b];
        for (int a = 0; a < b; a++) row[s[a]] += wb * (double)w[a];
    }
}

/* Pairs (a, b) with b >= m_dense (positions) into the hash table, key min, max. */
static int add_hashed(sp_cooc *c, int m_dense, int m)
{
    const int *s = c->sid;
    const float *w = c->sw;
    for (int b = m_dense; b < m; b++) {
        uint64_t jb = (uint64_t)s[b];
        int b_kept = s[b] >= c->lo && s[b] < c->hi;
        for (int a = 0; a < b; a++) {
            if (!b_kept && (s[a] < c->lo || s[a] >= c->hi)) continue; /* no kept row */
            int rc = table_make_room(c);
            if (rc < 0) return rc;
            uint64_t ia = (uint64_t)s[a];
            uint64_t key = ia < jb ? (ia << 32 | jb) : (jb << 32 | ia);
            double v = c->opt.weighted ? (double)w[a] * (double)w[b] : 1.0;
            table_insert(c, key, v);
        }
    }
    return SP_OK;
}

/* Move the uint32 counts into the table before they could overflow (every
 * 2^32 - 1 rows); the merge sums a key found in several sources. */
static int flush_counts(sp_cooc *c)
{
    for (int64_t i = 0; i < c->h; i++) {
        for (int64_t j = i + 1; j < c->h; j++) {
            double v = sp_cooc_dense_value(c, i, j);
            if (v == 0.0) continue;
            int rc = table_make_room(c);
            if (rc < 0) return rc;
            table_insert(c, (uint64_t)i << 32 | (uint64_t)j, v);
            c->sq32[i * c->h + j] = c->sq32[j * c->h + i] = 0;
        }
    }
    c->sq32_rows = 0;
    return SP_OK;
}

int sp_cooc_add(sp_cooc *c, const int *ids, const float *weights, int k)
{
    if (c->finished) return sp_error(SP_EINVAL, "sp_cooc_add after sp_cooc_finish");
    if (k < 0 || (k > 0 && !ids)) return sp_error(SP_EINVAL, "bad row: k = %d", k);
    int m_dense = 0, rc;
    int m = row_prepare(c, ids, weights, k, &m_dense);
    if (m < 0) return m;
    if (c->sq32 && c->sq32_rows >= c->sq32_limit && (rc = flush_counts(c)) < 0) return rc;
    c->sq32_rows++;
    c->st.rows++;
    for (int t = 0; t < m; t++) {
        double wt = c->sw[t];
        c->diag[c->sid[t]] += c->opt.weighted ? wt * wt : 1.0;
    }
    add_dense(c, m_dense);
    return add_hashed(c, m_dense, m);
}
