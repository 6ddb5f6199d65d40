/* dist_balance.c: the partition that balances measured time, not a model.
 * A nonzero of a power-law matrix costs several times more in a hub row
 * (columns all over x: cache misses) than in a tail row (columns mostly hubs:
 * cache hits), so blocks with equal nnz take unequal time, and the Krylov
 * vector work adds a per-row cost that depends on ncv and the memory
 * bandwidth each rank gets. Each rank times its local product on segments of
 * its rows and a Gram-Schmidt-like sweep, prices every row, and the rows move
 * once (sp_dist_csr_rebalance_cost). Guarantees: collective, errors agreed,
 * the matrix is unchanged (only its partition). Timings are noisy on a loaded
 * machine: the result is a heuristic partition, never a wrong one. */
#include <stdlib.h>
#include <string.h>
#include "dist/dist_internal.h"
#include "spartan/linalg.h"

#define SEGMENTS 64           /* timed row segments per rank */
#define SWEEP_ROWS (1 << 18)  /* rows of the timed sweep block (x ncv: beyond cache) */
#define PS_PER_NS 1000.0      /* costs are integers in picoseconds */

/* Vector work per row and Arnoldi step, in units of one timed gemv pair over
 * ncv columns: Gram-Schmidt (2 passes, 3 with DGKS, over a growing basis),
 * the copies and scalings of w, f and v, the restarts' V Q updates and the
 * first touch of the basis pages. Calibrated on the power-law n = 10^7
 * matrix, ncv 21, P = 2: a rank with 9.2 M rows spent 54 ns per row and step
 * outside products and communication, against a timed pair of 14.5 ns. */
#define SWEEPS_PER_STEP 3.75

static void local_product(const sp_dist_csr *D, int r0, int r1, double *y)
{
    for (int i = r0; i < r1; i++) {
        double s = 0.0;
        for (int64_t k = D->rowptr[i]; k < D->rowptr[i + 1]; k++) s += D->val[k] * D->xbuf[D->col[k]];
        y[i] = s;
    }
}

/* Picoseconds per nonzero of each segment (min of two timings). */
static void time_segments(const sp_dist_csr *D, const int *seg, int nseg, double *y, double *ps_per_nnz)
{
    for (int s = 0; s < nseg; s++) {
        double best = 1e300;
        for (int rep = 0; rep < 2; rep++) {
            double t0 = sp_time_now();
            local_product(D, seg[s], seg[s + 1], y);
            double t = sp_time_now() - t0;
            best = t < best ? t : best;
        }
        int64_t nnz = D->rowptr[seg[s + 1]] - D->rowptr[seg[s]];
        ps_per_nnz[s] = nnz > 0 ? best * 1e9 * PS_PER_NS / (double)nnz : 0.0;
    }
}

/* Picoseconds of vector work per row and Arnoldi step: a gemv pair (B^T x,
 * x -= B h) over a SWEEP_ROWS x ncv block, best of two after a warm-up. */
static int time_sweep(int n_local, int ncv, double *ps_per_row)
{
    int r = n_local < SWEEP_ROWS ? n_local : SWEEP_ROWS;
    *ps_per_row = 0.0;
    if (r <= 0 || ncv <= 0) return SP_OK;
    double *B = sp_malloc((size_t)r * (size_t)ncv * sizeof(double)), *x = sp_malloc((size_t)r * sizeof(double));
    double *h = sp_malloc((size_t)ncv * sizeof(double));
    if (!B || !x || !h) {
        free(B), free(x), free(h);
        return SP_ENOMEM;
    }
    for (size_t i = 0; i < (size_t)r * ncv; i++) B[i] = 1e-3;
    for (int i = 0; i < r; i++) x[i] = 1.0;
    sp_dmat M = sp_dmat_wrap(B, r, ncv, r);
    double best = 1e300;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = sp_time_now();
        sp_gemv('T', 1.0, &M, x, 0.0, h);
        sp_gemv('N', -1e-9, &M, h, 1.0, x);
        double t = sp_time_now() - t0;
        if (rep > 0) best = t < best ? t : best;
    }
    *ps_per_row = SWEEPS_PER_STEP * best * 1e9 * PS_PER_NS / r;
    free(B), free(x), free(h);
    return SP_OK;
}

