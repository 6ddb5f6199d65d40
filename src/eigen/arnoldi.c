/* arnoldi.c: the m-step Arnoldi factorization A V = V H + f e_m^T through the
 * operator only: classical Gram-Schmidt with DGKS correction (one gemv for the
 * projection, one per correction, one allreduce of [V^T w ; w^T w] per
 * projection), breakdown handled by a random vector orthogonal to V (never a
 * division by zero). It does not choose shifts or restart; see iram.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eigen/eigen_internal.h"

int sp_arnoldi_reduce(const sp_operator *op, double *buf, int count)
{
    if (!op->allreduce_sum || count <= 0) return SP_OK;
    int rc = op->allreduce_sum(op->ctx, buf, count);
    return rc < 0 ? sp_error_prefix(rc, "operator allreduce: ") : SP_OK;
}

int sp_arnoldi_norm(const sp_operator *op, int n, const double *x, double *norm)
{
    double s = sp_dot(n, x, x);
    int rc = sp_arnoldi_reduce(op, &s, 1);
    *norm = sqrt(s);
    return rc;
}

int sp_arnoldi_apply(sp_arnoldi *a, const double *x, double *y)
{
    a->matvecs++;
    int rc = a->op->apply(a->op->ctx, x, y);
    if (rc < 0) return sp_error_prefix(rc, "operator apply (matvec %lld): ", (long long)a->matvecs);
    return SP_OK;
}

int sp_arnoldi_init(sp_arnoldi *a, const sp_operator *op, int ncv, int symmetric, uint64_t seed)
{
    memset(a, 0, sizeof *a);
    a->op = op;
    a->n = op->n_local;
    a->ncv = ncv;
    a->symmetric = symmetric;
    size_t n = (size_t)(a->n > 0 ? a->n : 1);
    a->V = sp_malloc(n * (size_t)ncv * sizeof(double));
    a->H = sp_calloc((size_t)(ncv + 1) * (size_t)ncv, sizeof(double));
    a->Q = sp_malloc((size_t)ncv * (size_t)ncv * sizeof(double));
    a->f = sp_calloc(n, sizeof(double));
    a->w = sp_malloc(n * sizeof(double));
    a->t = sp_malloc(n * sizeof(double));
    a->proj = sp_malloc((size_t)(ncv + 2) * sizeof(double));
    sp_rng_seed(&a->rng, seed);
    if (!a->V || !a->H || !a->Q || !a->f || !a->w || !a->t || !a->proj) {
        sp_arnoldi_uninit(a);
        return SP_ENOMEM;
    }
    return SP_OK;
}

void sp_arnoldi_uninit(sp_arnoldi *a)
{
    free(a->V);
    free(a->H);
    free(a->Q);
    free(a->f);
    free(a->w);
    free(a->t);
    free(a->proj);
    memset(a, 0, sizeof *a);
}

/* x -= V(:, 0:j-1) (V^T x), coefficients added to h (if not NULL). */
static int project_once(sp_arnoldi *a, int j, double *x, double *h)
{
    if (j <= 0) return SP_OK;
    int rc = sp_gemv_raw('T', a->n, j, 1.0, a->V, a->n, x, 0.0, a->proj);
    if (rc == SP_OK) rc = sp_arnoldi_reduce(a->op, a->proj, j);
    if (rc == SP_OK) rc = sp_gemv_raw('N', a->n, j, -1.0, a->V, a->n, a->proj, 1.0, x);
    if (rc == SP_OK && h)
        for (int i = 0; i < j; i++) h[i] += a->proj[i];
    return rc;
}

/* Entry i of a random vector is a function of one shared draw and the global
 * row index only, so the vector is the same for any process count. */
static void fill_random(sp_arnoldi *a, double *x)
{
    uint64_t key = sp_rng_u64(&a->rng);
    for (int i = 0; i < a->n; i++) x[i] = sp_hash_normal(key, (uint64_t)(a->op->row0 + i));
}

/* x = a unit random vector orthogonal to V(:, 0:j-1) (j < n). */
static int random_orthogonal(sp_arnoldi *a, int j, double *x)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        fill_random(a, x);
        double before = 0.0, after = 0.0;
        int rc = sp_arnoldi_norm(a->op, a->n, x, &before);
        if (rc == SP_OK) rc = project_once(a, j, x, NULL);
        if (rc == SP_OK) rc = project_once(a, j, x, NULL);
        if (rc == SP_OK) rc = sp_arnoldi_norm(a->op, a->n, x, &after);
        if (rc < 0) return rc;
        if (after > 1e-8 * before && after > 0.0) {
            sp_scal(a->n, 1.0 / after, x);
            return SP_OK;
        }
    }
    return sp_error(SP_EINTERNAL, "arnoldi: no random vector orthogonal to %d basis vectors", j);
}

