/* test_lapack.c: the LAPACKE wrappers checked by what their results must
 * satisfy, computed here with naive loops: QR = A and Q^T Q = I; A P = Q R;
 * U S V^T = A and s^2 = eig(A^T A); A v = lambda v; Z T Z^T = H; T x = lambda x.
 * Cross-checks: stev vs syev, hseqr vs geev. Plus bad-argument messages. */
#include <string.h>
#include "spartan/linalg.h"
#include "test_util.h"

#define EPS 2.220446049250313e-16

/* ---- independent helpers (naive loops, no BLAS) ------------------------- */

static void fill_random(sp_dmat *A, sp_rng *rng)
{
    for (int j = 0; j < A->cols; j++)
        for (int i = 0; i < A->rows; i++) SP_AT(A, i, j) = sp_rng_normal(rng);
}

static sp_dmat new_mat(int rows, int cols)
{
    sp_dmat A;
    assert_int_equal(sp_dmat_init(&A, rows, cols), SP_OK);
    return A;
}

static sp_dmat clone(const sp_dmat *A)
{
    sp_dmat B;
    assert_int_equal(sp_dmat_clone(A, &B), SP_OK);
    return B;
}

/* C = op(A) op(B), C newly allocated. */
static sp_dmat naive_mul(char ta, const sp_dmat *A, char tb, const sp_dmat *B)
{
    int m = ta == 'N' ? A->rows : A->cols, k = ta == 'N' ? A->cols : A->rows;
    int n = tb == 'N' ? B->cols : B->rows;
    sp_dmat C = new_mat(m, n);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) {
            double s = 0.0;
            for (int p = 0; p < k; p++)
                s += (ta == 'N' ? SP_AT(A, i, p) : SP_AT(A, p, i)) *
                     (tb == 'N' ? SP_AT(B, p, j) : SP_AT(B, j, p));
            SP_AT(&C, i, j) = s;
        }
    return C;
}

static double fro(const sp_dmat *A)
{
    double s = 0.0;
    for (int j = 0; j < A->cols; j++)
        for (int i = 0; i < A->rows; i++) s += SP_AT(A, i, j) * SP_AT(A, i, j);
    return sqrt(s);
}

static double fro_diff(const sp_dmat *A, const sp_dmat *B)
{
    double s = 0.0;
    for (int j = 0; j < A->cols; j++)
        for (int i = 0; i < A->rows; i++) {
            double d = SP_AT(A, i, j) - SP_AT(B, i, j);
            s += d * d;
        }
    return sqrt(s);
}

/* ||Q^T Q - I||_F for Q with orthonormal columns (trans 'T'), or rows ('N'). */
static double orth_error(const sp_dmat *Q, char which)
{
    sp_dmat G = which == 'T' ? naive_mul('T', Q, 'N', Q) : naive_mul('N', Q, 'T', Q);
    for (int i = 0; i < G.rows; i++) SP_AT(&G, i, i) -= 1.0;
    double e = fro(&G);
    sp_dmat_uninit(&G);
    return e;
}

/* ||A x - lambda x|| / ||x|| with x = X(:,c) (+ i X(:,c+1) when im != 0). */
static double eig_residual(const sp_dmat *A, const sp_dmat *X, int c, double re, double im)
{
    int n = A->rows;
    double r2 = 0.0, x2 = 0.0;
    for (int i = 0; i < n; i++) {
        double ar = 0.0, ai = 0.0;
        for (int k = 0; k < n; k++) {
            ar += SP_AT(A, i, k) * SP_AT(X, k, c);
            ai += im != 0.0 ? SP_AT(A, i, k) * SP_AT(X, k, c + 1) : 0.0;
        }
        double xr = SP_AT(X, i, c), xi = im != 0.0 ? SP_AT(X, i, c + 1) : 0.0;
        double dr = ar - (re * xr - im * xi), di = ai - (re * xi + im * xr);
        r2 += dr * dr + di * di;
        x2 += xr * xr + xi * xi;
    }
    return sqrt(r2 / x2);
}

