/* csr_spmm.c: Y = A X for a CSR matrix A and a block of k dense vectors, in
 * one sweep over A per 4 vectors (instead of k; measured faster than one sweep
 * for all k, whose gathered X falls out of cache), OpenMP over nnz-balanced
 * row blocks. Guarantees: column j of Y is bit-identical to
 * sp_csr_matvec(A, X(:, j)) at any thread count (every entry summed in column
 * order). Not a general sparse-times-sparse product. */
#include <stdlib.h>
#include "spartan/linalg.h"
#include "linalg/csr_blocks.h"
#ifdef _OPENMP
#include <omp.h>
#endif

#ifndef SP_SPMM_CHUNK
#define SP_SPMM_CHUNK 4 /* vectors per sweep: measured best (the gathered X stays small) */
#endif

/* Xr (cols x kp, row-major, kp = kc rounded up to 4, padding zero) =
 * X(:, 0:kc-1) (column-major, ld ldx), for rows r0..r1-1. */
static void gather_rows(const double *X, int ldx, int kc, int kp, double *Xr, int r0, int r1)
{
    for (int r = r0; r < r1; r++) {
        double *xr = Xr + (size_t)r * kp;
        for (int j = 0; j < kc; j++) xr[j] = X[r + (size_t)j * ldx];
        for (int j = kc; j < kp; j++) xr[j] = 0.0;
    }
}

/* Y(r0:r1-1, 0:kc-1) = A(r0:r1-1, :) X, X given row-major in Xr (cols x kp).
 * Four columns per sweep of a row, sums in registers; each entry summed in
 * column order (the row's nonzeros stay in L1/L2 between sweeps). */
static void spmm_rows(const sp_csr *A, const double *Xr, int kc, int kp, double *Y, int ldy, int r0,
                      int r1)
{
    for (int i = r0; i < r1; i++) {
        int64_t q0 = A->rowptr[i], q1 = A->rowptr[i + 1];
        for (int jb = 0; jb < kp; jb += 4) {
            double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
            for (int64_t q = q0; q < q1; q++) {
                const double a = A->val[q], *x = Xr + (size_t)A->colind[q] * kp + jb;
                s0 += a * x[0];
                s1 += a * x[1];
                s2 += a * x[2];
                s3 += a * x[3];
            }
            double *y = Y + i + (size_t)jb * ldy;
            y[0] = s0;
            if (jb + 1 < kc) y[ldy] = s1;
            if (jb + 2 < kc) y[2 * (size_t)ldy] = s2;
            if (jb + 3 < kc) y[3 * (size_t)ldy] = s3;
        }
    }
}

/* One chunk of kc <= SP_SPMM_CHUNK vectors. */
static void spmm_chunk(const sp_csr *A, const double *X, int ldx, double *Y, int ldy, int kc,
                       double *Xr, const int *starts, int blocks)
{
    int kp = (kc + 3) / 4 * 4;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (blocks > 1)
#endif
    for (int b = 0; b < blocks; b++) { /* columns split evenly for the gather */
        int c0 = (int)((int64_t)A->cols * b / blocks), c1 = (int)((int64_t)A->cols * (b + 1) / blocks);
        gather_rows(X, ldx, kc, kp, Xr, c0, c1);
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (blocks > 1)
#endif
    for (int b = 0; b < blocks; b++) spmm_rows(A, Xr, kc, kp, Y, ldy, starts[b], starts[b + 1]);
}

int sp_csr_spmm(const sp_csr *A, const double *X, int ldx, double *Y, int ldy, int k)
{
    if (!A || k < 0 || (k > 0 && (!X || !Y || ldx < A->cols || ldy < A->rows || ldx < 1 || ldy < 1)))
        return sp_error(SP_EINVAL, "csr_spmm: k = %d, ldx = %d (need >= %d), ldy = %d (need >= %d)",
                        k, ldx, A ? A->cols : 0, ldy, A ? A->rows : 0);
    if (k == 0 || A->rows == 0) return SP_OK;
    int kc_max = k < SP_SPMM_CHUNK ? k : SP_SPMM_CHUNK, kp_max = (kc_max + 3) / 4 * 4;
    if (kc_max > 4) kc_max = kc_max / 4 * 4; /* full sweeps of 4 first, the rest last */
    double *Xr = malloc((size_t)(A->cols > 0 ? A->cols : 1) * (size_t)kp_max * sizeof(double));
    if (!Xr) return sp_error(SP_ENOMEM, "csr_spmm: out of memory (%d x %d work)", A->cols, kc_max);
    int starts[SP_CSR_MAX_BLOCKS + 1], blocks = sp_csr_thread_blocks(A);
    if (blocks > 1 && sp_rows_partition_by_nnz(A->rows, A->rowptr, blocks, starts) < 0) blocks = 1;
    if (blocks == 1) starts[0] = 0, starts[1] = A->rows;
    for (int j0 = 0; j0 < k; j0 += kc_max) {
        int kc = k - j0 < kc_max ? k - j0 : kc_max;
        if (kc == 1) sp_csr_matvec(A, X + (size_t)j0 * ldx, Y + (size_t)j0 * ldy);
        else spmm_chunk(A, X + (size_t)j0 * ldx, ldx, Y + (size_t)j0 * ldy, ldy, kc, Xr, starts, blocks);
    }
    free(Xr);
    return SP_OK;
}
