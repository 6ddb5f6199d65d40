/* cooc_radix.c: LSD radix sort of co-occurrence entries by public key
 * (i << 32 | j, i and j below 2^id_bits): the sort behind every spilled run
 * and the final store, 3-4 passes of 11 bits instead of a comparison sort
 * (about 4x faster on millions of entries). Stable; needs a second array. */
#include <string.h>
#include "data/cooc_internal.h"

#define DIGIT_BITS 11
#define BUCKETS (1 << DIGIT_BITS)
#define MAX_PASSES 6 /* 2 * 32 bits of ids / 11, rounded up */

/* The key's 2 * id_bits meaningful bits, i above j. */
static inline uint64_t packed(uint64_t key, int id_bits)
{
    return (key >> 32) << id_bits | (key & 0xffffffffu);
}

sp_cooc_entry *sp_cooc_radix_sort(sp_cooc_entry *a, sp_cooc_entry *tmp, size_t n, int id_bits)
{
    int passes = (2 * id_bits + DIGIT_BITS - 1) / DIGIT_BITS;
    size_t count[MAX_PASSES][BUCKETS] = {{0}}; /* 96 KiB of stack */
    for (size_t k = 0; k < n; k++) {
        uint64_t c = packed(a[k].key, id_bits);
        for (int p = 0; p < passes; p++) count[p][(c >> (p * DIGIT_BITS)) & (BUCKETS - 1)]++;
    }
    for (int p = 0; p < passes; p++) {
        size_t *cnt = count[p], sum = 0;
        int shift = p * DIGIT_BITS;
        if (n > 0 && cnt[(packed(a[0].key, id_bits) >> shift) & (BUCKETS - 1)] == n) continue;
        for (int b = 0; b < BUCKETS; b++) { /* counts -> first positions */
            size_t t = cnt[b];
            cnt[b] = sum;
            sum += t;
        }
        for (size_t k = 0; k < n; k++)
            tmp[cnt[(packed(a[k].key, id_bits) >> shift) & (BUCKETS - 1)]++] = a[k];
        sp_cooc_entry *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}
