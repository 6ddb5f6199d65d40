/* test_generate.c: matrix generators against independent facts: Laplacian
 * eigenpairs from the closed form (matvec on the known eigenvectors, and
 * LAPACK dsyev on the dense matrix), symmetry, diagonal = row sums, row-length
 * statistics, determinism in the seed, bad arguments. */
#include "spartan/generate.h"
#include "test_util.h"
#include <stdlib.h>
#include <string.h>

static const double pi = 3.14159265358979323846;

/* CSR invariants: rowptr monotone, columns in range, strictly increasing. */
static void check_csr_valid(const sp_csr *A)
{
    assert_int_equal(A->rowptr[0], 0);
    assert_int_equal(A->rowptr[A->rows], A->nnz);
    for (int r = 0; r < A->rows; r++) {
        assert_true(A->rowptr[r] <= A->rowptr[r + 1]);
        for (int64_t k = A->rowptr[r]; k < A->rowptr[r + 1]; k++) {
            assert_true(A->colind[k] >= 0 && A->colind[k] < A->cols);
            if (k > A->rowptr[r]) assert_true(A->colind[k - 1] < A->colind[k]);
        }
    }
}

/* max_(p,q) ||A v - lambda v|| / ||v|| over grid eigenvectors v of the
 * d-dimensional Laplacian (d = 2 or 3, every mode index in `modes`). */
static double laplace_eigpair_error(const sp_csr *A, int dims, int N, const int *modes, int nmodes)
{
    int n = A->rows;
    double *v = malloc((size_t)n * sizeof *v), *y = malloc((size_t)n * sizeof *y);
    double worst = 0.0, h = pi / (N + 1);
    for (int a = 0; a < nmodes; a++)
        for (int b = 0; b < nmodes; b++) {
            int p[3] = {modes[a], modes[b], modes[(a + b) % nmodes]};
            double lambda = 2.0 * dims;
            for (int d = 0; d < dims; d++)
                lambda -= 2.0 * cos(p[d] * h);
            for (int r = 0; r < n; r++) {
                int c[3] = {r % N, (r / N) % N, r / N / N};
                v[r] = 1.0;
                for (int d = 0; d < dims; d++)
                    v[r] *= sin(p[d] * (c[d] + 1) * h);
            }
            sp_csr_matvec(A, v, y);
            double num = 0.0, den = 0.0;
            for (int r = 0; r < n; r++) {
                num += (y[r] - lambda * v[r]) * (y[r] - lambda * v[r]);
                den += v[r] * v[r];
            }
            if (sqrt(num / den) > worst) worst = sqrt(num / den);
        }
    free(v);
    free(y);
    return worst;
}

static void test_laplace2d_eigenvectors(void **state)
{
    (void)state;
    sp_csr A;
    const int N = 30, modes[] = {1, 2, 7, 15, 29, 30};
    assert_int_equal(sp_gen_laplace2d(N, &A), SP_OK);
    assert_int_equal(A.rows, N * N);
    assert_int_equal(A.nnz, 5 * N * N - 4 * N);
    check_csr_valid(&A);
    assert_small(laplace_eigpair_error(&A, 2, N, modes, 6), 1e-12);
    sp_csr_uninit(&A);
}

static void test_laplace3d_eigenvectors(void **state)
{
    (void)state;
    sp_csr A;
    const int N = 9, modes[] = {1, 4, 9};
    assert_int_equal(sp_gen_laplace3d(N, &A), SP_OK);
    assert_int_equal(A.rows, N * N * N);
    assert_int_equal(A.nnz, 7 * N * N * N - 6 * N * N);
    check_csr_valid(&A);
    assert_small(laplace_eigpair_error(&A, 3, N, modes, 3), 1e-12);
    sp_csr_uninit(&A);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The whole spectrum by LAPACK dsyev equals the sorted closed form. */
static void test_laplace2d_spectrum_lapack(void **state)
{
    (void)state;
    const int N = 12, n = N * N;
    sp_csr A;
    sp_dmat D;
    assert_int_equal(sp_gen_laplace2d(N, &A), SP_OK);
    assert_int_equal(sp_csr_to_dense(&A, &D), SP_OK);
    double *w = malloc((size_t)n * sizeof *w), *exact = malloc((size_t)n * sizeof *exact);
    assert_int_equal(sp_syev(&D, w, 0), SP_OK);
    for (int p = 1; p <= N; p++)
        for (int q = 1; q <= N; q++)
            exact[(p - 1) * N + q - 1] =
                4.0 - 2.0 * cos(p * pi / (N + 1)) - 2.0 * cos(q * pi / (N + 1));
    qsort(exact, (size_t)n, sizeof *exact, compare_double);
    double worst = 0.0;
    for (int i = 0; i < n; i++)
        worst = fmax(worst, fabs(w[i] - exact[i]));
    assert_small(worst, 1e-12);
    free(w);
    free(exact);
    sp_dmat_uninit(&D);
    sp_csr_uninit(&A);
}

static void test_laplace_edge_sizes(void **state)
{
    (void)state;
    sp_csr A;
    assert_int_equal(sp_gen_laplace2d(1, &A), SP_OK);
    assert_int_equal(A.rows, 1);
    assert_int_equal(A.nnz, 1);
    assert_true(A.val[0] == 4.0);
    sp_csr_uninit(&A);
    assert_int_equal(sp_gen_laplace2d(0, &A), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "N = 0"));
    assert_int_equal(sp_gen_laplace2d(46341, &A), SP_EINVAL);
    assert_int_equal(sp_gen_laplace3d(1291, &A), SP_EINVAL);
    assert_int_equal(sp_gen_laplace3d(5, NULL), SP_EINVAL);
}

