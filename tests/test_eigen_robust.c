/* test_eigen_robust.c: reproducibility (bit-identical at 1 and 2 threads;
 * two solves in two pthreads equal one after the other), degenerate inputs
 * (zero, rank-1, nilpotent, start vector in the null space, west0479 with
 * explicit zeros), the missed-copies search, and option checking. References:
 * LAPACK on the dense matrix and exact eigenvalues. */
#include <pthread.h>
#include <string.h>
#include "spartan/eigen.h"
#include "spartan/generate.h"
#include "test_util.h"

static void triplet_matrix(int n, int cnt, const int *ri, const int *ci, const double *v, sp_csr *A)
{
    assert_int_equal(sp_csr_from_triplets(n, n, cnt, ri, ci, v, A), SP_OK);
}

static int solve(const sp_csr *A, sp_eigs_options *o, sp_eigs_result *r)
{
    sp_operator op;
    assert_int_equal(sp_operator_csr(A, &op), SP_OK);
    int rc = sp_eigs(&op, o, r);
    if (rc) print_error("%s\n", sp_errmsg());
    return rc;
}

static int same_result(const sp_eigs_result *a, const sp_eigs_result *b)
{
    if (a->nconv != b->nconv || a->matvecs != b->matvecs || a->restarts != b->restarts) return 0;
    size_t k = (size_t)a->nconv * sizeof(double);
    return !memcmp(a->re, b->re, k) && !memcmp(a->im, b->im, k) && !memcmp(a->residual, b->residual, k) &&
           (!a->vectors || !memcmp(a->vectors, b->vectors, k * (size_t)a->n_local));
}

static void test_threads_bit_identical(void **state)
{
    (void)state;
    sp_csr A;
    /* n = 120000: large enough for the threaded matvec, block apply and
     * Gram-Schmidt sweeps (arnoldi_sweep.c) to run in parallel */
    assert_int_equal(sp_gen_powerlaw_cooc(120000, 10.0, 1.0, 7, &A), SP_OK);
    sp_eigs_options o = sp_eigs_options_default();
    o.nev = 4, o.ncv = 20, o.tol = 1e-10, o.want_vectors = 1, o.method = SP_EIG_IRAM;
    sp_eigs_result r1, r2;
    sp_set_threads(1);
    assert_int_equal(solve(&A, &o, &r1), SP_OK);
    sp_set_threads(2);
    assert_int_equal(solve(&A, &o, &r2), SP_OK);
    printf("power-law n = 120000: 1 thread %lld matvecs, 2 threads %lld matvecs, bit-identical %d; "
           "residuals: %lld matvecs in %lld pass\n", (long long)r1.matvecs, (long long)r2.matvecs,
           same_result(&r1, &r2), (long long)r1.residual_matvecs, (long long)r1.residual_passes);
    assert_true(same_result(&r1, &r2));
    assert_true(r1.residual_matvecs >= 4 && r1.residual_passes == 1); /* one block apply */
    sp_eigs_result_uninit(&r1), sp_eigs_result_uninit(&r2);
    sp_csr_uninit(&A);
}

/* The CSR operator's apply_block (sp_csr_spmm) must equal apply column by
 * column, bit for bit, for any k (sweeps of 4, remainder, k = 1) and
 * leading dimensions larger than n, at 1 and 2 threads. */
static void test_block_apply_bit_identical(void **state)
{
    (void)state;
    sp_csr A;
    assert_int_equal(sp_gen_powerlaw_cooc(30000, 10.0, 1.0, 3, &A), SP_OK);
    sp_operator op;
    assert_int_equal(sp_operator_csr(&A, &op), SP_OK);
    assert_non_null(op.apply_block);
    int n = A.rows, ld = n + 3, kmax = 11;
    double *X = malloc(sizeof(double) * (size_t)ld * kmax), *Y = malloc(sizeof(double) * (size_t)ld * kmax);
    double *y = malloc(sizeof(double) * (size_t)n);
    for (size_t i = 0; i < (size_t)ld * kmax; i++) X[i] = sin(0.37 * (double)i) + 0.1 * (double)(i % 7);
    int mismatches = 0;
    for (int threads = 1; threads <= 2; threads++) {
        sp_set_threads(threads);
        for (int k = 1; k <= kmax; k++) {
            assert_int_equal(op.apply_block(op.ctx, X, ld, Y, ld, k), SP_OK);
            for (int j = 0; j < k; j++) {
                assert_int_equal(op.apply(op.ctx, X + (size_t)j * ld, y), SP_OK);
                mismatches += memcmp(y, Y + (size_t)j * ld, sizeof(double) * (size_t)n) != 0;
            }
        }
    }
    printf("apply_block vs apply, k = 1..%d, 1 and 2 threads: %d mismatching columns\n", kmax, mismatches);
    assert_int_equal(mismatches, 0);
    free(X), free(Y), free(y);
    sp_csr_uninit(&A);
}

