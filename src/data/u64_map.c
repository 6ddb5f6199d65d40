/* u64_map.c: open-addressing (linear probing) hash map from 64-bit keys to
 * int64 values, kept at most half full. Used for vocabulary counts and ids.
 * Does not support deletion. */
#include <stdlib.h>
#include <string.h>
#include "data/data_internal.h"

static int map_alloc(sp_u64_map *m, size_t cap)
{
    m->slots = sp_malloc(cap * sizeof *m->slots);
    if (!m->slots) return SP_ENOMEM;
    memset(m->slots, 0xff, cap * sizeof *m->slots); /* every key UINT64_MAX: empty */
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
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static int grow(sp_u64_map *m)
{
    sp_u64_map old = *m;
    if (map_alloc(m, old.cap * 2) < 0) {
        *m = old;
        return SP_ENOMEM;
    }
    for (size_t i = 0; i < old.cap; i++) {
        uint64_t key = old.slots[i].key;
        if (key != UINT64_MAX) *sp_u64_map_slot_from(m, key, sp_u64_map_home(m, key)) = old.slots[i].val;
    }
    sp_u64_map_uninit(&old);
    return SP_OK;
}

int sp_u64_map_reserve(sp_u64_map *m, size_t extra)
{
    while (2 * (m->count + extra) > m->cap)
        if (grow(m) < 0) return SP_ENOMEM;
    return SP_OK;
}

int64_t *sp_u64_map_slot_from(sp_u64_map *m, uint64_t key, size_t home)
{
    size_t mask = m->cap - 1, i = home;
    for (;; i = (i + 1) & mask) {
        if (m->slots[i].key == key) return &m->slots[i].val;
        if (m->slots[i].key == UINT64_MAX) {
            m->slots[i].key = key;
            m->slots[i].val = 0;
            m->count++;
            return &m->slots[i].val;
        }
    }
}

int64_t *sp_u64_map_slot(sp_u64_map *m, uint64_t key)
{
    if (sp_u64_map_reserve(m, 1) < 0) return NULL;
    return sp_u64_map_slot_from(m, key, sp_u64_map_home(m, key));
}
