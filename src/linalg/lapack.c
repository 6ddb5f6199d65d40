/* lapack.c: checked LAPACKE wrappers (column-major, explicit ld, so views
 * work). Each function validates shapes once, queries and allocates its own
 * workspace, and maps info != 0 to SP_ELAPACK naming the routine and info.
 * Arguments are checked so LAPACK's xerbla (which prints) is never reached. */
#include <math.h>
#include <stdlib.h>
#include <lapacke.h>
#include "spartan/linalg.h"
#include "linalg/dense_check.h"

static int imin(int a, int b) { return a < b ? a : b; }

/* A valid and exactly rows x cols. */
static int check_shape(const char *fn, const char *name, const sp_dmat *A, int rows, int cols)
{
    int rc = sp_dmat_check(fn, name, A);
    if (rc < 0) return rc;
    if (A->rows != rows || A->cols != cols)
        return sp_error(SP_EINVAL, "%s: %s is %d x %d but must be %d x %d", fn, name, A->rows,
                        A->cols, rows, cols);
    return SP_OK;
}

static int check_square(const char *fn, const char *name, const sp_dmat *A)
{
    int rc = sp_dmat_check(fn, name, A);
    if (rc == SP_OK && A->rows != A->cols)
        rc = sp_error(SP_EINVAL, "%s: %s is %d x %d but must be square", fn, name, A->rows,
                      A->cols);
    return rc;
}

/* An output array that must exist when it has entries. */
static int check_array(const char *fn, const char *name, const void *p, int len)
{
    if (len > 0 && !p)
        return sp_error(SP_EINVAL, "%s: %s is NULL but needs %d entries", fn, name, len);
    return SP_OK;
}

/* Entries LAPACK will read are finite. NaN or Inf would make the iterative
 * routines spin to their iteration limit or trip xerbla (which prints).
 * part: 'G' all of A, 'L' lower triangle, 'H' upper Hessenberg part. */
static int check_finite(const char *fn, const char *name, const sp_dmat *A, char part)
{
    for (int j = 0; j < A->cols; j++) {
        int lo = part == 'L' ? j : 0, hi = part == 'H' ? imin(j + 2, A->rows) : A->rows;
        for (int i = lo; i < hi; i++)
            if (!isfinite(SP_AT(A, i, j)))
                return sp_error(SP_EINVAL, "%s: %s(%d,%d) = %g is not finite (0-based)", fn,
                                name, i, j, SP_AT(A, i, j));
    }
    return SP_OK;
}

static int check_finite_vector(const char *fn, const char *name, const double *x, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return sp_error(SP_EINVAL, "%s: %s[%d] = %g is not finite", fn, name, i, x[i]);
    return SP_OK;
}

static int lapack_status(const char *fn, const char *routine, int info, const char *meaning)
{
    if (info == 0) return SP_OK;
    if (info < 0)
        return sp_error(SP_ELAPACK, "%s: LAPACK %s rejected argument %d (info = %d)", fn,
                        routine, -info, info);
    return sp_error(SP_ELAPACK, "%s: LAPACK %s failed (info = %d): %s", fn, routine, info,
                    meaning);
}

/* Workspace of the size a query returned (at least `minimum`); NULL on ENOMEM. */
static double *work_alloc(double query, int minimum, int *lwork)
{
    double want = query > (double)minimum ? query : (double)minimum;
    *lwork = want > 1.0 ? (int)want : 1;
    return sp_malloc((size_t)*lwork * sizeof(double));
}

/* ---- QR ------------------------------------------------------------------ */

int sp_geqrf(sp_dmat *A, double *tau)
{
    int rc = sp_dmat_check("sp_geqrf", "A", A);
    if (rc < 0) return rc;
    int k = imin(A->rows, A->cols);
    if ((rc = check_array("sp_geqrf", "tau", tau, k)) < 0 || k == 0) return rc;
    double q = 0;
    int info =
        LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, A->rows, A->cols, A->data, A->ld, tau, &q, -1);
    if (info) return lapack_status("sp_geqrf", "dgeqrf", info, "workspace query");
    int lwork;
    double *work = work_alloc(q, A->cols, &lwork);
    if (!work) return SP_ENOMEM;
    info = LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, A->rows, A->cols, A->data, A->ld, tau, work,
                               lwork);
    free(work);
    return lapack_status("sp_geqrf", "dgeqrf", info, "unexpected");
}

