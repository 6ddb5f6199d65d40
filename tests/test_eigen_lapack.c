/* test_eigen_lapack.c: IRAM, MIRAMns and the dense path against LAPACK
 * (dgeev / dsyev on the dense matrix, an independent reference) for matrices
 * with complex pairs, symmetric indefinite and SPD, diagonal, clustered and
 * exactly repeated (2D grid Laplacian: every copy must be found), nearly
 * defective, n < ncv, n = 1 and 2, the zero matrix, and every `which`. */
#include <string.h>
#include "spartan/eigen.h"
#include "spartan/generate.h"
#include "test_util.h"

/* ---- building test matrices ---------------------------------------------- */

static void dense_to_csr(const sp_dmat *D, sp_csr *A)
{
    int n = D->rows, cnt = 0;
    int *ri = malloc(sizeof(int) * (size_t)n * n + 1), *ci = malloc(sizeof(int) * (size_t)n * n + 1);
    double *v = malloc(sizeof(double) * (size_t)n * n + 1);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            if (SP_AT(D, i, j) != 0.0) ri[cnt] = i, ci[cnt] = j, v[cnt++] = SP_AT(D, i, j);
    assert_int_equal(sp_csr_from_triplets(n, n, cnt, ri, ci, v, A), SP_OK);
    free(ri), free(ci), free(v);
}

/* Random orthogonal Q (n x n) from the QR of a Gaussian matrix. */
static void random_orthogonal(int n, uint64_t seed, sp_dmat *Q)
{
    sp_rng rng;
    sp_rng_seed(&rng, seed);
    assert_int_equal(sp_dmat_init(Q, n, n), SP_OK);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) SP_AT(Q, i, j) = sp_rng_normal(&rng);
    double *tau = malloc(sizeof(double) * (size_t)n);
    assert_int_equal(sp_geqrf(Q, tau), SP_OK);
    assert_int_equal(sp_orgqr(Q, n, tau), SP_OK);
    free(tau);
}

/* D = Q B Q^T with B block diagonal: real values re[i] (im[i] == 0) or 2x2
 * blocks [a b; -b a] for pairs (im[i] > 0 listed once, followed by its slot). */
static void normal_matrix(int n, const double *re, const double *im, uint64_t seed, sp_dmat *D)
{
    sp_dmat B, Q, T;
    assert_int_equal(sp_dmat_init(&B, n, n), SP_OK);
    for (int i = 0; i < n; i++) {
        SP_AT(&B, i, i) = re[i];
        if (im[i] > 0.0 && i + 1 < n) {
            SP_AT(&B, i + 1, i + 1) = re[i];
            SP_AT(&B, i, i + 1) = im[i];
            SP_AT(&B, i + 1, i) = -im[i];
            i++;
        }
    }
    random_orthogonal(n, seed, &Q);
    assert_int_equal(sp_dmat_init(&T, n, n), SP_OK);
    assert_int_equal(sp_dmat_init(D, n, n), SP_OK);
    assert_int_equal(sp_gemm('N', 'N', 1.0, &Q, &B, 0.0, &T), SP_OK);
    assert_int_equal(sp_gemm('N', 'T', 1.0, &T, &Q, 0.0, D), SP_OK);
    if (im[0] == 0.0) { /* all real: make it exactly symmetric when B is diagonal */
        int diag = 1;
        for (int i = 0; i < n; i++) diag &= im[i] == 0.0;
        for (int j = 0; diag && j < n; j++)
            for (int i = 0; i < j; i++) SP_AT(D, i, j) = SP_AT(D, j, i);
    }
    sp_dmat_uninit(&B), sp_dmat_uninit(&Q), sp_dmat_uninit(&T);
}

/* ---- the check --------------------------------------------------------------- */

typedef struct {
    sp_which which;
    int nev, ncv;
    sp_eig_method method;
    double tol;       /* solver tolerance */
    double val_tol;   /* |lambda - ref| <= val_tol * max(1, |ref|) */
    double res_tol;   /* true residual bound */
} case_spec;

/* The documented tie-break of the primary key (eigen.h): LI/LR/LA prefer the
 * larger |lambda|, SI/SR/SA the smaller, LM the larger real part, SM the smaller. */
static double tie_key(sp_which which, double re, double im)
{
    switch (which) {
    case SP_WHICH_LM: return re;
    case SP_WHICH_SM: return -re;
    case SP_WHICH_LR: case SP_WHICH_LA: case SP_WHICH_LI: return hypot(re, im);
    case SP_WHICH_SR: case SP_WHICH_SA: case SP_WHICH_SI: return -hypot(re, im);
    default: return re;
    }
}