/* Largest distance from each eigenvalue of set 1 to the nearest of set 2. */
static double eig_set_distance(int n, const double *wr1, const double *wi1, const double *wr2,
                               const double *wi2)
{
    double worst = 0.0;
    for (int i = 0; i < n; i++) {
        double best = INFINITY;
        for (int j = 0; j < n; j++) best = fmin(best, hypot(wr1[i] - wr2[j], wi1[i] - wi2[j]));
        worst = fmax(worst, best);
    }
    return worst;
}

/* Random upper Hessenberg matrix. */
static sp_dmat random_hessenberg(int n, sp_rng *rng)
{
    sp_dmat H = new_mat(n, n);
    for (int j = 0; j < n; j++)
        for (int i = 0; i <= j + 1 && i < n; i++) SP_AT(&H, i, j) = sp_rng_normal(rng);
    return H;
}

/* ---- QR ------------------------------------------------------------------ */

static void check_qr(int m, int n, sp_rng *rng)
{
    int k = m < n ? m : n;
    sp_dmat big = new_mat(m + 3, n + 2);
    fill_random(&big, rng);
    sp_dmat A = sp_dmat_view(&big, 2, 1, m, n); /* ld > rows */
    sp_dmat A0 = clone(&A);
    double tau[16];
    assert_int_equal(sp_geqrf(&A, tau), SP_OK);
    sp_dmat R = new_mat(k, n);
    for (int j = 0; j < n; j++)
        for (int i = 0; i <= j && i < k; i++) SP_AT(&R, i, j) = SP_AT(&A, i, j);
    sp_dmat Q = sp_dmat_view(&A, 0, 0, m, k);
    assert_int_equal(sp_orgqr(&Q, k, tau), SP_OK);
    sp_dmat QR = naive_mul('N', &Q, 'N', &R);
    assert_small(orth_error(&Q, 'T'), 20 * k * EPS);
    assert_small(fro_diff(&QR, &A0) / fro(&A0), 20 * n * EPS);
    sp_dmat_uninit(&big);
    sp_dmat_uninit(&A0);
    sp_dmat_uninit(&R);
    sp_dmat_uninit(&QR);
}

static void test_qr(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 21);
    check_qr(9, 5, &rng);
    check_qr(6, 6, &rng);
    check_qr(4, 7, &rng); /* wide: Q is 4 x 4 */
    check_qr(1, 1, &rng);
    sp_dmat A = new_mat(3, 4);
    double tau[4];
    assert_int_equal(sp_orgqr(&A, 3, tau), SP_EINVAL); /* more columns than rows */
    assert_non_null(strstr(sp_errmsg(), "sp_orgqr: need rows >= cols >= k"));
    assert_int_equal(sp_geqrf(&A, NULL), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sp_geqrf: tau is NULL"));
    sp_dmat E = new_mat(0, 3);
    assert_int_equal(sp_geqrf(&E, NULL), SP_OK); /* empty: nothing to do */
    sp_dmat_uninit(&A);
    sp_dmat_uninit(&E);
}

