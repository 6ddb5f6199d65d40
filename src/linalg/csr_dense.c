/* csr_dense.c: CSR to dense conversion (kept apart from csr.c so that code
 * using only sparse kernels does not pull in the dense layer). Duplicate-free
 * CSR assumed (as built by sp_csr_from_triplets); entries are assigned. */
#include "spartan/linalg.h"

int sp_csr_to_dense(const sp_csr *A, sp_dmat *D)
{
    int rc = sp_dmat_init(D, A->rows, A->cols);
    if (rc < 0) return rc;
    for (int i = 0; i < A->rows; i++)
        for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++)
            SP_AT(D, i, A->colind[k]) = A->val[k];
    return SP_OK;
}
