/* ctr_data.c: click data in memory for the trainer: a labelled Criteo file
 * read through data/'s reader and mapped with a vocabulary into (n, 39) ids
 * and weights, plus row gathers and a seeded train/validation split.
 * Guarantees the split depends only on (n, fraction, seed); holds the whole
 * mapped file in memory (about 300 bytes per row), does not stream. */
#include "spartan/train.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int sp_ctr_data_init(sp_ctr_data *d, int64_t n, int fields)
{
    memset(d, 0, sizeof *d);
    if (n < 0 || fields < 1)
        return sp_error(SP_EINVAL, "sp_ctr_data_init: %lld rows, %d fields", (long long)n, fields);
    size_t L = (size_t)(n ? n : 1) * (size_t)fields;
    d->ids = sp_calloc(L, sizeof(int));
    d->weights = sp_calloc(L, sizeof(float));
    d->labels = sp_calloc((size_t)(n ? n : 1), sizeof(float));
    if (!d->ids || !d->weights || !d->labels) {
        sp_ctr_data_uninit(d);
        return SP_ENOMEM;
    }
    d->n = n;
    d->fields = fields;
    return SP_OK;
}

void sp_ctr_data_uninit(sp_ctr_data *d)
{
    free(d->ids);
    free(d->weights);
    free(d->labels);
    memset(d, 0, sizeof *d);
}

/* Make room for at least n rows. */
static int ctr_data_grow(sp_ctr_data *d, int64_t *cap, int64_t n)
{
    if (n <= *cap) return SP_OK;
    int64_t c = *cap ? *cap : 4096;
    while (c < n)
        c *= 2;
    size_t L = (size_t)c * (size_t)d->fields;
    int *ids = sp_realloc(d->ids, L * sizeof(int));
    if (!ids) return SP_ENOMEM;
    d->ids = ids;
    float *w = sp_realloc(d->weights, L * sizeof(float));
    if (!w) return SP_ENOMEM;
    d->weights = w;
    float *y = sp_realloc(d->labels, (size_t)c * sizeof(float));
    if (!y) return SP_ENOMEM;
    d->labels = y;
    *cap = c;
    return SP_OK;
}

static void ctr_count_vocab(const sp_criteo_row *row, const int *ids, sp_ctr_load_stats *st)
{
    for (int f = 0; f < SP_CRITEO_CAT_FIELDS; f++) {
        if (!(row->cat_present >> f & 1u)) continue;
        st->cat_present++;
        st->cat_in_vocab += ids[SP_CRITEO_INT_FIELDS + f] >= SP_VOCAB_FIRST_ID;
    }
}

static int ctr_read_rows(sp_ctr_data *d, sp_criteo_reader *r, const sp_vocab *v,
                         sp_ctr_load_stats *st)
{
    int64_t cap = 0;
    sp_criteo_row row;
    int rc;
    while ((rc = sp_criteo_reader_next(r, &row)) == 1) {
        if (row.label != 0 && row.label != 1)
            return sp_error(SP_EFORMAT, "line %lld: label %d is not 0 or 1 (unlabelled data?)",
                            (long long)row.line, row.label);
        if ((rc = ctr_data_grow(d, &cap, d->n + 1)) < 0) return rc;
        size_t off = (size_t)d->n * SP_CRITEO_FIELDS;
        sp_feature_map(v, &row, 0, d->ids + off, d->weights + off);
        d->labels[d->n++] = (float)row.label;
        st->positives += row.label;
        ctr_count_vocab(&row, d->ids + off, st);
    }
    st->rows = d->n;
    return rc < 0 ? rc : SP_OK;
}

int sp_ctr_data_load(sp_ctr_data *d, const char *path, const sp_criteo_options *ro,
                     const sp_vocab *v, sp_ctr_load_stats *stats)
{
    memset(d, 0, sizeof *d);
    d->fields = SP_CRITEO_FIELDS;
    sp_ctr_load_stats st;
    memset(&st, 0, sizeof st);
    sp_criteo_reader *r = NULL;
    int rc = sp_criteo_reader_open(&r, path, ro);
    if (rc < 0) return rc;
    rc = ctr_read_rows(d, r, v, &st);
    sp_criteo_reader_close(r);
    if (rc < 0) {
        sp_ctr_data_uninit(d);
        return sp_error_prefix(rc, "%s: ", path);
    }
    if (stats) *stats = st;
    return SP_OK;
}

int sp_ctr_data_gather(const sp_ctr_data *src, const int64_t *idx, int64_t n, sp_ctr_data *dst)
{
    int rc = sp_ctr_data_init(dst, n, src->fields);
    if (rc < 0) return rc;
    size_t F = (size_t)src->fields;
    for (int64_t i = 0; i < n; i++) {
        if (idx[i] < 0 || idx[i] >= src->n) {
            sp_ctr_data_uninit(dst);
            return sp_error(SP_EINVAL, "sp_ctr_data_gather: row %lld outside [0, %lld)",
                            (long long)idx[i], (long long)src->n);
        }
        memcpy(dst->ids + (size_t)i * F, src->ids + (size_t)idx[i] * F, F * sizeof(int));
        memcpy(dst->weights + (size_t)i * F, src->weights + (size_t)idx[i] * F, F * sizeof(float));
        dst->labels[i] = src->labels[idx[i]];
    }
    return SP_OK;
}

/* is_valid (n): exactly round(fraction n) ones, chosen by a seeded shuffle. */
static int split_mask(int64_t n, double fraction, uint64_t seed, unsigned char **mask)
{
    int64_t *perm = sp_malloc((size_t)(n ? n : 1) * sizeof *perm);
    *mask = sp_calloc((size_t)(n ? n : 1), 1);
    if (!perm || !*mask) {
        free(perm);
        free(*mask);
        return SP_ENOMEM;
    }
    sp_rng rng;
    sp_rng_seed_stream(&rng, seed, 7);
    for (int64_t i = 0; i < n; i++)
        perm[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)sp_rng_below(&rng, (uint64_t)i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    int64_t nv = (int64_t)llround(fraction * (double)n);
    for (int64_t i = 0; i < nv; i++)
        (*mask)[perm[i]] = 1;
    free(perm);
    return SP_OK;
}

int sp_ctr_data_split(const sp_ctr_data *all, double valid_fraction, uint64_t seed,
                      sp_ctr_data *train, sp_ctr_data *valid)
{
    if (!(valid_fraction >= 0.0 && valid_fraction < 1.0))
        return sp_error(SP_EINVAL, "split: validation fraction %g outside [0, 1)", valid_fraction);
    unsigned char *mask = NULL;
    int rc = split_mask(all->n, valid_fraction, seed, &mask);
    if (rc < 0) return rc;
    int64_t *idx = sp_malloc((size_t)(all->n ? all->n : 1) * sizeof *idx), nt = 0, nv = 0;
    if (!idx) {
        free(mask);
        return SP_ENOMEM;
    }
    for (int64_t i = 0; i < all->n; i++)
        if (!mask[i]) idx[nt++] = i;
    for (int64_t i = 0; i < all->n; i++)
        if (mask[i]) idx[nt + nv++] = i;
    rc = sp_ctr_data_gather(all, idx, nt, train);
    if (rc == SP_OK && (rc = sp_ctr_data_gather(all, idx + nt, nv, valid)) < 0)
        sp_ctr_data_uninit(train);
    free(idx);
    free(mask);
    return rc;
}
