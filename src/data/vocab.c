/* vocab.c: the counting pass and the (field, value) -> id vocabulary of the
 * MindSpore Wide & Deep preprocessing (threshold "count > min_count", per-field
 * OOV ids, integer-field maxima), plus an optional frequency cap and hash mode.
 * Guarantees: ids are deterministic (count desc, then key); nothing random. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "data/data_internal.h"

struct sp_vocab_counter {
    int count_categories; /* 1: count the categorical values, 0: not, -1: out of memory */
    int64_t rows;
    int64_t int_max[SP_CRITEO_INT_FIELDS];
    sp_u64_map counts;
};

void sp_vocab_options_default(sp_vocab_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->min_count = 100;
    opt->dense = SP_DENSE_SCALE;
}

int sp_vocab_options_check(const sp_vocab_options *o)
{
    if (o->min_count < 0) return sp_error(SP_EINVAL, "min_count = %lld must be >= 0",
                                          (long long)o->min_count);
    if (o->vocab_size < 0 || o->vocab_size > INT_MAX - SP_VOCAB_FIRST_ID)
        return sp_error(SP_EINVAL, "vocab_size = %lld must be in [0, %d]",
                        (long long)o->vocab_size, INT_MAX - SP_VOCAB_FIRST_ID);
    if (o->hash_buckets < 0 || o->hash_buckets > INT_MAX - SP_VOCAB_FIRST_ID)
        return sp_error(SP_EINVAL, "hash_buckets = %lld must be in [0, %d]",
                        (long long)o->hash_buckets, INT_MAX - SP_VOCAB_FIRST_ID);
    if ((unsigned)o->dense >= SP_DENSE_MODE_COUNT)
        return sp_error(SP_EINVAL, "unknown dense mode %d", (int)o->dense);
    return SP_OK;
}

int sp_vocab_counter_new(sp_vocab_counter **out, int count_categories)
{
    *out = NULL;
    sp_vocab_counter *c = sp_calloc(1, sizeof *c);
    if (!c) return SP_ENOMEM;
    c->count_categories = count_categories != 0;
    if (sp_u64_map_init(&c->counts, count_categories ? 4096 : 1) < 0) {
        free(c);
        return SP_ENOMEM;
    }
    *out = c;
    return SP_OK;
}

/* The key of a row's categorical field f. */
static inline uint64_t row_key(const sp_criteo_row *row, int f)
{
    return sp_cat_key(f, row->cats[f], row->cat_present >> f & 1u);
}

/* A row's categorical keys and their home slots in m, every first probe
 * prefetched at once (the caller probes them next, in the same order). */
static void row_probes(const sp_u64_map *m, const sp_criteo_row *row, uint64_t *key, size_t *home)
{
    for (int f = 0; f < SP_CRITEO_CAT_FIELDS; f++) {
        key[f] = row_key(row, f);
        home[f] = sp_u64_map_home(m, key[f]);
        __builtin_prefetch(&m->slots[home[f]]);
    }
}

void sp_vocab_counter_add(sp_vocab_counter *c, const sp_criteo_row *row)
{
    c->rows++;
    for (int f = 0; f < SP_CRITEO_INT_FIELDS; f++)
        if ((row->int_present >> f & 1u) && row->ints[f] > c->int_max[f])
            c->int_max[f] = row->ints[f];
    if (c->count_categories != 1) return;
    sp_u64_map *m = &c->counts;
    if (sp_u64_map_reserve(m, SP_CRITEO_CAT_FIELDS) < 0) { /* build reports it */
        c->count_categories = -1;
        return;
    }
    uint64_t key[SP_CRITEO_CAT_FIELDS];
    size_t home[SP_CRITEO_CAT_FIELDS];
    row_probes(m, row, key, home);
    for (int f = 0; f < SP_CRITEO_CAT_FIELDS; f++) (*sp_u64_map_slot_from(m, key[f], home[f]))++;
}

