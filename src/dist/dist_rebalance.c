/* dist_rebalance.c: a distributed CSR matrix from row blocks in any split
 * (for instance rows each rank generated itself), moved to the nnz-balanced
 * partition, or to one balancing nnz + w rows (sp_dist_csr_rebalance: the
 * Krylov vectors cost per row, so a power-law matrix balanced by nnz alone
 * leaves almost all rows, hence all vector work, on one rank).
 * Guarantees: one MPI_Alltoallv per array (row lengths, columns, values) sent
 * straight from the block (no packing); errors agreed on every rank. Does not
 * reorder rows or entries (blocks tile [0, n) in rank order). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "dist/dist_internal.h"

typedef struct move_plan {
    int *scount, *sdispl, *rcount, *rdispl; /* nranks each: rows */
    int *sncount, *sndispl, *rncount, *rndispl; /* nranks each: entries */
    int64_t rows_in, nnz_in;
} move_plan;

/* Counts (rows, entries) this rank sends to every rank, checked to fit an int. */
static int plan_sends(const int *starts, int nranks, int row0, const sp_csr *B, move_plan *m)
{
    int row1 = row0 + B->rows;
    for (int q = 0; q < nranks; q++) {
        int lo = starts[q] > row0 ? starts[q] : row0, hi = starts[q + 1] < row1 ? starts[q + 1] : row1;
        if (hi < lo || B->rows == 0) hi = lo = row0;
        int64_t k0 = B->rows ? B->rowptr[lo - row0] - B->rowptr[0] : 0;
        int64_t k1 = B->rows ? B->rowptr[hi - row0] - B->rowptr[0] : 0;
        if (k1 - k0 > INT_MAX || k0 > INT_MAX)
            return sp_error(SP_EINVAL, "dist_csr_from_blocks: %lld entries for rank %d exceed an int "
                            "count (use more ranks)", (long long)(k1 - k0), q);
        m->scount[q] = hi - lo, m->sdispl[q] = lo - row0;
        m->sncount[q] = (int)(k1 - k0), m->sndispl[q] = (int)k0;
    }
    return SP_OK;
}

/* Receive counts from the send counts; displacements in arrival (rank) order. */
static int plan_receives(MPI_Comm comm, int nranks, move_plan *m)
{
    int rc = sp_dist_mpi_check(MPI_Alltoall(m->scount, 1, MPI_INT, m->rcount, 1, MPI_INT, comm),
                               "from_blocks: MPI_Alltoall");
    if (rc == SP_OK)
        rc = sp_dist_mpi_check(MPI_Alltoall(m->sncount, 1, MPI_INT, m->rncount, 1, MPI_INT, comm),
                               "from_blocks: MPI_Alltoall");
    m->rows_in = m->nnz_in = 0;
    for (int q = 0; rc == SP_OK && q < nranks; q++) {
        if (m->nnz_in > INT_MAX)
            rc = sp_error(SP_EINVAL, "dist_csr_from_blocks: more than %d entries arrive (use more ranks)", INT_MAX);
        m->rdispl[q] = (int)m->rows_in, m->rndispl[q] = (int)m->nnz_in;
        m->rows_in += m->rcount[q], m->nnz_in += m->rncount[q];
    }
    return rc;
}

/* Row lengths, columns and values of B to their new owners, into A. */
static int move_rows(MPI_Comm comm, int n, const sp_csr *B, const move_plan *m, sp_csr *A)
{
    int64_t *len = sp_malloc(((size_t)B->rows + 1) * sizeof *len);
    memset(A, 0, sizeof *A);
    A->rows = (int)m->rows_in, A->cols = n, A->nnz = m->nnz_in;
    A->rowptr = sp_calloc((size_t)m->rows_in + 1, sizeof *A->rowptr);
    A->colind = sp_malloc((size_t)(m->nnz_in > 0 ? m->nnz_in : 1) * sizeof *A->colind);
    A->val = sp_malloc((size_t)(m->nnz_in > 0 ? m->nnz_in : 1) * sizeof *A->val);
    int rc = sp_dist_agree(comm, len && A->rowptr && A->colind && A->val ? SP_OK : SP_ENOMEM);
    for (int i = 0; rc == SP_OK && i < B->rows; i++) len[i] = B->rowptr[i + 1] - B->rowptr[i];
    if (rc == SP_OK)
        rc = sp_dist_mpi_check(MPI_Alltoallv(len, m->scount, m->sdispl, MPI_INT64_T, A->rowptr + 1,
                                             m->rcount, m->rdispl, MPI_INT64_T, comm), "from_blocks: lengths");
    if (rc == SP_OK)
        rc = sp_dist_mpi_check(MPI_Alltoallv(B->colind, m->sncount, m->sndispl, MPI_INT, A->colind,
                                             m->rncount, m->rndispl, MPI_INT, comm), "from_blocks: columns");
    if (rc == SP_OK)
        rc = sp_dist_mpi_check(MPI_Alltoallv(B->val, m->sncount, m->sndispl, MPI_DOUBLE, A->val,
                                             m->rncount, m->rndispl, MPI_DOUBLE, comm), "from_blocks: values");
    for (int64_t i = 0; rc == SP_OK && i < m->rows_in; i++) A->rowptr[i + 1] += A->rowptr[i];
    free(len);
    if (rc < 0) sp_csr_uninit(A);
    return rc;
}

