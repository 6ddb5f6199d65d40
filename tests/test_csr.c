/* test_csr.c: CSR construction and kernels against independent dense
 * references built directly from the triplets (plain loops, no spartan code):
 * products, transpose, symmetric expansion, norms, symmetry defect, partition,
 * and bit-identical products at 1, 2, 3 and 8 threads. */
#include "spartan/linalg.h"
#include "test_util.h"
#include <string.h>

/* Random triplets with duplicates, explicit zeros and empty rows. */
typedef struct triplets {
    int rows, cols;
    int64_t n;
    int *ri, *ci;
    double *v;
} triplets;

static triplets random_triplets(int rows, int cols, int64_t n, uint64_t seed)
{
    sp_rng rng;
    sp_rng_seed(&rng, seed);
    triplets t = {rows,
                  cols,
                  n,
                  malloc((size_t)n * sizeof(int) + 1),
                  malloc((size_t)n * sizeof(int) + 1),
                  malloc((size_t)n * sizeof(double) + 1)};
    for (int64_t k = 0; k < n; k++) {
        int r = (int)sp_rng_below(&rng, (uint64_t)rows);
        if (r % 5 == 3) r = (r + 1) % rows; /* rows = 3 mod 5 stay empty */
        t.ri[k] = r;
        t.ci[k] = (int)sp_rng_below(&rng, (uint64_t)cols);
        t.v[k] = sp_rng_uniform(&rng) < 0.05 ? 0.0 : sp_rng_normal(&rng);
        if (k > 0 && sp_rng_uniform(&rng) < 0.1) { /* duplicate of the previous position */
            t.ri[k] = t.ri[k - 1];
            t.ci[k] = t.ci[k - 1];
        }
    }
    return t;
}

static void triplets_free(triplets *t)
{
    free(t->ri);
    free(t->ci);
    free(t->v);
}

/* Dense row-major reference d[i*cols + j] = sum of the triplets at (i, j). */
static double *dense_from_triplets(const triplets *t)
{
    double *d = calloc((size_t)t->rows * t->cols + 1, sizeof *d);
    for (int64_t k = 0; k < t->n; k++)
        d[(size_t)t->ri[k] * t->cols + t->ci[k]] += t->v[k];
    return d;
}

static sp_csr csr_from(const triplets *t)
{
    sp_csr A;
    assert_int_equal(sp_csr_from_triplets(t->rows, t->cols, t->n, t->ri, t->ci, t->v, &A), SP_OK);
    return A;
}

static void check_structure(const sp_csr *A)
{
    assert_int_equal(A->rowptr[0], 0);
    assert_int_equal(A->rowptr[A->rows], A->nnz);
    for (int i = 0; i < A->rows; i++) {
        assert_true(A->rowptr[i] <= A->rowptr[i + 1]);
        for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++) {
            assert_true(A->colind[k] >= 0 && A->colind[k] < A->cols);
            if (k > A->rowptr[i]) assert_true(A->colind[k - 1] < A->colind[k]);
        }
    }
}

static double max_abs_diff(const double *a, const double *b, size_t n)
{
    double worst = 0.0;
    for (size_t k = 0; k < n; k++)
        if (fabs(a[k] - b[k]) > worst) worst = fabs(a[k] - b[k]);
    return worst;
}

static double *random_vector(int n, uint64_t seed)
{
    sp_rng rng;
    sp_rng_seed(&rng, seed);
    double *x = malloc((size_t)n * sizeof *x + 1);
    for (int i = 0; i < n; i++)
        x[i] = sp_rng_normal(&rng);
    return x;
}

