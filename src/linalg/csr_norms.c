/* csr_norms.c: Frobenius, 1- and inf-norms and the symmetry defect of a CSR
 * matrix. Serial (memory-bound and cheap next to a solve), deterministic; a
 * NaN entry makes the result NaN. Does not modify A. */
#include "spartan/linalg.h"
#include <math.h>
#include <stdlib.h>

/* max(best, s) that propagates NaN (fmax would drop it). */
static double max_nan(double best, double s)
{
    return (s > best || isnan(s)) && !isnan(best) ? s : best;
}

double sp_csr_norm_fro(const sp_csr *A)
{
    double scale = 0.0;
    for (int64_t k = 0; k < A->nnz; k++)
        scale = max_nan(scale, fabs(A->val[k]));
    if (scale == 0.0 || !isfinite(scale)) return scale;
    double sum = 0.0; /* scaled sum of squares: no overflow or underflow */
    for (int64_t k = 0; k < A->nnz; k++) {
        double t = A->val[k] / scale;
        sum += t * t;
    }
    return scale * sqrt(sum);
}

double sp_csr_norm_inf(const sp_csr *A)
{
    double best = 0.0;
    for (int i = 0; i < A->rows; i++) {
        double s = 0.0;
        for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++)
            s += fabs(A->val[k]);
        best = max_nan(best, s);
    }
    return best;
}

double sp_csr_norm_1(const sp_csr *A)
{
    double *colsum = sp_calloc((size_t)A->cols, sizeof *colsum);
    if (!colsum) return NAN;
    for (int64_t k = 0; k < A->nnz; k++)
        colsum[A->colind[k]] += fabs(A->val[k]);
    double best = 0.0;
    for (int j = 0; j < A->cols; j++)
        best = max_nan(best, colsum[j]);
    free(colsum);
    return best;
}

/* |a - sign*b| / max(|a|, |b|), 0 when both are zero. */
static double pair_defect(double a, double b, int sign)
{
    double big = fmax(fabs(a), fabs(b));
    if (isnan(a) || isnan(b)) return NAN;
    if (big == 0.0) return 0.0;
    return fabs(a - sign * b) / big;
}

/* Merge row i of A with row i of A^T (both sorted): the worst pair defect. */
static double row_defect(const sp_csr *A, const sp_csr *AT, int i, int sign)
{
    int64_t p = A->rowptr[i], pe = A->rowptr[i + 1];
    int64_t q = AT->rowptr[i], qe = AT->rowptr[i + 1];
    double worst = 0.0;
    while (p < pe || q < qe) {
        int cp = p < pe ? A->colind[p] : A->cols, cq = q < qe ? AT->colind[q] : A->cols;
        double a = cp <= cq ? A->val[p] : 0.0, b = cq <= cp ? AT->val[q] : 0.0;
        worst = max_nan(worst, pair_defect(a, b, sign));
        if (cp <= cq) p++;
        if (cq <= cp) q++;
    }
    return worst;
}

/* 1 when some diagonal entry is nonzero and no entry is NaN. */
static int nonzero_diagonal_no_nan(const sp_csr *A)
{
    int found = 0;
    for (int i = 0; i < A->rows; i++)
        for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++) {
            if (isnan(A->val[k])) return 0;
            if (A->colind[k] == i && A->val[k] != 0.0) found = 1;
        }
    return found;
}

double sp_csr_symmetry_defect(const sp_csr *A, int sign)
{
    if (A->rows != A->cols) return INFINITY;
    /* every pair defect is <= 2, and a nonzero diagonal entry reaches 2 for skew:
     * the answer without building A^T */
    if (sign < 0 && nonzero_diagonal_no_nan(A)) return 2.0;
    sp_csr AT;
    if (sp_csr_transpose(A, &AT) < 0) return NAN;
    double worst = 0.0;
    for (int i = 0; i < A->rows; i++)
        worst = max_nan(worst, row_defect(A, &AT, i, sign < 0 ? -1 : 1));
    sp_csr_uninit(&AT);
    return worst;
}

double sp_csr_asymmetry(const sp_csr *A)
{
    return sp_csr_symmetry_defect(A, 1);
}
