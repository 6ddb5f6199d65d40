/* arnoldi.c: the m-step Arnoldi factorization A V = V H + f e_m^T through the
 * operator only: classical Gram-Schmidt with DGKS correction (one gemv for the
 * projection, one per correction), each projection fused with its norm in one
 * allreduce ([V^T w ; w^T w]): 1 allreduce per step, 2 when DGKS runs (PARPACK:
 * 5 and 8). Breakdown is handled by a random vector orthogonal to V (never a
 * division by zero). It does not choose shifts or restart; see iram.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eigen/eigen_internal.h"

int sp_arnoldi_reduce(const sp_operator *op, double *buf, int count, int64_t *counter)
{
    if (counter && count > 0) (*counter)++;
    if (!op->allreduce_sum || count <= 0) return SP_OK;
    int rc = op->allreduce_sum(op->ctx, buf, count);
    return rc < 0 ? sp_error_prefix(rc, "operator allreduce: ") : SP_OK;
}

int sp_arnoldi_norm(const sp_operator *op, int n, const double *x, double *norm, int64_t *counter)
{
    double s = sp_dot(n, x, x);
    int rc = sp_arnoldi_reduce(op, &s, 1, counter);
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
    sp_rng_seed(&a->rng, seed);
    int rc = (!a->V || !a->H || !a->Q || !a->f || !a->w || !a->t) ? SP_ENOMEM : sp_arnoldi_lock(a, NULL, 0);
    if (rc < 0) sp_arnoldi_uninit(a);
    return rc;
}

int sp_arnoldi_lock(sp_arnoldi *a, const double *X, int p)
{
    size_t len = (size_t)(a->ncv + p + 2);
    double *proj = realloc(a->proj, len * sizeof(double)), *coef;
    if (proj) a->proj = proj;
    coef = proj ? realloc(a->coef, len * sizeof(double)) : NULL;
    if (coef) a->coef = coef;
    if (!proj || !coef) return sp_error(SP_ENOMEM, "arnoldi: out of memory");
    a->X = p > 0 ? X : NULL;
    a->p = p > 0 ? p : 0;
    return sp_arnoldi_sweep_reserve(a, a->ncv + a->p);
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
    free(a->coef);
    free(a->part);
    memset(a, 0, sizeof *a);
}

/* x -= B (B^T x) for the nb basis columns, h += the V part (if not NULL);
 * one reduction. */
static int project_once(sp_arnoldi *a, int nb, double *x, double *h)
{
    if (nb <= 0) return SP_OK;
    sp_arnoldi_sweep(a, nb, x, NULL, a->proj);
    int rc = sp_arnoldi_reduce(a->op, a->proj, nb, &a->reductions);
    if (rc < 0) return rc;
    sp_arnoldi_sweep(a, nb, x, a->proj, NULL);
    for (int i = a->p; h && i < nb; i++) h[i - a->p] += a->proj[i];
    return SP_OK;
}

/* Entry i of a random vector is a function of one shared draw and the global
 * row index only, so the vector is the same for any process count. */
static void fill_random(sp_arnoldi *a, double *x)
{
    uint64_t key = sp_rng_u64(&a->rng);
    const int *label = a->op->row_label;
    for (int i = 0; i < a->n; i++)
        x[i] = sp_hash_normal(key, (uint64_t)(label ? (int64_t)label[i] : a->op->row0 + i));
}

/* x = a unit random vector orthogonal to X and V(:, 0:j-1) (p + j < n). */
static int random_orthogonal(sp_arnoldi *a, int j, double *x)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        fill_random(a, x);
        double before = 0.0, after = 0.0;
        int rc = sp_arnoldi_norm(a->op, a->n, x, &before, &a->reductions);
        if (rc == SP_OK) rc = project_once(a, a->p + j, x, NULL);
        if (rc == SP_OK) rc = project_once(a, a->p + j, x, NULL);
        if (rc == SP_OK) rc = sp_arnoldi_norm(a->op, a->n, x, &after, &a->reductions);
        if (rc < 0) return rc;
        if (after > 1e-8 * before && after > 0.0) {
            sp_scal(a->n, 1.0 / after, x);
            return SP_OK;
        }
    }
    return sp_error(SP_EINTERNAL, "arnoldi: no random vector orthogonal to %d basis vectors", a->p + j);
}

/* The start direction f (norm *xn) made orthogonal to the locked X; when it
 * lay in span(X) (what is left is rounding, not orthogonal to X), a random
 * vector orthogonal to X instead. */
static int start_against_locked(sp_arnoldi *a, double *xn)
{
    if (a->p == 0) return SP_OK;
    double before = *xn;
    int rc = project_once(a, a->p, a->f, NULL);
    if (rc == SP_OK) rc = project_once(a, a->p, a->f, NULL);
    if (rc == SP_OK) rc = sp_arnoldi_norm(a->op, a->n, a->f, xn, &a->reductions);
    if (rc == SP_OK && !(*xn > 1e-8 * before)) {
        rc = random_orthogonal(a, 0, a->f);
        *xn = 1.0;
    }
    return rc;
}

