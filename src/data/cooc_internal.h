/* cooc_internal.h: the co-occurrence accumulator's state, shared by cooc.c
 * (options, rows in, hash table, spilling), cooc_chunk.c (a chunk of rows
 * accumulated row of C by row of C), cooc_columns.c (one cold id's column
 * of a chunk), cooc_hot.c (internal id order and the cache-resident block of
 * pairs among the hottest ids), cooc_dense_ids.c, cooc_store.c (sorted store
 * of chunk totals), cooc_radix.c, cooc_runs.c (spilled runs, varint-coded),
 * cooc_merge.c (k-way merge of sorted sources) and cooc_finish.c (CSR
 * assembly and normalization). Not public. */
#ifndef SPARTAN_COOC_INTERNAL_H
#define SPARTAN_COOC_INTERNAL_H

#include <stdio.h>
#include "data/data_internal.h"

/* One accumulated pair i < j: key = (uint64_t)i << 32 | j. */
typedef struct sp_cooc_entry {
    uint64_t key;
    double val;
} sp_cooc_entry;

#define SP_COOC_EMPTY UINT64_MAX
#define SP_COOC_BLOCK 64 /* dense cells per bit of the touched map */
#define SP_COOC_AHEAD 8  /* occurrences prefetched ahead in the column pass */
#define SP_COOC_DENSE_MAX 64 /* dense ids per chunk (a row's lacking ones in a uint64) */
#define SP_COOC_WDENSE_MAX 16 /* weighted: dense ids per chunk (a row's weights in one line) */
/* Chunks whose rows hold fewer ids than this on average get no dense ids: a
 * row's mask (8 bytes) or weight vector (64) then costs at most 1 or 8 bytes
 * an entry, which the chunk's budget counts. */
#define SP_COOC_DENSE_MIN_ROW 8

/* A cold occurrence: its row's start in ids and w, its position there,
 * and the dense ids the row lacks (count mode) or, weighted, the row's
 * index (for its dense weights) and how many of its first ids have a
 * weight other than 1 (from `lead` on, every weight is 1, so the column
 * pass need not read them); 16 bytes, so the column pass reads one line of
 * them in order and gathers only the row. */
typedef struct sp_cooc_occ {
    int start, pos;
    union {
        uint64_t absent;
        struct {
            int row, lead;
        } w;
    } u;
} sp_cooc_occ;

/* Rows buffered until a chunk is accumulated (cooc_chunk.c), and the
 * chunk's scratch: its occurrences grouped by id (CSC) and its rows with
 * ids sorted and duplicates merged. All arrays hold `cap` entries. */
