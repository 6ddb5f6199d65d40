/* test_dense.c: sp_dmat lifecycle, views, copy, identity, norm, and the CBLAS
 * wrappers (level 1, gemv, gemm). References: naive loops written here, on
 * random matrices, including views with ld > rows and every transpose. */
#include <string.h>
#include "spartan/linalg.h"
#include "test_util.h"

#define TOL 1e-13

static void fill_random(sp_dmat *A, sp_rng *rng)
{
    for (int j = 0; j < A->cols; j++)
        for (int i = 0; i < A->rows; i++) SP_AT(A, i, j) = sp_rng_normal(rng);
}

/* op(A)(i,j) with op = 'N' or 'T'. */
static double op_at(const sp_dmat *A, char t, int i, int j)
{
    return t == 'N' ? SP_AT(A, i, j) : SP_AT(A, j, i);
}

/* max |A - B| over a rows x cols shape. */
static double max_diff(const sp_dmat *A, const sp_dmat *B)
{
    double d = 0.0;
    for (int j = 0; j < A->cols; j++)
        for (int i = 0; i < A->rows; i++) d = fmax(d, fabs(SP_AT(A, i, j) - SP_AT(B, i, j)));
    return d;
}

static void test_init_uninit(void **state)
{
    (void)state;
    sp_dmat A;
    assert_int_equal(sp_dmat_init(&A, 3, 4), SP_OK);
    assert_int_equal(A.rows, 3);
    assert_int_equal(A.cols, 4);
    assert_int_equal(A.ld, 3);
    assert_int_equal(A.owns, 1);
    for (int j = 0; j < 4; j++)
        for (int i = 0; i < 3; i++) assert_true(SP_AT(&A, i, j) == 0.0);
    sp_dmat_uninit(&A);
    assert_null(A.data);
    sp_dmat_uninit(&A); /* safe twice */
    sp_dmat Z = {0};
    sp_dmat_uninit(&Z); /* safe on a zeroed struct */
    assert_int_equal(sp_dmat_init(&A, 0, 5), SP_OK);
    assert_true(A.ld >= 1);
    sp_dmat_uninit(&A);
    assert_int_equal(sp_dmat_init(&A, -1, 2), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sp_dmat_init"));
    sp_dmat_uninit(&A);
}

static void test_views(void **state)
{
    (void)state;
    sp_dmat A;
    assert_int_equal(sp_dmat_init(&A, 6, 5), SP_OK);
    for (int j = 0; j < 5; j++)
        for (int i = 0; i < 6; i++) SP_AT(&A, i, j) = 10 * i + j;
    sp_dmat V = sp_dmat_view(&A, 1, 2, 4, 3);
    assert_int_equal(V.owns, 0);
    assert_int_equal(V.ld, 6);
    sp_dmat W = sp_dmat_view(&V, 2, 1, 2, 2); /* view of a view */
    for (int j = 0; j < 2; j++)
        for (int i = 0; i < 2; i++) assert_true(SP_AT(&W, i, j) == 10 * (i + 3) + (j + 3));
    SP_AT(&W, 0, 0) = -1.0; /* writes through to A */
    assert_true(SP_AT(&A, 3, 3) == -1.0);
    sp_dmat_uninit(&V); /* a view never frees */
    assert_true(SP_AT(&A, 3, 3) == -1.0);
    sp_dmat bad = sp_dmat_view(&A, 4, 0, 3, 1);
    assert_null(bad.data);
    assert_non_null(strstr(sp_errmsg(), "outside 6 x 5"));
    double x[3], y[3];
    assert_int_equal(sp_gemv('N', 1.0, &bad, x, 0.0, y), SP_EINVAL);
    double buf[12];
    sp_dmat Wr = sp_dmat_wrap(buf, 3, 3, 4);
    assert_true(Wr.data == buf && Wr.ld == 4 && Wr.owns == 0);
    Wr = sp_dmat_wrap(buf, 3, 3, 2); /* ld < rows */
    assert_null(Wr.data);
    assert_non_null(strstr(sp_errmsg(), "sp_dmat_wrap"));
    sp_dmat_uninit(&A);
}

static void test_copy_clone_fill_identity(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 11);
    sp_dmat A, B, C;
    assert_int_equal(sp_dmat_init(&A, 7, 6), SP_OK);
    assert_int_equal(sp_dmat_init(&B, 9, 8), SP_OK);
    fill_random(&A, &rng);
    sp_dmat Av = sp_dmat_view(&A, 1, 1, 5, 4), Bv = sp_dmat_view(&B, 3, 2, 5, 4);
    assert_int_equal(sp_dmat_copy(&Av, &Bv), SP_OK);
    assert_true(max_diff(&Av, &Bv) == 0.0);
    assert_true(SP_AT(&B, 2, 2) == 0.0 && SP_AT(&B, 8, 2) == 0.0); /* outside untouched */
    assert_int_equal(sp_dmat_clone(&Bv, &C), SP_OK);
    assert_int_equal(C.owns, 1);
    assert_int_equal(C.ld, 5);
    assert_true(max_diff(&C, &Av) == 0.0);
    sp_dmat Bw = sp_dmat_view(&B, 0, 0, 4, 5);
    assert_int_equal(sp_dmat_copy(&Av, &Bw), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "source is 5 x 4 but destination is 4 x 5"));
    sp_dmat_fill(&Bv, 2.5);
    assert_true(SP_AT(&B, 3, 2) == 2.5 && SP_AT(&B, 7, 5) == 2.5 && SP_AT(&B, 8, 5) == 0.0);
    sp_dmat_set_identity(&Bw); /* 4 x 5 rectangular */
    for (int j = 0; j < 5; j++)
        for (int i = 0; i < 4; i++) assert_true(SP_AT(&Bw, i, j) == (i == j ? 1.0 : 0.0));
    sp_dmat_uninit(&A);
    sp_dmat_uninit(&B);
    sp_dmat_uninit(&C);
}