/* Reference: all eigenvalues of D by LAPACK, ordered by which. */
static int reference(const sp_dmat *D, int symmetric, sp_which which, double *re, double *im)
{
    int n = D->rows;
    sp_dmat C;
    assert_int_equal(sp_dmat_clone(D, &C), SP_OK);
    double *wr = calloc((size_t)n, sizeof(double)), *wi = calloc((size_t)n, sizeof(double));
    if (symmetric) assert_int_equal(sp_syev(&C, wr, 0), SP_OK);
    else assert_int_equal(sp_geev(&C, wr, wi, NULL), SP_OK);
    /* order by which with a plain selection sort on the documented keys */
    int *used = calloc((size_t)n, sizeof(int));
    for (int k = 0; k < n; k++) {
        int best = -1;
        for (int i = 0; i < n; i++) {
            if (used[i]) continue;
            if (best < 0) { best = i; continue; }
            double a, b;
            switch (which) {
            case SP_WHICH_LM: a = hypot(wr[i], wi[i]), b = hypot(wr[best], wi[best]); break;
            case SP_WHICH_SM: a = -hypot(wr[i], wi[i]), b = -hypot(wr[best], wi[best]); break;
            case SP_WHICH_LR: case SP_WHICH_LA: case SP_WHICH_BE: a = wr[i], b = wr[best]; break;
            case SP_WHICH_SR: case SP_WHICH_SA: a = -wr[i], b = -wr[best]; break;
            case SP_WHICH_LI: a = fabs(wi[i]), b = fabs(wi[best]); break;
            case SP_WHICH_SI: a = -fabs(wi[i]), b = -fabs(wi[best]); break;
            default: a = b = 0;
            }
            double a2 = tie_key(which, wr[i], wi[i]), b2 = tie_key(which, wr[best], wi[best]);
            if (a > b || (a == b && (a2 > b2 || (a2 == b2 && (wr[i] > wr[best] ||
                                                              (wr[i] == wr[best] && wi[i] > wi[best]))))))
                best = i;
        }
        used[best] = 1;
        re[k] = wr[best];
        im[k] = wi[best];
    }
    if (which == SP_WHICH_BE) { /* alternately from the top and the bottom */
        for (int i = 0; i < n; i++) wr[i] = re[i];
        for (int i = 0, lo = 0, hi = n - 1; i < n; i++) re[i] = i % 2 == 0 ? wr[lo++] : wr[hi--];
    }
    free(used), free(wr), free(wi);
    sp_dmat_uninit(&C);
    return n;
}

/* Solve, compare with LAPACK's eigenvalues ordered by ref_which (normally
 * c->which), print the measured errors; returns matvecs. */
static long run_case_ref(const char *name, const sp_dmat *D, const case_spec *c, sp_which ref_which)
{
    sp_csr A;
    dense_to_csr(D, &A);
    sp_operator op;
    assert_int_equal(sp_operator_csr(&A, &op), SP_OK);
    sp_eigs_options o = sp_eigs_options_default();
    o.nev = c->nev, o.ncv = c->ncv, o.which = c->which, o.method = c->method, o.tol = c->tol;
    o.want_vectors = 1;
    sp_eigs_result r;
    int rc = sp_eigs(&op, &o, &r);
    if (rc != SP_OK) print_error("%s: %s\n", name, sp_errmsg());
    assert_int_equal(rc, SP_OK);
    int n = D->rows;
    double *re = malloc(sizeof(double) * (size_t)n), *im = malloc(sizeof(double) * (size_t)n);
    reference(D, op.symmetric, ref_which, re, im);
    double worst_val = 0, worst_res = 0;
    assert_true(r.nconv >= c->nev);
    for (int i = 0; i < c->nev; i++) {
        double err = hypot(r.re[i] - re[i], r.im[i] - im[i]) / fmax(1.0, hypot(re[i], im[i]));
        worst_val = fmax(worst_val, err);
        worst_res = fmax(worst_res, r.residual[i]);
    }
    printf("%-28s %-7s which %s nev %d: max eig err %.2e (tol %.0e), max residual %.2e (tol %.0e), "
           "matvecs %lld\n", name, sp_eig_method_name(r.method), sp_which_name(c->which), c->nev,
           worst_val, c->val_tol, worst_res, c->res_tol, (long long)r.matvecs);
    assert_small(worst_val, c->val_tol);
    assert_small(worst_res, c->res_tol);
    long mv = (long)r.matvecs;
    free(re), free(im);
    sp_eigs_result_uninit(&r);
    sp_csr_uninit(&A);
    return mv;
}

