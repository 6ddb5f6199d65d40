/* csr_matvec.c: y = A x and y = A^T x for CSR matrices, OpenMP-parallel and
 * deterministic: every y entry is summed in the same order (increasing column
 * for A x, increasing row for A^T x) whatever the thread count, so results are
 * bit-identical to the serial loop. Also the nnz-balanced row partition. */
#include "spartan/linalg.h"
#include "linalg/csr_blocks.h"
#ifdef _OPENMP
#include <omp.h>
#endif

int sp_csr_thread_blocks(const sp_csr *A)
{
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    if (A->nnz < SP_CSR_PARALLEL_MIN_NNZ || threads < 1) return 1;
    return threads > SP_CSR_MAX_BLOCKS ? SP_CSR_MAX_BLOCKS : threads;
}

/* Lower bound: first row r in [lo, hi] with rowptr[r] >= target. */
static int first_row_reaching(const int64_t *rowptr, int lo, int hi, int64_t target)
{
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (rowptr[mid] < target)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int sp_rows_partition_by_nnz(int nrows, const int64_t *rowptr, int parts, int *starts)
{
    if (nrows < 0 || parts < 1 || !rowptr || !starts)
        return sp_error(SP_EINVAL,
                        "rows_partition_by_nnz: nrows = %d, parts = %d (need >= 0, >= 1)", nrows,
                        parts);
    int64_t nnz = rowptr[nrows] - rowptr[0];
    starts[0] = 0;
    for (int p = 1; p < parts; p++) {
        if (nnz == 0) { /* nothing to balance: split the rows evenly */
            starts[p] = (int)((int64_t)nrows * p / parts);
            continue;
        }
        /* target = round-down of p * nnz / parts without overflow */
        int64_t target = rowptr[0] + (nnz / parts) * p + (nnz % parts) * p / parts;
        int r = first_row_reaching(rowptr, starts[p - 1], nrows, target);
        starts[p] = r;
    }
    starts[parts] = nrows;
    return SP_OK;
}

/* y[r0, r1) = (A x)[r0, r1), each row summed in column order. */
static void matvec_rows(const sp_csr *A, const double *x, double *y, int r0, int r1)
{
    for (int i = r0; i < r1; i++) {
        double s = 0.0;
        for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++)
            s += A->val[k] * x[A->colind[k]];
        y[i] = s;
    }
}

void sp_csr_matvec(const sp_csr *A, const double *x, double *y)
{
    int starts[SP_CSR_MAX_BLOCKS + 1];
    int blocks = sp_csr_thread_blocks(A);
    if (blocks == 1 || sp_rows_partition_by_nnz(A->rows, A->rowptr, blocks, starts) < 0) {
        matvec_rows(A, x, y, 0, A->rows);
        return;
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int b = 0; b < blocks; b++)
        matvec_rows(A, x, y, starts[b], starts[b + 1]);
}

/* First position in colind[lo, hi) with a column >= c (rows are sorted). */
static int64_t first_col_reaching(const int *colind, int64_t lo, int64_t hi, int c)
{
    if (hi - lo <= 8) {
        while (lo < hi && colind[lo] < c)
            lo++;
        return lo;
    }
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (colind[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* y[c0, c1) = (A^T x)[c0, c1): scan every row, touching only columns in range. */
static void matvec_t_columns(const sp_csr *A, const double *x, double *y, int c0, int c1)
{
    for (int j = c0; j < c1; j++)
        y[j] = 0.0;
    for (int i = 0; i < A->rows; i++) {
        int64_t end = A->rowptr[i + 1];
        int64_t k = c0 == 0 ? A->rowptr[i] : first_col_reaching(A->colind, A->rowptr[i], end, c0);
        double xi = x[i];
        for (; k < end && A->colind[k] < c1; k++)
            y[A->colind[k]] += A->val[k] * xi;
    }
}

/* Each thread owns a contiguous range of output columns and scans all rows:
 * no atomics, no per-thread partial vectors, rows added in increasing order. */
void sp_csr_matvec_t(const sp_csr *A, const double *x, double *y)
{
    int blocks = sp_csr_thread_blocks(A);
    if (blocks > A->cols) blocks = A->cols > 0 ? A->cols : 1;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (blocks > 1)
#endif
    for (int b = 0; b < blocks; b++) {
        int c0 = (int)((int64_t)A->cols * b / blocks);
        int c1 = (int)((int64_t)A->cols * (b + 1) / blocks);
        matvec_t_columns(A, x, y, c0, c1);
    }
}
