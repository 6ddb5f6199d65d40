/* extract.c: final eigenpairs from an orthonormal basis X of an (approximate)
 * invariant subspace: Rayleigh-Ritz G = X^T A X with p true matvecs (W = A X,
 * one block apply when the operator has one),
 * eigen-decomposition of G by LAPACK (dsyev or dgeev), the `which` order, and
 * true residuals ||A x - lambda x|| / (max(|lambda|, eps^(2/3)) ||x||) from W
 * without further matvecs. Also used by the dense path with X = I, W = A. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eigen/eigen_internal.h"

typedef struct {
    const sp_operator *op;
    const double *X, *W; /* X: n x p (NULL = identity), W = A X: n x p */
    int n, p;
    double *xr, *xi, *ar, *ai; /* n work */
    int64_t *reductions;       /* counter of global reductions */
} pair_ctx;

/* out = X y (or y when X is the identity). */
static int basis_times(const pair_ctx *c, const double *B, const double *y, double *out)
{
    if (!B) {
        memcpy(out, y, (size_t)c->n * sizeof(double));
        return SP_OK;
    }
    return sp_gemv_raw('N', c->n, c->p, 1.0, B, c->n, y, 0.0, out);
}

/* Local sums s = (||A x - lambda x||^2, ||x||^2) of lambda = lr + i li with
 * x = xr + i xi, A x = ar + i ai (reduced over processes later, all at once). */
static void pair_sums(const pair_ctx *c, double lr, double li, int complex_pair, double *s)
{
    s[0] = s[1] = 0.0;
    for (int i = 0; i < c->n; i++) {
        double rr = c->ar[i] - lr * c->xr[i] + (complex_pair ? li * c->xi[i] : 0.0);
        double ri = complex_pair ? c->ai[i] - lr * c->xi[i] - li * c->xr[i] : 0.0;
        s[0] += rr * rr + ri * ri;
        s[1] += c->xr[i] * c->xr[i] + (complex_pair ? c->xi[i] * c->xi[i] : 0.0);
    }
}

/* Relative residuals of the cnt result slots from their local sums (one
 * reduction for all; a conjugate's slot holds a copy of its partner's sums). */
static int finish_residuals(const pair_ctx *c, double *sums, int cnt, sp_eigs_result *res)
{
    int rc = sp_arnoldi_reduce(c->op, sums, 2 * cnt, c->reductions);
    const double eps23 = pow(DBL_EPSILON, 2.0 / 3.0);
    for (int i = 0; i < cnt; i++) {
        const double *s = sums + 2 * i;
        double scale = fmax(hypot(res->re[i], res->im[i]), eps23) * sqrt(s[1]);
        res->residual[i] = scale > 0.0 ? sqrt(s[0]) / scale : (s[0] > 0.0 ? INFINITY : 0.0);
    }
    return rc;
}

/* Count to return: nev, plus one when the nev-th is the first of a pair. */
static int count_with_pairs(int nev, int p, const double *wi, const int *perm)
{
    int pos = 0;
    while (pos < nev && pos < p) pos += (wi[perm[pos]] != 0.0 && pos + 1 < p) ? 2 : 1;
    return pos < p ? pos : p;
}

static int alloc_result(sp_eigs_result *res, int cnt, int n, int want_vectors)
{
    res->re = sp_calloc((size_t)cnt + 1, sizeof(double));
    res->im = sp_calloc((size_t)cnt + 1, sizeof(double));
    res->residual = sp_calloc((size_t)cnt + 1, sizeof(double));
    if (want_vectors) res->vectors = sp_calloc((size_t)n * (size_t)(cnt + 1), sizeof(double));
    if (!res->re || !res->im || !res->residual || (want_vectors && !res->vectors)) return SP_ENOMEM;
    res->n_local = n;
    return SP_OK;
}

/* One eigenvalue (or pair) e of the small problem into result slot i; its
 * residual's local sums into s[0..1]. */
static int emit(pair_ctx *c, const double *Y, const double *wr, const double *wi, int e, int i,
                sp_eigs_result *res, double *s)
{
    int pair = wi[e] != 0.0, col = (pair && wi[e] < 0.0) ? e - 1 : e;
    double sign = (pair && wi[e] < 0.0) ? -1.0 : 1.0;
    const double *yr = Y + (size_t)col * c->p, *yi = yr + c->p;
    int rc = basis_times(c, c->X, yr, c->xr);
    if (rc == SP_OK) rc = basis_times(c, c->W, yr, c->ar);
    if (rc == SP_OK && pair) rc = basis_times(c, c->X, yi, c->xi);
    if (rc == SP_OK && pair) rc = basis_times(c, c->W, yi, c->ai);
    if (rc < 0) return rc;
    if (pair && sign < 0.0) {
        sp_scal(c->n, -1.0, c->xi);
        sp_scal(c->n, -1.0, c->ai);
    }
    res->re[i] = wr[e];
    res->im[i] = wi[e];
    pair_sums(c, wr[e], wi[e], pair, s);
    if (res->vectors) {
        memcpy(res->vectors + (size_t)i * c->n, c->xr, (size_t)c->n * sizeof(double));
        if (pair) memcpy(res->vectors + (size_t)(i + 1) * c->n, c->xi, (size_t)c->n * sizeof(double));
    }
    return rc;
}