static void test_from_triplets_structure(void **state)
{
    (void)state;
    /* 3 x 4: (0,2) twice (summed), explicit zero at (1,1), row 2 empty, unsorted input */
    int ri[] = {0, 1, 0, 0, 1};
    int ci[] = {3, 1, 2, 2, 0};
    double v[] = {1.0, 0.0, 2.0, 5.0, -1.0};
    sp_csr A;
    assert_int_equal(sp_csr_from_triplets(3, 4, 5, ri, ci, v, &A), SP_OK);
    check_structure(&A);
    assert_int_equal(A.nnz, 4);
    int64_t rowptr[] = {0, 2, 4, 4};
    int colind[] = {2, 3, 0, 1};
    double val[] = {7.0, 1.0, -1.0, 0.0};
    for (int i = 0; i <= 3; i++)
        assert_int_equal(A.rowptr[i], rowptr[i]);
    for (int k = 0; k < 4; k++) {
        assert_int_equal(A.colind[k], colind[k]);
        assert_true(A.val[k] == val[k]);
    }
    sp_csr_uninit(&A);
    sp_csr_uninit(&A); /* safe twice */
    assert_int_equal(sp_csr_from_triplets(0, 0, 0, NULL, NULL, NULL, &A), SP_OK);
    assert_int_equal(A.nnz, 0);
    sp_csr_uninit(&A);
}

static void test_from_triplets_out_of_range(void **state)
{
    (void)state;
    int ri[] = {0, 1, 2, 3};
    int ci[] = {0, 1, 2, 0};
    double v[] = {1, 1, 1, 1};
    sp_csr A;
    assert_int_equal(sp_csr_from_triplets(3, 3, 4, ri, ci, v, &A), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "entry 3"));
    assert_non_null(strstr(sp_errmsg(), "row index 3"));
    ci[1] = -1;
    ri[3] = 0;
    assert_int_equal(sp_csr_from_triplets(3, 3, 4, ri, ci, v, &A), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "entry 1"));
    assert_non_null(strstr(sp_errmsg(), "column index -1"));
    assert_int_equal(sp_csr_from_triplets(-1, 3, 0, ri, ci, v, &A), SP_EINVAL);
}

/* A x and A^T x against the dense product, for several shapes. */
static void test_matvec_against_dense(void **state)
{
    (void)state;
    const int shapes[][3] = {
        {1, 1, 3}, {7, 5, 20}, {40, 60, 300}, {200, 150, 3000}, {500, 500, 1000}};
    for (int s = 0; s < 5; s++) {
        triplets t = random_triplets(shapes[s][0], shapes[s][1], shapes[s][2], 100 + (uint64_t)s);
        double *d = dense_from_triplets(&t);
        sp_csr A = csr_from(&t);
        check_structure(&A);
        double *x = random_vector(t.cols, 7), *xt = random_vector(t.rows, 8);
        double *y = malloc((size_t)t.rows * sizeof *y + 1),
               *yt = malloc((size_t)t.cols * sizeof *yt + 1);
        double *yr = calloc((size_t)t.rows + 1, sizeof *yr),
               *ytr = calloc((size_t)t.cols + 1, sizeof *ytr);
        double bound = 0.0, bound_t = 0.0;
        for (int i = 0; i < t.rows; i++)
            for (int j = 0; j < t.cols; j++) {
                yr[i] += d[(size_t)i * t.cols + j] * x[j];
                ytr[j] += d[(size_t)i * t.cols + j] * xt[i];
                bound += fabs(d[(size_t)i * t.cols + j] * x[j]);
                bound_t += fabs(d[(size_t)i * t.cols + j] * xt[i]);
            }
        sp_csr_matvec(&A, x, y);
        sp_csr_matvec_t(&A, xt, yt);
        assert_small(max_abs_diff(y, yr, (size_t)t.rows), 1e-14 * bound + 1e-300);
        assert_small(max_abs_diff(yt, ytr, (size_t)t.cols), 1e-14 * bound_t + 1e-300);
        free(y), free(yt), free(yr), free(ytr), free(x), free(xt), free(d);
        sp_csr_uninit(&A);
        triplets_free(&t);
    }
}

/* The same bits at any thread count, and equal to the plain serial loops
 * (A x summed by column in each row, A^T x scattered row by row). */