/* starts balancing nnz + row_weight rows, or (row_cost not NULL) the sum of
 * row_cost over each block: the partition by nnz of the cost prefix sums
 * (any base, as partition_by_nnz takes). */
static int partition_by_cost(MPI_Comm comm, int n, int row0, const sp_csr *B, int64_t row_weight,
                             const int64_t *row_cost, int *starts)
{
    if (row_weight <= 0 && !row_cost) /* same branch on every rank */
        return sp_dist_partition_by_nnz(comm, n, row0, B->rows, B->rows ? B->rowptr : NULL, starts);
    int64_t *cost = sp_malloc(((size_t)B->rows + 1) * sizeof *cost);
    int rc = cost ? SP_OK : SP_ENOMEM;
    for (int i = 0; rc == SP_OK && i <= B->rows; i++)
        cost[i] = row_cost ? (i ? cost[i - 1] + row_cost[i - 1] : 0)
                           : (B->rows ? B->rowptr[i] : 0) + row_weight * (int64_t)(row0 + i);
    if ((rc = sp_dist_agree(comm, rc)) == SP_OK) rc = sp_dist_partition_by_nnz(comm, n, row0, B->rows, cost, starts);
    free(cost);
    return rc;
}

/* from_blocks with the partition balancing nnz + row_weight rows (or row_cost). */
static int blocks_to_dist(MPI_Comm comm, int n, int row0, sp_csr *rows, int64_t row_weight,
                          const int64_t *row_cost, sp_dist_csr *D)
{
    int rank, nranks;
    sp_dist_comm_info(comm, &rank, &nranks);
    memset(D, 0, sizeof *D);
    D->comm = MPI_COMM_NULL, D->plan.graph = MPI_COMM_NULL;
    int *buf = sp_malloc((size_t)(9 * nranks + 1) * sizeof(int)), *starts = buf;
    move_plan m;
    memset(&m, 0, sizeof m);
    sp_csr A = {0, 0, 0, NULL, NULL, NULL};
    int rc = buf ? SP_OK : SP_ENOMEM;
    if (rc == SP_OK) {
        int *p = buf + nranks + 1;
        m = (move_plan){p, p + nranks, p + 2 * nranks, p + 3 * nranks, p + 4 * nranks,
                        p + 5 * nranks, p + 6 * nranks, p + 7 * nranks, 0, 0};
    }
    if (rc == SP_OK && (!rows || rows->cols != n || (rows->rows > 0 && !rows->rowptr)))
        rc = sp_error(SP_EINVAL, "dist_csr_from_blocks: rank %d: the block is not a %d-column CSR", rank, n);
    if ((rc = sp_dist_agree(comm, rc)) == SP_OK)
        rc = partition_by_cost(comm, n, row0, rows, row_weight, row_cost, starts);
    if (rc == SP_OK) rc = sp_dist_agree(comm, plan_sends(starts, nranks, row0, rows, &m));
    if (rc == SP_OK) rc = sp_dist_agree(comm, plan_receives(comm, nranks, &m));
    if (rc == SP_OK) rc = move_rows(comm, n, rows, &m, &A);
    if (rows) sp_csr_uninit(rows);
    if (rc == SP_OK) rc = sp_dist_csr_from_rows(comm, n, starts, &A, D);
    sp_csr_uninit(&A);
    free(buf);
    return rc;
}