void sp_vocab_counter_free(sp_vocab_counter *c)
{
    if (!c) return;
    sp_u64_map_uninit(&c->counts);
    free(c);
}

typedef struct vocab_entry {
    uint64_t key;
    int64_t count;
} vocab_entry;

/* Descending count, then ascending key. */
static int entry_cmp(const void *a, const void *b)
{
    const vocab_entry *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

/* Entries with count > min_count, sorted, capped: *out (malloc'ed), *n. */
static int select_entries(const sp_vocab_counter *c, const sp_vocab_options *o, vocab_entry **out,
                          int64_t *n)
{
    const sp_u64_map *m = &c->counts;
    size_t k = 0;
    vocab_entry *e = sp_malloc((m->count + 1) * sizeof *e);
    if (!e) return SP_ENOMEM;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key != UINT64_MAX && m->slots[i].val > o->min_count)
            e[k++] = (vocab_entry){m->slots[i].key, m->slots[i].val};
    qsort(e, k, sizeof *e, entry_cmp);
    if (o->vocab_size > 0 && (int64_t)k > o->vocab_size) k = (size_t)o->vocab_size;
    if ((int64_t)k > INT_MAX - SP_VOCAB_FIRST_ID) {
        free(e);
        return sp_error(SP_EINVAL, "vocabulary of %zu ids does not fit int ids; set vocab_size",
                        k);
    }
    *out = e;
    *n = (int64_t)k;
    return SP_OK;
}

int sp_vocab_index(sp_vocab *v)
{
    for (int x = 0; x < SP_LOG1P_TABLE; x++) v->log1p_small[x] = (float)log1p((double)x);
    if (v->opt.hash_buckets > 0) v->bucket_magic = sp_fastmod_magic((uint64_t)v->opt.hash_buckets);
    if (sp_u64_map_init(&v->index, (size_t)v->n) < 0) return SP_ENOMEM;
    for (int64_t i = 0; i < v->n; i++) {
        int64_t *slot = sp_u64_map_slot(&v->index, v->keys[i]);
        if (!slot) return SP_ENOMEM;
        *slot = i;
    }
    return SP_OK;
}

static int vocab_fill(sp_vocab *v, const vocab_entry *e)
{
    v->keys = sp_malloc(((size_t)v->n + 1) * sizeof *v->keys);
    v->counts = sp_malloc(((size_t)v->n + 1) * sizeof *v->counts);
    if (!v->keys || !v->counts) return SP_ENOMEM;
    for (int64_t i = 0; i < v->n; i++) {
        v->keys[i] = e[i].key;
        v->counts[i] = e[i].count;
    }
    return sp_vocab_index(v);
}

int sp_vocab_build(const sp_vocab_counter *c, const sp_vocab_options *opt, sp_vocab **out)
{
    *out = NULL;
    int rc = sp_vocab_options_check(opt);
    if (rc < 0) return rc;
    if (c->count_categories < 0) return sp_error(SP_ENOMEM, "out of memory while counting values");
    if (!c->count_categories && opt->hash_buckets == 0)
        return sp_error(SP_EINVAL, "counter did not count categories; hash_buckets needed");
    sp_vocab *v = sp_calloc(1, sizeof *v);
    if (!v) return SP_ENOMEM;
    v->opt = *opt;
    v->rows = c->rows;
    for (int f = 0; f < SP_CRITEO_INT_FIELDS; f++) v->int_max[f] = (double)c->int_max[f];
    vocab_entry *e = NULL;
    if (opt->hash_buckets == 0) rc = select_entries(c, opt, &e, &v->n);
    if (rc == SP_OK) rc = vocab_fill(v, e);
    free(e);
    if (rc < 0) {
        sp_vocab_free(v);
        return rc;
    }
    *out = v;
    return SP_OK;
}

