/* arnoldi_sweep.c: the Gram-Schmidt kernels of the Arnoldi factorization over
 * the basis B = [X V(:, 0:ncols-1)] (X: locked vectors, may be empty):
 * x -= B c and out = [B^T x ; x^T x], fused in one sweep over B by row blocks
 * that stay in cache (BLAS gemv per block), OpenMP over blocks for large n.
 * Guarantees: partial sums of fixed blocks added in block order, so the bits
 * do not depend on the thread count. Local sums only: the caller reduces them. */
#include <stdlib.h>
#include "eigen/eigen_internal.h"

#define SP_SWEEP_ROWS 4096       /* rows per block: 4096 x 40 doubles fit in L2 */
#define SP_SWEEP_PARALLEL_MIN 2000000 /* n x columns below which one thread sweeps */

/* Rows [r0, r1) of x: x -= B c (when c), then out = [B^T x ; x^T x] on those
 * rows (when out); B = [X V] has nb >= p columns. Single-threaded BLAS
 * (sp_set_threads keeps OpenBLAS at one thread under OpenMP). */
static void sweep_block(const sp_arnoldi *a, int nb, int r0, int r1, double *x, const double *c,
                        double *out)
{
    int len = r1 - r0, p = a->p, nv = nb - p;
    double *xb = x + r0;
    if (c && p > 0) sp_gemv_raw('N', len, p, -1.0, a->X + r0, a->n, c, 1.0, xb);
    if (c && nv > 0) sp_gemv_raw('N', len, nv, -1.0, a->V + r0, a->n, c + p, 1.0, xb);
    if (!out) return;
    if (p > 0) sp_gemv_raw('T', len, p, 1.0, a->X + r0, a->n, xb, 0.0, out);
    if (nv > 0) sp_gemv_raw('T', len, nv, 1.0, a->V + r0, a->n, xb, 0.0, out + p);
    out[nb] = sp_dot(len, xb, xb);
}

int sp_arnoldi_sweep_reserve(sp_arnoldi *a, int nb_max)
{
    size_t blocks = (size_t)(a->n + SP_SWEEP_ROWS - 1) / SP_SWEEP_ROWS;
    double *part = realloc(a->part, (blocks > 0 ? blocks : 1) * (size_t)(nb_max + 1) * sizeof(double));
    if (!part) return sp_error(SP_ENOMEM, "arnoldi: out of memory (%zu block sums)", blocks);
    a->part = part;
    return SP_OK;
}

void sp_arnoldi_sweep(const sp_arnoldi *a, int nb, double *x, const double *c, double *out)
{
    int blocks = (a->n + SP_SWEEP_ROWS - 1) / SP_SWEEP_ROWS, stride = nb + 1;
    double *part = blocks > 1 ? a->part : out; /* one block: straight into out */
    if (blocks <= 1) {
        sweep_block(a, nb, 0, a->n, x, c, out);
        return;
    }
    int parallel = (double)a->n * (nb + 1) >= SP_SWEEP_PARALLEL_MIN;
    (void)parallel;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (parallel)
#endif
    for (int b = 0; b < blocks; b++) {
        int r0 = b * SP_SWEEP_ROWS, r1 = r0 + SP_SWEEP_ROWS < a->n ? r0 + SP_SWEEP_ROWS : a->n;
        sweep_block(a, nb, r0, r1, x, c, out ? part + (size_t)b * stride : NULL);
    }
    for (int k = 0; out && k <= nb; k++) {
        double s = 0.0;
        for (int b = 0; b < blocks; b++) s += part[(size_t)b * stride + k];
        out[k] = s;
    }
}