int sp_orgqr(sp_dmat *A, int k, const double *tau)
{
    int rc = sp_dmat_check("sp_orgqr", "A", A);
    if (rc < 0) return rc;
    int m = A->rows, n = A->cols;
    if (n > m || k < 0 || k > n)
        return sp_error(SP_EINVAL, "sp_orgqr: need rows >= cols >= k >= 0, got A %d x %d, k = %d",
                        m, n, k);
    if ((rc = check_array("sp_orgqr", "tau", tau, k)) < 0 || n == 0) return rc;
    double q = 0;
    int info = LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, m, n, k, A->data, A->ld, tau, &q, -1);
    if (info) return lapack_status("sp_orgqr", "dorgqr", info, "workspace query");
    int lwork;
    double *work = work_alloc(q, n, &lwork);
    if (!work) return SP_ENOMEM;
    info = LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, m, n, k, A->data, A->ld, tau, work, lwork);
    free(work);
    return lapack_status("sp_orgqr", "dorgqr", info, "unexpected");
}

int sp_geqp3(sp_dmat *A, int *jpvt, double *tau)
{
    int rc = sp_dmat_check("sp_geqp3", "A", A);
    if (rc < 0) return rc;
    int m = A->rows, n = A->cols, k = imin(m, n);
    if ((rc = check_array("sp_geqp3", "jpvt", jpvt, n)) < 0) return rc;
    if ((rc = check_array("sp_geqp3", "tau", tau, k)) < 0 || n == 0) return rc;
    double q = 0;
    int info = LAPACKE_dgeqp3_work(LAPACK_COL_MAJOR, m, n, A->data, A->ld, jpvt, tau, &q, -1);
    if (info) return lapack_status("sp_geqp3", "dgeqp3", info, "workspace query");
    int lwork;
    double *work = work_alloc(q, 3 * n + 1, &lwork);
    if (!work) return SP_ENOMEM;
    info = LAPACKE_dgeqp3_work(LAPACK_COL_MAJOR, m, n, A->data, A->ld, jpvt, tau, work, lwork);
    free(work);
    return lapack_status("sp_geqp3", "dgeqp3", info, "unexpected");
}

/* ---- SVD ----------------------------------------------------------------- */

static int gesdd_check(const sp_dmat *A, const double *s, const sp_dmat *U, const sp_dmat *VT)
{
    int rc = sp_dmat_check("sp_gesdd", "A", A);
    if (rc < 0) return rc;
    int k = imin(A->rows, A->cols);
    if ((rc = check_array("sp_gesdd", "s", s, k)) < 0) return rc;
    if ((rc = check_finite("sp_gesdd", "A", A, 'G')) < 0) return rc;
    if (!U != !VT)
        return sp_error(SP_EINVAL, "sp_gesdd: U and VT must both be given or both be NULL");
    if (!U) return SP_OK;
    if ((rc = check_shape("sp_gesdd", "U", U, A->rows, k)) < 0) return rc;
    return check_shape("sp_gesdd", "VT", VT, k, A->cols);
}

int sp_gesdd(sp_dmat *A, double *s, sp_dmat *U, sp_dmat *VT)
{
    int rc = gesdd_check(A, s, U, VT);
    if (rc < 0 || imin(A->rows, A->cols) == 0) return rc;
    int m = A->rows, n = A->cols, k = imin(m, n);
    char jobz = U ? 'S' : 'N';
    double *u = U ? U->data : NULL, *vt = VT ? VT->data : NULL, q = 0;
    int ldu = U ? U->ld : 1, ldvt = VT ? VT->ld : 1;
    int *iwork = sp_malloc(8 * (size_t)k * sizeof(int));
    if (!iwork) return SP_ENOMEM;
    int info = LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, A->data, A->ld, s, u, ldu, vt,
                                   ldvt, &q, -1, iwork);
    int lwork = 0;
    double *work = info ? NULL : work_alloc(q, 1, &lwork);
    if (!info && !work) {
        free(iwork);
        return SP_ENOMEM;
    }
    if (!info)
        info = LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, A->data, A->ld, s, u, ldu, vt,
                                   ldvt, work, lwork, iwork);
    free(work);
    free(iwork);
    return lapack_status("sp_gesdd", "dgesdd", info, "the bidiagonal SVD did not converge");
}

