/* generate_internal.h (private to linalg/): what generate.c shares with
 * generate_rows.c, so a block of rows is built by exactly the arithmetic and
 * the random draws that build the whole matrix. Not installed. */
#ifndef SPARTAN_GENERATE_INTERNAL_H
#define SPARTAN_GENERATE_INTERNAL_H

#include "spartan/generate.h"

typedef enum sp_gen_kind {
    SP_GEN_LAPLACE2D,
    SP_GEN_LAPLACE3D,
    SP_GEN_RANDOM_SPARSE,
    SP_GEN_POWERLAW,
    SP_GEN_KIND_COUNT
} sp_gen_kind;

/* A spec string, checked (sp_gen_spec's rules and messages). */
typedef struct sp_gen_parsed {
    sp_gen_kind kind;
    int symmetric;
    int64_t size;        /* first field: N (Laplacians) or n */
    int64_t nnz_per_row; /* random-sparse */
    double avg, alpha;   /* powerlaw */
    uint64_t seed;
} sp_gen_parsed;

int sp_gen_spec_parse(const char *spec, sp_gen_parsed *g);

/* rows x cols CSR with nnz entries allocated (SP_ENOMEM with a message). */
int sp_gen_csr_alloc(sp_csr *A, int rows, int cols, int64_t nnz);

/* Stencil row of grid point r (coordinates c, strides s) appended at *pos. */
void sp_gen_laplace_row(int dims, int N, const int *c, const int64_t *s, int64_t r, sp_csr *A,
                        int64_t *pos);

/* random-sparse: the R sorted distinct columns of one row (Floyd's algorithm). */
void sp_gen_sample_columns(sp_rng *rng, int n, int R, int row, int *mark, int *cols);

/* powerlaw: distinct pairs f < g as keys f n + g, sorted, with draw counts. */
typedef struct sp_gen_pairs {
    uint64_t *key;
    uint32_t *count;
    int64_t len;
} sp_gen_pairs;

/* Which pairs a process keeps: all (one process builds rows [row0, row1) from
 * the whole list) or those touching [row0, row1), the processes' ranges
 * tiling [0, n) and reduce summing their counts. */
typedef struct sp_gen_pair_keep {
    int all;
    int row0, row1;
    sp_gen_reduce reduce;
    void *ctx;
} sp_gen_pair_keep;

int sp_gen_check_powerlaw(int n, double avg_nnz_per_row, double alpha, const sp_csr *A);
int sp_gen_sample_cooc_pairs(int n, double alpha, uint64_t seed, double total_nnz,
                             const sp_gen_pair_keep *keep, sp_gen_pairs *pairs);
/* Rows [keep->row0, keep->row1) of the power-law matrix (arguments checked). */
int sp_gen_powerlaw_block(int n, double avg_nnz_per_row, double alpha, uint64_t seed,
                          const sp_gen_pair_keep *keep, sp_csr *A);

#endif
