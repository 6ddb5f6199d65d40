/* csr.c: building CSR matrices: from coordinate triplets, clone, transpose,
 * symmetric / skew-symmetric expansion. Guarantees: columns sorted within each
 * row, duplicates summed in input order (so the result is deterministic),
 * explicit zeros kept. Does not drop zeros and does not check values. */
#include "spartan/linalg.h"
#include <stdlib.h>
#include <string.h>

static void csr_zero(sp_csr *A)
{
    A->rows = A->cols = 0;
    A->nnz = 0;
    A->rowptr = NULL;
    A->colind = NULL;
    A->val = NULL;
}

void sp_csr_uninit(sp_csr *A)
{
    if (!A) return;
    free(A->rowptr);
    free(A->colind);
    free(A->val);
    csr_zero(A);
}

/* Allocate A (rows x cols) with room for nnz entries; rowptr zeroed. */
static int csr_alloc(sp_csr *A, int rows, int cols, int64_t nnz)
{
    csr_zero(A);
    A->rowptr = sp_calloc((size_t)rows + 1, sizeof *A->rowptr);
    A->colind = sp_malloc((size_t)nnz * sizeof *A->colind);
    A->val = sp_malloc((size_t)nnz * sizeof *A->val);
    if (!A->rowptr || !A->colind || !A->val) {
        sp_csr_uninit(A);
        return SP_ENOMEM;
    }
    A->rows = rows;
    A->cols = cols;
    A->nnz = nnz;
    return SP_OK;
}

static int check_triplets(int rows, int cols, int64_t nnz, const int *ri, const int *ci,
                          const double *v)
{
    if (rows < 0 || cols < 0 || nnz < 0)
        return sp_error(SP_EINVAL, "csr_from_triplets: bad shape %d x %d with %lld entries", rows,
                        cols, (long long)nnz);
    if (nnz > 0 && (!ri || !ci || !v))
        return sp_error(SP_EINVAL, "csr_from_triplets: NULL triplet arrays");
    if ((uint64_t)nnz > SIZE_MAX / (sizeof(double) + sizeof(int)))
        return sp_error(SP_ENOMEM, "csr_from_triplets: %lld entries do not fit in memory",
                        (long long)nnz);
    for (int64_t k = 0; k < nnz; k++) {
        if (ri[k] < 0 || ri[k] >= rows)
            return sp_error(SP_EINVAL,
                            "csr_from_triplets: entry %lld: row index %d out of range [0, %d)",
                            (long long)k, ri[k], rows);
        if (ci[k] < 0 || ci[k] >= cols)
            return sp_error(SP_EINVAL,
                            "csr_from_triplets: entry %lld: column index %d out of range [0, %d)",
                            (long long)k, ci[k], cols);
    }
    return SP_OK;
}

/* Stable sort of one row's (column, value) pairs by column: insertion sort,
 * linear on already sorted rows (the common case for Matrix Market files). */
static void sort_row_insertion(int *col, double *val, int64_t len)
{
    for (int64_t k = 1; k < len; k++) {
        int c = col[k];
        double x = val[k];
        int64_t m = k;
        while (m > 0 && col[m - 1] > c) {
            col[m] = col[m - 1];
            val[m] = val[m - 1];
            m--;
        }
        col[m] = c;
        val[m] = x;
    }
}

/* Stable merge sort for long unsorted rows; tc/tv are scratch of len entries. */
static void sort_row_merge(int *col, double *val, int64_t len, int *tc, double *tv)
{
    if (len <= 32) {
        sort_row_insertion(col, val, len);
        return;
    }
    int64_t half = len / 2;
    sort_row_merge(col, val, half, tc, tv);
    sort_row_merge(col + half, val + half, len - half, tc, tv);
    if (col[half - 1] <= col[half]) return;
    int64_t a = 0, b = half, o = 0;
    while (a < half && b < len) {
        if (col[b] < col[a]) {
            tc[o] = col[b];
            tv[o++] = val[b++];
        } else {
            tc[o] = col[a];
            tv[o++] = val[a++];
        }
    }
    while (a < half) {
        tc[o] = col[a];
        tv[o++] = val[a++];
    }
    while (b < len) {
        tc[o] = col[b];
        tv[o++] = val[b++];
    }
    memcpy(col, tc, (size_t)len * sizeof *col);
    memcpy(val, tv, (size_t)len * sizeof *val);
}

static int64_t max_row_length(const sp_csr *A)
{
    int64_t best = 0;
    for (int i = 0; i < A->rows; i++)
        if (A->rowptr[i + 1] - A->rowptr[i] > best) best = A->rowptr[i + 1] - A->rowptr[i];
    return best;
}