int sp_arnoldi_start(sp_arnoldi *a, const double *v0, int push)
{
    double xn = 0.0, wn = 0.0;
    int rc = SP_OK;
    if (v0) sp_copy(a->n, v0, a->t);
    else fill_random(a, a->t);
    if ((rc = sp_arnoldi_norm(a->op, a->n, a->t, &xn, &a->reductions)) < 0) return rc;
    if (!(xn > 0.0) || !isfinite(xn)) {
        fill_random(a, a->t);
        if ((rc = sp_arnoldi_norm(a->op, a->n, a->t, &xn, &a->reductions)) < 0) return rc;
    }
    sp_copy(a->n, a->t, a->f);
    for (int attempt = 0; push && attempt < 2; attempt++) {
        if ((rc = sp_arnoldi_apply(a, a->t, a->w)) < 0) return rc;
        if ((rc = sp_arnoldi_norm(a->op, a->n, a->w, &wn, &a->reductions)) < 0) return rc;
        if (wn > 0.0 && isfinite(wn)) { /* pushed into range(A) */
            sp_copy(a->n, a->w, a->f);
            xn = wn;
            break;
        }
        fill_random(a, a->t); /* start in the null space: try a random one */
        if ((rc = sp_arnoldi_norm(a->op, a->n, a->t, &xn, &a->reductions)) < 0) return rc;
        sp_copy(a->n, a->t, a->f);
    }
    if ((rc = start_against_locked(a, &xn)) < 0) return rc;
    sp_scal(a->n, 1.0 / xn, a->f);
    a->beta = 1.0;
    a->m = 0;
    return SP_OK;
}

/* DGKS / dnaitr acceptance: ||f|| > 0.717 ||w|| means the projection lost
 * little, so one classical Gram-Schmidt pass is enough. Squared here. */
#define SP_DGKS_ETA2 (0.717 * 0.717)

/* Sum of squares of c[0..nb) and h[i - p] += c[i] for the V part. */
static double take_coefficients(const sp_arnoldi *a, int nb, const double *c, double *h)
{
    double c2 = 0.0;
    for (int i = 0; i < nb; i++) {
        c2 += c[i] * c[i];
        if (i >= a->p) h[i - a->p] += c[i];
    }
    return c2;
}

/* f = w - B h_B over B = [X V(:, 0:ncols-1)], h = the V part, beta = ||f||.
 * One reduction of [B^T w ; w^T w] when the projection cancels little: then
 * ||f||^2 = ||w||^2 - ||h_B||^2 to a few ulps (B orthonormal) and dnaitr's test
 * ||f|| > 0.717 ||w|| passes. Otherwise (large cancellation) DGKS corrections,
 * each fused with its norm and the previous subtraction in one sweep and one
 * reduction of [B^T f ; f^T f], at most two; two failed ones mean w lies in
 * span(B): f = 0, beta = 0 (an invariant subspace). */
static int orthogonalize(sp_arnoldi *a, int ncols, double *h)
{
    int nb = a->p + ncols, rc;
    double *buf = a->proj, *c = a->coef;
    sp_arnoldi_sweep(a, nb, a->w, NULL, buf);
    if ((rc = sp_arnoldi_reduce(a->op, buf, nb + 1, &a->reductions)) < 0) return rc;
    memset(h, 0, (size_t)ncols * sizeof(double));
    double w2 = buf[nb], c2 = take_coefficients(a, nb, buf, h);
    memcpy(c, buf, (size_t)nb * sizeof(double));
    sp_copy(a->n, a->w, a->f);
    if (w2 - c2 > SP_DGKS_ETA2 * w2) {
        sp_arnoldi_sweep(a, nb, a->f, c, NULL);
        a->beta = sqrt(w2 - c2);
        return SP_OK;
    }
    for (int iter = 0; iter < 2; iter++) {
        sp_arnoldi_sweep(a, nb, a->f, c, buf); /* subtract, then project again */
        if ((rc = sp_arnoldi_reduce(a->op, buf, nb + 1, &a->reductions)) < 0) return rc;
        double before = buf[nb], d2 = take_coefficients(a, nb, buf, h);
        memcpy(c, buf, (size_t)nb * sizeof(double));
        if (before - d2 > SP_DGKS_ETA2 * before) {
            sp_arnoldi_sweep(a, nb, a->f, c, NULL);
            a->beta = sqrt(before - d2);
            return SP_OK;
        }
    }
    memset(a->f, 0, (size_t)a->n * sizeof(double)); /* w numerically in span(B) */
    a->beta = 0.0;
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
        int64_t red0 = a->reductions;
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
        a->steps++;
        a->step_reductions += a->reductions - red0;
    }
    rc = SP_OK;
done:
    if (hh != hbuf) free(hh);
    return rc;
}
