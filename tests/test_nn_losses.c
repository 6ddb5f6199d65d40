/* test_nn_losses.c: losses and penalties (values and gradients against
 * double references and central differences, stability at huge logits) and
 * metrics (AUC against a brute-force pairwise count with ties, logloss,
 * accuracy). References are written here, independently of src/nn. */
#include "spartan/nn.h"
#include "test_nn_util.h"
#include "test_util.h"
#include <string.h>

#define FD_H 1e-5
#define GRAD_TOL 1e-4

typedef struct loss_ctx {
    int B, K;
    double *z, *y; /* logits / predictions and targets */
    const int *labels;
} loss_ctx;

static double mse_ref(void *p)
{
    const loss_ctx *c = p;
    double s = 0.0;
    for (int i = 0; i < c->B; i++)
        s += (c->z[i] - c->y[i]) * (c->z[i] - c->y[i]);
    return s / c->B;
}

static double logistic_ref(void *p) /* -y log s(z) - (1-y) log(1 - s(z)), direct form */
{
    const loss_ctx *c = p;
    double s = 0.0;
    for (int i = 0; i < c->B; i++) {
        double sig = 1.0 / (1.0 + exp(-c->z[i]));
        s -= c->y[i] * log(sig) + (1.0 - c->y[i]) * log(1.0 - sig);
    }
    return s / c->B;
}

static double softmax_ref(void *p) /* -log softmax(z)[label], direct form */
{
    const loss_ctx *c = p;
    double s = 0.0;
    for (int b = 0; b < c->B; b++) {
        double den = 0.0;
        for (int k = 0; k < c->K; k++)
            den += exp(c->z[b * c->K + k]);
        s -= log(exp(c->z[b * c->K + c->labels[b]]) / den);
    }
    return s / c->B;
}

/* One random batch for `which` (0 MSE, 1 logistic, 2 softmax); returns the
 * gradient error, *loss_err the loss value's relative error. */
static double loss_trial(sp_rng *rng, int which, double *loss_err)
{
    int B = nn_rand_int(rng, 1, 33), K = which == 2 ? nn_rand_int(rng, 2, 7) : 1;
    size_t n = (size_t)B * K;
    float *z = malloc(n * 4), *y = malloc(n * 4), *dz = malloc(n * 4);
    double *zd = malloc(n * 8), *yd = malloc(n * 8), *ref = malloc(n * 8);
    int *labels = malloc(B * sizeof(int));
    nn_fill_normal(rng, n, 3.0, z, zd);
    for (size_t i = 0; i < n; i++) {
        y[i] = which == 1 ? (float)(sp_rng_uniform(rng) < 0.5) : (float)sp_rng_normal(rng);
        yd[i] = y[i];
    }
    if (which == 1) y[0] = (float)(yd[0] = 0.25); /* soft labels are allowed */
    for (int b = 0; b < B; b++)
        labels[b] = nn_rand_int(rng, 0, K - 1);
    loss_ctx c = {B, K, zd, yd, labels};
    double loss = 0.0, refloss;
    nn_ref_loss f = which == 0 ? mse_ref : which == 1 ? logistic_ref : softmax_ref;
    if (which == 0) assert_int_equal(sp_loss_mse(n, z, y, dz, &loss), SP_OK);
    if (which == 1) assert_int_equal(sp_loss_logistic(n, z, y, dz, &loss), SP_OK);
    if (which == 2) assert_int_equal(sp_loss_softmax_xent(B, K, z, labels, dz, &loss), SP_OK);
    refloss = f(&c);
    *loss_err = fmax(*loss_err, fabs(loss - refloss) / fmax(fabs(refloss), 1e-3));
    nn_fd_gradient(f, &c, zd, n, FD_H, ref);
    double err = nn_rel_err(n, dz, ref, 1e-3);
    free(z);
    free(y);
    free(dz);
    free(zd);
    free(yd);
    free(ref);
    free(labels);
    return err;
}

