/* dist_matmat.c: Y = A X for a row-distributed CSR matrix and k vectors at
 * once (the final residuals of an eigensolve: nev products). Each sweep takes
 * SP_DIST_SPMM_CHUNK vectors: their ghost entries travel in one message per
 * neighbour (index-major, the chunk's values of one index adjacent), and the
 * local product reads them row-major, so a gathered column index costs one
 * cache line for the chunk instead of one miss per vector (the power-law
 * matvec is bound by those misses). Guarantees: column j of Y is
 * bit-identical to sp_dist_csr_matvec(D, X(:, j)) (same summation order);
 * counted as k matvecs in D->stats. Does not overlap the exchange with the
 * product (it runs once per solve). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dist/dist_internal.h"

#ifndef SP_DIST_SPMM_CHUNK
#define SP_DIST_SPMM_CHUNK 4 /* vectors per sweep: the row-major copy of x costs
                              * 32 bytes per row and ghost (n x 12 vectors took
                              * 0.9 GiB at n = 10^7 for a 1.2x gain) */
#endif

/* Post receives of the ghosts (width values each) into xr_ghost, pack and
 * post the sends from the chunk's columns of X. */
static int exchange_begin(sp_dist_plan *p, const double *X, int ldx, int kc, int width, double *send,
                          double *xr_ghost)
{
    int rc = MPI_SUCCESS, nreq = 0;
    for (int q = 0; q < p->n_recv && rc == MPI_SUCCESS; q++)
        rc = MPI_Irecv(xr_ghost + (size_t)p->recv_start[q] * width,
                       (p->recv_start[q + 1] - p->recv_start[q]) * width, MPI_DOUBLE, p->recv_rank[q],
                       SP_DIST_TAG_X, p->comm, &p->requests[nreq++]);
    int total = p->send_start[p->n_send];
    for (int k = 0; k < total; k++) {
        double *s = send + (size_t)k * width;
        for (int j = 0; j < kc; j++) s[j] = X[p->send_idx[k] + (size_t)j * ldx];
        for (int j = kc; j < width; j++) s[j] = 0.0;
    }
    for (int q = 0; q < p->n_send && rc == MPI_SUCCESS; q++)
        rc = MPI_Isend(send + (size_t)p->send_start[q] * width,
                       (p->send_start[q + 1] - p->send_start[q]) * width, MPI_DOUBLE, p->send_rank[q],
                       SP_DIST_TAG_X, p->comm, &p->requests[nreq++]);
    p->pending = nreq;
    return sp_dist_mpi_check(rc, "matmat: posting the ghost exchange");
}

/* Rows 0..n_local-1 of xr (row-major, width) = the chunk's columns of X. */
static void gather_local(const double *X, int ldx, int kc, int width, int n_local, double *xr)
{
#pragma omp parallel for schedule(static) if ((int64_t)n_local * kc >= 1000000)
    for (int i = 0; i < n_local; i++) {
        double *r = xr + (size_t)i * width;
        for (int j = 0; j < kc; j++) r[j] = X[i + (size_t)j * ldx];
        for (int j = kc; j < width; j++) r[j] = 0.0;
    }
}

/* Y(:, 0:kc-1) = A xr for a fixed width W (a compile-time constant, so the
 * W sums stay in registers); each entry summed in stored order. */
#define MULTIPLY_WIDTH(W)                                                                       \
    static void multiply_##W(const sp_dist_csr *D, const double *xr, int kc, double *Y, int ldy) \
    {                                                                                           \
        const int64_t *rowptr = D->rowptr;                                                      \
        const int *col = D->col;                                                                \
        const double *val = D->val;                                                             \
        _Pragma("omp parallel for schedule(static) if (D->nnz_local >= 50000)")                \
        for (int i = 0; i < D->n_local; i++) {                                                  \
            double s[W] = {0.0};                                                                \
            for (int64_t k = rowptr[i]; k < rowptr[i + 1]; k++) {                               \
                const double a = val[k], *x = xr + (size_t)col[k] * (W);                        \
                for (int j = 0; j < (W); j++) s[j] += a * x[j];                                 \
            }                                                                                   \
            for (int j = 0; j < kc; j++) Y[i + (size_t)j * ldy] = s[j];                         \
        }                                                                                       \
    }
MULTIPLY_WIDTH(4)
MULTIPLY_WIDTH(8)
MULTIPLY_WIDTH(12)
MULTIPLY_WIDTH(16)

/* The sweep width for kc vectors: kc rounded up to 4 (at most 16). */
static int width_for(int kc) { return (kc + 3) / 4 * 4; }

static void multiply_chunk(const sp_dist_csr *D, const double *xr, int kc, int width, double *Y, int ldy)
{
    if (width == 4) multiply_4(D, xr, kc, Y, ldy);
    else if (width == 8) multiply_8(D, xr, kc, Y, ldy);
    else if (width == 12) multiply_12(D, xr, kc, Y, ldy);
    else multiply_16(D, xr, kc, Y, ldy);
}

int sp_dist_csr_matmat(sp_dist_csr *D, const double *X, int ldx, double *Y, int ldy, int k)
{
    int nl = D->n_local, ng = D->plan.n_ghost, width = width_for(k < SP_DIST_SPMM_CHUNK ? k : SP_DIST_SPMM_CHUNK);
    int rc = k < 0 || (k > 0 && nl > 0 && (!X || !Y || ldx < nl || ldy < nl))
                 ? sp_error(SP_EINVAL, "dist_matmat: k = %d, ldx = %d, ldy = %d (need >= %d)", k, ldx, ldy, nl)
                 : SP_OK;
    int total = D->plan.send_start ? D->plan.send_start[D->plan.n_send] : 0;
    double *xr_block = NULL, *xr = NULL, *send = NULL;
    if (rc == SP_OK && k > 0) { /* xr rows start on 64-byte lines: one line per 8 values */
        xr_block = sp_malloc(((size_t)nl + (size_t)ng + 1) * (size_t)width * sizeof(double) + 64);
        xr = xr_block ? (double *)(((uintptr_t)xr_block + 63) & ~(uintptr_t)63) : NULL;
        send = sp_malloc(((size_t)total + 1) * (size_t)width * sizeof(double));
        if (!xr || !send) rc = SP_ENOMEM;
    }
    if ((rc = sp_dist_agree(D->comm, rc)) < 0 || k == 0) goto done;
    for (int j0 = 0; j0 < k && rc == SP_OK; j0 += SP_DIST_SPMM_CHUNK) {
        int kc = k - j0 < SP_DIST_SPMM_CHUNK ? k - j0 : SP_DIST_SPMM_CHUNK;
        width = width_for(kc);
        double t0 = MPI_Wtime();
        rc = exchange_begin(&D->plan, X + (size_t)j0 * ldx, ldx, kc, width, send, xr + (size_t)nl * width);
        double t1 = MPI_Wtime();
        gather_local(X + (size_t)j0 * ldx, ldx, kc, width, nl, xr);
        double t2 = MPI_Wtime();
        if (rc == SP_OK) rc = sp_dist_plan_end(&D->plan);
        double t3 = MPI_Wtime();
        if (rc == SP_OK) multiply_chunk(D, xr, kc, width, Y + (size_t)j0 * ldy, ldy);
        D->stats.seconds_comm += (t1 - t0) + (t3 - t2);
        D->stats.seconds_compute += (t2 - t1) + (MPI_Wtime() - t3);
        D->stats.matvecs += kc;
        D->stats.doubles_received += (int64_t)ng * kc;
    }
done:
    free(xr_block);
    free(send);
    return rc;
}