static long run_case(const char *name, const sp_dmat *D, const case_spec *c)
{
    return run_case_ref(name, D, c, c->which);
}

/* ---- cases --------------------------------------------------------------------- */

static void spread_spectrum(int n, int pairs, double *re, double *im)
{
    sp_rng rng;
    sp_rng_seed(&rng, 11);
    for (int i = 0; i < n; i++) {
        re[i] = 4.0 * sp_rng_uniform(&rng) - 2.0;
        im[i] = 0.0;
    }
    for (int p = 0; p < pairs && 2 * p + 1 < n; p++) im[2 * p] = 0.2 + 2.0 * sp_rng_uniform(&rng);
    re[0] = 5.0, im[0] = 1.0;  /* a dominant pair */
    re[4] = -4.5;              /* a large real one */
    re[6] = 0.01;              /* a small one */
}

static void test_nonsymmetric_every_which(void **state)
{
    (void)state;
    int n = 120;
    double re[120], im[120];
    spread_spectrum(n, 20, re, im);
    sp_dmat D;
    normal_matrix(n, re, im, 5, &D);
    const sp_which whichs[] = {SP_WHICH_LM, SP_WHICH_LR, SP_WHICH_SR, SP_WHICH_LI};
    for (int w = 0; w < 4; w++)
        for (int m = SP_EIG_IRAM; m <= SP_EIG_DENSE; m++) {
            case_spec c = {whichs[w], 4, 40, (sp_eig_method)m, 1e-10, 1e-8, 1e-8};
            run_case("normal, complex pairs", &D, &c);
        }
    sp_dmat_uninit(&D);
}

/* SM and SI need their wanted values on the edge of the spectrum (no
 * shift-invert): SM = 0.01, 0.02, 0.05 left of everything; SI = real 4, 4.5, 5
 * right of the complex pairs (the real ones tie on |imag| = 0: the smaller
 * |lambda| wins, so the fourth real value, 9, is not wanted). */
static void test_nonsymmetric_sm_si(void **state)
{
    (void)state;
    int n = 100;
    double re[100], im[100];
    sp_rng rng;
    sp_rng_seed(&rng, 21);
    for (int i = 0; i < n; i += 2) {
        re[i] = re[i + 1] = 1.0 + 2.0 * sp_rng_uniform(&rng);
        im[i] = 0.5 + 1.5 * sp_rng_uniform(&rng), im[i + 1] = 0.0;
    }
    re[10] = 0.01, re[11] = 0.02, re[12] = 0.05, re[13] = 1.5;
    im[10] = im[11] = im[12] = im[13] = 0.0;
    sp_dmat D;
    normal_matrix(n, re, im, 6, &D);
    for (int m = SP_EIG_IRAM; m <= SP_EIG_MIRAMNS; m++) {
        case_spec c = {SP_WHICH_SM, 3, 40, (sp_eig_method)m, 1e-10, 1e-8, 1e-8};
        run_case("nonsymmetric, SM at the edge", &D, &c);
    }
    sp_dmat_uninit(&D);
    for (int i = 0; i < n; i += 2) {
        re[i] = re[i + 1] = -3.0 + 6.0 * sp_rng_uniform(&rng);
        im[i] = 1.0 + 2.0 * sp_rng_uniform(&rng), im[i + 1] = 0.0;
    }
    re[20] = 4.0, re[21] = 4.5, re[22] = 5.0, re[23] = 9.0;
    im[20] = im[21] = im[22] = im[23] = 0.0;
    normal_matrix(n, re, im, 7, &D);
    for (int m = SP_EIG_IRAM; m <= SP_EIG_MIRAMNS; m++) {
        case_spec c = {SP_WHICH_SI, 3, 40, (sp_eig_method)m, 1e-10, 1e-8, 1e-8};
        run_case("nonsymmetric, SI at the edge", &D, &c);
    }
    sp_dmat_uninit(&D);
}