int sp_arnoldi_start(sp_arnoldi *a, const double *v0, int push)
{
    double xn = 0.0, wn = 0.0;
    int rc = SP_OK;
    if (v0) sp_copy(a->n, v0, a->t);
    else fill_random(a, a->t);
    if ((rc = sp_arnoldi_norm(a->op, a->n, a->t, &xn)) < 0) return rc;
    if (!(xn > 0.0) || !isfinite(xn)) {
        fill_random(a, a->t);
        if ((rc = sp_arnoldi_norm(a->op, a->n, a->t, &xn)) < 0) return rc;
    }
    sp_copy(a->n, a->t, a->f);
    for (int attempt = 0; push && attempt < 2; attempt++) {
        if ((rc = sp_arnoldi_apply(a, a->t, a->w)) < 0) return rc;
        if ((rc = sp_arnoldi_norm(a->op, a->n, a->w, &wn)) < 0) return rc;
        if (wn > 0.0 && isfinite(wn)) { /* pushed into range(A) */
            sp_copy(a->n, a->w, a->f);
            xn = wn;
            break;
        }
        fill_random(a, a->t); /* start in the null space: try a random one */
        if ((rc = sp_arnoldi_norm(a->op, a->n, a->t, &xn)) < 0) return rc;
        sp_copy(a->n, a->t, a->f);
    }
    sp_scal(a->n, 1.0 / xn, a->f);
    a->beta = 1.0;
    a->m = 0;
    return SP_OK;
}

/* f = w - V h with DGKS corrections (ARPACK dnaitr's test, 0.717); sets beta.
 * Two failed corrections mean w lies in span(V): f = 0, beta = 0. */
static int orthogonalize(sp_arnoldi *a, int ncols, double *h)
{
    double *buf = a->proj;
    int rc = sp_gemv_raw('T', a->n, ncols, 1.0, a->V, a->n, a->w, 0.0, buf);
    if (rc < 0) return rc;
    buf[ncols] = sp_dot(a->n, a->w, a->w);
    if ((rc = sp_arnoldi_reduce(a->op, buf, ncols + 1)) < 0) return rc;
    double wnorm = sqrt(buf[ncols]), rnorm;
    memcpy(h, buf, (size_t)ncols * sizeof(double));
    sp_copy(a->n, a->w, a->f);
    if ((rc = sp_gemv_raw('N', a->n, ncols, -1.0, a->V, a->n, h, 1.0, a->f)) < 0) return rc;
    if ((rc = sp_arnoldi_norm(a->op, a->n, a->f, &rnorm)) < 0) return rc;
    for (int iter = 0; rnorm <= 0.717 * wnorm; iter++) {
        if (iter >= 2) { /* w numerically in span(V): invariant subspace */
            memset(a->f, 0, (size_t)a->n * sizeof(double));
            rnorm = 0.0;
            break;
        }
        double r1;
        if ((rc = project_once(a, ncols, a->f, h)) < 0) return rc;
        if ((rc = sp_arnoldi_norm(a->op, a->n, a->f, &r1)) < 0) return rc;
        if (r1 > 0.717 * rnorm) {
            rnorm = r1;
            break;
        }
        rnorm = r1;
    }
    a->beta = rnorm;
    return SP_OK;
}

/* Store column j of H from the projection coefficients h (j+1 entries). */
static void store_column(sp_arnoldi *a, int j, const double *h)
{
    if (a->symmetric) {
        for (int i = 0; i < j - 1; i++) SP_H(a, i, j) = 0.0;
        if (j > 0) SP_H(a, j - 1, j) = SP_H(a, j, j - 1);
        SP_H(a, j, j) = h[j];
    } else {
        for (int i = 0; i <= j; i++) SP_H(a, i, j) = h[i];
    }
    SP_H(a, j + 1, j) = a->beta;
}

int sp_arnoldi_extend(sp_arnoldi *a, int m_new)
{
    int rc;
    double hbuf[64]; /* projection coefficients of one column */
    double *hh = m_new + 1 <= 64 ? hbuf : sp_malloc((size_t)(m_new + 1) * sizeof(double));
    if (!hh) return SP_ENOMEM;
    for (int j = a->m; j < m_new; j++) {
        double *vj = a->V + (size_t)j * (size_t)a->n;
        if (a->beta > 0.0) {
            sp_copy(a->n, a->f, vj);
            sp_scal(a->n, 1.0 / a->beta, vj);
        } else if ((rc = random_orthogonal(a, j, vj)) < 0) {
            goto done;
        }
        if (j > 0) SP_H(a, j, j - 1) = a->beta;
        if ((rc = sp_arnoldi_apply(a, vj, a->w)) < 0) goto done;
        if ((rc = orthogonalize(a, j + 1, hh)) < 0) goto done;
        store_column(a, j, hh);
        a->m = j + 1;
    }
    rc = SP_OK;
done:
    if (hh != hbuf) free(hh);
    return rc;
}