static int csr_equal(const sp_csr *A, const sp_csr *B)
{
    return A->rows == B->rows && A->nnz == B->nnz &&
           !memcmp(A->rowptr, B->rowptr, ((size_t)A->rows + 1) * sizeof *A->rowptr) &&
           !memcmp(A->colind, B->colind, (size_t)A->nnz * sizeof *A->colind) &&
           !memcmp(A->val, B->val, (size_t)A->nnz * sizeof *A->val);
}

static void test_random_sparse(void **state)
{
    (void)state;
    sp_csr A, B, C;
    const int n = 3000, R = 7;
    assert_int_equal(sp_gen_random_sparse(n, R, 11, &A), SP_OK);
    assert_int_equal(sp_gen_random_sparse(n, R, 11, &B), SP_OK);
    assert_int_equal(sp_gen_random_sparse(n, R, 12, &C), SP_OK);
    check_csr_valid(&A);
    assert_int_equal(A.nnz, (int64_t)n * R);
    for (int r = 0; r < n; r++)
        assert_int_equal(A.rowptr[r + 1] - A.rowptr[r], R);
    assert_true(csr_equal(&A, &B));
    assert_false(csr_equal(&A, &C));
    /* values uniform on [-1, 1): mean 0, variance 1/3, within 5 standard errors */
    double s = 0, s2 = 0;
    for (int64_t k = 0; k < A.nnz; k++) {
        assert_true(A.val[k] >= -1.0 && A.val[k] < 1.0);
        s += A.val[k];
        s2 += A.val[k] * A.val[k];
    }
    assert_small(s / A.nnz, 5.0 * sqrt(1.0 / 3.0 / A.nnz));
    assert_small(s2 / A.nnz - 1.0 / 3.0, 0.01);
    /* columns uniform: every column hit about R times; no column more than 5 R */
    int *hits = calloc((size_t)n, sizeof *hits);
    for (int64_t k = 0; k < A.nnz; k++)
        hits[A.colind[k]]++;
    for (int c = 0; c < n; c++)
        assert_true(hits[c] <= 5 * R);
    free(hits);
    assert_true(sp_csr_asymmetry(&A) > 0.5);
    sp_csr_uninit(&A);
    sp_csr_uninit(&B);
    sp_csr_uninit(&C);
    /* R >= n: the dense pattern */
    assert_int_equal(sp_gen_random_sparse(5, 9, 1, &A), SP_OK);
    assert_int_equal(A.nnz, 25);
    check_csr_valid(&A);
    sp_csr_uninit(&A);
    assert_int_equal(sp_gen_random_sparse(5, 0, 1, &A), SP_EINVAL);
}

/* a(r,r) = sum of the off-diagonal entries of row r; all entries >= 0. */
static double cooc_diagonal_defect(const sp_csr *A)
{
    double worst = 0.0;
    for (int r = 0; r < A->rows; r++) {
        double diag = 0.0, off = 0.0;
        for (int64_t k = A->rowptr[r]; k < A->rowptr[r + 1]; k++) {
            assert_true(A->val[k] > 0.0 || (A->colind[k] == r && A->val[k] >= 0.0));
            if (A->colind[k] == r)
                diag = A->val[k];
            else
                off += A->val[k];
        }
        worst = fmax(worst, fabs(diag - off) / fmax(1.0, off));
    }
    return worst;
}

static void test_powerlaw_structure(void **state)
{
    (void)state;
    const int n = 20000;
    const double avg = 12.0;
    sp_csr A;
    assert_int_equal(sp_gen_powerlaw_cooc(n, avg, 1.0, 5, &A), SP_OK);
    check_csr_valid(&A);
    assert_true(sp_csr_asymmetry(&A) == 0.0);
    sp_csr AT;
    assert_int_equal(sp_csr_transpose(&A, &AT), SP_OK);
    assert_true(csr_equal(&A, &AT)); /* exactly symmetric, pattern and values */
    sp_csr_uninit(&AT);
    assert_small(cooc_diagonal_defect(&A), 0.0);
    double mean = (double)A.nnz / n;
    assert_small(mean / avg - 1.0, 0.01);
    /* heavy tail: the longest row is far longer than the mean, the first rows
     * (most frequent features) are the longest, and the median is below the mean */
    int64_t maxlen = 0;
    int *len = malloc((size_t)n * sizeof *len);
    for (int r = 0; r < n; r++) {
        len[r] = (int)(A.rowptr[r + 1] - A.rowptr[r]);
        if (len[r] > maxlen) maxlen = len[r];
    }
    assert_true(maxlen > 100.0 * mean);
    assert_int_equal(len[0], maxlen);
    int below = 0;
    for (int r = 0; r < n; r++)
        below += len[r] < mean;
    assert_true(below > n / 2);
    free(len);
    sp_csr_uninit(&A);
}

