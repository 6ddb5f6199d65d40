/* test_advisor.c: the embedding-dimension advisor (spartan/advisor.h) against
 * independent references: a synthetic log with a planted 4-group structure
 * (tests/data/advisor/make_planted.py) must give k = 4; captured shares and
 * gaps must match dense LAPACK (dsyev on the whole C); on the real Criteo
 * slice every converged eigenpair's true residual is recomputed here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "test_util.h"
#include "spartan/advisor.h"
#include "spartan/data.h"

/* C of a click log: vocabulary with min_count, present integer fields only. */
static void build_cooc(const char *name, int64_t min_count, int diagonal, sp_csr *C)
{
    sp_criteo_options ro;
    sp_vocab_options vo;
    sp_cooc_options co;
    sp_criteo_options_default(&ro);
    sp_vocab_options_default(&vo);
    sp_cooc_options_default(&co);
    vo.min_count = min_count;
    co.diagonal = diagonal;
    sp_vocab *v = NULL;
    const char *path = test_data_path(name);
    assert_int_equal(sp_vocab_build_from_file(path, &ro, &vo, &v), SP_OK);
    assert_int_equal(sp_cooc_from_file(path, &ro, v, SP_MAP_SKIP_MISSING_INTS, &co, C, NULL), SP_OK);
    sp_vocab_free(v);
}

static int by_magnitude_desc(const void *a, const void *b)
{
    double x = fabs(*(const double *)a), y = fabs(*(const double *)b);
    return (x < y) - (x > y);
}

/* All eigenvalues of C by dsyev, sorted by decreasing |l|; *total = sum l^2. */
static double *dense_spectrum(const sp_csr *C, double *total)
{
    sp_dmat D;
    assert_int_equal(sp_csr_to_dense(C, &D), SP_OK);
    double *w = malloc(sizeof(double) * (size_t)C->rows);
    assert_non_null(w);
    assert_int_equal(sp_syev(&D, w, 0), SP_OK);
    sp_dmat_uninit(&D);
    qsort(w, (size_t)C->rows, sizeof(double), by_magnitude_desc);
    *total = 0.0;
    for (int i = C->rows - 1; i >= 0; i--) *total += w[i] * w[i];
    return w;
}

static sp_embdim_options options_with(const int *ks, int count)
{
    sp_embdim_options o = sp_embdim_options_default();
    memcpy(o.candidates, ks, sizeof(int) * (size_t)count);
    o.n_candidates = count;
    return o;
}

static const sp_embdim_candidate *find(const sp_embdim_result *r, int k)
{
    for (int i = 0; i < r->count; i++)
        if (r->cand[i].k == k) return &r->cand[i];
    fail_msg("candidate %d missing", k);
    return NULL;
}

/* ---- planted structure -------------------------------------------------------- */

static void check_planted(int diagonal)
{
    sp_csr C;
    build_cooc("advisor/planted_k4.tsv.gz", 5, diagonal, &C);
    assert_int_equal(C.rows, 39 + 4 * 26); /* 4 groups x 26 fields; noise values are OOV */
    sp_operator op;
    assert_int_equal(sp_operator_csr(&C, &op), SP_OK);
    const int ks[] = {8, 2, 6, 3, 5, 4}; /* any order */
    sp_embdim_options o = options_with(ks, 6);
    sp_embdim_result r;
    assert_int_equal(sp_embdim_advise(&op, &o, &r), SP_OK);
    print_message("planted (diagonal %d): recommended %d: %s\n", diagonal, r.recommended, r.reason);
    assert_int_equal(r.recommended, 4);
    assert_int_equal(r.rule_met, 1);
    for (int i = 1; i < r.count; i++) assert_true(r.cand[i - 1].k < r.cand[i].k);
    assert_true(find(&r, 3)->captured < 0.9);
    assert_true(find(&r, 4)->captured >= 0.9);
    assert_true(find(&r, 4)->converged);
    assert_small(find(&r, 4)->gap, 0.2); /* the planted gap: l5 is noise */
    assert_non_null(strstr(r.reason, "k = 4 is the smallest"));
    sp_embdim_result_uninit(&r);
    sp_csr_uninit(&C);
}

