/* cooc_store.c: the sorted store of the co-occurrence pairs that involve a
 * cold id. Each chunk emits its pair totals in ascending internal key
 * (larger id << 32 | smaller id) into a buffer, which is merged into the
 * store (a sorted array) by one linear pass: every pair's value is the sum of
 * its chunk totals in chunk order. When the store would outgrow its share of
 * the budget it is written as a run (public keys, sorted) and restarted.
 * Does not accumulate pairs (cooc_chunk.c) nor merge runs (cooc_merge.c). */
#include <stdlib.h>
#include <string.h>
#include "data/cooc_internal.h"

int sp_cooc_store_init(sp_cooc *c, size_t bytes)
{
    size_t e = bytes / sizeof(sp_cooc_entry) / 5; /* store, merge target: 2 each; buffer: 1 */
    if (e < 64) e = 64;
    c->st_cap = 2 * e;
    c->buf_cap = e;
    c->st_arr = sp_malloc(c->st_cap * sizeof *c->st_arr);
    c->st_alt = sp_malloc(c->st_cap * sizeof *c->st_alt);
    c->buf = sp_malloc(c->buf_cap * sizeof *c->buf);
    return c->st_arr && c->st_alt && c->buf ? SP_OK : SP_ENOMEM;
}

void sp_cooc_store_free(sp_cooc *c)
{
    free(c->st_arr);
    free(c->st_alt);
    free(c->buf);
}

static int id_bits_of(const sp_cooc *c)
{
    int id_bits = 1;
    while (id_bits < 32 && ((int64_t)1 << id_bits) < c->n) id_bits++;
    return id_bits;
}

/* The public ids of an internal key, smaller in *i. */
static inline void public_ids(const sp_cooc *c, uint64_t key, uint64_t *i, uint64_t *j)
{
    uint64_t a = (uint64_t)c->inv[key & 0xffffffffu], b = (uint64_t)c->inv[key >> 32];
    *i = a < b ? a : b;
    *j = a < b ? b : a;
}

/* Internal keys of the store to public ones (i < j), sorted. */
static void to_public(sp_cooc *c)
{
    for (size_t k = 0; k < c->st_len; k++) {
        uint64_t i, j;
        public_ids(c, c->st_arr[k].key, &i, &j);
        c->st_arr[k].key = i << 32 | j;
    }
    int id_bits = id_bits_of(c);
    sp_cooc_entry *sorted = sp_cooc_radix_sort(c->st_arr, c->st_alt, c->st_len, id_bits);
    if (sorted != c->st_arr) { /* the result is in the merge target: swap the two */
        c->st_alt = c->st_arr;
        c->st_arr = sorted;
    }
}

/* Count mode: the store as words, public key (i above j, id_bits each)
 * above the count (cbits), in st_alt (room for twice as many words);
 * 0 when a count does not fit, the store untouched. */
static int pack_store(sp_cooc *c, int id_bits, int cbits)
{
    uint64_t *w = (uint64_t *)(void *)c->st_alt, limit = (uint64_t)1 << cbits;
    if (c->pack_limit && c->pack_limit < limit) limit = c->pack_limit;
    for (size_t k = 0; k < c->st_len; k++) {
        uint64_t count = (uint64_t)c->st_arr[k].val, i, j;
        if (count >= limit) return 0;
        public_ids(c, c->st_arr[k].key, &i, &j);
        w[k] = (i << id_bits | j) << cbits | count;
    }
    return 1;
}

/* The packed store sorted (st_arr as scratch) and written as a run. */
static int spill_packed(sp_cooc *c, int id_bits, int cbits)
{
    uint64_t *w = sp_cooc_radix_sort_words((uint64_t *)(void *)c->st_alt,
                                           (uint64_t *)(void *)c->st_arr, c->st_len, cbits);
    uint64_t cmask = ((uint64_t)1 << cbits) - 1, jmask = ((uint64_t)1 << id_bits) - 1;
    sp_cooc_run_writer wr;
    int rc = sp_cooc_run_open(c, &wr);
    if (rc < 0) return rc;
    for (size_t k = 0; k < c->st_len; k++) {
        uint64_t pub = w[k] >> cbits;
        sp_cooc_run_put(&wr, (pub >> id_bits) << 32 | (pub & jmask), (double)(w[k] & cmask));
    }
    return sp_cooc_run_close(c, &wr);
}

/* The store as a sorted run in the spill file; the store is empty after.
 * Count mode sorts it as packed words when every count fits beside its key
 * (half the bytes of entries). */
static int spill_store(sp_cooc *c)
{
    int id_bits = id_bits_of(c), cbits = 64 - 2 * id_bits, rc;
    if (!c->opt.weighted && cbits >= 8 && pack_store(c, id_bits, cbits)) {
        rc = spill_packed(c, id_bits, cbits);
    } else {
        to_public(c);
        rc = sp_cooc_spill_entries(c, c->st_arr, c->st_len);
    }
    c->st_len = 0;
    return rc;
}

/* Merge the buffer into the store (spilling the store first when both do
 * not fit); the buffer is empty after. */
int sp_cooc_store_merge(sp_cooc *c)
{
    if (c->buf_len == 0) return SP_OK;
    int rc = SP_OK;
    if (c->st_len + c->buf_len > c->st_cap && (rc = spill_store(c)) < 0) return rc;
    const sp_cooc_entry *s = c->st_arr, *b = c->buf;
    size_t i = 0, j = 0, k = 0, ns = c->st_len, nb = c->buf_len;
    sp_cooc_entry *out = c->st_alt;
    while (i < ns && j < nb) {
        if (s[i].key < b[j].key) out[k++] = s[i++];
        else if (s[i].key > b[j].key) out[k++] = b[j++];
        else {
            out[k] = s[i++];
            out[k++].val += b[j++].val;
        }
    }
    memcpy(out + k, s + i, (ns - i) * sizeof *out);
    k += ns - i;
    memcpy(out + k, b + j, (nb - j) * sizeof *out);
    k += nb - j;
    c->st_alt = c->st_arr;
    c->st_arr = out;
    c->st_len = k;
    c->buf_len = 0;
    return SP_OK;
}

int sp_cooc_store_finish(sp_cooc *c)
{
    int rc = sp_cooc_store_merge(c);
    if (rc == SP_OK && c->inv) to_public(c);
    return rc;
}