static void test_products_deterministic(void **state)
{
    (void)state;
    triplets t = random_triplets(30000, 20000, 400000, 77);
    sp_csr A = csr_from(&t);
    double *x = random_vector(A.cols, 1), *xt = random_vector(A.rows, 2);
    double *ys = calloc((size_t)A.rows, sizeof *ys), *yts = calloc((size_t)A.cols, sizeof *yts);
    for (int i = 0; i < A.rows; i++)
        for (int64_t k = A.rowptr[i]; k < A.rowptr[i + 1]; k++) {
            ys[i] += A.val[k] * x[A.colind[k]];
            yts[A.colind[k]] += A.val[k] * xt[i];
        }
    double *y = malloc((size_t)A.rows * sizeof *y), *yt = malloc((size_t)A.cols * sizeof *yt);
    int saved = sp_get_threads();
    const int threads[] = {1, 2, 3, 8};
    for (int k = 0; k < 4; k++) {
        sp_set_threads(threads[k]);
        memset(y, 0xff, (size_t)A.rows * sizeof *y);
        memset(yt, 0xff, (size_t)A.cols * sizeof *yt);
        sp_csr_matvec(&A, x, y);
        sp_csr_matvec_t(&A, xt, yt);
        assert_memory_equal(y, ys, (size_t)A.rows * sizeof *y);
        assert_memory_equal(yt, yts, (size_t)A.cols * sizeof *yt);
    }
    sp_set_threads(saved);
    free(x), free(xt), free(ys), free(yts), free(y), free(yt);
    sp_csr_uninit(&A);
    triplets_free(&t);
}

static void assert_csr_equal(const sp_csr *A, const sp_csr *B)
{
    assert_int_equal(A->rows, B->rows);
    assert_int_equal(A->cols, B->cols);
    assert_int_equal(A->nnz, B->nnz);
    assert_memory_equal(A->rowptr, B->rowptr, ((size_t)A->rows + 1) * sizeof *A->rowptr);
    if (A->nnz) {
        assert_memory_equal(A->colind, B->colind, (size_t)A->nnz * sizeof *A->colind);
        assert_memory_equal(A->val, B->val, (size_t)A->nnz * sizeof *A->val);
    }
}

static void test_transpose(void **state)
{
    (void)state;
    triplets t = random_triplets(37, 53, 400, 5);
    double *d = dense_from_triplets(&t);
    sp_csr A = csr_from(&t), AT, ATT, C;
    assert_int_equal(sp_csr_transpose(&A, &AT), SP_OK);
    check_structure(&AT);
    assert_int_equal(AT.rows, 53);
    assert_int_equal(AT.cols, 37);
    for (int j = 0; j < AT.rows; j++) /* AT(j, i) = d(i, j), position by position */
        for (int64_t k = AT.rowptr[j]; k < AT.rowptr[j + 1]; k++)
            assert_true(AT.val[k] == d[(size_t)AT.colind[k] * t.cols + j]);
    assert_int_equal(sp_csr_transpose(&AT, &ATT), SP_OK);
    assert_csr_equal(&A, &ATT);
    assert_int_equal(sp_csr_clone(&A, &C), SP_OK);
    assert_csr_equal(&A, &C);
    sp_csr_uninit(&A), sp_csr_uninit(&AT), sp_csr_uninit(&ATT), sp_csr_uninit(&C);
    free(d);
    triplets_free(&t);
}

/* Lower triangle L; expansion must equal L + sign (L - diag L)^T, dense. */
static void check_expand(int sign, int upper)
{
    triplets t = random_triplets(60, 60, 500, 11 + (uint64_t)sign + 4 * (uint64_t)upper);
    for (int64_t k = 0; k < t.n; k++) { /* keep one triangle (skew: strict) */
        int a = t.ri[k], b = t.ci[k];
        if (sign < 0 && a == b) b = (b + 1) % 60;
        t.ri[k] = (a > b) != upper ? a : b;
        t.ci[k] = (a > b) != upper ? b : a;
    }
    double *d = dense_from_triplets(&t);
    sp_csr L = csr_from(&t), B;
    assert_int_equal(sp_csr_symmetric_expand(&L, sign, &B), SP_OK);
    check_structure(&B);
    sp_dmat D;
    assert_int_equal(sp_csr_to_dense(&B, &D), SP_OK);
    double worst = 0.0;
    for (int i = 0; i < 60; i++)
        for (int j = 0; j < 60; j++) {
            double want = d[i * 60 + j] + (i != j ? sign * d[j * 60 + i] : 0.0);
            worst = fmax(worst, fabs(SP_AT(&D, i, j) - want));
        }
    assert_small(worst, 0.0);
    assert_small(sp_csr_symmetry_defect(&B, sign), 0.0);
    sp_dmat_uninit(&D);
    sp_csr_uninit(&L), sp_csr_uninit(&B);
    free(d);
    triplets_free(&t);
}

