/* data_internal.h: pieces shared by the data/ layer's files, not public:
 * the chunked line source (plain or gzip through zlib), small parsers and
 * the 64-bit key hash. Nothing here allocates per line. */
#ifndef SPARTAN_DATA_INTERNAL_H
#define SPARTAN_DATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>
#include "spartan/data.h"

/* Lines of a file read through a growable buffer, one chunk at a time. */
typedef struct sp_line_source {
    gzFile gz;
    char *path;
    char *buf;
    size_t cap, start, end;
    int eof;
    int64_t line_no; /* number of the line last returned */
} sp_line_source;

int sp_line_source_open(sp_line_source *ls, const char *path, size_t chunk_bytes);
/* 1: *line (not NUL-terminated, no '\n' or trailing '\r') of *len bytes,
 * followed in memory by '\n' or '\r' (a sentinel), 16 bytes readable past the end;
 * 0: end of file; < 0: read error (message set). */
int sp_line_source_next(sp_line_source *ls, const char **line, size_t *len);
int sp_line_source_rewind(sp_line_source *ls);
int64_t sp_line_source_offset(const sp_line_source *ls); /* file bytes consumed */
void sp_line_source_close(sp_line_source *ls);

/* Copy at most 40 bytes of a field into out (NUL-terminated, "..." when cut)
 * for error messages. */
void sp_quote_field(const char *p, size_t len, char out[48]);

/* Key of a categorical (field, value): field << 33 | value, value 2^32 = missing. */
static inline uint64_t sp_cat_key(int field, uint32_t value, int present)
{
    return ((uint64_t)field << 33) | (present ? (uint64_t)value : ((uint64_t)1 << 32));
}

/* Strong 64-bit mixer (splitmix64 finalizer): table slots and hash buckets. */
static inline uint64_t sp_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* Open-addressing map from 64-bit keys (never UINT64_MAX) to int64 values. */
typedef struct sp_u64_slot {
    uint64_t key; /* UINT64_MAX = empty slot */
    int64_t val;
} sp_u64_slot;

typedef struct sp_u64_map {
    sp_u64_slot *slots; /* key and value side by side: one cache line per probe */
    size_t cap, count;  /* cap a power of two, count <= cap / 2 */
    int shift;         /* 64 - log2(cap): slot = (key * golden) >> shift */
} sp_u64_map;

static inline size_t sp_u64_map_home(const sp_u64_map *m, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> m->shift);
}

int sp_u64_map_init(sp_u64_map *m, size_t expected);
void sp_u64_map_uninit(sp_u64_map *m);
/* Pointer to the value of key, inserted with value 0 when new; NULL when out of memory. */
int64_t *sp_u64_map_slot(sp_u64_map *m, uint64_t key);
/* Room for `extra` more keys (SP_ENOMEM when the map cannot grow); then
 * up to that many slot_from calls (home: sp_u64_map_home of the key, for
 * callers that prefetch it) insert without growing. */
int sp_u64_map_reserve(sp_u64_map *m, size_t extra);
int64_t *sp_u64_map_slot_from(sp_u64_map *m, uint64_t key, size_t home);
/* Value of key (whose home slot is i), or `missing`. */
static inline int64_t sp_u64_map_get_from(const sp_u64_map *m, uint64_t key, size_t i,
                                          int64_t missing)
{
    size_t mask = m->cap - 1;
    for (;; i = (i + 1) & mask) {
        if (m->slots[i].key == key) return m->slots[i].val;
        if (m->slots[i].key == UINT64_MAX) return missing;
    }
}
/* Value of key, or `missing`. */
static inline int64_t sp_u64_map_get(const sp_u64_map *m, uint64_t key, int64_t missing)
{
    return sp_u64_map_get_from(m, key, sp_u64_map_home(m, key), missing);
}

/* x mod d for any 64-bit x by two 64x64->128 multiplications, given
 * magic = ceil(2^128 / d) (as 2^128 - 1 divided by d, plus 1; 0 for d = 1,
 * which gives 0). Exact for every x and d: Lemire, Kaser and Kurz, "Faster
 * remainder by direct computation", 2019, with 128-bit fractions. */
__extension__ typedef unsigned __int128 sp_u128;
static inline sp_u128 sp_fastmod_magic(uint64_t d) { return ~(sp_u128)0 / d + 1; }
static inline uint64_t sp_fastmod(uint64_t x, sp_u128 magic, uint64_t d)
{
    sp_u128 frac = magic * x; /* the fraction x / d, in 128 bits */
    sp_u128 lo = (sp_u128)(uint64_t)frac * d, hi = (sp_u128)(uint64_t)(frac >> 64) * d;
    return (uint64_t)((hi + (lo >> 64)) >> 64);
}

/* The vocabulary (vocab.c builds it, vocab_io.c serializes it). */
#define SP_LOG1P_TABLE 1024 /* integer values whose log weight is looked up, not computed */

struct sp_vocab {
    sp_vocab_options opt;
    int64_t rows;                           /* rows of the counting pass */
    double int_max[SP_CRITEO_INT_FIELDS];   /* max(0, max value) per integer field */
    int64_t n;                              /* vocabulary entries (0 in hash mode) */
    uint64_t *keys;                         /* n keys (sp_cat_key), id = 39 + index */
    int64_t *counts;                        /* n counts from the counting pass */
    sp_u64_map index;                       /* key -> index */
    float log1p_small[SP_LOG1P_TABLE];      /* (float)log1p(x), x < SP_LOG1P_TABLE (dense log) */
    sp_u128 bucket_magic;                   /* ceil(2^128 / hash_buckets), for sp_fastmod */
};

/* Check options; SP_EINVAL naming the bad one. */
int sp_vocab_options_check(const sp_vocab_options *opt);
/* Build the index of v's n keys (filled by the caller), its log table and
 * its bucket divisor: every vocabulary, built or loaded, passes here. */
int sp_vocab_index(sp_vocab *v);
/* The ids of a row's 26 categorical values (sp_vocab_lookup of each), with
 * the vocabulary's probes issued together. */
void sp_vocab_lookup_row(const sp_vocab *v, const sp_criteo_row *row, int *ids);

#endif
