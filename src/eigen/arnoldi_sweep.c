/* arnoldi_sweep.c: the Gram-Schmidt kernels of the Arnoldi factorization over
 * the basis B = [X V(:, 0:ncols-1)] (X: locked vectors, may be empty):
 * x -= B c and out = [B^T x ; x^T x], fused in one sweep over B by row blocks
 * that stay in cache, OpenMP over blocks. Guarantees: partial sums of fixed
 * blocks added in block order, so the bits do not depend on the thread count.
 * Local sums only: the caller reduces them over processes. */
#include <stdlib.h>
#include "eigen/eigen_internal.h"

#define SP_SWEEP_ROWS 2048       /* rows per block: 2048 x 40 doubles fit in L2 */
#define SP_SWEEP_PARALLEL_MIN 2000000 /* n x columns below which one thread sweeps */

static const double *basis_col(const sp_arnoldi *a, int k)
{
    return k < a->p ? a->X + (size_t)k * (size_t)a->n : a->V + (size_t)(k - a->p) * (size_t)a->n;
}

/* out[0..3] = b_k^T x for four columns (x loaded once), fixed order, two
 * accumulators per column (vectorizes, deterministic). */
static void dot_cols4(const double *const *b, const double *x, int n, double *out)
{
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0, e0 = 0.0, e1 = 0.0, e2 = 0.0, e3 = 0.0;
    int i = 0;
    for (; i + 2 <= n; i += 2) {
        a0 += b[0][i] * x[i], e0 += b[0][i + 1] * x[i + 1];
        a1 += b[1][i] * x[i], e1 += b[1][i + 1] * x[i + 1];
        a2 += b[2][i] * x[i], e2 += b[2][i + 1] * x[i + 1];
        a3 += b[3][i] * x[i], e3 += b[3][i + 1] * x[i + 1];
    }
    for (; i < n; i++) a0 += b[0][i] * x[i], a1 += b[1][i] * x[i], a2 += b[2][i] * x[i], a3 += b[3][i] * x[i];
    out[0] = a0 + e0, out[1] = a1 + e1, out[2] = a2 + e2, out[3] = a3 + e3;
}

static double dot2(const double *b, const double *x, int n)
{
    double a0 = 0.0, e0 = 0.0;
    int i = 0;
    for (; i + 2 <= n; i += 2) a0 += b[i] * x[i], e0 += b[i + 1] * x[i + 1];
    if (i < n) a0 += b[i] * x[i];
    return a0 + e0;
}

/* Rows [r0, r1) of x: x -= B c (when c; four columns per pass over x), then
 * out = [B^T x ; x^T x] on those rows (when out); B has nb columns. */
static void sweep_block(const sp_arnoldi *a, int nb, int r0, int r1, double *x, const double *c,
                        double *out)
{
    int len = r1 - r0, k = 0;
    double *xb = x + r0;
    const double *b[4];
    for (; c && k + 4 <= nb; k += 4) {
        for (int q = 0; q < 4; q++) b[q] = basis_col(a, k + q) + r0;
        double c0 = c[k], c1 = c[k + 1], c2 = c[k + 2], c3 = c[k + 3];
        for (int i = 0; i < len; i++) xb[i] = xb[i] - c0 * b[0][i] - c1 * b[1][i] - c2 * b[2][i] - c3 * b[3][i];
    }
    for (; c && k < nb; k++) {
        const double *bk = basis_col(a, k) + r0;
        for (int i = 0; i < len; i++) xb[i] -= c[k] * bk[i];
    }
    if (!out) return;
    for (k = 0; k + 4 <= nb; k += 4) {
        for (int q = 0; q < 4; q++) b[q] = basis_col(a, k + q) + r0;
        dot_cols4(b, xb, len, out + k);
    }
    for (; k < nb; k++) out[k] = dot2(basis_col(a, k) + r0, xb, len);
    out[nb] = dot2(xb, xb, len);
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
    int parallel = blocks > 1 && (double)a->n * (nb + 1) >= SP_SWEEP_PARALLEL_MIN;
    double *part = a->part;
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
