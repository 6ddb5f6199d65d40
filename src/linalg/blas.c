/* blas.c: checked CBLAS wrappers (OpenBLAS), column-major with explicit ld.
 * Level 1 works on unit-stride n-vectors and is a no-op for n <= 0. Level 2/3
 * check every shape first and return SP_EINVAL naming the mismatch, so BLAS's
 * own xerbla (which prints) is never reached. Operands must not alias the output. */
#include <cblas.h>
#include "spartan/linalg.h"
#include "linalg/dense_check.h"

double sp_dot(int n, const double *x, const double *y)
{
    return n > 0 ? cblas_ddot(n, x, 1, y, 1) : 0.0;
}

double sp_nrm2(int n, const double *x) { return n > 0 ? cblas_dnrm2(n, x, 1) : 0.0; }

void sp_axpy(int n, double alpha, const double *x, double *y)
{
    if (n > 0) cblas_daxpy(n, alpha, x, 1, y, 1);
}

void sp_scal(int n, double alpha, double *x)
{
    if (n > 0) cblas_dscal(n, alpha, x, 1);
}

void sp_copy(int n, const double *x, double *y)
{
    if (n > 0) cblas_dcopy(n, x, 1, y, 1);
}

/* 'N'/'n' -> 0, 'T'/'t' -> 1, else -1. */
static int parse_trans(char t)
{
    if (t == 'N' || t == 'n') return 0;
    if (t == 'T' || t == 't') return 1;
    return -1;
}

static enum CBLAS_TRANSPOSE cblas_op(int transposed)
{
    return transposed ? CblasTrans : CblasNoTrans;
}

int sp_gemv(char trans, double alpha, const sp_dmat *A, const double *x, double beta, double *y)
{
    int t = parse_trans(trans);
    if (t < 0) return sp_error(SP_EINVAL, "sp_gemv: trans = '%c' must be 'N' or 'T'", trans);
    int rc = sp_dmat_check("sp_gemv", "A", A);
    if (rc < 0) return rc;
    int xlen = t ? A->rows : A->cols, ylen = t ? A->cols : A->rows;
    if ((xlen > 0 && !x) || (ylen > 0 && !y))
        return sp_error(SP_EINVAL, "sp_gemv: %s is NULL (needs %d entries)", !y ? "y" : "x",
                        !y ? ylen : xlen);
    if (ylen == 0) return SP_OK;
    if (xlen == 0) { /* y = beta y, never reading y when beta == 0 */
        for (int i = 0; i < ylen; i++) y[i] = beta == 0.0 ? 0.0 : beta * y[i];
        return SP_OK;
    }
    cblas_dgemv(CblasColMajor, cblas_op(t), A->rows, A->cols, alpha, A->data, A->ld, x, 1,
                beta, y, 1);
    return SP_OK;
}

/* C = beta C for an empty inner dimension (BLAS would do the same). */
static void scale_output(double beta, sp_dmat *C)
{
    for (int j = 0; j < C->cols; j++)
        for (int i = 0; i < C->rows; i++)
            SP_AT(C, i, j) = beta == 0.0 ? 0.0 : beta * SP_AT(C, i, j);
}

int sp_gemm(char transa, char transb, double alpha, const sp_dmat *A, const sp_dmat *B,
            double beta, sp_dmat *C)
{
    int ta = parse_trans(transa), tb = parse_trans(transb);
    if (ta < 0 || tb < 0)
        return sp_error(SP_EINVAL, "sp_gemm: trans%s = '%c' must be 'N' or 'T'",
                        ta < 0 ? "a" : "b", ta < 0 ? transa : transb);
    int rc = sp_dmat_check("sp_gemm", "A", A);
    if (rc == SP_OK) rc = sp_dmat_check("sp_gemm", "B", B);
    if (rc == SP_OK) rc = sp_dmat_check("sp_gemm", "C", C);
    if (rc < 0) return rc;
    int m = ta ? A->cols : A->rows, k = ta ? A->rows : A->cols;
    int kb = tb ? B->cols : B->rows, n = tb ? B->rows : B->cols;
    if (k != kb || C->rows != m || C->cols != n)
        return sp_error(SP_EINVAL,
                        "sp_gemm: op(A) is %d x %d (A %d x %d, '%c'), op(B) is %d x %d "
                        "(B %d x %d, '%c'), C is %d x %d",
                        m, k, A->rows, A->cols, transa, kb, n, B->rows, B->cols, transb,
                        C->rows, C->cols);
    if (m == 0 || n == 0) return SP_OK;
    if (k == 0) {
        scale_output(beta, C);
        return SP_OK;
    }
    cblas_dgemm(CblasColMajor, cblas_op(ta), cblas_op(tb), m, n, k, alpha, A->data, A->ld,
                B->data, B->ld, beta, C->data, C->ld);
    return SP_OK;
}