static void test_powerlaw_seed(void **state)
{
    (void)state;
    sp_csr A, B, C;
    assert_int_equal(sp_gen_powerlaw_cooc(3000, 8.0, 1.1, 42, &A), SP_OK);
    assert_int_equal(sp_gen_powerlaw_cooc(3000, 8.0, 1.1, 42, &B), SP_OK);
    assert_int_equal(sp_gen_powerlaw_cooc(3000, 8.0, 1.1, 43, &C), SP_OK);
    assert_true(csr_equal(&A, &B));
    assert_false(csr_equal(&A, &C));
    sp_csr_uninit(&A);
    sp_csr_uninit(&B);
    sp_csr_uninit(&C);
}

/* Positive semidefinite (diagonally dominant with a nonnegative diagonal):
 * LAPACK's smallest eigenvalue is >= -eps ||A||. */
static void test_powerlaw_psd_lapack(void **state)
{
    (void)state;
    const int n = 300;
    sp_csr A;
    sp_dmat D;
    assert_int_equal(sp_gen_powerlaw_cooc(n, 6.0, 0.9, 3, &A), SP_OK);
    assert_int_equal(sp_csr_to_dense(&A, &D), SP_OK);
    double *w = malloc((size_t)n * sizeof *w);
    assert_int_equal(sp_syev(&D, w, 0), SP_OK);
    assert_true(w[0] >= -1e-12 * w[n - 1]);
    free(w);
    sp_dmat_uninit(&D);
    sp_csr_uninit(&A);
}

static void test_powerlaw_small_and_bad(void **state)
{
    (void)state;
    sp_csr A;
    assert_int_equal(sp_gen_powerlaw_cooc(2, 5.0, 1.0, 1, &A), SP_OK); /* capped at n: dense */
    assert_int_equal(A.nnz, 4);
    assert_true(A.val[0] == A.val[1] && A.val[1] == A.val[2] && A.val[2] == A.val[3]);
    sp_csr_uninit(&A);
    assert_int_equal(sp_gen_powerlaw_cooc(1, 5.0, 1.0, 1, &A), SP_EINVAL);
    assert_int_equal(sp_gen_powerlaw_cooc(100, 0.5, 1.0, 1, &A), SP_EINVAL);
    assert_int_equal(sp_gen_powerlaw_cooc(100, 5.0, 0.0, 1, &A), SP_EINVAL);
    assert_int_equal(sp_gen_powerlaw_cooc(100, 5.0, NAN, 1, &A), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "alpha"));
}

static void test_spec_strings(void **state)
{
    (void)state;
    sp_csr A, B;
    int sym = -1;
    assert_int_equal(sp_gen_spec("laplace2d:7", &A, &sym), SP_OK);
    assert_int_equal(sym, 1);
    assert_int_equal(A.rows, 49);
    sp_csr_uninit(&A);
    assert_int_equal(sp_gen_spec("random-sparse:100:3:9", &A, &sym), SP_OK);
    assert_int_equal(sym, 0);
    assert_int_equal(sp_gen_random_sparse(100, 3, 9, &B), SP_OK);
    assert_true(csr_equal(&A, &B));
    sp_csr_uninit(&A);
    sp_csr_uninit(&B);
    assert_int_equal(sp_gen_spec("powerlaw:500:6", &A, NULL), SP_OK);
    assert_int_equal(sp_gen_powerlaw_cooc(500, 6.0, 1.0, SP_DEFAULT_SEED, &B), SP_OK);
    assert_true(csr_equal(&A, &B));
    sp_csr_uninit(&A);
    sp_csr_uninit(&B);
    const char *bad[] = {"laplace4d:3",   "laplace2d",     "laplace2d:",
                         "laplace2d:3:4", "laplace2d:2.5", "random-sparse:10",
                         "powerlaw:10:x", "laplace2d:-3",  ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sp_gen_spec(bad[i], &A, &sym), SP_EINVAL);
        assert_non_null(strstr(sp_errmsg(), "generator spec"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_laplace2d_eigenvectors),
        cmocka_unit_test(test_laplace3d_eigenvectors),
        cmocka_unit_test(test_laplace2d_spectrum_lapack),
        cmocka_unit_test(test_laplace_edge_sizes),
        cmocka_unit_test(test_random_sparse),
        cmocka_unit_test(test_powerlaw_structure),
        cmocka_unit_test(test_powerlaw_seed),
        cmocka_unit_test(test_powerlaw_psd_lapack),
        cmocka_unit_test(test_powerlaw_small_and_bad),
        cmocka_unit_test(test_spec_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