int sp_vocab_build_from_file(const char *path, const sp_criteo_options *ropt,
                             const sp_vocab_options *opt, sp_vocab **v)
{
    *v = NULL;
    int rc = sp_vocab_options_check(opt);
    if (rc < 0) return rc;
    sp_criteo_reader *r = NULL;
    sp_vocab_counter *c = NULL;
    if ((rc = sp_criteo_reader_open(&r, path, ropt)) < 0) return rc;
    if ((rc = sp_vocab_counter_new(&c, opt->hash_buckets == 0)) < 0) goto done;
    sp_criteo_row row;
    while ((rc = sp_criteo_reader_next(r, &row)) == 1) sp_vocab_counter_add(c, &row);
    if (rc == 0) rc = sp_vocab_build(c, opt, v);
done:
    sp_vocab_counter_free(c);
    sp_criteo_reader_close(r);
    return rc;
}

void sp_vocab_free(sp_vocab *v)
{
    if (!v) return;
    free(v->keys);
    free(v->counts);
    sp_u64_map_uninit(&v->index);
    free(v);
}

int sp_vocab_n_ids(const sp_vocab *v)
{
    return SP_VOCAB_FIRST_ID + (int)(v->opt.hash_buckets > 0 ? v->opt.hash_buckets : v->n);
}

int64_t sp_vocab_rows(const sp_vocab *v) { return v->rows; }
sp_vocab_options sp_vocab_get_options(const sp_vocab *v) { return v->opt; }

double sp_vocab_int_max(const sp_vocab *v, int field)
{
    return (field >= 0 && field < SP_CRITEO_INT_FIELDS) ? v->int_max[field] : 0.0;
}

/* Id of key in hash mode: its bucket. */
static inline int bucket_id(const sp_vocab *v, uint64_t key)
{
    uint64_t b = (uint64_t)v->opt.hash_buckets;
    return SP_VOCAB_FIRST_ID + (int)sp_fastmod(sp_mix64(key), v->bucket_magic, b);
}

/* Id of a categorical value of field f from its vocabulary index (< 0: out of vocabulary). */
static inline int index_id(int f, int64_t i)
{
    return i < 0 ? SP_CRITEO_INT_FIELDS + f : SP_VOCAB_FIRST_ID + (int)i;
}

int sp_vocab_lookup(const sp_vocab *v, int field, uint32_t value, int present)
{
    uint64_t key = sp_cat_key(field, value, present);
    if (v->opt.hash_buckets > 0) return bucket_id(v, key);
    return index_id(field, sp_u64_map_get(&v->index, key, -1));
}

void sp_vocab_lookup_row(const sp_vocab *v, const sp_criteo_row *row, int *ids)
{
    if (v->opt.hash_buckets > 0) {
        for (int f = 0; f < SP_CRITEO_CAT_FIELDS; f++) ids[f] = bucket_id(v, row_key(row, f));
        return;
    }
    const sp_u64_map *m = &v->index;
    uint64_t key[SP_CRITEO_CAT_FIELDS];
    size_t home[SP_CRITEO_CAT_FIELDS];
    row_probes(m, row, key, home);
    for (int f = 0; f < SP_CRITEO_CAT_FIELDS; f++)
        ids[f] = index_id(f, sp_u64_map_get_from(m, key[f], home[f], -1));
}

int sp_vocab_entry(const sp_vocab *v, int id, int *field, uint32_t *value, int *present,
                   int64_t *count)
{
    if (v->opt.hash_buckets > 0 || id < SP_VOCAB_FIRST_ID || id - SP_VOCAB_FIRST_ID >= v->n)
        return sp_error(SP_EINVAL, "id %d is not a vocabulary id (vocabulary ids are [%d, %lld))",
                        id, SP_VOCAB_FIRST_ID, (long long)(SP_VOCAB_FIRST_ID + v->n));
    uint64_t key = v->keys[id - SP_VOCAB_FIRST_ID];
    *field = (int)(key >> 33);
    *present = !((key >> 32) & 1u);
    *value = (uint32_t)key;
    if (count) *count = v->counts[id - SP_VOCAB_FIRST_ID];
    return SP_OK;
}