int sp_dist_csr_from_blocks(MPI_Comm comm, int n, int row0, sp_csr *rows, sp_dist_csr *D)
{
    return blocks_to_dist(comm, n, row0, rows, 0, NULL, D);
}

/* This rank's rows of D with global column indices (ascending in each row). */
static int local_rows_global(const sp_dist_csr *D, sp_csr *B)
{
    int64_t nnz = D->nnz_local;
    memset(B, 0, sizeof *B);
    B->rows = D->n_local, B->cols = D->n, B->nnz = nnz;
    B->rowptr = sp_malloc(((size_t)D->n_local + 1) * sizeof *B->rowptr);
    B->colind = sp_malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *B->colind);
    B->val = sp_malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *B->val);
    if (!B->rowptr || !B->colind || !B->val) return sp_csr_uninit(B), SP_ENOMEM;
    memcpy(B->rowptr, D->rowptr, ((size_t)D->n_local + 1) * sizeof *B->rowptr);
    memcpy(B->val, D->val, (size_t)nnz * sizeof *B->val);
    for (int64_t k = 0; k < nnz; k++) B->colind[k] = sp_dist_csr_global_col(D, D->col[k]);
    return SP_OK;
}

/* Move D's rows to the partition of row_weight / row_cost (see above). */
static int rebalance(sp_dist_csr *D, int64_t row_weight, const int64_t *row_cost)
{
    sp_csr B = {0, 0, 0, NULL, NULL, NULL};
    int *starts = sp_malloc(((size_t)D->nranks + 1) * sizeof *starts), same = 1, all_same = 0;
    int rc = sp_dist_agree(D->comm, !starts ? SP_ENOMEM
                                    : D->orig_row ? sp_error(SP_EINVAL, "rebalance: the rows were relabelled "
                                                             "(sp_dist_csr_interleave); their partition is final")
                                                  : SP_OK);
    if (rc == SP_OK) rc = sp_dist_agree(D->comm, local_rows_global(D, &B));
    if (rc == SP_OK) rc = partition_by_cost(D->comm, D->n, D->row0, &B, row_weight, row_cost, starts);
    for (int q = 0; rc == SP_OK && q <= D->nranks; q++) same &= starts[q] == D->starts[q];
    if (rc == SP_OK) rc = sp_dist_mpi_check(MPI_Allreduce(&same, &all_same, 1, MPI_INT, MPI_MIN, D->comm), "rebalance");
    free(starts);
    if (rc < 0 || all_same) return sp_csr_uninit(&B), rc;
    MPI_Comm parent = MPI_COMM_NULL;
    sp_dist_exchange mode = D->exchange;
    int n = D->n, row0 = D->row0;
    rc = sp_dist_mpi_check(MPI_Comm_dup(D->comm, &parent), "rebalance: MPI_Comm_dup");
    if ((rc = sp_dist_agree(D->comm, rc)) < 0) return sp_csr_uninit(&B), rc;
    sp_dist_csr_uninit(D);
    rc = blocks_to_dist(parent, n, row0, &B, row_weight, row_cost, D);
    if (rc == SP_OK && mode != D->exchange) rc = sp_dist_csr_set_exchange(D, mode);
    MPI_Comm_free(&parent);
    return rc;
}

int sp_dist_csr_rebalance(sp_dist_csr *D, int64_t row_weight)
{
    int rc = row_weight < 0 ? sp_error(SP_EINVAL, "rebalance: row weight %lld < 0", (long long)row_weight) : SP_OK;
    if ((rc = sp_dist_agree(D->comm, rc)) < 0) return rc;
    return rebalance(D, row_weight, NULL);
}

int sp_dist_csr_rebalance_cost(sp_dist_csr *D, const int64_t *row_cost)
{
    int rc = SP_OK;
    for (int i = 0; rc == SP_OK && i < D->n_local; i++)
        if (!row_cost || row_cost[i] < 0)
            rc = sp_error(SP_EINVAL, "rebalance: rank %d: cost of local row %d is %s", D->rank, i,
                          row_cost ? "negative" : "missing");
    if ((rc = sp_dist_agree(D->comm, rc)) < 0) return rc;
    static const int64_t none = 0; /* a rank without rows takes the same branch */
    return rebalance(D, 0, row_cost ? row_cost : &none);
}