typedef struct {
    const sp_csr *A;
    sp_eigs_options o;
    sp_eigs_result r;
    int rc;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    sp_operator op;
    sp_operator_csr(j->A, &op);
    j->rc = sp_eigs(&op, &j->o, &j->r);
    return NULL;
}

static void test_two_threads_reentrant(void **state)
{
    (void)state;
    sp_csr A, B;
    sp_mm_info info;
    memset(&info, 0, sizeof info);
    assert_int_equal(sp_mm_read(test_data_path("bcsstk06.mtx"), &A, &info), SP_OK);
    sp_mm_info_uninit(&info);
    assert_int_equal(sp_mm_read(test_data_path("dwa512.mtx"), &B, &info), SP_OK);
    sp_mm_info_uninit(&info);
    job jobs[2] = {{&A, sp_eigs_options_default(), {0}, 0}, {&B, sp_eigs_options_default(), {0}, 0}};
    jobs[0].o.nev = 4, jobs[0].o.method = SP_EIG_IRAM, jobs[0].o.tol = 1e-9;
    jobs[1].o.nev = 3, jobs[1].o.method = SP_EIG_MIRAMNS, jobs[1].o.tol = 1e-9;
    job serial[2] = {jobs[0], jobs[1]};
    for (int i = 0; i < 2; i++) run_job(&serial[i]);
    pthread_t t[2];
    for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&t[i], NULL, run_job, &jobs[i]), 0);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(jobs[i].rc, SP_OK);
        printf("job %d: serial %lld matvecs, threaded %lld, identical %d\n", i,
               (long long)serial[i].r.matvecs, (long long)jobs[i].r.matvecs,
               same_result(&serial[i].r, &jobs[i].r));
        assert_true(same_result(&serial[i].r, &jobs[i].r));
        sp_eigs_result_uninit(&jobs[i].r), sp_eigs_result_uninit(&serial[i].r);
    }
    sp_csr_uninit(&A), sp_csr_uninit(&B);
}

/* rank-1 u v^T (eigenvalue v^T u, rest 0) and a start vector with A v0 = 0. */
static void test_rank_one_and_null_start(void **state)
{
    (void)state;
    int n = 300, cnt = 0;
    int *ri = malloc(sizeof(int) * n * n), *ci = malloc(sizeof(int) * n * n);
    double *v = malloc(sizeof(double) * n * n), dot = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) ri[cnt] = i, ci[cnt] = j, v[cnt++] = (1.0 + i % 3) * (1.0 + (j % 5 == 0));
    for (int i = 0; i < n; i++) dot += (1.0 + i % 3) * (1.0 + (i % 5 == 0));
    sp_csr A;
    triplet_matrix(n, cnt, ri, ci, v, &A);
    double *v0 = calloc((size_t)n, sizeof(double));
    v0[1] = 1.0, v0[2] = -1.0; /* v^T v0 = 0: A v0 = 0 */
    sp_eigs_options o = sp_eigs_options_default();
    o.nev = 1, o.method = SP_EIG_IRAM, o.v0 = v0, o.tol = 1e-12;
    sp_eigs_result r;
    assert_int_equal(solve(&A, &o, &r), SP_OK);
    printf("rank-1: lambda %.15g (exact %.15g), residual %.2e, matvecs %lld\n", r.re[0], dot,
           r.residual[0], (long long)r.matvecs);
    assert_small(r.re[0] / dot - 1.0, 1e-12);
    assert_small(r.residual[0], 1e-12);
    sp_eigs_result_uninit(&r);
    o.nev = 3; /* zero eigenvalues after the nonzero one */
    assert_int_equal(solve(&A, &o, &r), SP_OK);
    assert_small(r.re[0] / dot - 1.0, 1e-12);
    assert_small(fabs(r.re[1]) + fabs(r.re[2]), 1e-10 * dot);
    sp_eigs_result_uninit(&r);
    free(ri), free(ci), free(v), free(v0);
    sp_csr_uninit(&A);
}