typedef struct sp_cooc_chunk {
    int *ids;             /* rows one after another (row_start offsets): as added, then once
                           * sorted (see `sorted`) their distinct internal ids, hot ones first */
    float *w;             /* their weights, summed once sorted (weighted mode only, else NULL) */
    int *row_start;       /* rows + 1 */
    int rows, used, cap;  /* rows and entries buffered; capacity in entries */
    int sorted;           /* rows [0, sorted) already sorted (in ids, w; rlen, rhot) */
    sp_cooc_occ *occ;     /* cold occurrences, grouped by id */
    int *rlen;            /* distinct ids per row */
    int *colptr;          /* n + 2: occurrences of id a are [colptr[a], colptr[a + 1]) */
    int hi;               /* ids >= hi have none in this chunk; colptr is 0 above hi + 1 */
    uint32_t *acc32;      /* n: column b of C for this chunk (counts) */
    double *acc;          /* n: (weighted) */
    unsigned char *mark;  /* n: 1 for a partner of b (a cold one also listed) */
    int *list;            /* n: cold partners of b */
    uint64_t *hbits;      /* n / 64 + 1: hot ids of the row being sorted */
    float *hw;            /* n: summed weight of a hot id of the row */
    int *rhot;            /* hot ids per sorted row */
    /* Count mode: hot ids in at least half the chunk's rows (cooc_dense_ids.c). */
    uint32_t *hcnt;       /* H: rows of the chunk holding hot id x */
    signed char *dpos;    /* H: index of a dense id in dlist, else -1 */
    int dlist[SP_COOC_DENSE_MAX], nd; /* the dense ids, ascending */
    uint64_t *absent;     /* rows: dense ids the row lacks (bit i: dlist[i]) */
    int absent_cap;
    uint32_t *mh;         /* nd x H: rows lacking dense id i and holding hot x */
    uint32_t lack2[SP_COOC_DENSE_MAX][SP_COOC_DENSE_MAX]; /* rows lacking both (i < j) */
    uint32_t macc[SP_COOC_DENSE_MAX]; /* column b: its rows lacking dense id i */
    /* Weighted mode: the dense ids' weights instead (cooc_dense_weights.c). */
    float *dw;            /* rows x SP_COOC_WDENSE_MAX: row r's weight of dense id i (0: absent) */
    int dw_cap;           /* rows dw holds */
    double *hx;           /* H x SP_COOC_WDENSE_MAX: hot id x with dense id i, chunk sums */
    double ddw[SP_COOC_WDENSE_MAX][SP_COOC_WDENSE_MAX]; /* dense i with j > i, chunk sums */
} sp_cooc_chunk;

struct sp_cooc {
    int n;
    sp_cooc_options opt;
    sp_cooc_stats st;
    double *diag;         /* n: rows holding i (or sum of w_i^2); by internal id
                           * until sp_cooc_finish puts it in public order */
    int64_t h;            /* pairs i < j with i < h use the dense rows */
    int lo, hi;           /* rows of C kept: [lo, hi) */
    /* Dense rows of C, h x n, row-major, upper part: C_ij (i < h, i < j) is
     * [i*n + j]. Allocated zeroed (pages mapped on first touch); `touched`
     * has one bit per SP_COOC_BLOCK cells of a row that were ever written,
     * so the merge reads only those. */
    double *sq;           /* weighted */
    uint32_t *sq32;       /* counts since the last flush */
    uint64_t *touched;    /* h * words_per_row bits */
    int64_t touched_words;/* per row */
    uint32_t sq32_rows;   /* rows added to sq32 since the last flush */
    uint32_t sq32_limit;  /* flush to the table at this many rows (UINT32_MAX; tests lower it) */
    sp_cooc_entry *tab;   /* hash of pairs with i >= h, linear probing */
    size_t cap, count, max_cap;
    int shift;            /* 64 - log2(cap), Fibonacci hashing */
    FILE *spill;          /* sorted runs, one after another (unlinked temp file) */
    int64_t file_bytes;   /* bytes of runs in spill (where the next run starts) */
    struct sp_cooc_run *runs;
    size_t nruns, runs_cap, max_runs;
    unsigned char *run_buf; /* the run writer's buffer */
    sp_cooc_chunk ch;
    /* Internal ids, fixed at the first chunk: an id's rank by frequency in
     * it, so the H most frequent are 0..H-1. Pairs of
     * two hot ids go straight to the hot block (upper triangle, H x H, in
     * cache); every other pair through the chunk's accumulator. */
    int *perm, *inv;      /* n: public -> internal, internal -> public (NULL before) */
    unsigned char *kept;  /* n, internal: 1 when the public id is a kept row (NULL: all) */
    int hot_req;          /* H wanted: -1 = from the cache size (tests set it) */
    int H;
    int *hot_pub;         /* H: the hot internal ids in public order (for the merge) */
    int64_t *hot_base;    /* H: cell (s, t), s < t, is hot_base[s] + t */
    uint32_t *hot32;      /* counts since the last fold */
    double *hotw;         /* weighted: sums of the current chunk */
    double *hot_tot;      /* folded totals (pages touched only once folded) */
    int hot_folded;
    /* Sorted store of the other pairs (cooc_store.c): internal keys (larger
     * id << 32 | smaller) until finish, public keys after. */
    sp_cooc_entry *st_arr, *st_alt, *buf; /* store, merge target, this chunk's totals */
    size_t st_len, st_cap, buf_len, buf_cap;
    uint64_t pack_limit;  /* count mode: pack spilled counts below it (0: as many as fit; tests lower it) */
    int finished;
};