/* Rank-4 10 x 8 matrix: |R| diagonal non-increasing, tail ~ 0, A P = Q R. */
static void test_geqp3(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 22);
    enum { M = 10, N = 8, RANK = 4 };
    sp_dmat L = new_mat(M, RANK), Rt = new_mat(RANK, N);
    fill_random(&L, &rng);
    fill_random(&Rt, &rng);
    sp_dmat A0 = naive_mul('N', &L, 'N', &Rt), A = clone(&A0);
    int jpvt[N] = {0};
    jpvt[5] = 1; /* column 5 must come first */
    double tau[N];
    assert_int_equal(sp_geqp3(&A, jpvt, tau), SP_OK);
    assert_int_equal(jpvt[0], 6);
    int seen[N] = {0};
    for (int j = 0; j < N; j++) {
        assert_true(jpvt[j] >= 1 && jpvt[j] <= N && !seen[jpvt[j] - 1]);
        seen[jpvt[j] - 1] = 1;
    }
    for (int j = 2; j < N; j++) /* the free columns are ordered by |R(j,j)| */
        assert_true(fabs(SP_AT(&A, j, j)) <= fabs(SP_AT(&A, j - 1, j - 1)) * (1 + 1e-12));
    assert_small(fabs(SP_AT(&A, RANK, RANK)) / fabs(SP_AT(&A, 0, 0)), 1e-13);
    sp_dmat R = new_mat(N, N), AP = new_mat(M, N);
    for (int j = 0; j < N; j++) {
        for (int i = 0; i <= j; i++) SP_AT(&R, i, j) = SP_AT(&A, i, j);
        for (int i = 0; i < M; i++) SP_AT(&AP, i, j) = SP_AT(&A0, i, jpvt[j] - 1);
    }
    sp_dmat Q = sp_dmat_view(&A, 0, 0, M, N);
    assert_int_equal(sp_orgqr(&Q, N, tau), SP_OK);
    sp_dmat QR = naive_mul('N', &Q, 'N', &R);
    assert_small(fro_diff(&QR, &AP) / fro(&AP), 100 * EPS);
    assert_small(orth_error(&Q, 'T'), 100 * EPS);
    assert_int_equal(sp_geqp3(&A, NULL, tau), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sp_geqp3: jpvt is NULL"));
    sp_dmat *mats[] = {&L, &Rt, &A0, &A, &R, &AP, &QR};
    for (size_t i = 0; i < sizeof mats / sizeof *mats; i++) sp_dmat_uninit(mats[i]);
}

/* ---- SVD ----------------------------------------------------------------- */

static void check_gesdd(int m, int n, sp_rng *rng)
{
    int k = m < n ? m : n;
    sp_dmat big = new_mat(m + 2, n);
    fill_random(&big, rng);
    sp_dmat A = sp_dmat_view(&big, 1, 0, m, n), A0 = clone(&A), A1 = clone(&A);
    sp_dmat U = new_mat(m, k), VT = new_mat(k, n);
    double s[16], s_only[16], w[16];
    assert_int_equal(sp_gesdd(&A, s, &U, &VT), SP_OK);
    sp_dmat US = clone(&U);
    for (int j = 0; j < k; j++)
        for (int i = 0; i < m; i++) SP_AT(&US, i, j) *= s[j];
    sp_dmat USVT = naive_mul('N', &US, 'N', &VT);
    assert_small(fro_diff(&USVT, &A0) / fro(&A0), 50 * k * EPS);
    assert_small(orth_error(&U, 'T'), 50 * k * EPS);
    assert_small(orth_error(&VT, 'N'), 50 * k * EPS);
    /* s^2 are the eigenvalues of the smaller Gram matrix, ascending from syev. */
    sp_dmat G = m >= n ? naive_mul('T', &A0, 'N', &A0) : naive_mul('N', &A0, 'T', &A0);
    assert_int_equal(sp_syev(&G, w, 0), SP_OK);
    assert_int_equal(sp_gesdd(&A1, s_only, NULL, NULL), SP_OK);
    for (int i = 0; i < k; i++) {
        assert_true(s[i] >= 0.0 && (i == 0 || s[i] <= s[i - 1]));
        assert_small(s[i] * s[i] - w[k - 1 - i], 50 * k * EPS * s[0] * s[0]);
        assert_small(s_only[i] - s[i], 50 * k * EPS * s[0]);
    }
    sp_dmat *mats[] = {&big, &A0, &A1, &U, &VT, &US, &USVT, &G};
    for (size_t i = 0; i < sizeof mats / sizeof *mats; i++) sp_dmat_uninit(mats[i]);
}