/* Nilpotent shift matrix (all eigenvalues 0, one Jordan block) and zero matrix. */
static void test_nilpotent_and_zero(void **state)
{
    (void)state;
    int n = 200;
    int ri[200], ci[200];
    double v[200];
    for (int i = 0; i + 1 < n; i++) ri[i] = i, ci[i] = i + 1, v[i] = 1.0;
    sp_csr A;
    triplet_matrix(n, n - 1, ri, ci, v, &A);
    sp_eigs_options o = sp_eigs_options_default();
    o.nev = 2, o.method = SP_EIG_IRAM, o.max_restarts = 50;
    sp_eigs_result r;
    int rc = solve(&A, &o, &r);
    printf("nilpotent: rc %d, nconv %d, matvecs %lld, |lambda| <= %.2e\n", rc, r.nconv,
           (long long)r.matvecs, r.nconv ? hypot(r.re[0], r.im[0]) : 0.0);
    assert_true(rc == SP_OK || rc == SP_ENOCONV); /* defective: no error, never a crash */
    for (int i = 0; i < r.nconv; i++) assert_small(hypot(r.re[i], r.im[i]), 1e-6);
    sp_eigs_result_uninit(&r);
    sp_csr_uninit(&A);
    triplet_matrix(n, 0, ri, ci, v, &A);
    o.nev = 4, o.max_restarts = 0;
    assert_int_equal(solve(&A, &o, &r), SP_OK);
    for (int i = 0; i < r.nconv; i++) assert_small(hypot(r.re[i], r.im[i]), 0.0);
    sp_eigs_result_uninit(&r);
    sp_csr_uninit(&A);
}

static void test_west0479_explicit_zeros(void **state)
{
    (void)state;
    sp_csr A;
    sp_mm_info info;
    memset(&info, 0, sizeof info);
    assert_int_equal(sp_mm_read(test_data_path("west0479.mtx"), &A, &info), SP_OK);
    sp_mm_info_uninit(&info);
    sp_dmat D;
    assert_int_equal(sp_csr_to_dense(&A, &D), SP_OK);
    double *wr = calloc(479, sizeof(double)), *wi = calloc(479, sizeof(double)), big = 0;
    assert_int_equal(sp_geev(&D, wr, wi, NULL), SP_OK);
    for (int i = 0; i < 479; i++) big = fmax(big, hypot(wr[i], wi[i]));
    sp_eigs_options o = sp_eigs_options_default();
    o.nev = 2, o.method = SP_EIG_IRAM, o.tol = 1e-10;
    sp_eigs_result r;
    assert_int_equal(solve(&A, &o, &r), SP_OK);
    double err = fabs(hypot(r.re[0], r.im[0]) - big) / big;
    printf("west0479 (22 explicit zeros): |lambda_1| %.12g, LAPACK %.12g, rel err %.2e, residual %.2e\n",
           hypot(r.re[0], r.im[0]), big, err, r.residual[0]);
    assert_small(err, 1e-9);
    assert_small(r.residual[0], 1e-10);
    assert_true(r.im[0] == -r.im[1] && r.re[0] == r.re[1]); /* a conjugate pair, adjacent */
    sp_eigs_result_uninit(&r);
    sp_dmat_uninit(&D);
    free(wr), free(wi);
    sp_csr_uninit(&A);
}

/* Diagonal with triple eigenvalue 5: a single Krylov vector sees one copy;
 * the search must find the others. */
static void test_missed_copies(void **state)
{
    (void)state;
    int n = 400, ri[400], ci[400];
    double v[400];
    for (int i = 0; i < n; i++) ri[i] = ci[i] = i, v[i] = 1.0 + 3.0 * i / n;
    v[7] = v[100] = v[250] = 5.0;
    sp_csr A;
    triplet_matrix(n, n, ri, ci, v, &A);
    sp_eigs_options o = sp_eigs_options_default();
    o.nev = 4, o.method = SP_EIG_IRAM, o.tol = 1e-12;
    sp_eigs_result r;
    assert_int_equal(solve(&A, &o, &r), SP_OK);
    printf("triple eigenvalue 5: found %g %g %g %g, copies added %d in %d rounds\n", r.re[0], r.re[1],
           r.re[2], r.re[3], r.copies_found, r.copies_rounds);
    for (int i = 0; i < 3; i++) assert_small(r.re[i] - 5.0, 1e-10);
    assert_small(r.re[3] - v[399], 1e-10);
    assert_true(r.copies_searched);
    sp_eigs_result_uninit(&r);
    sp_csr_uninit(&A);
}

static int descending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* The k largest eigenvalues of the dims-D grid Laplacian of side N (with
 * multiplicity): sums of 2 - 2 cos(p pi / (N + 1)) over the top k per axis. */