/* C_ij of the dense rows (i < h, i < j < n). */
static inline double sp_cooc_dense_value(const sp_cooc *c, int64_t i, int64_t j)
{
    if (c->sq) return c->sq[i * c->n + j];
    return (double)c->sq32[i * c->n + j];
}

/* 1 when some cell of block b (cells [b*64, b*64 + 64)) of dense row i was written. */
static inline int sp_cooc_block_touched(const sp_cooc *c, int64_t i, int64_t b)
{
    return (int)(c->touched[i * c->touched_words + (b >> 6)] >> (b & 63) & 1u);
}

/* Sort n entries by public key (i, j < 2^id_bits), stable, using tmp (n
 * entries); returns a or tmp, whichever holds the result (cooc_radix.c). */
sp_cooc_entry *sp_cooc_radix_sort(sp_cooc_entry *a, sp_cooc_entry *tmp, size_t n, int id_bits);
/* Sort n words by their bits lo_bit..63, using tmp; returns a or tmp. */
uint64_t *sp_cooc_radix_sort_words(uint64_t *a, uint64_t *tmp, size_t n, int lo_bit);
/* Sort entries by key, in place. */
void sp_cooc_sort_entries(sp_cooc_entry *a, size_t n);
/* Move the hash table's entries to its front, sorted; returns how many. */
size_t sp_cooc_table_compact(sp_cooc *c);
/* Add v to pair key (i < j, i >= h or counts flushed) of the table, spilling a run when full. */
int sp_cooc_table_add(sp_cooc *c, uint64_t key, double v);
/* Move the uint32 counts of the dense block into the table (overflow guard). */
int sp_cooc_flush_counts(sp_cooc *c);

/* Internal ids and hot block from the frequencies in the (first) chunk. */
int sp_cooc_hot_setup(sp_cooc *c);
void sp_cooc_hot_free(sp_cooc *c);
/* Bytes of the hot block for a budget (counted before the hash table's share). */
size_t sp_cooc_hot_bytes(int n, const sp_cooc_options *o);
/* One sorted row (the first m of its ids hot, summed weights w): its
 * pairs of hot ids into the hot block; weighted, the hot ids' diagonal
 * (the column pass adds a cold id's, in the same row order; count mode
 * adds the diagonal from the chunk's counts instead). */
void sp_cooc_hot_row(sp_cooc *c, const int *s, const float *w, int m);
/* Weighted: how many of a row's first len weights lead up to its last one
 * other than 1 (every weight from there on is 1, so w_a * w_b is w_a). */
static inline int sp_cooc_weight_lead(const float *w, int len)
{
    while (len > 0 && w[len - 1] == 1.0f) len--;
    return len;
}
/* Add the current counts or chunk sums to the totals and zero them. */
void sp_cooc_hot_fold(sp_cooc *c);
/* Index of hot cell {a, b}, a != b, in either order. */
static inline int64_t sp_cooc_hot_cell(const sp_cooc *c, int a, int b)
{
    return a < b ? c->hot_base[a] + b : c->hot_base[b] + a;
}
/* Total of hot cell {s, t}, s != t, in either order. */
static inline double sp_cooc_hot_value(const sp_cooc *c, int s, int t)
{
    int64_t cell = sp_cooc_hot_cell(c, s, t);
    double cur = c->hot32 ? (double)c->hot32[cell] : c->hotw[cell];
    return c->hot_folded ? c->hot_tot[cell] + cur : cur;
}