static void test_gesdd(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 23);
    check_gesdd(9, 6, &rng);
    check_gesdd(5, 8, &rng);
    check_gesdd(7, 7, &rng);
    sp_dmat A = new_mat(4, 3), U = new_mat(4, 4), VT = new_mat(3, 3);
    double s[3];
    assert_int_equal(sp_gesdd(&A, s, &U, NULL), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "both be given or both be NULL"));
    assert_int_equal(sp_gesdd(&A, s, &U, &VT), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sp_gesdd: U is 4 x 4 but must be 4 x 3"));
    SP_AT(&A, 2, 1) = INFINITY;
    assert_int_equal(sp_gesdd(&A, s, NULL, NULL), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "A(2,1) = inf is not finite"));
    sp_dmat_uninit(&A);
    sp_dmat_uninit(&U);
    sp_dmat_uninit(&VT);
}

/* ---- eigenvalues --------------------------------------------------------- */

static void test_geev(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 24);
    enum { N = 10 };
    sp_dmat big = new_mat(N + 3, N);
    fill_random(&big, &rng);
    sp_dmat A = sp_dmat_view(&big, 3, 0, N, N), A0 = clone(&A), A1 = clone(&A);
    sp_dmat VR = new_mat(N, N);
    double wr[N], wi[N], wr1[N], wi1[N];
    assert_int_equal(sp_geev(&A, wr, wi, &VR), SP_OK);
    int reals = 0, pairs = 0;
    for (int j = 0; j < N; j++) {
        double r = eig_residual(&A0, &VR, j, wr[j], wi[j]);
        assert_small(r / fro(&A0), 100 * N * EPS);
        if (wi[j] == 0.0) {
            reals++;
        } else {
            assert_true(wi[j] > 0.0 && wi[j + 1] == -wi[j] && wr[j + 1] == wr[j]);
            pairs++;
            j++;
        }
    }
    assert_true(reals > 0 && pairs > 0); /* both kinds of packed columns checked */
    assert_int_equal(sp_geev(&A1, wr1, wi1, NULL), SP_OK);
    assert_small(eig_set_distance(N, wr1, wi1, wr, wi), 100 * N * EPS * fro(&A0));
    sp_dmat Rect = new_mat(3, 4);
    assert_int_equal(sp_geev(&Rect, wr, wi, NULL), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sp_geev: A is 3 x 4 but must be square"));
    SP_AT(&A1, 0, 0) = NAN;
    assert_int_equal(sp_geev(&A1, wr, wi, NULL), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "A(0,0) = nan is not finite"));
    sp_dmat *mats[] = {&big, &A0, &A1, &VR, &Rect};
    for (size_t i = 0; i < sizeof mats / sizeof *mats; i++) sp_dmat_uninit(mats[i]);
}

/* Symmetric A from its lower triangle; the upper one holds junk syev must ignore. */
static void test_syev(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 25);
    enum { N = 9 };
    sp_dmat A = new_mat(N, N), S = new_mat(N, N);
    for (int j = 0; j < N; j++)
        for (int i = j; i < N; i++) SP_AT(&S, i, j) = SP_AT(&S, j, i) = sp_rng_normal(&rng);
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++) SP_AT(&A, i, j) = i >= j ? SP_AT(&S, i, j) : 1e3;
    sp_dmat A1 = clone(&A);
    double w[N], w1[N];
    assert_int_equal(sp_syev(&A, w, 1), SP_OK);
    for (int j = 0; j < N; j++) {
        assert_small(eig_residual(&S, &A, j, w[j], 0.0) / fro(&S), 50 * N * EPS);
        if (j > 0) assert_true(w[j - 1] <= w[j]);
    }
    assert_small(orth_error(&A, 'T'), 50 * N * EPS);
    assert_int_equal(sp_syev(&A1, w1, 0), SP_OK);
    for (int j = 0; j < N; j++) assert_small(w1[j] - w[j], 50 * N * EPS * fro(&S));
    assert_int_equal(sp_syev(&A1, NULL, 0), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sp_syev: w is NULL"));
    sp_dmat_uninit(&A);
    sp_dmat_uninit(&A1);
    sp_dmat_uninit(&S);
}