static void test_symmetric_expand(void **state)
{
    (void)state;
    check_expand(1, 0);
    check_expand(1, 1);
    check_expand(-1, 0);
    check_expand(-1, 1);
    sp_csr A, B;
    int ri[] = {0}, ci[] = {1};
    double v[] = {1.0};
    assert_int_equal(sp_csr_from_triplets(2, 3, 1, ri, ci, v, &A), SP_OK);
    assert_int_equal(sp_csr_symmetric_expand(&A, 1, &B), SP_EINVAL);
    assert_int_equal(sp_csr_symmetric_expand(&A, 2, &B), SP_EINVAL);
    sp_csr_uninit(&A);
}

static void test_norms(void **state)
{
    (void)state;
    triplets t = random_triplets(80, 45, 700, 21);
    double *d = dense_from_triplets(&t);
    sp_csr A = csr_from(&t);
    double fro = 0.0, n1 = 0.0, ninf = 0.0;
    for (int i = 0; i < t.rows; i++) {
        double row = 0.0;
        for (int j = 0; j < t.cols; j++) {
            fro += d[i * t.cols + j] * d[i * t.cols + j];
            row += fabs(d[i * t.cols + j]);
        }
        ninf = fmax(ninf, row);
    }
    for (int j = 0; j < t.cols; j++) {
        double col = 0.0;
        for (int i = 0; i < t.rows; i++)
            col += fabs(d[i * t.cols + j]);
        n1 = fmax(n1, col);
    }
    fro = sqrt(fro);
    assert_small(sp_csr_norm_fro(&A) / fro - 1.0, 1e-14);
    assert_small(sp_csr_norm_1(&A) / n1 - 1.0, 1e-14);
    assert_small(sp_csr_norm_inf(&A) / ninf - 1.0, 1e-14);
    for (int64_t k = 0; k < A.nnz; k++)
        A.val[k] *= 1e300; /* no overflow in Frobenius */
    assert_small(sp_csr_norm_fro(&A) / (fro * 1e300) - 1.0, 1e-14);
    A.val[A.nnz / 2] = NAN;
    assert_true(isnan(sp_csr_norm_fro(&A)));
    assert_true(isnan(sp_csr_norm_1(&A)));
    assert_true(isnan(sp_csr_norm_inf(&A)));
    sp_csr_uninit(&A);
    free(d);
    triplets_free(&t);
}

static void test_symmetry_defect(void **state)
{
    (void)state;
    /* [[2, 1, 0], [1, 0, 4], [0, 4.4, 3]]: worst pair (2,3): 0.4 / 4.4 */
    int ri[] = {0, 0, 1, 1, 2, 2};
    int ci[] = {0, 1, 0, 2, 1, 2};
    double v[] = {2, 1, 1, 4, 4.4, 3};
    sp_csr A;
    assert_int_equal(sp_csr_from_triplets(3, 3, 6, ri, ci, v, &A), SP_OK);
    assert_small(sp_csr_asymmetry(&A) - 0.4 / 4.4, 1e-15);
    A.val[4] = 4.0;
    assert_small(sp_csr_asymmetry(&A), 0.0);
    assert_small(sp_csr_symmetry_defect(&A, -1) - 2.0, 0.0); /* diagonal 2 vs -2 */
    sp_csr_uninit(&A);
    /* entry without counterpart: defect 1; skew matrix: skew defect 0 */
    int ri2[] = {1, 0}, ci2[] = {0, 1};
    double v2[] = {3.0, -3.0};
    assert_int_equal(sp_csr_from_triplets(2, 2, 1, ri2, ci2, v2, &A), SP_OK);
    assert_small(sp_csr_asymmetry(&A) - 1.0, 0.0);
    sp_csr_uninit(&A);
    assert_int_equal(sp_csr_from_triplets(2, 2, 2, ri2, ci2, v2, &A), SP_OK);
    assert_small(sp_csr_symmetry_defect(&A, -1), 0.0);
    assert_small(sp_csr_asymmetry(&A) - 2.0, 0.0);
    sp_csr_uninit(&A);
    assert_int_equal(sp_csr_from_triplets(2, 3, 1, ri2, ci2, v2, &A), SP_OK);
    assert_true(isinf(sp_csr_asymmetry(&A)));
    sp_csr_uninit(&A);
}

