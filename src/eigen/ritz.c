/* ritz.c: Ritz values and ARPACK-style error bounds ||f|| |e_m^T y| of the
 * leading m x m block of H (dhseqr + dtrevc3, or dstev on the symmetric path),
 * the wanted/unwanted split that never separates a conjugate pair (dngets),
 * dnconv's convergence test and dnaup2's adaptive kept dimension.
 * It does not touch V or apply shifts. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eigen/eigen_internal.h"

int sp_ritz_init(sp_ritz *r, int cap)
{
    memset(r, 0, sizeof *r);
    r->cap = cap;
    size_t c = (size_t)cap, c2 = c * c;
    r->re = sp_malloc((6 * c + 3 * c2) * sizeof(double));
    r->diag = sp_malloc(2 * c * sizeof(int));
    if (!r->re || !r->diag) {
        sp_ritz_uninit(r);
        return SP_ENOMEM;
    }
    r->im = r->re + c;
    r->bound = r->im + c;
    r->wr = r->bound + c;
    r->wi = r->wr + c;
    r->braw = r->wi + c;
    r->T = r->braw + c;
    r->Z = r->T + c2;
    r->Y = r->Z + c2;
    r->shift = r->diag + c;
    return SP_OK;
}

void sp_ritz_uninit(sp_ritz *r)
{
    free(r->re);
    free(r->diag);
    memset(r, 0, sizeof *r);
}

static int compute_general(sp_ritz *r, const sp_arnoldi *a, int m)
{
    for (int j = 0; j < m; j++)
        for (int i = 0; i < m; i++) r->T[i + j * m] = i <= j + 1 ? SP_H(a, i, j) : 0.0;
    sp_dmat T = sp_dmat_wrap(r->T, m, m, m), Z = sp_dmat_wrap(r->Z, m, m, m);
    sp_dmat Y = sp_dmat_wrap(r->Y, m, m, m);
    sp_dmat_set_identity(&Z);
    int rc = sp_hseqr(&T, r->wr, r->wi, &Z), cols = 0;
    if (rc == SP_OK) rc = sp_trevc3(&T, NULL, &Z, &Y, &cols);
    if (rc < 0) return rc;
    for (int j = 0, c = 0; j < m; j++, c++) { /* walk T's diagonal and Y's columns */
        double last = fabs(r->Y[(m - 1) + c * m]);
        if (r->wi[j] != 0.0 && j + 1 < m) {
            last = hypot(r->Y[(m - 1) + c * m], r->Y[(m - 1) + (c + 1) * m]);
            r->braw[j + 1] = r->rnorm * last;
            r->braw[j] = r->rnorm * last;
            j++;
            c++;
        } else {
            r->braw[j] = r->rnorm * last;
        }
    }
    return SP_OK;
}

/* Symmetric tridiagonal block: T = diag(theta), Z = eigenvectors. */
static int compute_symmetric(sp_ritz *r, const sp_arnoldi *a, int m)
{
    for (int i = 0; i < m; i++) {
        r->wr[i] = SP_H(a, i, i);
        r->wi[i] = i + 1 < m ? SP_H(a, i + 1, i) : 0.0;
    }
    sp_dmat Z = sp_dmat_wrap(r->Z, m, m, m);
    int rc = sp_stev(m, r->wr, r->wi, &Z);
    if (rc < 0) return rc;
    memset(r->T, 0, (size_t)m * (size_t)m * sizeof(double));
    for (int i = 0; i < m; i++) {
        r->wi[i] = 0.0;
        r->T[i + i * m] = r->wr[i];
        r->braw[i] = r->rnorm * fabs(r->Z[(m - 1) + i * m]);
    }
    return SP_OK;
}

int sp_ritz_compute(sp_ritz *r, const sp_arnoldi *a, int m, double rnorm, sp_which which)
{
    r->m = m;
    r->rnorm = rnorm;
    int rc = a->symmetric ? compute_symmetric(r, a, m) : compute_general(r, a, m);
    if (rc < 0) return rc;
    sp_which_sort(which, m, r->wr, r->wi, r->diag);
    for (int i = 0; i < m; i++) {
        int d = r->diag[i];
        r->re[i] = r->wr[d];
        r->im[i] = r->wi[d];
        r->bound[i] = r->braw[d];
    }
    return SP_OK;
}

double sp_ritz_normalized(const sp_ritz *r, int i)
{
    const double eps23 = pow(DBL_EPSILON, 2.0 / 3.0);
    return r->bound[i] / fmax(eps23, hypot(r->re[i], r->im[i]));
}

int sp_ritz_converged(const sp_ritz *r, int i, double tol)
{
    const double eps23 = pow(DBL_EPSILON, 2.0 / 3.0);
    return r->bound[i] <= tol * fmax(eps23, hypot(r->re[i], r->im[i]));
}

/* Smallest boundary >= k that does not split a conjugate pair (at most m). */
static int pair_boundary(const sp_ritz *r, int k)
{
    int pos = 0;
    while (pos < k && pos < r->m) pos += (r->im[pos] != 0.0 && pos + 1 < r->m) ? 2 : 1;
    return pos < r->m ? pos : r->m;
}

/* Shifts = positions k..m-1 ordered by bound, largest first (stable, so a
 * pair stays adjacent, positive imaginary part first). */
static void order_shifts(sp_ritz *r)
{
    int np = r->m - r->k;
    for (int i = 0; i < np; i++) r->shift[i] = r->k + i;
    for (int i = 1; i < np; i++) {
        int v = r->shift[i], j = i - 1;
        while (j >= 0 && r->bound[r->shift[j]] < r->bound[v]) {
            r->shift[j + 1] = r->shift[j];
            j--;
        }
        r->shift[j + 1] = v;
    }
    r->np = np;
}

void sp_ritz_select(sp_ritz *r, int nev, double tol)
{
    int want = nev < r->m ? nev : r->m;
    r->k = pair_boundary(r, want);
    r->numcnv = r->k;
    r->nconv = 0;
    r->worst = 0.0;
    for (int i = 0; i < r->numcnv; i++) {
        r->nconv += sp_ritz_converged(r, i, tol);
        if (i < want) r->worst = fmax(r->worst, sp_ritz_normalized(r, i));
    }
    order_shifts(r);
    /* unwanted values with a zero estimate belong to a split-off block:
     * they cannot be removed by shifting (dnaup2) */
    while (r->np > 0 && r->bound[r->shift[r->np - 1]] == 0.0) {
        r->np--;
        r->k++;
    }
}

void sp_ritz_adapt(sp_ritz *r, int nev)
{
    (void)nev;
    int m = r->m, k = r->k, np = r->np;
    int knew = k + (r->nconv < np / 2 ? r->nconv : np / 2);
    if (knew == 1 && m >= 6) knew = m / 2;
    else if (knew == 1 && m > 3) knew = 2;
    if (knew > m - 2) knew = m - 2;
    if (knew <= k) return;
    r->k = pair_boundary(r, knew);
    if (r->k >= m) r->k = m - 1 - (r->im[m - 2] != 0.0); /* keep at least one shift */
    order_shifts(r);
}
