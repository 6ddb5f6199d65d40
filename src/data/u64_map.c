/* u64_map.c: open-addressing (linear probing) hash map from 64-bit keys to
 * int64 values, kept at most half full. Used for vocabulary counts and ids.
 * Does not support deletion. */
#include <stdlib.h>
#include <string.h>
#include "data/data_internal.h"

static int map_alloc(sp_u64_map *m, size_t cap)
{
    m->keys = sp_malloc(cap * sizeof *m->keys);
    m->vals = sp_malloc(cap * sizeof *m->vals);
    if (!m->keys || !m->vals) {
        free(m->keys);
        free(m->vals);
        m->keys = NULL;
        m->vals = NULL;
        return SP_ENOMEM;
    }
    memset(m->keys, 0xff, cap * sizeof *m->keys);
    m->cap = cap;
    m->count = 0;
    m->shift = 64;
    for (size_t k = cap; k > 1; k >>= 1) m->shift--;
    return SP_OK;
}

int sp_u64_map_init(sp_u64_map *m, size_t expected)
{
    size_t cap = 64;
    while (cap < 2 * expected) cap *= 2;
    return map_alloc(m, cap);
}

void sp_u64_map_uninit(sp_u64_map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static int64_t *find_or_insert(sp_u64_map *m, uint64_t key)
{
    size_t mask = m->cap - 1, i = sp_u64_map_home(m, key);
    for (;; i = (i + 1) & mask) {
        if (m->keys[i] == key) return &m->vals[i];
        if (m->keys[i] == UINT64_MAX) {
            m->keys[i] = key;
            m->vals[i] = 0;
            m->count++;
            return &m->vals[i];
        }
    }
}

static int grow(sp_u64_map *m)
{
    sp_u64_map old = *m;
    if (map_alloc(m, old.cap * 2) < 0) {
        *m = old;
        return SP_ENOMEM;
    }
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i] != UINT64_MAX) *find_or_insert(m, old.keys[i]) = old.vals[i];
    sp_u64_map_uninit(&old);
    return SP_OK;
}

int64_t *sp_u64_map_slot(sp_u64_map *m, uint64_t key)
{
    if (2 * (m->count + 1) > m->cap && grow(m) < 0) return NULL;
    return find_or_insert(m, key);
}