/* Tridiagonal: T Z = Z diag(d) and the same eigenvalues as syev on dense T. */
static void test_stev(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 26);
    enum { N = 12 };
    double d[N], e[N - 1], d1[N], e1[N - 1], w[N];
    sp_dmat T = new_mat(N, N), Z = new_mat(N, N);
    for (int i = 0; i < N; i++) d[i] = SP_AT(&T, i, i) = sp_rng_normal(&rng);
    for (int i = 0; i < N - 1; i++)
        e[i] = SP_AT(&T, i + 1, i) = SP_AT(&T, i, i + 1) = sp_rng_normal(&rng);
    memcpy(d1, d, sizeof d);
    memcpy(e1, e, sizeof e);
    sp_dmat Td = clone(&T);
    assert_int_equal(sp_stev(N, d, e, &Z), SP_OK);
    assert_int_equal(sp_syev(&Td, w, 0), SP_OK);
    for (int j = 0; j < N; j++) {
        assert_small(eig_residual(&T, &Z, j, d[j], 0.0) / fro(&T), 50 * N * EPS);
        assert_small(d[j] - w[j], 50 * N * EPS * fro(&T));
    }
    assert_small(orth_error(&Z, 'T'), 50 * N * EPS);
    assert_int_equal(sp_stev(N, d1, e1, NULL), SP_OK);
    for (int j = 0; j < N; j++) assert_small(d1[j] - d[j], 50 * N * EPS * fro(&T));
    double one = 4.0;
    sp_dmat Z1 = new_mat(1, 1);
    assert_int_equal(sp_stev(1, &one, NULL, &Z1), SP_OK); /* n = 1: no e needed */
    assert_true(one == 4.0 && fabs(SP_AT(&Z1, 0, 0)) == 1.0);
    assert_int_equal(sp_stev(N, d, e, &Z1), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sp_stev: Z is 1 x 1 but must be 12 x 12"));
    e1[3] = NAN;
    assert_int_equal(sp_stev(N, d1, e1, NULL), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "e[3] = nan is not finite"));
    sp_dmat_uninit(&T);
    sp_dmat_uninit(&Td);
    sp_dmat_uninit(&Z);
    sp_dmat_uninit(&Z1);
}

/* ---- Schur form ---------------------------------------------------------- */

/* T quasi-triangular in standard form, consistent with (wr, wi). */
static void check_standard_schur(const sp_dmat *T, const double *wr, const double *wi)
{
    int n = T->rows;
    for (int j = 0; j < n; j++)
        for (int i = j + 2; i < n; i++) assert_true(SP_AT(T, i, j) == 0.0);
    for (int j = 0; j < n; j++) {
        if (j + 1 < n && SP_AT(T, j + 1, j) != 0.0) {
            assert_true(j + 2 >= n || SP_AT(T, j + 2, j + 1) == 0.0);
            assert_true(SP_AT(T, j, j) == SP_AT(T, j + 1, j + 1));
            assert_true(SP_AT(T, j, j + 1) * SP_AT(T, j + 1, j) < 0.0);
            double im = sqrt(fabs(SP_AT(T, j, j + 1))) * sqrt(fabs(SP_AT(T, j + 1, j)));
            assert_small(wr[j] - SP_AT(T, j, j), 10 * EPS * fabs(wr[j]));
            assert_small(wi[j] - im, 10 * EPS * im);
            assert_true(wi[j + 1] == -wi[j]);
            j++;
        } else {
            assert_true(wr[j] == SP_AT(T, j, j) && wi[j] == 0.0);
        }
    }
}