/* ---- eigenvalues --------------------------------------------------------- */

int sp_geev(sp_dmat *A, double *wr, double *wi, sp_dmat *VR)
{
    int rc = check_square("sp_geev", "A", A);
    if (rc < 0) return rc;
    int n = A->rows;
    if ((rc = check_array("sp_geev", "wr", wr, n)) < 0) return rc;
    if ((rc = check_array("sp_geev", "wi", wi, n)) < 0) return rc;
    if (VR && (rc = check_shape("sp_geev", "VR", VR, n, n)) < 0) return rc;
    if ((rc = check_finite("sp_geev", "A", A, 'G')) < 0) return rc;
    if (n == 0) return SP_OK;
    char jobvr = VR ? 'V' : 'N';
    double *vr = VR ? VR->data : NULL, vl_dummy = 0, q = 0;
    int ldvr = VR ? VR->ld : 1;
    int info = LAPACKE_dgeev_work(LAPACK_COL_MAJOR, 'N', jobvr, n, A->data, A->ld, wr, wi,
                                  &vl_dummy, 1, vr, ldvr, &q, -1);
    if (info) return lapack_status("sp_geev", "dgeev", info, "workspace query");
    int lwork;
    double *work = work_alloc(q, VR ? 4 * n : 3 * n, &lwork);
    if (!work) return SP_ENOMEM;
    info = LAPACKE_dgeev_work(LAPACK_COL_MAJOR, 'N', jobvr, n, A->data, A->ld, wr, wi,
                              &vl_dummy, 1, vr, ldvr, work, lwork);
    free(work);
    return lapack_status("sp_geev", "dgeev", info,
                         "the QR algorithm did not converge; eigenvalues info+1..n are valid");
}

int sp_syev(sp_dmat *A, double *w, int want_vectors)
{
    int rc = check_square("sp_syev", "A", A);
    if (rc < 0) return rc;
    int n = A->rows;
    if ((rc = check_array("sp_syev", "w", w, n)) < 0) return rc;
    if ((rc = check_finite("sp_syev", "A", A, 'L')) < 0 || n == 0) return rc;
    char jobz = want_vectors ? 'V' : 'N';
    double q = 0;
    int info = LAPACKE_dsyev_work(LAPACK_COL_MAJOR, jobz, 'L', n, A->data, A->ld, w, &q, -1);
    if (info) return lapack_status("sp_syev", "dsyev", info, "workspace query");
    int lwork;
    double *work = work_alloc(q, 3 * n, &lwork);
    if (!work) return SP_ENOMEM;
    info = LAPACKE_dsyev_work(LAPACK_COL_MAJOR, jobz, 'L', n, A->data, A->ld, w, work, lwork);
    free(work);
    return lapack_status("sp_syev", "dsyev", info,
                         "off-diagonal elements of the tridiagonal form did not converge");
}

int sp_stev(int n, double *d, double *e, sp_dmat *Z)
{
    if (n < 0) return sp_error(SP_EINVAL, "sp_stev: n = %d must be >= 0", n);
    int rc = check_array("sp_stev", "d", d, n);
    if (rc == SP_OK) rc = check_array("sp_stev", "e", e, n - 1);
    if (rc == SP_OK && Z) rc = check_shape("sp_stev", "Z", Z, n, n);
    if (rc == SP_OK) rc = check_finite_vector("sp_stev", "d", d, n);
    if (rc == SP_OK) rc = check_finite_vector("sp_stev", "e", e, n - 1);
    if (rc < 0 || n == 0) return rc;
    char jobz = Z ? 'V' : 'N';
    double *work = NULL, e_dummy = 0;
    if (Z && n > 1 && !(work = sp_malloc((size_t)(2 * n - 2) * sizeof(double))))
        return SP_ENOMEM;
    int info = LAPACKE_dstev_work(LAPACK_COL_MAJOR, jobz, n, d, n > 1 ? e : &e_dummy,
                                  Z ? Z->data : NULL, Z ? Z->ld : 1, work);
    free(work);
    return lapack_status("sp_stev", "dstev", info, "off-diagonal elements did not converge");
}

/* ---- Schur form and eigenvectors of quasi-triangular matrices ------------ */