/* Regression: LI and SI when the candidates are all real tie on the primary
 * key; the tie-break (LI -> largest |lambda|, SI -> smallest) must give a
 * stable wanted set. olm500 LI did not converge in 3000 restarts before
 * (ARPACK: 947 matvecs). Its complex eigenvalues (|imag| <= 6.6) are deep
 * inside the spectrum, so without shift-invert the Ritz values stay real and
 * LI converges, as ARPACK does, to the LM set: that is the reference here.
 * bfwa62's spectrum is all real: SI is then SM, checked against LAPACK (it
 * returned the LM set before; ARPACK returns these). */
static void test_all_real_li_si(void **state)
{
    (void)state;
    const char *files[] = {"olm500.mtx", "bfwa62.mtx"};
    const sp_which whichs[] = {SP_WHICH_LI, SP_WHICH_SI};
    for (int f = 0; f < 2; f++) {
        sp_csr A;
        sp_mm_info info;
        memset(&info, 0, sizeof info);
        assert_int_equal(sp_mm_read(test_data_path(files[f]), &A, &info), SP_OK);
        sp_mm_info_uninit(&info);
        sp_dmat D;
        assert_int_equal(sp_csr_to_dense(&A, &D), SP_OK);
        for (int m = SP_EIG_IRAM; m <= SP_EIG_MIRAMNS; m++) {
            case_spec c = {whichs[f], 4, 20, (sp_eig_method)m, 1e-10, 1e-8, 1e-8};
            long mv = run_case_ref(files[f], &D, &c, f == 0 ? SP_WHICH_LM : SP_WHICH_SI);
            assert_true(mv < (f == 0 ? 2000 : 400)); /* ARPACK: 947 and 142 */
        }
        sp_dmat_uninit(&D);
        sp_csr_uninit(&A);
    }
}

static void test_random_nonnormal(void **state)
{
    (void)state;
    sp_csr A;
    assert_int_equal(sp_gen_random_sparse(400, 6, 3, &A), SP_OK);
    sp_dmat D;
    assert_int_equal(sp_csr_to_dense(&A, &D), SP_OK);
    case_spec c = {SP_WHICH_LM, 6, 30, SP_EIG_IRAM, 1e-10, 1e-7, 1e-9};
    run_case("random sparse nonsymmetric", &D, &c);
    c.which = SP_WHICH_LR;
    run_case("random sparse nonsymmetric", &D, &c);
    sp_dmat_uninit(&D);
    sp_csr_uninit(&A);
}

static void test_symmetric_indefinite_and_spd(void **state)
{
    (void)state;
    int n = 150;
    double re[150], im[150] = {0};
    for (int i = 0; i < n; i++) re[i] = (i % 2 ? -1.0 : 1.0) * (1.0 + 3.0 * i / (n - 1));
    re[10] = 7.0, re[20] = -8.0, re[30] = 0.01, re[31] = -0.02, re[32] = 0.03, re[33] = 0.04;
    re[34] = -0.05;
    sp_dmat D;
    normal_matrix(n, re, im, 9, &D);
    const sp_which whichs[] = {SP_WHICH_LM, SP_WHICH_SM, SP_WHICH_LA, SP_WHICH_SA, SP_WHICH_BE};
    for (int w = 0; w < 5; w++) {
        case_spec c = {whichs[w], 5, 40, SP_EIG_IRAM, 1e-10, 1e-8, 1e-8};
        run_case("symmetric indefinite", &D, &c);
        c.method = SP_EIG_MIRAMNS;
        run_case("symmetric indefinite", &D, &c);
    }
    sp_dmat_uninit(&D);
    for (int i = 0; i < n; i++) re[i] = 1.0 + i * 0.05;
    normal_matrix(n, re, im, 10, &D);
    case_spec c = {SP_WHICH_LA, 6, 30, SP_EIG_IRAM, 1e-10, 1e-8, 1e-8};
    run_case("SPD", &D, &c);
    c.which = SP_WHICH_SA;
    run_case("SPD", &D, &c);
    sp_dmat_uninit(&D);
}

static void test_diagonal(void **state)
{
    (void)state;
    int n = 300;
    sp_dmat D;
    assert_int_equal(sp_dmat_init(&D, n, n), SP_OK);
    for (int i = 0; i < n; i++) SP_AT(&D, i, i) = (double)(i + 1);
    case_spec c = {SP_WHICH_LM, 5, 20, SP_EIG_IRAM, 1e-12, 1e-10, 1e-10};
    run_case("diagonal 1..300", &D, &c);
    c.which = SP_WHICH_SA;
    c.ncv = 40;
    run_case("diagonal 1..300", &D, &c);
    sp_dmat_uninit(&D);
}