/* Sort every row by column (stable), then sum duplicates and compact. */
static int sort_and_merge_rows(sp_csr *A)
{
    int64_t longest = max_row_length(A);
    int *tc = sp_malloc((size_t)longest * sizeof *tc);
    double *tv = sp_malloc((size_t)longest * sizeof *tv);
    if (!tc || !tv) {
        free(tc);
        free(tv);
        return SP_ENOMEM;
    }
    int64_t out = 0;
    for (int i = 0; i < A->rows; i++) {
        int64_t lo = A->rowptr[i], len = A->rowptr[i + 1] - lo;
        sort_row_merge(A->colind + lo, A->val + lo, len, tc, tv);
        A->rowptr[i] = out;
        for (int64_t k = lo; k < lo + len; k++) {
            if (out > A->rowptr[i] && A->colind[out - 1] == A->colind[k]) {
                A->val[out - 1] += A->val[k];
            } else {
                A->colind[out] = A->colind[k];
                A->val[out++] = A->val[k];
            }
        }
    }
    A->rowptr[A->rows] = out;
    A->nnz = out;
    free(tc);
    free(tv);
    return SP_OK;
}

/* Shrink colind/val to nnz entries (never fails: keeps the old block). */
static void csr_shrink(sp_csr *A)
{
    size_t n = (size_t)(A->nnz ? A->nnz : 1);
    int *c = realloc(A->colind, n * sizeof *c);
    if (c) A->colind = c;
    double *v = realloc(A->val, n * sizeof *v);
    if (v) A->val = v;
}

int sp_csr_from_triplets(int rows, int cols, int64_t nnz, const int *ri, const int *ci,
                         const double *v, sp_csr *A)
{
    int rc = check_triplets(rows, cols, nnz, ri, ci, v);
    if (rc < 0) return rc;
    if ((rc = csr_alloc(A, rows, cols, nnz)) < 0) return rc;
    for (int64_t k = 0; k < nnz; k++)
        A->rowptr[ri[k] + 1]++;
    for (int i = 0; i < rows; i++)
        A->rowptr[i + 1] += A->rowptr[i];
    int64_t *next = sp_malloc((size_t)rows * sizeof *next + 1);
    if (!next) {
        sp_csr_uninit(A);
        return SP_ENOMEM;
    }
    memcpy(next, A->rowptr, (size_t)rows * sizeof *next);
    for (int64_t k = 0; k < nnz; k++) { /* stable scatter by row */
        int64_t p = next[ri[k]]++;
        A->colind[p] = ci[k];
        A->val[p] = v[k];
    }
    free(next);
    if ((rc = sort_and_merge_rows(A)) < 0) {
        sp_csr_uninit(A);
        return rc;
    }
    csr_shrink(A);
    return SP_OK;
}

int sp_csr_clone(const sp_csr *A, sp_csr *B)
{
    int rc = csr_alloc(B, A->rows, A->cols, A->nnz);
    if (rc < 0) return rc;
    memcpy(B->rowptr, A->rowptr, ((size_t)A->rows + 1) * sizeof *B->rowptr);
    if (A->nnz > 0) {
        memcpy(B->colind, A->colind, (size_t)A->nnz * sizeof *B->colind);
        memcpy(B->val, A->val, (size_t)A->nnz * sizeof *B->val);
    }
    return SP_OK;
}

int sp_csr_transpose(const sp_csr *A, sp_csr *AT)
{
    int rc = csr_alloc(AT, A->cols, A->rows, A->nnz);
    if (rc < 0) return rc;
    for (int64_t k = 0; k < A->nnz; k++)
        AT->rowptr[A->colind[k] + 1]++;
    for (int j = 0; j < A->cols; j++)
        AT->rowptr[j + 1] += AT->rowptr[j];
    int64_t *next = sp_malloc((size_t)A->cols * sizeof *next + 1);
    if (!next) {
        sp_csr_uninit(AT);
        return SP_ENOMEM;
    }
    memcpy(next, AT->rowptr, (size_t)A->cols * sizeof *next);
    for (int i = 0; i < A->rows; i++) /* rows in order: AT's columns come out sorted */
        for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++) {
            int64_t p = next[A->colind[k]]++;
            AT->colind[p] = i;
            AT->val[p] = A->val[k];
        }
    free(next);
    return SP_OK;
}

/* Number of off-diagonal entries of A. */
static int64_t count_offdiag(const sp_csr *A)
{
    int64_t off = 0;
    for (int i = 0; i < A->rows; i++)
        for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++)
            off += A->colind[k] != i;
    return off;
}

int sp_csr_symmetric_expand(const sp_csr *A, int sign, sp_csr *B)
{
    if (A->rows != A->cols)
        return sp_error(SP_EINVAL, "csr_symmetric_expand: matrix is %d x %d, not square", A->rows,
                        A->cols);
    if (sign != 1 && sign != -1)
        return sp_error(SP_EINVAL, "csr_symmetric_expand: sign = %d must be +1 or -1", sign);
    int64_t total = A->nnz + count_offdiag(A);
    int *ri = sp_malloc((size_t)total * sizeof *ri);
    int *ci = sp_malloc((size_t)total * sizeof *ci);
    double *v = sp_malloc((size_t)total * sizeof *v);
    int rc = SP_ENOMEM;
    if (ri && ci && v) {
        int64_t t = 0;
        for (int i = 0; i < A->rows; i++)
            for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++) {
                int j = A->colind[k];
                ri[t] = i, ci[t] = j, v[t++] = A->val[k];
                if (j != i) ri[t] = j, ci[t] = i, v[t++] = sign * A->val[k];
            }
        rc = sp_csr_from_triplets(A->rows, A->cols, total, ri, ci, v, B);
    }
    free(ri);
    free(ci);
    free(v);
    return rc;
}