static void test_hseqr(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 27);
    enum { N = 12 };
    sp_dmat H0 = random_hessenberg(N, &rng), T = clone(&H0), Z = new_mat(N, N);
    for (int j = 0; j + 2 < N; j++) SP_AT(&T, N - 1, j) = 7.0; /* junk below: ignored */
    sp_dmat_set_identity(&Z);
    double wr[N], wi[N], wr2[N], wi2[N];
    assert_int_equal(sp_hseqr(&T, wr, wi, &Z), SP_OK);
    check_standard_schur(&T, wr, wi);
    sp_dmat ZT = naive_mul('N', &Z, 'N', &T), ZTZt = naive_mul('N', &ZT, 'T', &Z);
    assert_small(fro_diff(&ZTZt, &H0) / fro(&H0), 50 * N * EPS);
    assert_small(orth_error(&Z, 'T'), 50 * N * EPS);
    sp_dmat G = clone(&H0); /* eigenvalues agree with geev's */
    assert_int_equal(sp_geev(&G, wr2, wi2, NULL), SP_OK);
    assert_small(eig_set_distance(N, wr, wi, wr2, wi2), 100 * N * EPS * fro(&H0));
    assert_small(eig_set_distance(N, wr2, wi2, wr, wi), 100 * N * EPS * fro(&H0));
    sp_dmat T2 = clone(&H0); /* no Schur vectors: T still in standard form */
    assert_int_equal(sp_hseqr(&T2, wr2, wi2, NULL), SP_OK);
    check_standard_schur(&T2, wr2, wi2);
    assert_small(eig_set_distance(N, wr, wi, wr2, wi2), 100 * N * EPS * fro(&H0));
    sp_dmat Bad = new_mat(N, N - 1);
    assert_int_equal(sp_hseqr(&T2, wr, wi, &Bad), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sp_hseqr: Z is 12 x 11 but must be 12 x 12"));
    SP_AT(&T2, 3, 2) = NAN;
    assert_int_equal(sp_hseqr(&T2, wr, wi, NULL), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sp_hseqr: H(3,2) = nan is not finite"));
    sp_dmat *mats[] = {&H0, &T, &Z, &ZT, &ZTZt, &G, &T2, &Bad};
    for (size_t i = 0; i < sizeof mats / sizeof *mats; i++) sp_dmat_uninit(mats[i]);
}

/* Z on entry = orthogonal Q: on exit Q Z, with (QZ) T (QZ)^T = Q H Q^T. */
static void test_hseqr_accumulate(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 28);
    enum { N = 8 };
    sp_dmat H0 = random_hessenberg(N, &rng), T = clone(&H0), Q = new_mat(N, N);
    fill_random(&Q, &rng);
    double tau[N], wr[N], wi[N];
    assert_int_equal(sp_geqrf(&Q, tau), SP_OK);
    assert_int_equal(sp_orgqr(&Q, N, tau), SP_OK);
    sp_dmat QZ = clone(&Q);
    assert_int_equal(sp_hseqr(&T, wr, wi, &QZ), SP_OK);
    sp_dmat QH = naive_mul('N', &Q, 'N', &H0), QHQt = naive_mul('N', &QH, 'T', &Q);
    sp_dmat QZT = naive_mul('N', &QZ, 'N', &T), QZTZQ = naive_mul('N', &QZT, 'T', &QZ);
    assert_small(fro_diff(&QZTZQ, &QHQt) / fro(&H0), 50 * N * EPS);
    assert_small(orth_error(&QZ, 'T'), 50 * N * EPS);
    sp_dmat *mats[] = {&H0, &T, &Q, &QZ, &QH, &QHQt, &QZT, &QZTZQ};
    for (size_t i = 0; i < sizeof mats / sizeof *mats; i++) sp_dmat_uninit(mats[i]);
}

/* ---- eigenvectors of the Schur form -------------------------------------- */

typedef struct schur_fixture {
    sp_dmat H, T, Z;
    double wr[12], wi[12];
    int n;
} schur_fixture;

static void schur_setup(schur_fixture *f, int n, uint64_t seed)
{
    sp_rng rng;
    sp_rng_seed(&rng, seed);
    f->n = n;
    f->H = random_hessenberg(n, &rng);
    f->T = clone(&f->H);
    f->Z = new_mat(n, n);
    sp_dmat_set_identity(&f->Z);
    assert_int_equal(sp_hseqr(&f->T, f->wr, f->wi, &f->Z), SP_OK);
}