/* Eigen-decompose G (p x p, destroyed) and write the first nev (+pair) by which. */
static int finish_small(pair_ctx *c, double *G, int symmetric, sp_which which, int nev,
                        int want_vectors, sp_eigs_result *res)
{
    int p = c->p;
    double *wr = sp_calloc((size_t)p, sizeof(double)), *wi = sp_calloc((size_t)p, sizeof(double));
    double *Y = sp_malloc((size_t)p * (size_t)p * sizeof(double));
    double *sums = sp_calloc((size_t)2 * (size_t)(p + 1), sizeof(double));
    int *perm = sp_malloc((size_t)p * sizeof(int));
    int rc = (!wr || !wi || !Y || !perm || !sums) ? SP_ENOMEM : SP_OK;
    sp_dmat Gm = sp_dmat_wrap(G, p, p, p), Ym = sp_dmat_wrap(Y, p, p, p);
    if (rc == SP_OK && symmetric) {
        for (int j = 0; j < p; j++)
            for (int i = 0; i < j; i++) G[i + j * p] = G[j + i * p] = 0.5 * (G[i + j * p] + G[j + i * p]);
        rc = sp_syev(&Gm, wr, 1);
        if (rc == SP_OK) memcpy(Y, G, (size_t)p * (size_t)p * sizeof(double));
    } else if (rc == SP_OK) {
        rc = sp_geev(&Gm, wr, wi, &Ym);
    }
    int cnt = 0;
    if (rc == SP_OK) {
        sp_which_sort(which, p, wr, wi, perm);
        cnt = count_with_pairs(nev, p, wi, perm);
        rc = alloc_result(res, cnt, c->n, want_vectors);
    }
    res->nconv = cnt;
    for (int i = 0; rc == SP_OK && i < cnt; i++) {
        rc = emit(c, Y, wr, wi, perm[i], i, res, sums + 2 * i);
        if (rc == SP_OK && wi[perm[i]] != 0.0 && i + 1 < cnt) { /* the conjugate */
            res->re[i + 1] = wr[perm[i + 1]];
            res->im[i + 1] = wi[perm[i + 1]];
            sums[2 * i + 2] = sums[2 * i], sums[2 * i + 3] = sums[2 * i + 1];
            i++;
        }
    }
    if (rc == SP_OK && cnt > 0) rc = finish_residuals(c, sums, cnt, res);
    free(sums);
    free(wr);
    free(wi);
    free(Y);
    free(perm);
    return rc;
}

static int alloc_ctx(pair_ctx *c, const sp_operator *op, const double *X, const double *W, int p)
{
    c->op = op;
    c->X = X;
    c->W = W;
    c->n = op->n_local;
    c->p = p;
    c->xr = sp_malloc((size_t)4 * (size_t)c->n * sizeof(double));
    if (!c->xr) return SP_ENOMEM;
    c->xi = c->xr + c->n;
    c->ar = c->xi + c->n;
    c->ai = c->ar + c->n;
    return SP_OK;
}

int sp_extract_pairs(const sp_operator *op, const double *X, int p, int symmetric, sp_which which,
                     int nev, int want_vectors, sp_eigs_result *res)
{
    int n = op->n_local;
    if (p <= 0) return alloc_result(res, 0, n, 0);
    double *W = sp_malloc((size_t)n * (size_t)p * sizeof(double));
    double *G = sp_malloc((size_t)p * (size_t)p * sizeof(double));
    pair_ctx c = {0};
    int rc = (!W || !G) ? SP_ENOMEM : alloc_ctx(&c, op, X, W, p);
    c.reductions = &res->allreduces;
    if (rc == SP_OK) {
        res->residual_matvecs += p;
        rc = sp_operator_apply_block(op, X, n > 0 ? n : 1, W, n > 0 ? n : 1, p, &res->residual_passes);
    }
    if (rc == SP_OK) rc = sp_gemm_raw('T', 'N', p, p, n, 1.0, X, n, W, n, 0.0, G, p);
    if (rc == SP_OK) rc = sp_arnoldi_reduce(op, G, p * p, &res->allreduces);
    if (rc == SP_OK) rc = finish_small(&c, G, symmetric, which, nev, want_vectors, res);
    free(c.xr);
    free(W);
    free(G);
    return rc;
}

/* Dense path helper: A (n x n, column-major) is both W and (copied) G. */
int sp_extract_dense(const sp_operator *op, const double *A, int symmetric, sp_which which, int nev,
                     int want_vectors, sp_eigs_result *res)
{
    int n = op->n_local;
    double *G = sp_malloc((size_t)n * (size_t)n * sizeof(double));
    pair_ctx c = {0};
    int rc = !G ? SP_ENOMEM : alloc_ctx(&c, op, NULL, A, n);
    if (rc == SP_OK) {
        memcpy(G, A, (size_t)n * (size_t)n * sizeof(double));
        rc = finish_small(&c, G, symmetric, which, nev, want_vectors, res);
    }
    free(c.xr);
    free(G);
    return rc;
}
