/* operator.c: linear operators y = A x for the Krylov solvers: views of a CSR
 * (with a one-pass block apply) or a dense matrix (no copy; the matrix must
 * outlive the operator), the block-apply helper, and the
 * deflated operator (I - X X^T) A (I - X X^T) used by the missed-copies
 * search (locked directions moved to the never-wanted value sigma). Reductions go through op->allreduce_sum, so distributed operators
 * work unchanged. */
#include <stdlib.h>
#include <string.h>
#include "eigen/eigen_internal.h"

static int csr_apply(void *ctx, const double *x, double *y)
{
    sp_csr_matvec((const sp_csr *)ctx, x, y);
    return SP_OK;
}

static int csr_apply_block(void *ctx, const double *X, int ldx, double *Y, int ldy, int k)
{
    return sp_csr_spmm((const sp_csr *)ctx, X, ldx, Y, ldy, k);
}

static int dense_apply(void *ctx, const double *x, double *y)
{
    return sp_gemv('N', 1.0, (const sp_dmat *)ctx, x, 0.0, y);
}

int sp_operator_apply_block(const sp_operator *op, const double *X, int ldx, double *Y, int ldy,
                            int k, int64_t *passes)
{
    if (k <= 0) return SP_OK;
    if (op->apply_block) {
        (*passes)++;
        return op->apply_block(op->ctx, X, ldx, Y, ldy, k);
    }
    int rc = SP_OK;
    for (int j = 0; rc == SP_OK && j < k; j++, (*passes)++)
        rc = op->apply(op->ctx, X + (size_t)j * (size_t)ldx, Y + (size_t)j * (size_t)ldy);
    return rc;
}

int sp_operator_csr(const sp_csr *A, sp_operator *op)
{
    if (!A || !op) return sp_error(SP_EINVAL, "sp_operator_csr: NULL argument");
    if (A->rows != A->cols)
        return sp_error(SP_EINVAL, "sp_operator_csr: matrix is %d x %d, not square", A->rows, A->cols);
    memset(op, 0, sizeof *op);
    op->n_local = A->rows;
    op->n_global = A->rows;
    op->ctx = (void *)A;
    op->apply = csr_apply;
    op->apply_block = csr_apply_block;
    op->symmetric = A->rows > 0 && sp_csr_asymmetry(A) == 0.0;
    op->nnz = A->nnz;
    op->csr = A;
    return SP_OK;
}

int sp_operator_dense(const sp_dmat *A, sp_operator *op)
{
    if (!A || !op) return sp_error(SP_EINVAL, "sp_operator_dense: NULL argument");
    if (A->rows != A->cols)
        return sp_error(SP_EINVAL, "sp_operator_dense: matrix is %d x %d, not square", A->rows, A->cols);
    memset(op, 0, sizeof *op);
    op->n_local = A->rows;
    op->n_global = A->rows;
    op->ctx = (void *)A;
    op->apply = dense_apply;
    int sym = 1;
    for (int j = 0; j < A->cols && sym; j++)
        for (int i = 0; i < j; i++)
            if (SP_AT(A, i, j) != SP_AT(A, j, i)) {
                sym = 0;
                break;
            }
    op->symmetric = sym;
    op->nnz = (int64_t)A->rows * A->cols;
    op->dense = A;
    return SP_OK;
}

int sp_project_out(const sp_operator *op, const double *X, int p, double *x, double *coef,
                   int64_t *counter)
{
    int n = op->n_local, rc = SP_OK;
    for (int pass = 0; rc == SP_OK && pass < 2 && p > 0; pass++) {
        rc = sp_gemv_raw('T', n, p, 1.0, X, n, x, 0.0, coef);
        if (rc == SP_OK) rc = sp_arnoldi_reduce(op, coef, p, counter);
        if (rc == SP_OK) rc = sp_gemv_raw('N', n, p, -1.0, X, n, coef, 1.0, x);
    }
    return rc;
}

static int deflated_apply(void *ctx, const double *x, double *y)
{
    sp_deflated_op *d = ctx;
    int n = d->base->n_local, p = d->p;
    memcpy(d->tmp, x, (size_t)n * sizeof(double));
    double *c = d->coef, *c_all = d->coef + p; /* c_all = X^T x over both passes */
    memset(c_all, 0, (size_t)p * sizeof(double));
    int rc = SP_OK;
    for (int pass = 0; rc == SP_OK && pass < 2 && p > 0; pass++) {
        rc = sp_gemv_raw('T', n, p, 1.0, d->X, n, d->tmp, 0.0, c);
        if (rc == SP_OK) rc = sp_arnoldi_reduce(d->base, c, p, &d->reductions);
        if (rc == SP_OK) rc = sp_gemv_raw('N', n, p, -1.0, d->X, n, c, 1.0, d->tmp);
        for (int i = 0; i < p; i++) c_all[i] += c[i];
    }
    if (rc == SP_OK) rc = d->base->apply(d->base->ctx, d->tmp, y);
    if (rc == SP_OK) rc = sp_project_out(d->base, d->X, p, y, c, &d->reductions);
    if (rc == SP_OK && d->sigma != 0.0 && p > 0)
        rc = sp_gemv_raw('N', n, p, d->sigma, d->X, n, c_all, 1.0, y);
    return rc;
}

static int deflated_reduce(void *ctx, double *buf, int count)
{
    sp_deflated_op *d = ctx;
    return d->base->allreduce_sum ? d->base->allreduce_sum(d->base->ctx, buf, count) : SP_OK;
}

int sp_deflated_op_init(sp_deflated_op *d, const sp_operator *base, const double *X, int p,
                        double sigma, sp_operator *op)
{
    memset(d, 0, sizeof *d);
    d->base = base;
    d->X = X;
    d->p = p;
    d->sigma = sigma;
    d->tmp = sp_malloc((size_t)(base->n_local > 0 ? base->n_local : 1) * sizeof(double));
    d->coef = sp_malloc((size_t)(p > 0 ? 2 * p : 2) * sizeof(double));
    if (!d->tmp || !d->coef) {
        sp_deflated_op_uninit(d);
        return SP_ENOMEM;
    }
    *op = *base;
    op->ctx = d;
    op->apply = deflated_apply;
    op->apply_block = NULL;
    op->allreduce_sum = base->allreduce_sum ? deflated_reduce : NULL;
    op->csr = NULL;
    op->dense = NULL;
    return SP_OK;
}

void sp_deflated_op_uninit(sp_deflated_op *d)
{
    free(d->tmp);
    free(d->coef);
    memset(d, 0, sizeof *d);
}