static void schur_teardown(schur_fixture *f)
{
    sp_dmat_uninit(&f->H);
    sp_dmat_uninit(&f->T);
    sp_dmat_uninit(&f->Z);
}

/* Each selected vector (in T's diagonal order) is an eigenvector of A with
 * unit norm; returns the number of columns consumed. */
static int check_vectors(const schur_fixture *f, const int *select, const sp_dmat *A,
                         const sp_dmat *X)
{
    int c = 0;
    for (int j = 0; j < f->n; j++) {
        int pair = f->wi[j] != 0.0;
        if (!select || select[j] || (pair && select[j + 1])) {
            double r = eig_residual(A, X, c, f->wr[j], f->wi[j]), x2 = 0.0;
            for (int k = 0; k <= pair; k++)
                for (int i = 0; i < X->rows; i++) x2 += SP_AT(X, i, c + k) * SP_AT(X, i, c + k);
            assert_small(r / fro(A), 100 * f->n * EPS);
            assert_small(x2 - 1.0, 100 * EPS);
            c += 1 + pair;
        }
        j += pair;
    }
    return c;
}

static void test_trevc3_all(void **state)
{
    (void)state;
    schur_fixture f;
    schur_setup(&f, 12, 29);
    int pairs = 0;
    for (int j = 0; j < f.n; j++) pairs += f.wi[j] > 0.0;
    assert_true(pairs > 0 && pairs * 2 < f.n); /* real and complex both present */
    sp_dmat X = new_mat(f.n, f.n);
    int m = -1;
    assert_int_equal(sp_trevc3(&f.T, NULL, NULL, &X, &m), SP_OK); /* T x = lambda x */
    assert_int_equal(m, f.n);
    assert_int_equal(check_vectors(&f, NULL, &f.T, &X), f.n);
    assert_int_equal(sp_trevc3(&f.T, NULL, &f.Z, &X, &m), SP_OK); /* H (Z y) = lambda Z y */
    assert_int_equal(check_vectors(&f, NULL, &f.H, &X), f.n);
    sp_dmat W = clone(&f.Z); /* X may be Z itself: in-place back-transform */
    assert_int_equal(sp_trevc3(&f.T, NULL, &W, &W, &m), SP_OK);
    assert_int_equal(check_vectors(&f, NULL, &f.H, &W), f.n);
    sp_dmat_uninit(&W);
    sp_dmat_uninit(&X);
    schur_teardown(&f);
}

/* A real eigenvalue and the second row of a complex pair: 3 columns; X wider
 * than needed keeps its extra columns. */
static void test_trevc3_select(void **state)
{
    (void)state;
    schur_fixture f;
    schur_setup(&f, 12, 29);
    int select[12] = {0}, real_j = -1, pair_j = -1;
    for (int j = 0; j < f.n; j++) {
        if (f.wi[j] == 0.0 && real_j < 0) real_j = j;
        if (f.wi[j] > 0.0) pair_j = j; /* the last pair */
    }
    assert_true(real_j >= 0 && pair_j >= 0);
    select[real_j] = select[pair_j + 1] = 1;
    int m = -1;
    assert_int_equal(sp_trevc3(&f.T, select, NULL, NULL, &m), SP_OK); /* count only */
    assert_int_equal(m, 3);
    sp_dmat X = new_mat(f.n, 5);
    sp_dmat_fill(&X, 9.0);
    assert_int_equal(sp_trevc3(&f.T, select, &f.Z, &X, &m), SP_OK);
    assert_int_equal(m, 3);
    assert_int_equal(check_vectors(&f, select, &f.H, &X), 3);
    for (int i = 0; i < f.n; i++) assert_true(SP_AT(&X, i, 3) == 9.0 && SP_AT(&X, i, 4) == 9.0);
    sp_dmat Narrow = new_mat(f.n, 2);
    assert_int_equal(sp_trevc3(&f.T, select, &f.Z, &Narrow, &m), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "X has 2 columns but the selection needs 3"));
    sp_dmat_uninit(&X);
    sp_dmat_uninit(&Narrow);
    schur_teardown(&f);
}

