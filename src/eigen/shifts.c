/* shifts.c: implicit restart (Sorensen; ARPACK's dnapps): apply exact shifts
 * to H by bulge-chasing QR steps in real arithmetic (a Givens sweep for a real
 * shift, a 3x3 Householder sweep for a conjugate pair), splitting H where a
 * subdiagonal is negligible; then compress V and f to a k-step factorization.
 * Shapes: H is (m, m) inside ld ncv+1, Q is (m, m), V is (n, m). */
#include <float.h>
#include <math.h>
#include <string.h>
#include "eigen/eigen_internal.h"

typedef struct {
    double *H, *Q;
    int ldh, m;
} qr_ctx;

#define HH(c, i, j) ((c)->H[(size_t)(i) + (size_t)(j) * (size_t)(c)->ldh])
#define QQ(c, i, j) ((c)->Q[(size_t)(i) + (size_t)(j) * (size_t)(c)->m])

static void givens(double f, double g, double *c, double *s, double *r)
{
    double h = hypot(f, g);
    if (h == 0.0) {
        *c = 1.0, *s = 0.0, *r = 0.0;
        return;
    }
    *c = f / h, *s = g / h, *r = h;
}

/* One real shift mu on the unreduced block lo..hi (inclusive). */
static void single_shift(qr_ctx *q, int lo, int hi, double mu)
{
    double x = HH(q, lo, lo) - mu, y = HH(q, lo + 1, lo), c, s, r;
    for (int i = lo; i < hi; i++) {
        givens(x, y, &c, &s, &r);
        if (i > lo) {
            HH(q, i, i - 1) = r;
            HH(q, i + 1, i - 1) = 0.0;
        }
        for (int j = i; j < q->m; j++) {
            double t = c * HH(q, i, j) + s * HH(q, i + 1, j);
            HH(q, i + 1, j) = -s * HH(q, i, j) + c * HH(q, i + 1, j);
            HH(q, i, j) = t;
        }
        int top = i + 2 < hi ? i + 2 : hi;
        for (int j = 0; j <= top; j++) {
            double t = c * HH(q, j, i) + s * HH(q, j, i + 1);
            HH(q, j, i + 1) = -s * HH(q, j, i) + c * HH(q, j, i + 1);
            HH(q, j, i) = t;
        }
        for (int j = 0; j < q->m; j++) {
            double t = c * QQ(q, j, i) + s * QQ(q, j, i + 1);
            QQ(q, j, i + 1) = -s * QQ(q, j, i) + c * QQ(q, j, i + 1);
            QQ(q, j, i) = t;
        }
        if (i < hi - 1) {
            x = HH(q, i + 1, i);
            y = HH(q, i + 2, i);
        }
    }
}

/* Householder reflector I - tau v v^T (v[0] = 1) with (I - tau v v^T) u = beta e1. */
static void householder(int nr, double *u, double *tau, double *beta)
{
    double xnorm = nr == 3 ? hypot(u[1], u[2]) : fabs(u[1]);
    if (xnorm == 0.0) {
        *tau = 0.0, *beta = u[0];
        return;
    }
    double b = -copysign(hypot(u[0], xnorm), u[0]);
    *tau = (b - u[0]) / b;
    double scale = 1.0 / (u[0] - b);
    u[1] *= scale;
    if (nr == 3) u[2] *= scale;
    *beta = b;
}

/* Apply the reflector to rows i..i+nr-1 (left) for columns j0..j1-1. */
static void reflect_rows(qr_ctx *q, int i, int nr, const double *v, double tau, int j0, int j1)
{
    for (int j = j0; j < j1; j++) {
        double s = HH(q, i, j) + v[1] * HH(q, i + 1, j) + (nr == 3 ? v[2] * HH(q, i + 2, j) : 0);
        s *= tau;
        HH(q, i, j) -= s;
        HH(q, i + 1, j) -= s * v[1];
        if (nr == 3) HH(q, i + 2, j) -= s * v[2];
    }
}

