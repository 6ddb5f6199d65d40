/* dist_operator.c: the sp_operator of a distributed CSR matrix, so eigen/
 * runs on it unchanged (eigen/ never sees MPI). Guarantees: every apply and
 * every allreduce_sum is counted in D->stats (allreduces per Arnoldi step
 * are measurable); the allreduce is MPI_Allreduce(MPI_IN_PLACE, SUM).
 * Does not copy the matrix: the operator is a view of D. */
#include <string.h>
#include "dist/dist_internal.h"

static int dist_apply(void *ctx, const double *x, double *y)
{
    return sp_dist_csr_matvec((sp_dist_csr *)ctx, x, y);
}

static int dist_apply_block(void *ctx, const double *X, int ldx, double *Y, int ldy, int k)
{
    return sp_dist_csr_matmat((sp_dist_csr *)ctx, X, ldx, Y, ldy, k);
}

static int dist_allreduce_sum(void *ctx, double *buf, int count)
{
    sp_dist_csr *D = ctx;
    double t0 = MPI_Wtime();
    D->stats.allreduces++;
    D->stats.allreduce_doubles += count;
    int rc = MPI_Allreduce(MPI_IN_PLACE, buf, count, MPI_DOUBLE, MPI_SUM, D->comm);
    D->stats.seconds_allreduce += MPI_Wtime() - t0;
    return sp_dist_mpi_check(rc, "operator: MPI_Allreduce");
}

int sp_dist_operator(sp_dist_csr *D, sp_operator *op)
{
    int symmetric = 0;
    int rc = sp_dist_csr_check_symmetric(D, &symmetric);
    if (rc < 0) return rc;
    memset(op, 0, sizeof *op);
    op->n_local = D->n_local;
    op->n_global = D->n;
    op->row0 = D->row0;
    op->ctx = D;
    op->apply = dist_apply;
    op->allreduce_sum = dist_allreduce_sum;
    op->symmetric = symmetric;
    op->nnz = D->nnz;
    op->csr = NULL;
    op->dense = NULL;
    op->row_label = D->orig_row; /* NULL unless the rows were dealt by length */
    op->apply_block = dist_apply_block; /* residuals: 8 vectors per exchange and sweep */
    return SP_OK;
}