int sp_hseqr(sp_dmat *H, double *wr, double *wi, sp_dmat *Z)
{
    int rc = check_square("sp_hseqr", "H", H);
    if (rc < 0) return rc;
    int n = H->rows;
    if ((rc = check_array("sp_hseqr", "wr", wr, n)) < 0) return rc;
    if ((rc = check_array("sp_hseqr", "wi", wi, n)) < 0) return rc;
    if (Z && (rc = check_shape("sp_hseqr", "Z", Z, n, n)) < 0) return rc;
    if ((rc = check_finite("sp_hseqr", "H", H, 'H')) < 0) return rc;
    if (n == 0) return SP_OK;
    for (int j = 0; j + 2 < n; j++) /* documented: below the subdiagonal is ignored */
        for (int i = j + 2; i < n; i++) SP_AT(H, i, j) = 0.0;
    char compz = Z ? 'V' : 'N';
    double *z = Z ? Z->data : NULL, q = 0;
    int ldz = Z ? Z->ld : 1;
    int info = LAPACKE_dhseqr_work(LAPACK_COL_MAJOR, 'S', compz, n, 1, n, H->data, H->ld, wr,
                                   wi, z, ldz, &q, -1);
    if (info) return lapack_status("sp_hseqr", "dhseqr", info, "workspace query");
    int lwork;
    double *work = work_alloc(q, n, &lwork);
    if (!work) return SP_ENOMEM;
    info = LAPACKE_dhseqr_work(LAPACK_COL_MAJOR, 'S', compz, n, 1, n, H->data, H->ld, wr, wi, z,
                               ldz, work, lwork);
    free(work);
    return lapack_status("sp_hseqr", "dhseqr", info,
                         "the QR algorithm did not converge; eigenvalues info+1..n are valid");
}

/* T in LAPACK's standard real Schur form: each 2x2 block has equal diagonal
 * entries, off-diagonals of opposite sign, and no two blocks overlap. */
static int trevc_check_standard(const sp_dmat *T)
{
    int n = T->rows;
    for (int j = 0; j + 1 < n; j++) {
        if (SP_AT(T, j + 1, j) == 0.0) continue;
        int overlap = j + 2 < n && SP_AT(T, j + 2, j + 1) != 0.0;
        int equal = SP_AT(T, j, j) == SP_AT(T, j + 1, j + 1);
        int opposite = SP_AT(T, j, j + 1) * SP_AT(T, j + 1, j) < 0.0;
        if (overlap || !equal || !opposite)
            return sp_error(SP_EINVAL,
                            "sp_trevc3: T(%d:%d, %d:%d) (0-based) is not a standard 2x2 Schur "
                            "block (%s); pass T from sp_hseqr",
                            j, j + 1, j, j + 1,
                            overlap ? "two subdiagonal entries in a row"
                                    : !equal ? "unequal diagonal" : "real eigenvalues");
        j++;
    }
    return SP_OK;
}

/* LAPACK select flags (a pair flagged on its first row) and the column count. */
static int trevc_select(const sp_dmat *T, const int *select, lapack_int *sel)
{
    int n = T->rows, m = 0;
    for (int j = 0; j < n; j++) {
        int pair = j + 1 < n && SP_AT(T, j + 1, j) != 0.0;
        int want = !select || select[j] || (pair && select[j + 1]);
        sel[j] = want;
        m += want ? 1 + pair : 0;
        if (pair) sel[++j] = 0;
    }
    return m;
}

/* Eigenvectors of T for `sel` into Y (n x m, ld n) with LAPACK dtrevc3. */
static int trevc_compute(const sp_dmat *T, lapack_int *sel, int m, double *Y)
{
    char side = 'R', howmny = 'S';
    lapack_int n = T->rows, ldt = T->ld, ldvl = 1, ldy = n, mm = m, mout = 0, info = 0;
    lapack_int lwork = -1;
    double vl_dummy = 0, q = 0;
    LAPACK_dtrevc3(&side, &howmny, sel, &n, T->data, &ldt, &vl_dummy, &ldvl, Y, &ldy, &mm, &mout,
                   &q, &lwork, &info);
    if (info) return lapack_status("sp_trevc3", "dtrevc3", info, "workspace query");
    double *work = work_alloc(q, 3 * n, &lwork);
    if (!work) return SP_ENOMEM;
    LAPACK_dtrevc3(&side, &howmny, sel, &n, T->data, &ldt, &vl_dummy, &ldvl, Y, &ldy, &mm, &mout,
                   work, &lwork, &info);
    free(work);
    if (info == 0 && mout != m)
        return sp_error(SP_EINTERNAL, "sp_trevc3: dtrevc3 wrote %d columns, expected %d",
                        (int)mout, m);
    return lapack_status("sp_trevc3", "dtrevc3", info, "unexpected");
}