static void test_norm_fro(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 12);
    sp_dmat A;
    assert_int_equal(sp_dmat_init(&A, 8, 7), SP_OK);
    fill_random(&A, &rng);
    sp_dmat V = sp_dmat_view(&A, 2, 1, 5, 4);
    double s = 0.0;
    for (int j = 0; j < 4; j++)
        for (int i = 0; i < 5; i++) s += SP_AT(&V, i, j) * SP_AT(&V, i, j);
    assert_small(sp_dmat_norm_fro(&V) - sqrt(s), TOL * sqrt(s));
    sp_dmat_fill(&V, 1e200); /* sum of squares would overflow */
    assert_small(sp_dmat_norm_fro(&V) / (1e200 * sqrt(20.0)) - 1.0, TOL);
    sp_dmat E = sp_dmat_view(&A, 0, 0, 0, 3);
    assert_true(sp_dmat_norm_fro(&E) == 0.0);
    sp_dmat_uninit(&A);
}

static void test_blas1(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 13);
    enum { N = 37 };
    double x[N], y[N], z[N], dot = 0.0, ss = 0.0;
    for (int i = 0; i < N; i++) {
        x[i] = sp_rng_normal(&rng);
        y[i] = sp_rng_normal(&rng);
        dot += x[i] * y[i];
        ss += x[i] * x[i];
    }
    assert_small(sp_dot(N, x, y) - dot, TOL * N);
    assert_small(sp_nrm2(N, x) - sqrt(ss), TOL * sqrt(ss));
    memcpy(z, y, sizeof z);
    sp_axpy(N, -0.75, x, z);
    for (int i = 0; i < N; i++) assert_small(z[i] - (y[i] - 0.75 * x[i]), TOL);
    sp_scal(N, 3.0, z);
    for (int i = 0; i < N; i++) assert_small(z[i] - 3.0 * (y[i] - 0.75 * x[i]), 4 * TOL);
    sp_copy(N, x, z);
    assert_memory_equal(z, x, sizeof x);
    double big[4] = {1e300, 1e300, 1e300, 1e300};
    assert_small(sp_nrm2(4, big) / 2e300 - 1.0, TOL);
    assert_true(sp_dot(0, x, y) == 0.0 && sp_nrm2(0, x) == 0.0);
    sp_axpy(0, 1.0, x, z); /* no-ops */
}

/* gemv on a view of a bigger matrix (ld > rows), both transposes, vs loops. */
static void check_gemv(char t, double alpha, double beta, sp_rng *rng)
{
    sp_dmat big;
    assert_int_equal(sp_dmat_init(&big, 13, 9), SP_OK);
    fill_random(&big, rng);
    sp_dmat A = sp_dmat_view(&big, 2, 1, 7, 5);
    int xlen = t == 'N' ? 5 : 7, ylen = t == 'N' ? 7 : 5;
    double x[7], y[7], ref[7];
    for (int i = 0; i < 7; i++) {
        x[i] = sp_rng_normal(rng);
        y[i] = ref[i] = sp_rng_normal(rng);
    }
    for (int i = 0; i < ylen; i++) {
        double s = 0.0;
        for (int k = 0; k < xlen; k++) s += op_at(&A, t, i, k) * x[k];
        ref[i] = alpha * s + beta * ref[i];
    }
    assert_int_equal(sp_gemv(t, alpha, &A, x, beta, y), SP_OK);
    for (int i = 0; i < ylen; i++) assert_small(y[i] - ref[i], 10 * TOL);
    sp_dmat_uninit(&big);
}