static void test_to_dense(void **state)
{
    (void)state;
    triplets t = random_triplets(23, 31, 150, 31);
    double *d = dense_from_triplets(&t);
    sp_csr A = csr_from(&t);
    sp_dmat D;
    assert_int_equal(sp_csr_to_dense(&A, &D), SP_OK);
    assert_int_equal(D.rows, 23);
    assert_int_equal(D.cols, 31);
    for (int i = 0; i < 23; i++)
        for (int j = 0; j < 31; j++)
            assert_true(SP_AT(&D, i, j) == d[i * 31 + j]);
    sp_dmat_uninit(&D);
    sp_csr_uninit(&A);
    free(d);
    triplets_free(&t);
}

/* Blocks cover all rows in order; each holds nnz/parts within max row length. */
static void check_partition(const sp_csr *A, int parts)
{
    int *starts = malloc(((size_t)parts + 1) * sizeof *starts);
    assert_int_equal(sp_rows_partition_by_nnz(A->rows, A->rowptr, parts, starts), SP_OK);
    assert_int_equal(starts[0], 0);
    assert_int_equal(starts[parts], A->rows);
    int64_t longest = 0;
    for (int i = 0; i < A->rows; i++)
        if (A->rowptr[i + 1] - A->rowptr[i] > longest) longest = A->rowptr[i + 1] - A->rowptr[i];
    double target = (double)A->nnz / parts;
    for (int p = 0; p < parts; p++) {
        assert_true(starts[p] <= starts[p + 1]);
        double got = (double)(A->rowptr[starts[p + 1]] - A->rowptr[starts[p]]);
        assert_small(got - target, (double)longest + 1.0);
    }
    free(starts);
}

static void test_partition(void **state)
{
    (void)state;
    triplets t = random_triplets(1000, 300, 20000, 41);
    sp_csr A = csr_from(&t);
    const int parts[] = {1, 2, 3, 7, 64, 999, 1000, 1500};
    for (int k = 0; k < 8; k++)
        check_partition(&A, parts[k]);
    sp_csr_uninit(&A);
    /* one very long row among short ones, and an all-empty matrix */
    int ri[] = {0, 5, 5, 5, 5, 5, 5, 5, 5, 9}, ci[] = {0, 0, 1, 2, 3, 4, 5, 6, 7, 9};
    double v[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    assert_int_equal(sp_csr_from_triplets(10, 10, 10, ri, ci, v, &A), SP_OK);
    for (int p = 1; p <= 12; p++)
        check_partition(&A, p);
    sp_csr_uninit(&A);
    assert_int_equal(sp_csr_from_triplets(10, 10, 0, ri, ci, v, &A), SP_OK);
    int starts[4];
    assert_int_equal(sp_rows_partition_by_nnz(10, A.rowptr, 3, starts), SP_OK);
    assert_int_equal(starts[1], 3);
    assert_int_equal(starts[2], 6);
    assert_int_equal(starts[3], 10);
    assert_int_equal(sp_rows_partition_by_nnz(10, A.rowptr, 0, starts), SP_EINVAL);
    sp_csr_uninit(&A);
    triplets_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_triplets_structure),
        cmocka_unit_test(test_from_triplets_out_of_range),
        cmocka_unit_test(test_matvec_against_dense),
        cmocka_unit_test(test_products_deterministic),
        cmocka_unit_test(test_transpose),
        cmocka_unit_test(test_symmetric_expand),
        cmocka_unit_test(test_norms),
        cmocka_unit_test(test_symmetry_defect),
        cmocka_unit_test(test_to_dense),
        cmocka_unit_test(test_partition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
