/* cooc_internal.h: the co-occurrence accumulator's state, shared by cooc.c
 * (options, rows in, hash table, spilling), cooc_chunk.c (a chunk of rows
 * accumulated row of C by row of C), cooc_merge.c (k-way merge of sorted
 * sources) and cooc_finish.c (CSR assembly and normalization). Not public. */
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

/* Rows buffered until a chunk is accumulated (cooc_chunk.c), and the
 * chunk's scratch: its occurrences grouped by id (CSC) and its rows with
 * ids sorted and duplicates merged. All arrays hold `cap` entries. */
typedef struct sp_cooc_chunk {
    int *ids;             /* rows as added, one after another */
    float *w;             /* their weights (1 in count mode) */
    int *row_start;       /* rows + 1 */
    int rows, used, cap;  /* rows and entries buffered; capacity in entries */
    int *occ_row;         /* occurrences by id: row of each */
    float *occ_w;         /* and weight */
    int *occ_pos;         /* and position in the sorted row (-1: a duplicate) */
    int *srow;            /* sorted distinct ids of each row (row_start offsets) */
    float *sw;            /* their summed weights */
    int *rlen;            /* distinct ids per row */
    int *colptr;          /* n + 1: occurrences of id a are [colptr[a], colptr[a + 1]) */
    uint32_t *acc32;      /* n: row a of C for this chunk (counts) */
    double *acc;          /* n: (weighted) */
} sp_cooc_chunk;

struct sp_cooc {
    int n;
    sp_cooc_options opt;
    sp_cooc_stats st;
    double *diag;         /* n: rows holding i (or sum of w_i^2) */
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
    FILE *spill_alt;      /* the other file: runs are merged into it at max_runs */
    int64_t file_entries; /* entries in spill (where the next run starts) */
    int64_t *run_start, *run_len; /* in entries */
    size_t nruns, runs_cap, max_runs;
    sp_cooc_chunk ch;
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

/* Sort entries by key, in place. */
void sp_cooc_sort_entries(sp_cooc_entry *a, size_t n);
/* Move the hash table's entries to its front, sorted; returns how many. */
size_t sp_cooc_table_compact(sp_cooc *c);
/* Add v to pair key (i < j, i >= h or counts flushed) of the table, spilling a run when full. */
int sp_cooc_table_add(sp_cooc *c, uint64_t key, double v);
/* Move the uint32 counts of the dense block into the table (overflow guard). */
int sp_cooc_flush_counts(sp_cooc *c);

/* Chunk buffers for the accumulator (capacity from the budget), freed by uninit. */
int sp_cooc_chunk_init(sp_cooc *c);
void sp_cooc_chunk_uninit(sp_cooc_chunk *ch);
/* Make the (empty) chunk hold at least `entries`. */
int sp_cooc_chunk_grow(sp_cooc *c, int entries);
/* Bytes the chunk uses for a budget (counted before the hash table's share). */
size_t sp_cooc_chunk_bytes(int n, const sp_cooc_options *o);
/* Accumulate every buffered row into the dense block and table; empties the chunk. */
int sp_cooc_chunk_flush(sp_cooc *c);

/* Visit every distinct pair (i < j) in key order with its summed value:
 * dense block, the compacted table (count entries at c->tab) and the runs
 * (runs only when runs_only). */
typedef void (*sp_cooc_visit)(void *ctx, int i, int j, double v);
int sp_cooc_merge(sp_cooc *c, size_t table_entries, int runs_only, sp_cooc_visit visit,
                  void *ctx);
/* Merge all runs into one in the other spill file, which becomes the current one. */
int sp_cooc_merge_runs(sp_cooc *c);
/* Create an unlinked temp file for runs. */
int sp_cooc_spill_open(const sp_cooc *c, FILE **fp);

#endif