/* Count mode, ids in at least half of a chunk's rows (cooc_dense_ids.c):
 * arrays (after sp_cooc_hot_setup); choose them from hcnt once every row is
 * sorted; take them out of sorted row r (m hot of len ids; returns the new
 * len, m_out the new m), noting what it lacks; add their hot pairs and
 * every hot id's diagonal at the chunk's end (zeroes hcnt). */
int sp_cooc_dense_alloc(sp_cooc *c);
int sp_cooc_dense_choose(sp_cooc *c);
int sp_cooc_dense_strip(sp_cooc *c, int r, int *s, int m, int len, int *m_out);
void sp_cooc_dense_hot_pairs(sp_cooc *c);

/* Weighted mode, the same ids kept as a weight vector per row
 * (cooc_dense_weights.c): arrays; room for the chunk's rows' vectors
 * (sp_cooc_dense_choose calls it only for rows of SP_COOC_DENSE_MIN_ROW
 * ids or more on average); take them out of sorted row r (ids
 * s, weights w), adding their diagonal and their pairs within the row;
 * fold the chunk's sums into the hot block at its end. The column pass
 * adds w_b times each occurrence's row vector (sp_cooc_wdense_row). */
int sp_cooc_wdense_alloc(sp_cooc *c);
int sp_cooc_wdense_room(sp_cooc *c);
int sp_cooc_wdense_strip(sp_cooc *c, int r, int *s, float *w, int m, int len, int *m_out);
void sp_cooc_wdense_hot_pairs(sp_cooc *c);
static inline const float *sp_cooc_wdense_row(const sp_cooc_chunk *ch, int64_t r)
{
    return ch->dw + r * SP_COOC_WDENSE_MAX;
}
/* Two doubles at a time (GCC/Clang vector extension: SSE2 on x86-64, NEON
 * on AArch64). Each lane is the scalar expression's exact value: a multiply
 * then an add, never fused (the build is ISO C11, where GCC does not
 * contract). Loads and stores need only a double's alignment. */
typedef double sp_v2d __attribute__((vector_size(16), aligned(8), may_alias));
#define SP_WDENSE_V2 (SP_COOC_WDENSE_MAX / 2)
/* A row's dense weights as doubles, pairs of lanes. */
static inline void sp_wdense_load(sp_v2d *d, const float *v)
{
    for (int i = 0; i < SP_WDENSE_V2; i++) d[i] = (sp_v2d){(double)v[2 * i], (double)v[2 * i + 1]};
}

/* Store arrays from a share of the budget; free. */
int sp_cooc_store_init(sp_cooc *c, size_t bytes);
void sp_cooc_store_free(sp_cooc *c);
/* Merge the chunk's totals (ascending internal keys) into the store. */
int sp_cooc_store_merge(sp_cooc *c);
/* Last merge; the store's keys become public and sorted. */
int sp_cooc_store_finish(sp_cooc *c);
/* Append one chunk total (keys ascending within a chunk). */
static inline int sp_cooc_store_add(sp_cooc *c, uint64_t key, double v)
{
    if (c->buf_len == c->buf_cap) {
        int rc = sp_cooc_store_merge(c);
        if (rc < 0) return rc;
    }
    c->buf[c->buf_len].key = key;
    c->buf[c->buf_len++].val = v;
    return SP_OK;
}
/* Spilled runs (cooc_runs.c): sorted entries, each the varint of its key's
 * difference from the previous key, then the value (count mode: a varint;
 * weighted: 8 bytes). A run's place in the spill file and its entries: */
