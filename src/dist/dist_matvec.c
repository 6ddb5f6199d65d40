/* dist_matvec.c: y = A x for a row-distributed CSR matrix, the exchange modes
 * (point-to-point, neighbourhood collective, allgather fallback) and the
 * gather of a distributed vector. Guarantees: rows that need no ghost are
 * multiplied while the ghosts travel; every y_i is summed in stored column
 * order (bit-identical to sp_csr_matvec in every mode and for any P).
 * Does not build the plan (comm_plan.c). */
#include <stdlib.h>
#include <string.h>
#include "dist/dist_internal.h"

#define SP_DIST_PARALLEL_MIN_NNZ 50000

/* y[i] = sum_k val[k] xv[col[k]] for the listed local rows, in stored order. */
static void multiply_rows(const sp_dist_csr *D, const int *list, int count, const double *xv,
                          double *y)
{
    const int64_t *rowptr = D->rowptr;
    const int *col = D->col;
    const double *val = D->val;
#pragma omp parallel for schedule(static) if (D->nnz_local >= SP_DIST_PARALLEL_MIN_NNZ)
    for (int r = 0; r < count; r++) {
        int i = list[r];
        double s = 0.0;
        for (int64_t k = rowptr[i]; k < rowptr[i + 1]; k++) s += val[k] * xv[col[k]];
        y[i] = s;
    }
}

static int gather_counts_init(sp_dist_csr *D)
{
    if (D->gather_counts) return SP_OK;
    D->gather_counts = sp_malloc(2 * (size_t)D->nranks * sizeof(int));
    if (!D->gather_counts) return SP_ENOMEM;
    for (int q = 0; q < D->nranks; q++) {
        D->gather_counts[q] = D->starts[q + 1] - D->starts[q];
        D->gather_counts[D->nranks + q] = D->starts[q];
    }
    return SP_OK;
}

static int allgather(sp_dist_csr *D, const double *x_local, double *x_full)
{
    return sp_dist_mpi_check(MPI_Allgatherv(x_local, D->n_local, MPI_DOUBLE, x_full, D->gather_counts,
                                            D->gather_counts + D->nranks, MPI_DOUBLE, D->comm),
                             "gather: MPI_Allgatherv");
}

int sp_dist_csr_gather(sp_dist_csr *D, const double *x_local, double *x_full)
{
    int rc = sp_dist_agree(D->comm, gather_counts_init(D));
    return rc < 0 ? rc : allgather(D, x_local, x_full);
}

int sp_dist_csr_set_exchange(sp_dist_csr *D, sp_dist_exchange mode)
{
    int rc = SP_OK;
    if ((unsigned)mode >= SP_DIST_EXCHANGE_COUNT)
        rc = sp_error(SP_EINVAL, "dist_csr_set_exchange: mode %d out of range", (int)mode);
    else if (mode == SP_DIST_EXCHANGE_ALLGATHER && !D->xfull) {
        D->xfull = sp_malloc((size_t)(D->n > 0 ? D->n : 1) * sizeof(double));
        if (!D->xfull) rc = SP_ENOMEM;
    }
    if (rc == SP_OK && mode == SP_DIST_EXCHANGE_ALLGATHER) rc = gather_counts_init(D);
    if ((rc = sp_dist_agree(D->comm, rc)) == SP_OK) D->exchange = mode;
    return rc;
}

static int matvec_allgather(sp_dist_csr *D, const double *x, double *y)
{
    double t0 = MPI_Wtime();
    int rc = allgather(D, x, D->xfull);
    if (rc < 0) return rc;
    memcpy(D->xbuf, x, (size_t)D->n_local * sizeof(double));
    for (int g = 0; g < D->plan.n_ghost; g++) D->xbuf[D->n_local + g] = D->xfull[D->plan.ghost_cols[g]];
    double t1 = MPI_Wtime();
    multiply_rows(D, D->interior, D->n_interior, D->xbuf, y);
    multiply_rows(D, D->boundary, D->n_boundary, D->xbuf, y);
    D->stats.seconds_comm += t1 - t0;
    D->stats.seconds_compute += MPI_Wtime() - t1;
    D->stats.doubles_received += D->n - D->n_local;
    return SP_OK;
}

int sp_dist_csr_matvec(sp_dist_csr *D, const double *x, double *y)
{
    D->stats.matvecs++;
    if (D->exchange == SP_DIST_EXCHANGE_ALLGATHER) return matvec_allgather(D, x, y);
    double t0 = MPI_Wtime();
    int rc = sp_dist_plan_begin(&D->plan, x, D->xbuf + D->n_local,
                                D->exchange == SP_DIST_EXCHANGE_NEIGHBOR);
    double t1 = MPI_Wtime();
    multiply_rows(D, D->interior, D->n_interior, x, y); /* overlaps the exchange */
    memcpy(D->xbuf, x, (size_t)D->n_local * sizeof(double));
    double t2 = MPI_Wtime();
    if (rc == SP_OK) rc = sp_dist_plan_end(&D->plan);
    double t3 = MPI_Wtime();
    if (rc < 0) return rc;
    multiply_rows(D, D->boundary, D->n_boundary, D->xbuf, y);
    D->stats.seconds_comm += (t1 - t0) + (t3 - t2);
    D->stats.seconds_compute += (t2 - t1) + (MPI_Wtime() - t3);
    D->stats.doubles_received += D->plan.n_ghost;
    return SP_OK;
}