/* Apply the reflector to columns i..i+nr-1 (right) of M (ld) for rows 0..r1-1. */
static void reflect_cols(double *M, size_t ld, int i, int nr, const double *v, double tau, int r1)
{
    double *c0 = M + (size_t)i * ld, *c1 = c0 + ld, *c2 = c1 + ld;
    for (int j = 0; j < r1; j++) {
        double s = c0[j] + v[1] * c1[j] + (nr == 3 ? v[2] * c2[j] : 0.0);
        s *= tau;
        c0[j] -= s;
        c1[j] -= s * v[1];
        if (nr == 3) c2[j] -= s * v[2];
    }
}

/* The conjugate pair sr +- i si on the unreduced block lo..hi (size >= 3). */
static void double_shift(qr_ctx *q, int lo, int hi, double sr, double si)
{
    double h11 = HH(q, lo, lo), h21 = HH(q, lo + 1, lo), h12 = HH(q, lo, lo + 1);
    double h22 = HH(q, lo + 1, lo + 1), h32 = HH(q, lo + 2, lo + 1);
    double s = 2.0 * sr, t = hypot(sr, si);
    double u[3] = {(h11 * (h11 - s) + t * t) / h21 + h12, h11 + h22 - s, h32};
    for (int i = lo; i < hi; i++) {
        int nr = hi - i + 1 < 3 ? hi - i + 1 : 3;
        double tau, beta;
        householder(nr, u, &tau, &beta);
        if (i > lo) {
            HH(q, i, i - 1) = beta;
            HH(q, i + 1, i - 1) = 0.0;
            if (i < hi - 1) HH(q, i + 2, i - 1) = 0.0;
        }
        u[0] = 1.0;
        reflect_rows(q, i, nr, u, tau, i, q->m);
        int rows = (i + 3 < hi ? i + 3 : hi) + 1;
        reflect_cols(q->H, (size_t)q->ldh, i, nr, u, tau, rows);
        reflect_cols(q->Q, (size_t)q->m, i, nr, u, tau, q->m);
        if (i < hi - 1) {
            u[0] = HH(q, i + 1, i);
            u[1] = HH(q, i + 2, i);
            if (i < hi - 2) u[2] = HH(q, i + 3, i);
        }
    }
}

static double norm1_hessenberg(const qr_ctx *q)
{
    double best = 0.0;
    for (int j = 0; j < q->m; j++) {
        double s = 0.0;
        for (int i = 0; i <= j + 1 && i < q->m; i++) s += fabs(HH(q, i, j));
        best = fmax(best, s);
    }
    return best;
}

/* |H(i+1,i)| negligible (dlahqr's test): set to zero and return 1. */
static int negligible(qr_ctx *q, int i)
{
    double tst = fabs(HH(q, i, i)) + fabs(HH(q, i + 1, i + 1));
    if (tst == 0.0) tst = norm1_hessenberg(q);
    if (fabs(HH(q, i + 1, i)) <= fmax(DBL_EPSILON * tst, DBL_MIN * (q->m / DBL_EPSILON))) {
        HH(q, i + 1, i) = 0.0;
        return 1;
    }
    return 0;
}

/* Apply one shift (or pair) to every unreduced block of H, as dnapps does. */
static void shift_all_blocks(qr_ctx *q, double sr, double si)
{
    int start = 0;
    while (start < q->m) {
        int end = q->m - 1;
        for (int i = start; i < q->m - 1; i++)
            if (negligible(q, i)) {
                end = i;
                break;
            }
        if (end > start && !(si != 0.0 && end == start + 1)) {
            if (si == 0.0) single_shift(q, start, end, sr);
            else double_shift(q, start, end, sr, si);
        }
        start = end + 1;
    }
}

