/* test_eigen_validation.c: the reference report's validation runs on the
 * shipped matrices (bfw62a = bfwa62, plat362, bcsstk06, mhd4800b; MIRAMns
 * with nested {10,15,20} and {5,8,10} on the unsymmetric ones), forcing the
 * Krylov methods. Reference: dense LAPACK on the same matrix (sp_geev /
 * sp_syev of sp_csr_to_dense), or for mhd4800b (n = 4800) the stored numpy
 * LAPACK values in reference_eigenvalues_dense_lapack.json. */
#include <string.h>
#include "spartan/eigen.h"
#include "test_util.h"

typedef struct {
    const char *file;
    int nev, ncv;
    double tol;
    sp_eig_method method;
    int nested[3], nested_count;
} run_spec;

static void load(const char *name, sp_csr *A)
{
    sp_mm_info info;
    memset(&info, 0, sizeof info);
    int rc = sp_mm_read(test_data_path(name), A, &info);
    if (rc) print_error("%s\n", sp_errmsg());
    assert_int_equal(rc, SP_OK);
    sp_mm_info_uninit(&info);
}

/* All eigenvalues by LAPACK, sorted by decreasing magnitude (ties: real part). */
static int lapack_lm(const sp_csr *A, int symmetric, double *re, double *im)
{
    sp_dmat D;
    assert_int_equal(sp_csr_to_dense(A, &D), SP_OK);
    int n = A->rows;
    if (symmetric) {
        assert_int_equal(sp_syev(&D, re, 0), SP_OK);
        memset(im, 0, sizeof(double) * (size_t)n);
    } else {
        assert_int_equal(sp_geev(&D, re, im, NULL), SP_OK);
    }
    for (int i = 1; i < n; i++) /* insertion sort by |lambda| descending */
        for (int j = i; j > 0 && (hypot(re[j], im[j]) > hypot(re[j - 1], im[j - 1]) ||
                                  (hypot(re[j], im[j]) == hypot(re[j - 1], im[j - 1]) && im[j] > im[j - 1]));
             j--) {
            double t = re[j]; re[j] = re[j - 1]; re[j - 1] = t;
            t = im[j]; im[j] = im[j - 1]; im[j - 1] = t;
        }
    sp_dmat_uninit(&D);
    return n;
}

/* mhd4800b's top 10 by magnitude from the JSON (symmetric: plain numbers). */
static int json_top(const char *matrix, double *re, double *im, int max)
{
    FILE *f = fopen(test_data_path("reference_eigenvalues_dense_lapack.json"), "r");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    char *p = strstr(buf, matrix);
    assert_non_null(p);
    p = strstr(p, "\"top10_by_magnitude\"");
    assert_non_null(p);
    p = strchr(p, '[') + 1;
    int count = 0;
    while (count < max) {
        char *end;
        double v = strtod(p, &end);
        if (end == p) break;
        re[count] = v, im[count++] = 0.0;
        p = end;
        while (*p == ',' || *p == ' ' || *p == '\n') p++;
    }
    return count;
}

static void validate(const run_spec *s)
{
    sp_csr A;
    load(s->file, &A);
    sp_operator op;
    assert_int_equal(sp_operator_csr(&A, &op), SP_OK);
    sp_eigs_options o = sp_eigs_options_default();
    o.nev = s->nev, o.ncv = s->ncv, o.tol = s->tol, o.method = s->method;
    o.nested_count = s->nested_count;
    memcpy(o.nested, s->nested, sizeof s->nested);
    sp_eigs_result r;
    int rc = sp_eigs(&op, &o, &r);
    if (rc) print_error("%s: %s\n", s->file, sp_errmsg());
    assert_int_equal(rc, SP_OK);
    int n = A.rows;
    double *re = calloc((size_t)n, sizeof(double)), *im = calloc((size_t)n, sizeof(double));
    if (n > 1000) json_top(s->file, re, im, 10);
    else lapack_lm(&A, op.symmetric, re, im);
    double eig_err = 0, res = 0;
    for (int i = 0; i < s->nev; i++) {
        eig_err = fmax(eig_err, hypot(r.re[i] - re[i], r.im[i] - im[i]) / hypot(re[i], im[i]));
        res = fmax(res, r.residual[i]);
    }
    /* eigenvalue error: symmetric ~ residual^2, nonsymmetric ~ cond * residual;
     * the residual itself must be below the tolerance */
    double eig_tol = fmax(10.0 * s->tol, 1e-12);
    char sizes[32];
    if (s->nested_count) snprintf(sizes, sizeof sizes, "%d,%d,%d", s->nested[0], s->nested[1], s->nested[2]);
    else snprintf(sizes, sizeof sizes, "%d", s->ncv);
    printf("%-13s nev %d %-7s m %-8s tol %.0e: max rel eig err %.2e (tol %.0e), max residual %.2e "
           "(tol %.0e), matvecs %lld, restarts %d\n", s->file, s->nev, sp_eig_method_name(r.method),
           sizes, s->tol, eig_err, eig_tol, res, s->tol, (long long)r.matvecs, r.restarts);
    assert_small(eig_err, eig_tol);
    assert_small(res, s->tol);
    free(re), free(im);
    sp_eigs_result_uninit(&r);
    sp_csr_uninit(&A);
}

static void test_bfw62a(void **state)
{
    (void)state;
    run_spec runs[] = {{"bfwa62.mtx", 2, 5, 1e-14, SP_EIG_IRAM, {0}, 0},
                       {"bfwa62.mtx", 2, 10, 1e-14, SP_EIG_IRAM, {0}, 0},
                       {"bfwa62.mtx", 5, 10, 1e-8, SP_EIG_IRAM, {0}, 0},
                       {"bfwa62.mtx", 5, 10, 1e-14, SP_EIG_IRAM, {0}, 0}};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) validate(&runs[i]);
}

static void test_plat362(void **state)
{
    (void)state;
    run_spec runs[] = {{"plat362.mtx", 2, 15, 1e-8, SP_EIG_IRAM, {0}, 0},
                       {"plat362.mtx", 2, 20, 1e-8, SP_EIG_IRAM, {0}, 0},
                       {"plat362.mtx", 7, 15, 1e-8, SP_EIG_IRAM, {0}, 0}};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) validate(&runs[i]);
}

static void test_bcsstk06(void **state)
{
    (void)state;
    run_spec runs[] = {{"bcsstk06.mtx", 7, 15, 1e-8, SP_EIG_IRAM, {0}, 0},
                       {"bcsstk06.mtx", 2, 50, 1e-8, SP_EIG_IRAM, {0}, 0}};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) validate(&runs[i]);
}

static void test_mhd4800b(void **state)
{
    (void)state;
    run_spec run = {"mhd4800b.mtx", 5, 15, 1e-14, SP_EIG_IRAM, {0}, 0};
    validate(&run);
}

static void test_miramns_unsymmetric(void **state)
{
    (void)state;
    const char *files[] = {"bfwa62.mtx", "rdb200.mtx", "west0479.mtx", "olm500.mtx", "dwa512.mtx"};
    for (int f = 0; f < 5; f++) {
        run_spec a = {files[f], 2, 0, 1e-8, SP_EIG_MIRAMNS, {10, 15, 20}, 3};
        run_spec b = {files[f], 2, 0, 1e-8, SP_EIG_MIRAMNS, {5, 8, 10}, 3};
        validate(&a);
        validate(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bfw62a),
        cmocka_unit_test(test_plat362),
        cmocka_unit_test(test_bcsstk06),
        cmocka_unit_test(test_mhd4800b),
        cmocka_unit_test(test_miramns_unsymmetric),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
