/* generate_rows.c: a block of rows [row0, row1) of a generated matrix, so each
 * MPI rank builds only its own rows (generate.h, "blocks of rows").
 * Guarantees: the block equals those rows of the whole generator's matrix bit
 * for bit (same stencil code, same random draws, same summation order).
 * Does not balance rows across processes (the caller partitions afterwards). */
#include <stdlib.h>
#include <string.h>
#include "linalg/generate_internal.h"

static int check_range(const char *who, int n, int row0, int row1, const sp_csr *A)
{
    if (!A) return sp_error(SP_EINVAL, "%s: A is NULL", who);
    if (row0 < 0 || row0 > row1 || row1 > n)
        return sp_error(SP_EINVAL, "%s: rows [%d, %d) are not within [0, %d]", who, row0, row1, n);
    return SP_OK;
}

/* Entries of the stencil row of grid point r: 1 + a neighbour per open side. */
static int64_t laplace_row_length(int dims, int N, int64_t r)
{
    int64_t len = 1;
    for (int d = 0; d < dims; d++, r /= N) {
        int c = (int)(r % N);
        len += (c > 0) + (c < N - 1);
    }
    return len;
}

/* Rows [row0, row1) of the (2 dims + 1)-point Laplacian on an N^dims grid. */
static int laplace_grid_rows(int dims, int N, int row0, int row1, sp_csr *A)
{
    int64_t s[3] = {1, N, (int64_t)N * N}, nnz = 0;
    int n = (int)(s[dims - 1] * N), m = row1 - row0;
    for (int64_t r = row0; r < row1; r++) nnz += laplace_row_length(dims, N, r);
    int rc = sp_gen_csr_alloc(A, m, n, nnz);
    if (rc < 0) return rc;
    int c[3] = {0, 0, 0};
    for (int d = 0; d < dims; d++) c[d] = (int)((row0 / s[d]) % N);
    int64_t pos = 0;
    for (int64_t r = row0; r < row1; r++) {
        A->rowptr[r - row0] = pos;
        sp_gen_laplace_row(dims, N, c, s, r, A, &pos);
        for (int d = 0; d < dims && ++c[d] == N; d++) c[d] = 0; /* odometer */
    }
    A->rowptr[m] = pos;
    return SP_OK;
}

int sp_gen_laplace2d_rows(int N, int row0, int row1, sp_csr *A)
{
    if (N < 1 || N > 46340)
        return sp_error(SP_EINVAL, "sp_gen_laplace2d: N = %d must be in [1, 46340] (n = N^2 is an int)", N);
    int rc = check_range("sp_gen_laplace2d_rows", N * N, row0, row1, A);
    return rc < 0 ? rc : laplace_grid_rows(2, N, row0, row1, A);
}

int sp_gen_laplace3d_rows(int N, int row0, int row1, sp_csr *A)
{
    if (N < 1 || N > 1290)
        return sp_error(SP_EINVAL, "sp_gen_laplace3d: N = %d must be in [1, 1290] (n = N^3 is an int)", N);
    int rc = check_range("sp_gen_laplace3d_rows", N * N * N, row0, row1, A);
    return rc < 0 ? rc : laplace_grid_rows(3, N, row0, row1, A);
}

/* Advance rng past one row of sp_gen_random_sparse: the same draws, no output. */
static void random_sparse_skip_row(sp_rng *rng, int n, int R)
{
    for (int j = n - R; j < n; j++) (void)sp_rng_below(rng, (uint64_t)j + 1);
    for (int k = 0; k < R; k++) (void)sp_rng_uniform(rng);
}