/* 2D grid Laplacian: eigenvalues with multiplicity 2 (p != q); all copies. */
static void test_repeated_laplacian(void **state)
{
    (void)state;
    sp_csr A;
    assert_int_equal(sp_gen_laplace2d(15, &A), SP_OK);
    sp_dmat D;
    assert_int_equal(sp_csr_to_dense(&A, &D), SP_OK);
    case_spec c = {SP_WHICH_LA, 6, 30, SP_EIG_IRAM, 1e-10, 1e-8, 1e-8};
    run_case("laplace2d 15 (repeated)", &D, &c);
    c.which = SP_WHICH_SA;
    c.nev = 5;
    run_case("laplace2d 15 (repeated)", &D, &c);
    c.method = SP_EIG_MIRAMNS;
    run_case("laplace2d 15 (repeated)", &D, &c);
    sp_dmat_uninit(&D);
    sp_csr_uninit(&A);
}

/* Clustered: values 10, 10 + 1e-6, 10 + 2e-6 above a spread of others. */
static void test_clustered(void **state)
{
    (void)state;
    int n = 100;
    double re[100], im[100] = {0};
    for (int i = 0; i < n; i++) re[i] = 0.05 * i;
    re[3] = 10.0, re[50] = 10.0 + 1e-6, re[70] = 10.0 + 2e-6, re[80] = 9.0;
    sp_dmat D;
    normal_matrix(n, re, im, 12, &D);
    case_spec c = {SP_WHICH_LM, 4, 20, SP_EIG_IRAM, 1e-12, 1e-9, 1e-9};
    run_case("clustered", &D, &c);
    sp_dmat_uninit(&D);
}

/* Nearly defective: a 4x4 Jordan block at 10 perturbed by 1e-12 in the corner. */
static void test_jordan_like(void **state)
{
    (void)state;
    int n = 60;
    sp_dmat D;
    assert_int_equal(sp_dmat_init(&D, n, n), SP_OK);
    for (int i = 0; i < n; i++) SP_AT(&D, i, i) = i < 4 ? 10.0 : 5.0 * (i - 4) / n;
    for (int i = 0; i < 3; i++) SP_AT(&D, i, i + 1) = 1.0;
    SP_AT(&D, 3, 0) = 1e-12;
    for (int i = 4; i + 1 < n; i++) SP_AT(&D, i, i + 1) = 0.3;
    case_spec c = {SP_WHICH_LM, 4, 20, SP_EIG_IRAM, 1e-12, 1e-4, 1e-9};
    run_case("Jordan-like block", &D, &c);
    sp_dmat_uninit(&D);
}

static void test_small_sizes_and_zero(void **state)
{
    (void)state;
    sp_dmat D;
    int sizes[] = {1, 2, 15};
    for (int s = 0; s < 3; s++) {
        int n = sizes[s];
        assert_int_equal(sp_dmat_init(&D, n, n), SP_OK);
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) SP_AT(&D, i, j) = 1.0 / (1 + i + 2 * j) + (i == j ? i : 0);
        int nev = n < 3 ? 1 : 3;
        case_spec c = {SP_WHICH_LM, nev, 0, SP_EIG_IRAM, 1e-12, 1e-10, 1e-10};
        run_case(n == 1 ? "n = 1" : n == 2 ? "n = 2" : "n = 15 < default ncv", &D, &c);
        c.method = SP_EIG_AUTO;
        run_case("small, auto (dense)", &D, &c);
        sp_dmat_uninit(&D);
    }
    assert_int_equal(sp_dmat_init(&D, 50, 50), SP_OK);
    case_spec c = {SP_WHICH_LM, 3, 10, SP_EIG_IRAM, 1e-12, 1e-14, 1e-14};
    run_case("zero matrix", &D, &c);
    sp_dmat_uninit(&D);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nonsymmetric_every_which),
        cmocka_unit_test(test_nonsymmetric_sm_si),
        cmocka_unit_test(test_all_real_li_si),
        cmocka_unit_test(test_random_nonnormal),
        cmocka_unit_test(test_symmetric_indefinite_and_spd),
        cmocka_unit_test(test_diagonal),
        cmocka_unit_test(test_repeated_laplacian),
        cmocka_unit_test(test_clustered),
        cmocka_unit_test(test_jordan_like),
        cmocka_unit_test(test_small_sizes_and_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