static void laplace_top(int dims, int N, int k, double *top)
{
    int m = k < N ? k : N, total = dims == 2 ? m * m : m * m * m;
    double *all = malloc(sizeof(double) * (size_t)total);
    for (int t = 0; t < total; t++) {
        int idx[3] = {t % m, (t / m) % m, t / m / m};
        all[t] = 0.0;
        for (int d = 0; d < dims; d++) all[t] += 2.0 - 2.0 * cos((N - idx[d]) * acos(-1.0) / (N + 1));
    }
    qsort(all, (size_t)total, sizeof(double), descending);
    memcpy(top, all, sizeof(double) * (size_t)k);
    free(all);
}

/* Grid Laplacians where a single-vector run misses a copy of a repeated top
 * eigenvalue (ARPACK returns 2 of the 3 copies of laplace3d:12's top one):
 * the search must find it; reference: the closed form. */
static void test_missed_copies_laplacians(void **state)
{
    (void)state;
    const int dims[] = {3, 2}, N[] = {12, 100}, nev[] = {6, 4};
    const double tol[] = {1e-10, 1e-6};
    for (int c = 0; c < 2; c++) {
        sp_csr A;
        assert_int_equal(dims[c] == 3 ? sp_gen_laplace3d(N[c], &A) : sp_gen_laplace2d(N[c], &A), SP_OK);
        double exact[8], got[8];
        laplace_top(dims[c], N[c], nev[c], exact);
        for (int m = SP_EIG_IRAM; m <= SP_EIG_MIRAMNS; m++) {
            sp_eigs_options o = sp_eigs_options_default();
            o.nev = nev[c], o.ncv = 20, o.tol = tol[c], o.method = (sp_eig_method)m;
            sp_eigs_result r;
            assert_int_equal(solve(&A, &o, &r), SP_OK);
            for (int i = 0; i < nev[c]; i++) got[i] = r.re[i];
            qsort(got, (size_t)nev[c], sizeof(double), descending);
            double err = 0.0;
            for (int i = 0; i < nev[c]; i++) err = fmax(err, fabs(got[i] - exact[i]) / exact[i]);
            printf("laplace%dd:%d nev %d %s: top-%d error %.2e (tol %.0e), copies found %d in %d rounds, "
                   "%lld matvecs\n", dims[c], N[c], nev[c], sp_eig_method_name(r.method), nev[c], err,
                   10 * tol[c], r.copies_found, r.copies_rounds, (long long)r.matvecs);
            assert_small(err, 10 * tol[c]);
            sp_eigs_result_uninit(&r);
        }
        sp_csr_uninit(&A);
    }
}

static void test_bad_options(void **state)
{
    (void)state;
    sp_csr A;
    assert_int_equal(sp_gen_random_sparse(300, 4, 1, &A), SP_OK);
    sp_operator op;
    assert_int_equal(sp_operator_csr(&A, &op), SP_OK);
    sp_eigs_options o = sp_eigs_options_default();
    sp_eigs_result r;
    o.nev = 0;
    assert_int_equal(sp_eigs(&op, &o, &r), SP_EINVAL);
    o.nev = 301;
    assert_int_equal(sp_eigs(&op, &o, &r), SP_EINVAL);
    o.nev = 3, o.ncv = 4, o.method = SP_EIG_IRAM;
    assert_int_equal(sp_eigs(&op, &o, &r), SP_EINVAL);
    o.ncv = 301;
    assert_int_equal(sp_eigs(&op, &o, &r), SP_EINVAL);
    o.ncv = 0, o.which = SP_WHICH_LA;
    assert_int_equal(sp_eigs(&op, &o, &r), SP_EINVAL);
    printf("nonsymmetric + LA: %s\n", sp_errmsg());
    o.which = SP_WHICH_LM, o.method = SP_EIG_MIRAMNS, o.nested_count = 2, o.nested[0] = 20, o.nested[1] = 10;
    assert_int_equal(sp_eigs(&op, &o, &r), SP_EINVAL);
    sp_csr_uninit(&A);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_bit_identical),
        cmocka_unit_test(test_block_apply_bit_identical),
        cmocka_unit_test(test_two_threads_reentrant),
        cmocka_unit_test(test_rank_one_and_null_start),
        cmocka_unit_test(test_nilpotent_and_zero),
        cmocka_unit_test(test_west0479_explicit_zeros),
        cmocka_unit_test(test_missed_copies),
        cmocka_unit_test(test_missed_copies_laplacians),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