static void test_gemv(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 14);
    check_gemv('N', 1.0, 0.0, &rng);
    check_gemv('N', -0.5, 2.0, &rng);
    check_gemv('T', 1.5, 0.0, &rng);
    check_gemv('T', 1.0, -1.0, &rng);
    sp_dmat A;
    assert_int_equal(sp_dmat_init(&A, 3, 2), SP_OK);
    sp_dmat_fill(&A, 1.0);
    double x[3] = {1, 2, 3}, y[3] = {NAN, NAN, NAN};
    assert_int_equal(sp_gemv('N', 1.0, &A, x, 0.0, y), SP_OK); /* beta = 0: y not read */
    for (int i = 0; i < 3; i++) assert_small(y[i] - 3.0, 0.0);
    assert_int_equal(sp_gemv('X', 1.0, &A, x, 0.0, y), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "trans = 'X'"));
    assert_int_equal(sp_gemv('T', 1.0, &A, NULL, 0.0, y), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sp_gemv: x is NULL"));
    sp_dmat_uninit(&A);
}

/* C = alpha op(A) op(B) + beta C for views (ld > rows) vs a triple loop. */
static void check_gemm(char ta, char tb, int m, int n, int k, double alpha, double beta,
                       sp_rng *rng)
{
    sp_dmat bigA, bigB, bigC, ref;
    assert_int_equal(sp_dmat_init(&bigA, 20, 20), SP_OK);
    assert_int_equal(sp_dmat_init(&bigB, 20, 20), SP_OK);
    assert_int_equal(sp_dmat_init(&bigC, 20, 20), SP_OK);
    fill_random(&bigA, rng);
    fill_random(&bigB, rng);
    fill_random(&bigC, rng);
    sp_dmat A = sp_dmat_view(&bigA, 1, 2, ta == 'N' ? m : k, ta == 'N' ? k : m);
    sp_dmat B = sp_dmat_view(&bigB, 3, 0, tb == 'N' ? k : n, tb == 'N' ? n : k);
    sp_dmat C = sp_dmat_view(&bigC, 2, 3, m, n);
    assert_int_equal(sp_dmat_clone(&C, &ref), SP_OK);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) {
            double s = 0.0;
            for (int p = 0; p < k; p++) s += op_at(&A, ta, i, p) * op_at(&B, tb, p, j);
            SP_AT(&ref, i, j) = alpha * s + beta * SP_AT(&ref, i, j);
        }
    double outside = SP_AT(&bigC, 1, 3);
    assert_int_equal(sp_gemm(ta, tb, alpha, &A, &B, beta, &C), SP_OK);
    assert_small(max_diff(&C, &ref), 20 * TOL * (k + 1));
    assert_true(SP_AT(&bigC, 1, 3) == outside);
    sp_dmat_uninit(&bigA);
    sp_dmat_uninit(&bigB);
    sp_dmat_uninit(&bigC);
    sp_dmat_uninit(&ref);
}

static void test_gemm(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 15);
    const char ops[2] = {'N', 'T'};
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            check_gemm(ops[a], ops[b], 5, 7, 4, 1.0, 0.0, &rng);
            check_gemm(ops[a], ops[b], 9, 3, 11, -0.5, 1.5, &rng);
            check_gemm(ops[a], ops[b], 1, 1, 1, 2.0, 1.0, &rng);
        }
    check_gemm('N', 'N', 4, 5, 0, 1.0, 0.5, &rng); /* empty inner dimension: C = beta C */
}

static void test_gemm_bad_shapes(void **state)
{
    (void)state;
    sp_dmat A, B, C;
    assert_int_equal(sp_dmat_init(&A, 3, 4), SP_OK);
    assert_int_equal(sp_dmat_init(&B, 5, 2), SP_OK);
    assert_int_equal(sp_dmat_init(&C, 3, 2), SP_OK);
    assert_int_equal(sp_gemm('N', 'N', 1.0, &A, &B, 0.0, &C), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sp_gemm: op(A) is 3 x 4"));
    assert_non_null(strstr(sp_errmsg(), "op(B) is 5 x 2"));
    assert_int_equal(sp_gemm('N', 'Q', 1.0, &A, &B, 0.0, &C), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "transb = 'Q'"));
    sp_dmat bad = A;
    bad.ld = 2;
    assert_int_equal(sp_gemm('N', 'N', 1.0, &bad, &B, 0.0, &C), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "A has ld = 2 < rows = 3"));
    assert_int_equal(sp_gemm('N', 'N', 1.0, &A, NULL, 0.0, &C), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "B is NULL"));
    sp_dmat_uninit(&A);
    sp_dmat_uninit(&B);
    sp_dmat_uninit(&C);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_uninit), cmocka_unit_test(test_views),
        cmocka_unit_test(test_copy_clone_fill_identity), cmocka_unit_test(test_norm_fro),
        cmocka_unit_test(test_blas1),       cmocka_unit_test(test_gemv),
        cmocka_unit_test(test_gemm),        cmocka_unit_test(test_gemm_bad_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