static void test_planted_with_diagonal(void **state)
{
    (void)state;
    check_planted(1);
}

static void test_planted_without_diagonal(void **state)
{
    (void)state;
    check_planted(0);
}

/* ---- against dense LAPACK ------------------------------------------------------ */

/* factor > 0: one nested size ceil(factor k) (a tight subspace). */
static void compare_with_lapack(const sp_csr *C, const int *ks, int count, int max_restarts,
                                double factor)
{
    double total;
    double *w = dense_spectrum(C, &total);
    sp_operator op;
    assert_int_equal(sp_operator_csr(C, &op), SP_OK);
    sp_embdim_options o = options_with(ks, count);
    o.max_restarts = max_restarts;
    o.nested_factors[0] = factor;
    o.nested_factor_count = factor > 0.0;
    sp_embdim_result r;
    int rc = sp_embdim_advise(&op, &o, &r);
    assert_true(rc == SP_OK || rc == SP_ENOCONV);
    assert_small(r.fro_norm * r.fro_norm / total - 1.0, 1e-12);
    int exact = 0, bounds = 0;
    for (int i = 0; i < r.count; i++) {
        const sp_embdim_candidate *c = &r.cand[i];
        double ref = 0.0;
        for (int j = 0; j < c->k; j++) ref += w[j] * w[j];
        ref /= total;
        if (!c->captured_exact) { /* a lower bound from the values that converged */
            assert_true(c->captured <= ref + 1e-12);
            bounds++;
            continue;
        }
        exact++;
        assert_small(c->captured - ref, 1e-10);
        if (isfinite(c->gap)) assert_small(c->gap - fabs(w[c->k]) / fabs(w[c->k - 1]), 1e-7);
    }
    assert_true(exact + bounds == r.count);
    print_message("n = %d: %d candidates match dsyev (captured to 1e-10, gap to 1e-7), %d lower "
                  "bounds hold\n", C->rows, exact, bounds);
    sp_embdim_result_uninit(&r);
    free(w);
}

static void test_captured_and_gap_match_lapack(void **state)
{
    (void)state;
    sp_csr C;
    build_cooc("advisor/planted_k4.tsv.gz", 5, 0, &C); /* k = 5, 6 borrow from k = 8 */
    const int ks[] = {2, 3, 4, 5, 6, 8};
    compare_with_lapack(&C, ks, 6, 10, 0.0);
    sp_csr_uninit(&C);
    build_cooc("criteo/criteo_train_2000.txt.gz", 5, 0, &C);
    const int kc[] = {4, 8, 16};
    compare_with_lapack(&C, kc, 3, 10, 0.0);
    const int kt[] = {4, 8, 12, 16, 40};
    compare_with_lapack(&C, kt, 5, 2, 1.3); /* tight: none converges, lower bounds */
    compare_with_lapack(&C, kt, 5, 2, 1.6); /* 40 converges, the others borrow from it */
    sp_csr_uninit(&C);
}

/* ---- real data: internal consistency ---------------------------------------------- */

/* max over the pairs of ||C x - l x|| / (|l| ||x||), recomputed here. */
static double true_residual(const sp_csr *C, const sp_embdim_candidate *c)
{
    double *y = malloc(sizeof(double) * (size_t)C->rows), worst = 0.0;
    assert_non_null(y);
    for (int j = 0; j < c->nconv; j++) {
        const double *x = c->vectors + (size_t)j * C->rows;
        sp_csr_matvec(C, x, y);
        sp_axpy(C->rows, -c->values[j], x, y);
        worst = fmax(worst, sp_nrm2(C->rows, y) / (fabs(c->values[j]) * sp_nrm2(C->rows, x)));
    }
    free(y);
    return worst;
}

static void check_candidate(const sp_csr *C, const sp_embdim_options *o, const sp_embdim_candidate *c)
{
    assert_false(c->skipped);
    assert_true(c->captured >= 0.0 && c->captured <= 1.0 + 1e-12);
    if (isfinite(c->gap)) assert_true(c->gap >= 0.0 && c->gap <= 1.0 + 1e-12);
    assert_true(c->history_count >= 1 && c->history_count <= o->max_restarts + 1);
    assert_true(c->matvecs > 0);
    if (!c->converged) return;
    assert_int_equal(c->nconv, c->k);
    assert_non_null(c->vectors);
    assert_small(true_residual(C, c), 10.0 * o->tol);
    assert_small(c->history[c->history_count - 1], o->tol); /* Figure 11 ends below tol */
    for (int j = 1; j < c->nconv; j++) assert_true(fabs(c->values[j]) <= fabs(c->values[j - 1]) * (1 + 1e-12));
}

