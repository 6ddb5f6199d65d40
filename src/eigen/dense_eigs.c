/* dense_eigs.c: the dense path for small problems: A formed as an n x n array
 * (from the CSR or dense matrix behind the operator, else by applying it to
 * e_1..e_n), then LAPACK dsyev or dgeev on all of it, as scipy does for tiny
 * matrices. Serial operators only; never used for large n by `auto`. */
#include <stdlib.h>
#include <string.h>
#include "eigen/eigen_internal.h"

int sp_extract_dense(const sp_operator *op, const double *A, int symmetric, sp_which which, int nev,
                     int want_vectors, sp_eigs_result *res);

static int form_dense(const sp_operator *op, double *A, int64_t *applies)
{
    int n = op->n_local;
    if (op->dense) {
        for (int j = 0; j < n; j++)
            memcpy(A + (size_t)j * n, &SP_AT(op->dense, 0, j), (size_t)n * sizeof(double));
        return SP_OK;
    }
    if (op->csr) {
        const sp_csr *C = op->csr;
        memset(A, 0, (size_t)n * (size_t)n * sizeof(double));
        for (int i = 0; i < n; i++)
            for (int64_t q = C->rowptr[i]; q < C->rowptr[i + 1]; q++)
                A[(size_t)i + (size_t)C->colind[q] * n] += C->val[q];
        return SP_OK;
    }
    double *e = sp_calloc((size_t)n, sizeof(double));
    if (!e) return SP_ENOMEM;
    int rc = SP_OK;
    for (int j = 0; rc == SP_OK && j < n; j++) {
        e[j] = 1.0;
        rc = op->apply(op->ctx, e, A + (size_t)j * n);
        e[j] = 0.0;
        (*applies)++;
    }
    free(e);
    return rc;
}

int sp_dense_eigs(const sp_operator *op, const sp_eigs_options *opt, int symmetric,
                  sp_eigs_result *res)
{
    if (op->allreduce_sum)
        return sp_error(SP_EINVAL, "method dense needs a serial operator (allreduce_sum is set)");
    int n = op->n_local;
    double *A = sp_malloc((size_t)n * (size_t)n * sizeof(double));
    if (!A) return SP_ENOMEM;
    int rc = form_dense(op, A, &res->matvecs);
    if (rc == SP_OK)
        rc = sp_extract_dense(op, A, symmetric, opt->which, opt->nev, opt->want_vectors, res);
    free(A);
    return rc;
}