/* Ritz vectors as in IRAM: Z = V Q with V (p x n) orthonormal, B = V H V^T:
 * then B (V Q y) = lambda (V Q y). */
static void test_trevc3_ritz_vectors(void **state)
{
    (void)state;
    schur_fixture f;
    schur_setup(&f, 10, 30);
    enum { P = 25 };
    sp_rng rng;
    sp_rng_seed(&rng, 31);
    sp_dmat V = new_mat(P, f.n);
    fill_random(&V, &rng);
    double tau[12];
    assert_int_equal(sp_geqrf(&V, tau), SP_OK);
    assert_int_equal(sp_orgqr(&V, f.n, tau), SP_OK);
    sp_dmat VH = naive_mul('N', &V, 'N', &f.H), B = naive_mul('N', &VH, 'T', &V);
    sp_dmat VQ = naive_mul('N', &V, 'N', &f.Z), X = new_mat(P, f.n);
    int select[10] = {0}, m = 0;
    for (int j = 0; j < f.n; j += 3) select[j] = 1;
    assert_int_equal(sp_trevc3(&f.T, select, &VQ, &X, &m), SP_OK);
    assert_true(m >= 4);
    assert_int_equal(check_vectors(&f, select, &B, &X), m); /* residuals against B */
    sp_dmat *mats[] = {&V, &VH, &B, &VQ, &X};
    for (size_t i = 0; i < sizeof mats / sizeof *mats; i++) sp_dmat_uninit(mats[i]);
    schur_teardown(&f);
}

static void test_trevc3_bad_input(void **state)
{
    (void)state;
    double real_block[4] = {1, 3, 2, 1}; /* [[1 2] [3 1]]: eigenvalues 1 +- sqrt 6 */
    double uneven[4] = {1, -1, 1, 2};    /* [[1 1] [-1 2]] */
    sp_dmat T = sp_dmat_wrap(real_block, 2, 2, 2), X = new_mat(2, 2);
    int m;
    assert_int_equal(sp_trevc3(&T, NULL, NULL, &X, &m), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "real eigenvalues"));
    T = sp_dmat_wrap(uneven, 2, 2, 2);
    assert_int_equal(sp_trevc3(&T, NULL, NULL, &X, &m), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "unequal diagonal"));
    double upper[4] = {1, 0, 5, 2};
    T = sp_dmat_wrap(upper, 2, 2, 2);
    sp_dmat Z = new_mat(3, 3), X3 = new_mat(3, 2);
    assert_int_equal(sp_trevc3(&T, NULL, &Z, &X3, &m), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sp_trevc3: Z is 3 x 3 but T is 2 x 2"));
    assert_int_equal(sp_trevc3(&T, NULL, NULL, &X3, &m), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "X has 3 rows but needs 2"));
    assert_int_equal(sp_trevc3(&T, NULL, NULL, &X, &m), SP_OK); /* upper triangular is fine */
    assert_int_equal(m, 2);
    sp_dmat_uninit(&X);
    sp_dmat_uninit(&Z);
    sp_dmat_uninit(&X3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qr),
        cmocka_unit_test(test_geqp3),
        cmocka_unit_test(test_gesdd),
        cmocka_unit_test(test_geev),
        cmocka_unit_test(test_syev),
        cmocka_unit_test(test_stev),
        cmocka_unit_test(test_hseqr),
        cmocka_unit_test(test_hseqr_accumulate),
        cmocka_unit_test(test_trevc3_all),
        cmocka_unit_test(test_trevc3_select),
        cmocka_unit_test(test_trevc3_ritz_vectors),
        cmocka_unit_test(test_trevc3_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