typedef struct sp_cooc_run {
    int64_t start, bytes, len;
} sp_cooc_run;
#define SP_COOC_RUN_ENTRY_MAX 20 /* bytes: two 10-byte varints */
typedef struct sp_cooc_run_writer {
    FILE *fp;
    unsigned char *buf;
    size_t len, cap;
    uint64_t last;        /* key of the previous entry */
    int64_t entries, bytes;
    int weighted, failed;
} sp_cooc_run_writer;
typedef struct sp_cooc_run_reader {
    FILE *fp;
    int64_t off, left;    /* next byte of the run in the file, bytes not read yet */
    int64_t entries;      /* entries not decoded yet */
    unsigned char *buf;   /* window [p, n) of cap bytes (caller frees buf) */
    size_t p, n, cap;
    uint64_t last;
    int weighted;
} sp_cooc_run_reader;
/* Write sorted entries (public keys, increasing) to fp at its position:
 * begin, put each, end (writes out, reports a failed write). */
int sp_cooc_run_begin(sp_cooc *c, sp_cooc_run_writer *w, FILE *fp);
void sp_cooc_run_put(sp_cooc_run_writer *w, uint64_t key, double v);
int sp_cooc_run_end(sp_cooc_run_writer *w);
/* One more run at the end of the spill file: open, put its entries, close
 * (counted in the stats; the runs are merged when there are max_runs). */
int sp_cooc_run_open(sp_cooc *c, sp_cooc_run_writer *w);
int sp_cooc_run_close(sp_cooc *c, sp_cooc_run_writer *w);
/* Write k sorted entries (public keys) as one more run. */
int sp_cooc_spill_entries(sp_cooc *c, const sp_cooc_entry *e, size_t k);
/* Runs [first, nruns) are now the one run w wrote at start, the end of
 * the file (their bytes stay in the file, unused). */
int sp_cooc_merged_run(sp_cooc *c, size_t first, int64_t start, const sp_cooc_run_writer *w);
/* Read a run through a window of about cap bytes: 1 and the next entry, 0
 * at its end, or an error. */
int sp_cooc_run_reader_init(sp_cooc_run_reader *r, const sp_cooc *c, const sp_cooc_run *run,
                            size_t cap);
int sp_cooc_run_next(sp_cooc_run_reader *r, uint64_t *key, double *v);

/* Chunk buffers for the accumulator (capacity from the budget), freed by uninit. */
int sp_cooc_chunk_init(sp_cooc *c);
void sp_cooc_chunk_uninit(sp_cooc_chunk *ch);
/* Make the (empty) chunk hold at least `entries`. */
int sp_cooc_chunk_grow(sp_cooc *c, int entries);
/* Bytes the chunk uses for a budget (counted before the hash table's share). */
size_t sp_cooc_chunk_bytes(int n, const sp_cooc_options *o);
/* Accumulate every buffered row into the dense block and table; empties the chunk. */
int sp_cooc_chunk_flush(sp_cooc *c);
/* Sort the row just added, once the internal ids are fixed (after the first
 * chunk); the flush sorts the rows that are not. */
void sp_cooc_chunk_sort_last(sp_cooc *c);
/* Column b (a cold id with occurrences in the prepared chunk): accumulate
 * its pairs with the ids before it and dump the totals (cooc_columns.c). */
int sp_cooc_column(sp_cooc *c, int b);

/* Visit every distinct pair (i < j) in key order with its summed value:
 * dense block, the compacted table (count entries at c->tab), the hot block,
 * the store (after sp_cooc_store_finish) and the runs (runs only when runs_only). */
typedef void (*sp_cooc_visit)(void *ctx, int i, int j, double v);
int sp_cooc_merge(sp_cooc *c, size_t table_entries, int runs_only, sp_cooc_visit visit,
                  void *ctx);
/* At max_runs: the shorter half of the runs merged into one more run at
 * the end of the spill file. Each merge multiplies the length of the runs
 * it takes by max_runs / 2 or more, so an entry is rewritten about
 * log(spills) / log(max_runs / 2) times (merging every run each time was
 * quadratic in the spills); the file keeps the merged runs' bytes, about
 * that many times the data. */
int sp_cooc_merge_runs(sp_cooc *c);
/* Create an unlinked temp file for runs. */
int sp_cooc_spill_open(const sp_cooc *c, FILE **fp);

#endif