/* Every row priced: its segment's cost per nonzero x nnz + the vector work. */
static void price_rows(const sp_dist_csr *D, const int *seg, int nseg, const double *ps_per_nnz,
                       double ps_per_row, int64_t *cost)
{
    for (int s = 0; s < nseg; s++)
        for (int i = seg[s]; i < seg[s + 1]; i++) {
            double c = ps_per_nnz[s] * (double)(D->rowptr[i + 1] - D->rowptr[i]) + ps_per_row;
            cost[i] = (int64_t)(c + 0.5);
        }
}

/* Segment bounds: about equal nnz + rows each. */
static int make_segments(const sp_dist_csr *D, int *seg)
{
    int nl = D->n_local, nseg = nl < SEGMENTS ? nl : SEGMENTS;
    int64_t total = D->nnz_local + nl;
    seg[0] = 0;
    for (int s = 1, i = 0; s < nseg; s++) {
        int64_t target = total * s / nseg;
        while (i < nl && D->rowptr[i] + i < target) i++;
        seg[s] = i > seg[s - 1] ? i : seg[s - 1];
    }
    seg[nseg] = nl;
    return nseg;
}

int sp_dist_csr_balance_measured(sp_dist_csr *D, int ncv, sp_dist_balance_info *info)
{
    double t0 = sp_time_now();
    if (info) memset(info, 0, sizeof *info);
    if (D->nranks <= 1) return SP_OK;
    int nl = D->n_local, ng = D->plan.n_ghost, seg[SEGMENTS + 1];
    double ps_nnz[SEGMENTS], ps_row = 0.0;
    int64_t *cost = sp_malloc((size_t)(nl > 0 ? nl : 1) * sizeof *cost);
    double *y = sp_malloc((size_t)(nl > 0 ? nl : 1) * sizeof *y);
    int rc = cost && y ? SP_OK : SP_ENOMEM;
    if (rc == SP_OK && ncv < 1) rc = sp_error(SP_EINVAL, "balance_measured: ncv = %d < 1", ncv);
    if ((rc = sp_dist_agree(D->comm, rc)) == SP_OK) {
        for (int i = 0; i < nl + ng; i++) D->xbuf[i] = 1.0;
        int nseg = make_segments(D, seg);
        rc = sp_dist_mpi_check(MPI_Barrier(D->comm), "balance_measured: MPI_Barrier");
        if (rc == SP_OK) time_segments(D, seg, nseg, y, ps_nnz);
        if (rc == SP_OK) /* the sweeps run together: they share the memory bandwidth */
            rc = sp_dist_mpi_check(MPI_Barrier(D->comm), "balance_measured: MPI_Barrier");
        if (rc == SP_OK) rc = time_sweep(nl, ncv, &ps_row);
        if (rc == SP_OK) price_rows(D, seg, nseg, ps_nnz, ps_row, cost);
        rc = sp_dist_agree(D->comm, rc);
    }
    free(y);
    if (rc == SP_OK && info) {
        double ps = 0.0;
        for (int i = 0; i < nl; i++) ps += (double)cost[i] - ps_row;
        info->ns_per_nnz = D->nnz_local > 0 ? ps / (double)D->nnz_local / PS_PER_NS : 0.0;
        info->ns_per_row = ps_row / PS_PER_NS;
    }
    if (rc == SP_OK) rc = sp_dist_csr_rebalance_cost(D, cost);
    free(cost);
    if (info) info->seconds = sp_time_now() - t0;
    return rc;
}
