/* test_eigen_arnoldi.c: the Arnoldi factorization itself, through the
 * internal API: after every extension and implicit restart of an IRAM run,
 * the basis stays orthonormal (||V^T V - I||_F ~ 1e-14), A V = V H + f e_m^T
 * holds to rounding, and the fused orthogonalization makes at most 2
 * reductions per step (1 without DGKS). Hard inputs: bcsstk06 (both paths),
 * plat362, a clustered spectrum, a grid Laplacian with repeated values. */
#include <string.h>
#include "eigen/eigen_internal.h"
#include "spartan/generate.h"
#include "test_util.h"

static void load(const char *name, sp_csr *A)
{
    sp_mm_info info;
    memset(&info, 0, sizeof info);
    assert_int_equal(sp_mm_read(test_data_path(name), A, &info), SP_OK);
    sp_mm_info_uninit(&info);
}

/* ||V^T V - I||_F of the first m columns. */
static double orthogonality(const sp_arnoldi *a, int m)
{
    double worst = 0.0;
    for (int j = 0; j < m; j++)
        for (int i = 0; i <= j; i++) {
            double d = sp_dot(a->n, a->V + (size_t)i * a->n, a->V + (size_t)j * a->n) - (i == j);
            worst += (i == j ? 1.0 : 2.0) * d * d;
        }
    return sqrt(worst);
}

/* ||A V - V H - f e_m^T||_F / ||A||_F for the m-step factorization. */
static double factorization_error(const sp_csr *A, const sp_arnoldi *a, int m)
{
    int n = a->n;
    double *r = malloc(sizeof(double) * (size_t)n), s = 0.0;
    for (int j = 0; j < m; j++) {
        sp_csr_matvec(A, a->V + (size_t)j * n, r);
        for (int i = 0; i < m && i <= j + 1; i++)
            sp_axpy(n, -SP_H(a, i, j), a->V + (size_t)i * n, r);
        if (j == m - 1) sp_axpy(n, -1.0, a->f, r);
        s += sp_dot(n, r, r);
    }
    free(r);
    return sqrt(s) / sp_csr_norm_fro(A);
}

typedef struct {
    double orth, fact, per_step;
    int restarts;
} arnoldi_stats;

/* IRAM by hand for `restarts` restarts (or until converged), checking after
 * every extension. */
static arnoldi_stats run_iram(const sp_csr *A, int symmetric, int nev, int ncv, int restarts)
{
    sp_operator op;
    assert_int_equal(sp_operator_csr(A, &op), SP_OK);
    sp_arnoldi a;
    sp_ritz r;
    assert_int_equal(sp_arnoldi_init(&a, &op, ncv, symmetric, 42), SP_OK);
    assert_int_equal(sp_ritz_init(&r, ncv), SP_OK);
    assert_int_equal(sp_arnoldi_start(&a, NULL, 1), SP_OK);
    arnoldi_stats st = {0, 0, 0, 0};
    for (int it = 0; it <= restarts; it++) {
        assert_int_equal(sp_arnoldi_extend(&a, ncv), SP_OK);
        st.orth = fmax(st.orth, orthogonality(&a, ncv));
        st.fact = fmax(st.fact, factorization_error(A, &a, ncv));
        assert_int_equal(sp_ritz_compute(&r, &a, ncv, a.beta, SP_WHICH_LM), SP_OK);
        sp_ritz_select(&r, nev, 1e-12);
        if (r.nconv >= r.numcnv || r.np == 0) break;
        sp_ritz_adapt(&r, nev);
        int k;
        assert_int_equal(sp_shifts_apply(&a, &r, &k), SP_OK);
        st.orth = fmax(st.orth, orthogonality(&a, k));
        st.restarts++;
    }
    st.per_step = (double)a.step_reductions / (double)a.steps;
    sp_ritz_uninit(&r);
    sp_arnoldi_uninit(&a);
    return st;
}

static void check(const char *name, const sp_csr *A, int symmetric, int nev, int ncv, int restarts)
{
    arnoldi_stats st = run_iram(A, symmetric, nev, ncv, restarts);
    printf("%-24s %s nev %d ncv %d: %3d restarts, ||V^T V - I|| <= %.2e (tol 1e-13), "
           "||AV - VH - fe^T||/||A|| <= %.2e (tol 1e-13), reductions per step %.3f (<= 2)\n",
           name, symmetric ? "sym " : "gen ", nev, ncv, st.restarts, st.orth, st.fact, st.per_step);
    assert_small(st.orth, 1e-13);
    assert_small(st.fact, 1e-13);
    assert_true(st.per_step <= 2.0 && st.per_step >= 1.0);
}

static void test_shared_matrices(void **state)
{
    (void)state;
    sp_csr A;
    load("bcsstk06.mtx", &A);
    check("bcsstk06", &A, 1, 4, 20, 60);
    check("bcsstk06", &A, 0, 4, 20, 60);
    check("bcsstk06", &A, 1, 2, 50, 20);
    sp_csr_uninit(&A);
    load("plat362.mtx", &A);
    check("plat362", &A, 1, 7, 15, 60);
    check("plat362", &A, 0, 2, 20, 60);
    sp_csr_uninit(&A);
    load("west0479.mtx", &A);
    check("west0479", &A, 0, 4, 20, 60);
    sp_csr_uninit(&A);
}

/* Diagonal 0..4.95 plus a cluster 10, 10 + 1e-9, 10 + 2e-9 and a copy of 9:
 * the projection cancels heavily as the cluster converges. */
static void test_clustered_and_repeated(void **state)
{
    (void)state;
    int n = 400, ri[400], ci[400];
    double v[400];
    for (int i = 0; i < n; i++) ri[i] = ci[i] = i, v[i] = 0.0125 * i;
    v[3] = 10.0, v[50] = 10.0 + 1e-9, v[70] = 10.0 + 2e-9, v[80] = 9.0, v[81] = 9.0;
    sp_csr A;
    assert_int_equal(sp_csr_from_triplets(n, n, n, ri, ci, v, &A), SP_OK);
    check("clustered diagonal", &A, 1, 4, 20, 100);
    check("clustered diagonal", &A, 0, 4, 20, 100);
    sp_csr_uninit(&A);
    assert_int_equal(sp_gen_laplace2d(30, &A), SP_OK);
    check("laplace2d 30", &A, 1, 6, 20, 100);
    sp_csr_uninit(&A);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_matrices),
        cmocka_unit_test(test_clustered_and_repeated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