static void test_criteo_slice_end_to_end(void **state)
{
    (void)state;
    sp_csr C;
    build_cooc("criteo/criteo_train_2000.txt.gz", 5, 0, &C);
    sp_operator op;
    assert_int_equal(sp_operator_csr(&C, &op), SP_OK);
    const int ks[] = {4, 8, 16, 24};
    sp_embdim_options o = options_with(ks, 4);
    o.want_vectors = 1;
    sp_embdim_result r;
    int rc = sp_embdim_advise(&op, &o, &r);
    assert_true(rc == SP_OK || rc == SP_ENOCONV);
    assert_int_equal(r.n, C.rows);
    assert_int_equal(r.nnz, C.nnz);
    for (int i = 0; i < r.count; i++) {
        check_candidate(&C, &o, &r.cand[i]);
        if (i > 0) assert_true(r.cand[i].captured >= r.cand[i - 1].captured - 1e-12);
    }
    int found = 0;
    for (int i = 0; i < r.count; i++) found |= r.cand[i].k == r.recommended;
    assert_true(found);
    assert_true(strlen(r.reason) > 20 && r.reason[strlen(r.reason) - 1] == '.');
    print_message("criteo slice n = %d nnz = %lld: recommended %d: %s\n", C.rows, (long long)C.nnz,
                  r.recommended, r.reason);
    sp_embdim_result_uninit(&r);
    sp_csr_uninit(&C);
}

/* Same seed, same bits: values, matvecs and histories of two runs agree exactly. */
static void test_deterministic(void **state)
{
    (void)state;
    sp_csr C;
    build_cooc("advisor/planted_k4.tsv.gz", 5, 0, &C);
    sp_operator op;
    assert_int_equal(sp_operator_csr(&C, &op), SP_OK);
    const int ks[] = {3, 5, 8};
    sp_embdim_options o = options_with(ks, 3);
    sp_embdim_result a, b;
    assert_int_equal(sp_embdim_advise(&op, &o, &a), SP_OK);
    assert_int_equal(sp_embdim_advise(&op, &o, &b), SP_OK);
    for (int i = 0; i < a.count; i++) {
        const sp_embdim_candidate *x = &a.cand[i], *y = &b.cand[i];
        assert_int_equal(x->matvecs, y->matvecs);
        assert_int_equal(x->nconv, y->nconv);
        assert_int_equal(x->history_count, y->history_count);
        assert_memory_equal(x->values, y->values, sizeof(double) * (size_t)x->nconv);
        assert_memory_equal(x->history, y->history, sizeof(double) * (size_t)x->history_count);
    }
    assert_string_equal(a.reason, b.reason);
    sp_embdim_result_uninit(&a);
    sp_embdim_result_uninit(&b);
    sp_csr_uninit(&C);
}

/* ---- fallbacks, skips and bad input ---------------------------------------------- */

static void test_fallback_when_share_unreachable(void **state)
{
    (void)state;
    sp_csr C;
    build_cooc("advisor/planted_k4.tsv.gz", 5, 1, &C);
    sp_operator op;
    assert_int_equal(sp_operator_csr(&C, &op), SP_OK);
    const int ks[] = {2, 3, 4};
    sp_embdim_options o = options_with(ks, 3);
    o.min_captured = 1.0;
    sp_embdim_result r;
    assert_int_equal(sp_embdim_advise(&op, &o, &r), SP_ENOCONV);
    assert_int_equal(r.rule_met, 0);
    assert_int_equal(r.recommended, 4); /* converged and captures the most */
    assert_non_null(strstr(r.reason, "No converged candidate captures"));
    sp_embdim_result_uninit(&r);
    sp_csr_uninit(&C);
}

