/* cooc_internal.h: the co-occurrence accumulator's state, shared by cooc.c
 * (adding rows, spilling), cooc_merge.c (k-way merge of sorted sources) and
 * cooc_finish.c (CSR assembly and normalization). Not public. */
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

struct sp_cooc {
    int n;
    sp_cooc_options opt;
    sp_cooc_stats st;
    double *diag;         /* n: rows holding i (or sum of w_i^2) */
    int64_t h;            /* ids < h use the dense block */
    int lo, hi;           /* rows of C kept: [lo, hi) */
    /* Dense block, square h x h, row-major: the pair {i, j} of a row is added
     * at [a*h + b] for whichever order the row lists them, so C_ij (i != j) is
     * sq[i*h + j] + sq[j*h + i]; no sorting per row. */
    double *sq;           /* weighted */
    uint32_t *sq32;       /* counts since the last flush */
    uint32_t sq32_rows;   /* rows added to sq32 since the last flush */
    uint32_t sq32_limit;  /* flush to the table at this many rows (UINT32_MAX; tests lower it) */
    sp_cooc_entry *tab;   /* hash of pairs with max(i, j) >= h, linear probing */
    size_t cap, count, max_cap;
    int shift;            /* 64 - log2(cap), Fibonacci hashing */
    FILE *spill;          /* sorted runs, one after another (unlinked temp file) */
    FILE *spill_alt;      /* the other file: runs are merged into it at max_runs */
    int64_t file_entries; /* entries in spill (where the next run starts) */
    int64_t *run_start, *run_len; /* in entries */
    size_t nruns, runs_cap, max_runs;
    uint32_t *stamp;      /* n: tag of the last row holding the id (duplicate check) */
    int *slot;            /* n: that id's position in the row's scratch */
    uint32_t tag;
    int *sid;             /* scratch: the row's distinct ids, dense block first */
    float *sw;            /* and their weights (duplicates summed) */
    int scap;
    int finished;
};

/* C_ij of the dense block (i != j < h). */
static inline double sp_cooc_dense_value(const sp_cooc *c, int64_t i, int64_t j)
{
    if (c->sq) return c->sq[i * c->h + j] + c->sq[j * c->h + i];
    return (double)c->sq32[i * c->h + j] + (double)c->sq32[j * c->h + i];
}

/* Sort entries by key, in place. */
void sp_cooc_sort_entries(sp_cooc_entry *a, size_t n);
/* Move the hash table's entries to its front, sorted; returns how many. */
size_t sp_cooc_table_compact(sp_cooc *c);

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