static void test_loss_gradients(void **state)
{
    (void)state;
    const char *names[3] = {"mse", "logistic", "softmax xent"};
    sp_rng rng;
    sp_rng_seed(&rng, 21);
    for (int which = 0; which < 3; which++) {
        double err = 0.0, loss_err = 0.0;
        for (int trial = 0; trial < 20; trial++)
            err = fmax(err, loss_trial(&rng, which, &loss_err));
        print_message("%-12s: loss rel err %.2e, gradient rel err %.2e (tol %.0e)\n", names[which],
                      loss_err, err, GRAD_TOL);
        assert_small(loss_err, 1e-9); /* the loss is accumulated in double */
        assert_small(err, GRAD_TOL);
    }
}

/* Huge logits: finite, exact asymptotes, no overflow. */
static void test_loss_stability(void **state)
{
    (void)state;
    float z[4] = {1e4f, -1e4f, 1e4f, -1e4f}, y[4] = {1, 0, 0, 1}, dz[4];
    double loss;
    assert_int_equal(sp_loss_logistic(4, z, y, dz, &loss), SP_OK);
    assert_small(loss - (0 + 0 + 1e4 + 1e4) / 4, 1e-9); /* two right, two off by 1e4 */
    assert_true(dz[0] == 0.0f && dz[1] == 0.0f && dz[2] == 0.25f && dz[3] == -0.25f);
    float zs[6] = {1000.0f, 1001.0f, 999.0f, -5.0f, -4.0f, -6.0f}, dzs[6];
    int labels[2] = {1, 2};
    assert_int_equal(sp_loss_softmax_xent(2, 3, zs, labels, dzs, &loss), SP_OK);
    double lse = log(exp(-1.0) + 1.0 + exp(-2.0)); /* both rows are shifts of (0, 1, -1) */
    double expected = ((lse + 1.0 - 1.0) + (lse + 1.0 + 1.0)) / 2.0;
    assert_small(loss - expected, 1e-6);
    for (int i = 0; i < 6; i++)
        assert_true(isfinite(dzs[i]));
    assert_small(dzs[0] + dzs[1] + dzs[2], 1e-7);
    y[0] = 2.0f;
    assert_int_equal(sp_loss_logistic(4, z, y, dz, &loss), SP_EINVAL);
    labels[1] = 3;
    assert_int_equal(sp_loss_softmax_xent(2, 3, zs, labels, dzs, &loss), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sample 1"));
}

typedef struct pen_ctx {
    size_t n;
    double *w, lambda;
    int l1;
} pen_ctx;

static double penalty_ref(void *p)
{
    const pen_ctx *c = p;
    double s = 0.0;
    for (size_t i = 0; i < c->n; i++)
        s += c->l1 ? c->lambda * fabs(c->w[i]) : 0.5 * c->lambda * c->w[i] * c->w[i];
    return s;
}

static void test_penalties(void **state)
{
    (void)state;
    enum { N = 101 };
    float w[N], g[N];
    double wd[N], ref[N];
    sp_rng rng;
    sp_rng_seed(&rng, 22);
    for (int l1 = 0; l1 < 2; l1++) {
        nn_fill_normal(&rng, N, 1.0, w, wd);
        pen_ctx c = {N, wd, 0.3, l1};
        for (int i = 0; i < N; i++)
            g[i] = 1.0f;
        double v = l1 ? sp_penalty_l1(N, w, 0.3f, g) : sp_penalty_l2(N, w, 0.3f, g);
        for (int i = 0; i < N; i++)
            g[i] -= 1.0f; /* penalties add to the gradient */
        nn_fd_gradient(penalty_ref, &c, wd, N, FD_H, ref);
        double err = nn_rel_err(N, g, ref, 1e-3);
        print_message("%s penalty: value rel err %.2e, gradient rel err %.2e\n", l1 ? "L1" : "L2",
                      fabs(v - penalty_ref(&c)) / penalty_ref(&c), err);
        assert_small(v - penalty_ref(&c), 1e-6 * penalty_ref(&c));
        assert_small(err, GRAD_TOL);
    }
    /* lazy L2 on touched rows equals the dense penalty on those rows */
    float table[5 * 3], dout[2 * 3] = {0};
    for (int i = 0; i < 15; i++)
        table[i] = (float)(i - 7);
    int ids[2] = {3, 1};
    float one[2] = {1.0f, 1.0f};
    sp_sparse_grad sg;
    assert_int_equal(sp_sparse_grad_init(&sg, 5, 3), SP_OK);
    assert_int_equal(sp_embedding_backward(1, 2, ids, one, SP_EMB_CONCAT, dout, &sg), SP_OK);
    double v = sp_penalty_l2_rows(table, 0.5f, &sg);
    double expected = 0.25 * (2 * 2 + 3 * 3 + 4 * 4 + 4 * 4 + 3 * 3 + 2 * 2); /* rows 3, 1 */
    assert_small(v - expected, 1e-9);
    assert_true(sg.vals[0] == 0.5f * table[9] && sg.vals[5] == 0.5f * table[5]);
    sp_sparse_grad_uninit(&sg);
}

/* ---- metrics ----------------------------------------------------------- */

static double auc_brute_force(size_t n, const float *s, const float *y)
{
    double wins = 0.0, pairs = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (y[i] > 0.5f && y[j] <= 0.5f) {
                pairs += 1.0;
                wins += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
            }
    return wins / pairs;
}

static void test_auc(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 23);
    double worst = 0.0;
    for (int trial = 0; trial < 30; trial++) {
        size_t n = (size_t)nn_rand_int(&rng, 2, 3000);
        int levels = nn_rand_int(&rng, 1, 12); /* few levels: many ties */
        float *s = malloc(n * 4), *y = malloc(n * 4);
        for (size_t i = 0; i < n; i++) {
            y[i] = (float)(sp_rng_uniform(&rng) < 0.3);
            s[i] = (float)((int)sp_rng_below(&rng, (uint64_t)levels) + y[i] * (trial % 3)) / levels;
        }
        y[0] = 1.0f;
        y[1] = 0.0f;
        double auc;
        assert_int_equal(sp_auc(n, s, y, &auc), SP_OK);
        worst = fmax(worst, fabs(auc - auc_brute_force(n, s, y)));
        free(s);
        free(y);
    }
    print_message("AUC vs brute-force pairs: max abs err %.2e\n", worst);
    assert_small(worst, 1e-12);
    float s[4] = {0.1f, 0.4f, 0.35f, 0.8f}, y[4] = {0, 0, 1, 1}, y0[4] = {0};
    double auc;
    assert_int_equal(sp_auc(4, s, y, &auc), SP_OK);
    assert_small(auc - 0.75, 1e-15); /* the classic sklearn example */
    assert_int_equal(sp_auc(4, s, y0, &auc), SP_EINVAL);
}

static void test_logloss_accuracy(void **state)
{
    (void)state;
    float p[4] = {0.9f, 0.2f, 0.6f, 0.0f}, y[4] = {1, 0, 0, 0}, z[4];
    for (int i = 0; i < 3; i++)
        z[i] = logf(p[i] / (1.0f - p[i]));
    z[3] = -1000.0f;
    double expected = -(log(0.9f) + log(0.8f) + log(1 - 0.6f) + log1p(-1e-7)) / 4;
    assert_small(sp_logloss(4, p, y) - expected, 1e-7);
    assert_small(sp_logloss_logits(4, z, y) - expected, 1e-6);
    assert_small(sp_accuracy_binary(4, p, y, 0.5f) - 0.75, 0);
    float zk[6] = {0, 2, 1, 5, 5, -1};
    int labels[2] = {1, 1};
    assert_small(sp_accuracy_argmax(2, 3, zk, labels) - 0.5, 0); /* ties: first index wins */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loss_gradients),   cmocka_unit_test(test_loss_stability),
        cmocka_unit_test(test_penalties),        cmocka_unit_test(test_auc),
        cmocka_unit_test(test_logloss_accuracy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