static void test_fallback_when_nothing_converges(void **state)
{
    (void)state;
    sp_csr C;
    build_cooc("criteo/criteo_train_2000.txt.gz", 5, 0, &C);
    sp_operator op;
    assert_int_equal(sp_operator_csr(&C, &op), SP_OK);
    const int ks[] = {40, 60};
    sp_embdim_options o = options_with(ks, 2);
    o.max_restarts = 1;
    o.nested_factors[0] = 1.1;
    o.nested_factor_count = 1;
    sp_embdim_result r;
    assert_int_equal(sp_embdim_advise(&op, &o, &r), SP_ENOCONV);
    assert_int_equal(r.largest_converged, 0);
    assert_true(r.recommended == 40 || r.recommended == 60);
    assert_non_null(strstr(r.reason, "No candidate converged within 1 restarts"));
    for (int i = 0; i < r.count; i++) {
        assert_false(r.cand[i].converged);
        assert_int_equal(r.cand[i].captured_exact, 0);
        assert_true(isnan(r.cand[i].gap));
        assert_int_equal(r.cand[i].history_count, 2);
        assert_int_equal(r.cand[i].sizes[0], (int)ceil(1.1 * r.cand[i].k));
    }
    sp_embdim_result_uninit(&r);
    sp_csr_uninit(&C);
}

static void test_large_candidates_skipped(void **state)
{
    (void)state;
    sp_csr C;
    build_cooc("advisor/planted_k4.tsv.gz", 5, 1, &C); /* n = 143 */
    sp_operator op;
    assert_int_equal(sp_operator_csr(&C, &op), SP_OK);
    const int ks[] = {4, 142, 200};
    sp_embdim_options o = options_with(ks, 3);
    sp_embdim_result r;
    assert_int_equal(sp_embdim_advise(&op, &o, &r), SP_OK);
    assert_int_equal(r.recommended, 4);
    assert_true(find(&r, 142)->skipped && find(&r, 200)->skipped);
    assert_non_null(strstr(find(&r, 200)->note, "n - 2 = 141"));
    sp_embdim_result_uninit(&r);
    const int too_big[] = {142, 500};
    o = options_with(too_big, 2);
    assert_int_equal(sp_embdim_advise(&op, &o, &r), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "every candidate exceeds n - 2 = 141"));
    sp_embdim_result_uninit(&r);
    sp_csr_uninit(&C);
}

static void test_bad_options(void **state)
{
    (void)state;
    const int ri[] = {0, 1, 2, 0}, ci[] = {0, 1, 2, 1};
    const double v[] = {1, 2, 3, 4};
    sp_csr A;
    assert_int_equal(sp_csr_from_triplets(3, 3, 4, ri, ci, v, &A), SP_OK);
    sp_operator op;
    assert_int_equal(sp_operator_csr(&A, &op), SP_OK);
    const int ks[] = {1};
    sp_embdim_options o = options_with(ks, 1);
    assert_int_equal(sp_embdim_check(&op, &o), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "not symmetric"));
    op.symmetric = 1; /* pretend, to reach the option checks */
    const int dup[] = {1, 1};
    o = options_with(dup, 2);
    assert_int_equal(sp_embdim_check(&op, &o), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "given twice"));
    o = options_with(ks, 1);
    o.max_restarts = 0;
    assert_int_equal(sp_embdim_check(&op, &o), SP_EINVAL);
    o = options_with(ks, 1);
    o.min_captured = 1.5;
    assert_int_equal(sp_embdim_check(&op, &o), SP_EINVAL);
    o = options_with(ks, 0);
    assert_int_equal(sp_embdim_check(&op, &o), SP_EINVAL);
    sp_embdim_result r;
    assert_int_equal(sp_embdim_advise(NULL, &o, &r), SP_EINVAL);
    sp_embdim_result_uninit(&r);
    sp_embdim_result_uninit(&r); /* twice is safe */
    sp_csr_uninit(&A);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planted_with_diagonal),
        cmocka_unit_test(test_planted_without_diagonal),
        cmocka_unit_test(test_captured_and_gap_match_lapack),
        cmocka_unit_test(test_criteo_slice_end_to_end),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_fallback_when_share_unreachable),
        cmocka_unit_test(test_fallback_when_nothing_converges),
        cmocka_unit_test(test_large_candidates_skipped),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