/* Make H(j+1, j) >= 0 for j < k (similarity by -1 on row/column j+1). */
static void fix_signs(qr_ctx *q, int k)
{
    for (int j = 0; j < k && j + 1 < q->m; j++) {
        if (HH(q, j + 1, j) >= 0.0) continue;
        for (int c = j; c < q->m; c++) HH(q, j + 1, c) = -HH(q, j + 1, c);
        int top = j + 2 < q->m ? j + 2 : q->m - 1;
        for (int r = 0; r <= top; r++) HH(q, r, j + 1) = -HH(q, r, j + 1);
        for (int r = 0; r < q->m; r++) QQ(q, r, j + 1) = -QQ(q, r, j + 1);
    }
    for (int i = 0; i < k && i + 1 < q->m; i++) negligible(q, i);
}

/* V(:, 0:k-1) = V Q(:, 0:k-1) in place (Q has lower bandwidth np), and
 * f = Q(m-1, k-1) f + H(k, k-1) (V Q)(:, k). */
static int compress_basis(sp_arnoldi *a, int m, int k, int np)
{
    size_t n = (size_t)a->n;
    double hk = SP_H(a, k, k - 1);
    int rc = SP_OK;
    if (hk > 0.0) rc = sp_gemv_raw('N', a->n, m, 1.0, a->V, a->n, a->Q + (size_t)k * m, 0.0, a->w);
    for (int i = 0; rc == SP_OK && i < k; i++) {
        int col = k - 1 - i, rows = col + np + 1 < m - i ? col + np + 1 : m - i;
        rc = sp_gemv_raw('N', a->n, rows, 1.0, a->V, a->n, a->Q + (size_t)col * m, 0.0, a->t);
        if (rc == SP_OK) sp_copy(a->n, a->t, a->V + (size_t)(m - 1 - i) * n);
    }
    if (rc < 0) return rc;
    memmove(a->V, a->V + (size_t)(m - k) * n, (size_t)k * n * sizeof(double));
    sp_scal(a->n, a->Q[(size_t)(m - 1) + (size_t)(k - 1) * m], a->f);
    if (hk > 0.0) {
        sp_copy(a->n, a->w, a->V + (size_t)k * n);
        sp_axpy(a->n, hk, a->w, a->f);
    }
    a->m = k;
    return sp_arnoldi_norm(a->op, a->n, a->f, &a->beta, &a->reductions);
}

/* Symmetric path: keep H exactly symmetric tridiagonal in its k x k block. */
static void symmetrize(sp_arnoldi *a, int k)
{
    for (int j = 0; j < k; j++)
        for (int i = 0; i < j; i++) SP_H(a, i, j) = i == j - 1 ? SP_H(a, j, j - 1) : 0.0;
}

int sp_shifts_apply(sp_arnoldi *a, const sp_ritz *r, int *k_out)
{
    int m = r->m, np = r->np, k = m - np;
    if (m < a->m) { /* truncate: f_m = H(m, m-1) V(:, m) */
        sp_copy(a->n, a->V + (size_t)m * (size_t)a->n, a->f);
        sp_scal(a->n, SP_H(a, m, m - 1), a->f);
    }
    qr_ctx q = {a->H, a->Q, a->ncv + 1, m};
    memset(a->Q, 0, (size_t)m * (size_t)m * sizeof(double));
    for (int i = 0; i < m; i++) QQ(&q, i, i) = 1.0;
    for (int s = 0; s < np; s++) {
        double sr = r->re[r->shift[s]], si = r->im[r->shift[s]];
        if (si != 0.0) {
            if (s + 1 >= np) { /* the partner is not a shift: keep it (dnapps) */
                k++;
                break;
            }
            s++; /* the conjugate is applied with it */
        }
        shift_all_blocks(&q, sr, fabs(si));
    }
    fix_signs(&q, k);
    int rc = compress_basis(a, m, k, m - k);
    if (rc == SP_OK && a->symmetric) symmetrize(a, k);
    *k_out = k;
    return rc;
}