int sp_gen_random_sparse_rows(int n, int nnz_per_row, uint64_t seed, int row0, int row1, sp_csr *A)
{
    if (n < 1) return sp_error(SP_EINVAL, "sp_gen_random_sparse: n = %d must be >= 1", n);
    if (nnz_per_row < 1)
        return sp_error(SP_EINVAL, "sp_gen_random_sparse: nnz_per_row = %d must be >= 1", nnz_per_row);
    int rc = check_range("sp_gen_random_sparse_rows", n, row0, row1, A);
    if (rc < 0) return rc;
    int R = nnz_per_row < n ? nnz_per_row : n, m = row1 - row0;
    int *mark = sp_malloc((size_t)n * sizeof *mark);
    if (!mark) return SP_ENOMEM;
    for (int i = 0; i < n; i++) mark[i] = -1;
    if ((rc = sp_gen_csr_alloc(A, m, n, (int64_t)m * R)) < 0) {
        free(mark);
        return rc;
    }
    sp_rng rng;
    sp_rng_seed(&rng, seed);
    for (int i = 0; i < row0; i++) random_sparse_skip_row(&rng, n, R);
    for (int i = 0; i < m; i++) {
        int64_t p = (int64_t)i * R;
        A->rowptr[i] = p;
        sp_gen_sample_columns(&rng, n, R, row0 + i, mark, A->colind + p);
        for (int k = 0; k < R; k++) A->val[p + k] = 2.0 * sp_rng_uniform(&rng) - 1.0;
    }
    A->rowptr[m] = (int64_t)m * R;
    free(mark);
    return SP_OK;
}

int sp_gen_powerlaw_cooc_rows(int n, double avg_nnz_per_row, double alpha, uint64_t seed, int row0,
                              int row1, sp_gen_reduce reduce, void *ctx, sp_csr *A)
{
    int rc = sp_gen_check_powerlaw(n, avg_nnz_per_row, alpha, A);
    if (rc == SP_OK) rc = check_range("sp_gen_powerlaw_cooc_rows", n, row0, row1, A);
    if (rc < 0) return rc;
    sp_gen_pair_keep keep = {reduce == NULL, row0, row1, reduce, ctx};
    return sp_gen_powerlaw_block(n, avg_nnz_per_row, alpha, seed, &keep, A);
}

int sp_gen_spec_size(const char *spec, int *n, int *symmetric)
{
    sp_gen_parsed g;
    int rc = sp_gen_spec_parse(spec, &g);
    if (rc < 0) return rc;
    int64_t N = g.size, order = N;
    if (g.kind == SP_GEN_LAPLACE2D && N > 46340)
        return sp_error(SP_EINVAL, "sp_gen_laplace2d: N = %lld must be in [1, 46340] (n = N^2 is an int)", (long long)N);
    if (g.kind == SP_GEN_LAPLACE3D && N > 1290)
        return sp_error(SP_EINVAL, "sp_gen_laplace3d: N = %lld must be in [1, 1290] (n = N^3 is an int)", (long long)N);
    if (g.kind == SP_GEN_LAPLACE2D) order = N * N;
    if (g.kind == SP_GEN_LAPLACE3D) order = N * N * N;
    if (n) *n = (int)order;
    if (symmetric) *symmetric = g.symmetric;
    return SP_OK;
}

int sp_gen_spec_rows(const char *spec, int row0, int row1, sp_gen_reduce reduce, void *ctx, sp_csr *A)
{
    sp_gen_parsed g;
    int rc = sp_gen_spec_parse(spec, &g);
    if (rc < 0) return rc;
    switch (g.kind) {
    case SP_GEN_LAPLACE2D:
        return sp_gen_laplace2d_rows((int)g.size, row0, row1, A);
    case SP_GEN_LAPLACE3D:
        return sp_gen_laplace3d_rows((int)g.size, row0, row1, A);
    case SP_GEN_RANDOM_SPARSE:
        return sp_gen_random_sparse_rows((int)g.size, (int)g.nnz_per_row, g.seed, row0, row1, A);
    case SP_GEN_POWERLAW:
        return sp_gen_powerlaw_cooc_rows((int)g.size, g.avg, g.alpha, g.seed, row0, row1, reduce, ctx, A);
    default:
        return sp_error(SP_EINTERNAL, "sp_gen_spec_rows: kind %d", (int)g.kind);
    }
}