/* Scale each real vector, and each (re, im) column pair, to unit 2-norm. */
static void trevc_normalize(const sp_dmat *T, const lapack_int *sel, sp_dmat *X)
{
    int c = 0;
    for (int j = 0; j < T->rows; j++) {
        int pair = j + 1 < T->rows && SP_AT(T, j + 1, j) != 0.0;
        if (sel[j]) {
            int width = 1 + pair;
            double s = 0.0;
            for (int k = 0; k < width; k++) s = hypot(s, sp_nrm2(X->rows, &SP_AT(X, 0, c + k)));
            for (int k = 0; k < width && s > 0.0; k++)
                sp_scal(X->rows, 1.0 / s, &SP_AT(X, 0, c + k));
            c += width;
        }
        j += pair;
    }
}

static int trevc_check(const sp_dmat *T, const sp_dmat *Z, const sp_dmat *X, int *m)
{
    int rc = check_square("sp_trevc3", "T", T);
    if (rc == SP_OK) rc = check_array("sp_trevc3", "m", m, 1);
    if (rc == SP_OK && Z) rc = sp_dmat_check("sp_trevc3", "Z", Z);
    if (rc == SP_OK && Z && Z->cols != T->rows)
        rc = sp_error(SP_EINVAL, "sp_trevc3: Z is %d x %d but T is %d x %d (need Z->cols = %d)",
                      Z->rows, Z->cols, T->rows, T->cols, T->rows);
    if (rc == SP_OK && X) rc = sp_dmat_check("sp_trevc3", "X", X);
    if (rc == SP_OK && X && X->rows != (Z ? Z->rows : T->rows))
        rc = sp_error(SP_EINVAL, "sp_trevc3: X has %d rows but needs %d (rows of %s)", X->rows,
                      Z ? Z->rows : T->rows, Z ? "Z" : "T");
    if (rc == SP_OK) rc = check_finite("sp_trevc3", "T", T, 'H');
    if (rc == SP_OK) rc = trevc_check_standard(T);
    return rc;
}

/* X(:, 0:m) = Z Y or Y, through a temporary so X may share storage with Z. */
static int trevc_store(const sp_dmat *Z, const sp_dmat *Y, sp_dmat *X)
{
    sp_dmat Xm = sp_dmat_view(X, 0, 0, X->rows, Y->cols);
    if (!Z) return sp_dmat_copy(Y, &Xm);
    sp_dmat ZY;
    int rc = sp_dmat_init(&ZY, Z->rows, Y->cols);
    if (rc == SP_OK) rc = sp_gemm('N', 'N', 1.0, Z, Y, 0.0, &ZY);
    if (rc == SP_OK) rc = sp_dmat_copy(&ZY, &Xm);
    sp_dmat_uninit(&ZY);
    return rc;
}

int sp_trevc3(const sp_dmat *T, const int *select, const sp_dmat *Z, sp_dmat *X, int *m)
{
    int rc = trevc_check(T, Z, X, m);
    if (rc < 0) return rc;
    int n = T->rows;
    lapack_int *sel = sp_malloc((size_t)n * sizeof(lapack_int));
    if (!sel) return SP_ENOMEM;
    *m = trevc_select(T, select, sel);
    if (X && X->cols < *m)
        rc = sp_error(SP_EINVAL, "sp_trevc3: X has %d columns but the selection needs %d",
                      X->cols, *m);
    sp_dmat Y = {0, 0, 1, NULL, 0};
    if (rc == SP_OK && X && *m > 0) rc = sp_dmat_init(&Y, n, *m);
    if (rc == SP_OK && X && *m > 0) rc = trevc_compute(T, sel, *m, Y.data);
    if (rc == SP_OK && X && *m > 0) rc = trevc_store(Z, &Y, X);
    if (rc == SP_OK && X && *m > 0) trevc_normalize(T, sel, X);
    sp_dmat_uninit(&Y);
    free(sel);
    return rc;
}
