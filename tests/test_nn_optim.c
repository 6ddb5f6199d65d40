/* test_nn_optim.c: optimizers against hand-computed steps (SGD, momentum,
 * Nesterov, Adam's first two steps), FTRL-proximal against its closed form on
 * a 1-D problem and against a direct numerical minimisation of its objective,
 * and the lazy row updates (untouched rows and state bit-identical). */
#include "spartan/nn.h"
#include "test_nn_util.h"
#include "test_util.h"
#include <string.h>

static void test_sgd_momentum(void **state)
{
    (void)state;
    float w[2] = {1.0f, -2.0f}, g[2] = {0.5f, 0.25f};
    sp_optim_config cfg = sp_optim_defaults(SP_OPT_SGD);
    cfg.lr = 0.1f;
    sp_optim o;
    assert_int_equal(sp_optim_init(&o, &cfg, 2), SP_OK);
    sp_optim_tick(&o);
    assert_int_equal(sp_optim_update(&o, 0, 2, w, g), SP_OK);
    assert_small(w[0] - 0.95, 1e-7);
    assert_small(w[1] + 2.025, 1e-7);
    sp_optim_uninit(&o);
    /* heavy ball, lr 0.1, mu 0.9, g = 1: v = 1, 1.9, 2.71; w = 0.9, 0.71, 0.439 */
    /* Nesterov: w -= lr (g + mu v): w = 1 - 0.19 = 0.81, 0.81 - 0.271 = 0.539 */
    const double heavy[3] = {0.9, 0.71, 0.439}, nesterov[2] = {0.81, 0.539};
    for (int nest = 0; nest < 2; nest++) {
        cfg = sp_optim_defaults(SP_OPT_MOMENTUM);
        cfg.lr = 0.1f;
        cfg.nesterov = nest;
        assert_int_equal(sp_optim_init(&o, &cfg, 1), SP_OK);
        float x = 1.0f, one = 1.0f;
        for (int t = 0; t < (nest ? 2 : 3); t++) {
            sp_optim_tick(&o);
            assert_int_equal(sp_optim_update(&o, 0, 1, &x, &one), SP_OK);
            assert_small(x - (nest ? nesterov[t] : heavy[t]), 1e-6);
        }
        sp_optim_uninit(&o);
    }
}

static void test_adam_two_steps(void **state)
{
    (void)state;
    /* w0 = 1, lr 0.1, betas (0.9, 0.999), eps 1e-8, g = 0.5 then -0.25:
     * step 1: m = 0.05, v = 2.5e-4, mhat = 0.5, vhat = 0.25, w = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
     *         = 0.900000002
     * step 2: m = 0.045 - 0.025 = 0.02, v = 2.4975e-4 + 6.25e-5 = 3.1225e-4,
     *         mhat = 0.02 / 0.19, vhat = 3.1225e-4 / 0.001999,
     *         w = 0.900000002 - 0.1 * 0.105263158 / 0.395225381 = 0.873366299 */
    sp_optim_config cfg = sp_optim_defaults(SP_OPT_ADAM);
    cfg.lr = 0.1f;
    sp_optim o;
    assert_int_equal(sp_optim_init(&o, &cfg, 1), SP_OK);
    float w = 1.0f, g1 = 0.5f, g2 = -0.25f;
    sp_optim_tick(&o);
    sp_optim_update(&o, 0, 1, &w, &g1);
    assert_small(sp_optim_state(&o, 0)[0] - 0.05, 1e-7);
    assert_small(sp_optim_state(&o, 1)[0] - 2.5e-4, 1e-9);
    assert_small(w - 0.900000002, 1e-7);
    sp_optim_tick(&o);
    sp_optim_update(&o, 0, 1, &w, &g2);
    assert_small(sp_optim_state(&o, 0)[0] - 0.02, 1e-7);
    assert_small(sp_optim_state(&o, 1)[0] - 3.1225e-4, 1e-9);
    print_message("adam step 2: w = %.9f, hand-computed 0.873366299, err %.2e\n", (double)w,
                  fabs(w - 0.873366299));
    assert_small(w - 0.873366299, 1e-6);
    sp_optim_uninit(&o);
}

/* FTRL with a constant gradient g: w stays exactly 0 while t |g| <= l1 (then
 * z = t g, since sigma w = 0), and the first nonzero weight is
 * w = -(t g - l1) / ((beta + sqrt(n0 + t g^2)) / alpha + l2). */
static void test_ftrl_closed_form(void **state)
{
    (void)state;
    sp_optim_config cfg = sp_optim_defaults(SP_OPT_FTRL);
    cfg.lr = 0.5f;
    cfg.beta = 1.0f;
    cfg.l1 = 1.0f;
    cfg.l2 = 0.1f;
    cfg.initial_accumulator = 1.0f;
    sp_optim o;
    assert_int_equal(sp_optim_init(&o, &cfg, 1), SP_OK);
    float w = 0.0f, g = 0.3f;
    for (int t = 1; t <= 3; t++) {
        sp_optim_tick(&o);
        sp_optim_update(&o, 0, 1, &w, &g);
        assert_true(w == 0.0f); /* |z| = 0.3 t <= 1 */
    }
    sp_optim_tick(&o);
    sp_optim_update(&o, 0, 1, &w, &g);
    double expected = -(4 * 0.3 - 1.0) / ((1.0 + sqrt(1.0 + 4 * 0.09)) / 0.5 + 0.1);
    print_message("ftrl first nonzero weight %.9f, closed form %.9f\n", (double)w, expected);
    assert_small(w - expected, 1e-7);
    assert_small(sp_optim_state(&o, 1)[0] - 1.36, 1e-6); /* accumulator n0 + 4 g^2 */
    sp_optim_uninit(&o);
}

/* FTRL-proximal's definition: w_{t+1} = argmin_w sum_s g_s w
 * + sum_s sigma_s / 2 (w - w_s)^2 + (beta + sqrt(n0)) / (2 alpha) w^2 + l1 |w| + l2 / 2 w^2,
 * sigma_s = (sqrt(n_s) - sqrt(n_{s-1})) / alpha, minimised by golden section. */
typedef struct ftrl_ref {
    double alpha, beta, l1, l2, n0, n, G;
    double sig_sum, sig_w_sum, sig_w2_sum; /* sums of sigma_s, sigma_s w_s, sigma_s w_s^2 */
} ftrl_ref;

static double ftrl_objective(const ftrl_ref *r, double w)
{
    return r->G * w + 0.5 * (r->sig_sum * w * w - 2 * r->sig_w_sum * w + r->sig_w2_sum) +
           0.5 * (r->beta + sqrt(r->n0)) / r->alpha * w * w + r->l1 * fabs(w) + 0.5 * r->l2 * w * w;
}

static double ftrl_ref_step(ftrl_ref *r, double w_prev, double g)
{
    double n_new = r->n + g * g, sigma = (sqrt(n_new) - sqrt(r->n)) / r->alpha;
    r->G += g;
    r->sig_sum += sigma;
    r->sig_w_sum += sigma * w_prev;
    r->sig_w2_sum += sigma * w_prev * w_prev;
    r->n = n_new;
    double a = -100.0, b = 100.0, phi = (sqrt(5.0) - 1.0) / 2.0;
    for (int it = 0; it < 200; it++) {
        double c = b - phi * (b - a), d = a + phi * (b - a);
        if (ftrl_objective(r, c) < ftrl_objective(r, d))
            b = d;
        else
            a = c;
    }
    double w = 0.5 * (a + b);
    return ftrl_objective(r, 0.0) <= ftrl_objective(r, w) ? 0.0 : w;
}

static void test_ftrl_argmin(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 31);
    sp_optim_config cfg = sp_optim_defaults(SP_OPT_FTRL);
    cfg.lr = 0.2f;
    cfg.beta = 0.5f;
    cfg.l1 = 0.6f;
    cfg.l2 = 0.3f;
    cfg.initial_accumulator = 0.5f;
    sp_optim o;
    assert_int_equal(sp_optim_init(&o, &cfg, 1), SP_OK);
    ftrl_ref r = {0.2, 0.5, 0.6, 0.3, 0.5, 0.5, 0, 0, 0, 0};
    float w = 0.25f; /* a nonzero start: the first proximal term is centred there */
    double wr = 0.25, worst = 0.0;
    int zeros = 0;
    for (int t = 0; t < 60; t++) {
        float g = (float)(sp_rng_normal(&rng) * 0.5 + (t % 2 ? 0.2 : -0.1));
        sp_optim_tick(&o);
        sp_optim_update(&o, 0, 1, &w, &g);
        wr = ftrl_ref_step(&r, wr, g);
        worst = fmax(worst, fabs(w - wr));
        zeros += wr == 0.0;
        if (wr == 0.0) assert_true(w == 0.0f);
    }
    print_message("ftrl vs argmin of its objective: max abs err %.2e over 60 steps (%d exact "
                  "zeros)\n",
                  worst, zeros);
    assert_small(worst, 1e-5);
    sp_optim_uninit(&o);
}

/* One optimizer over [dense (5) | table (6 x 3)]: update_rows changes only the
 * touched rows and their state, exactly as the dense kernel on those rows. */
static void lazy_rows_check(sp_opt_kind kind)
{
    enum { NDENSE = 5, V = 6, D = 3 };
    sp_optim_config cfg = sp_optim_defaults(kind);
    cfg.lr = 0.1f;
    sp_optim o;
    assert_int_equal(sp_optim_init(&o, &cfg, NDENSE + V * D), SP_OK);
    float table[V * D], before[V * D], dout[2 * D] = {0.5f, -1, 2, 0.25f, 0.125f, -3};
    for (int i = 0; i < V * D; i++)
        before[i] = table[i] = (float)i / 7.0f;
    for (int k = 0; k < o.nstate; k++)
        for (size_t i = 0; i < o.n; i++)
            sp_optim_state(&o, k)[i] += 0.01f * (float)i;
    float *state_before = malloc(sizeof(float) * o.nstate * o.n + 1);
    memcpy(state_before, o.state, sizeof(float) * o.nstate * o.n);
    int ids[2] = {4, 1};
    float ones[2] = {1, 1};
    sp_sparse_grad g;
    sp_sparse_grad_init(&g, V, D);
    sp_embedding_backward(1, 2, ids, ones, SP_EMB_CONCAT, dout, &g);
    sp_optim_tick(&o);
    sp_optim_tick(&o);
    assert_int_equal(sp_optim_update_rows(&o, NDENSE, table, &g), SP_OK);
    for (int r = 0; r < V; r++) {
        int touched = r == 1 || r == 4;
        float expect[D], st[2][D];
        memcpy(expect, before + r * D, sizeof expect);
        for (int k = 0; k < o.nstate; k++)
            memcpy(st[k], state_before + k * o.n + NDENSE + r * D, sizeof st[k]);
        const float *gr = dout + (r == 4 ? 0 : D);
        if (touched && kind == SP_OPT_ADAM)
            sp_adam_kernel(D, expect, gr, st[0], st[1], 0.1f, 0.9, 0.999, 1e-8, 2);
        if (touched && kind == SP_OPT_FTRL)
            sp_ftrl_kernel(D, expect, gr, st[0], st[1], 0.1f, 0.0f, 0.0f, 0.0f);
        assert_memory_equal(table + r * D, expect, sizeof expect);
        for (int k = 0; k < o.nstate; k++)
            assert_memory_equal(sp_optim_state(&o, k) + NDENSE + r * D, st[k], sizeof st[k]);
    }
    for (int k = 0; k < o.nstate; k++) /* the dense part's state is untouched too */
        assert_memory_equal(sp_optim_state(&o, k), state_before + k * o.n, NDENSE * sizeof(float));
    assert_int_equal(sp_optim_update_rows(&o, NDENSE + 1, table, &g), SP_EINVAL);
    sp_sparse_grad_uninit(&g);
    free(state_before);
    sp_optim_uninit(&o);
}

static void test_lazy_rows(void **state)
{
    (void)state;
    lazy_rows_check(SP_OPT_ADAM);
    lazy_rows_check(SP_OPT_FTRL);
}

static void test_optim_config(void **state)
{
    (void)state;
    sp_opt_kind k;
    for (int i = 0; i < SP_OPT_COUNT; i++) {
        assert_int_equal(sp_opt_parse(sp_opt_name((sp_opt_kind)i), &k), SP_OK);
        assert_int_equal(k, i);
    }
    assert_int_equal(sp_opt_parse("adagrad", &k), SP_EINVAL);
    sp_optim_config cfg = sp_optim_defaults(SP_OPT_ADAM);
    cfg.lr = 0.0f;
    sp_optim o;
    assert_int_equal(sp_optim_init(&o, &cfg, 3), SP_EINVAL);
    cfg = sp_optim_defaults(SP_OPT_FTRL);
    cfg.l1 = -1.0f;
    assert_int_equal(sp_optim_init(&o, &cfg, 3), SP_EINVAL);
    cfg = sp_optim_defaults(SP_OPT_FTRL);
    assert_int_equal(sp_optim_init(&o, &cfg, 3), SP_OK);
    assert_true(sp_optim_state(&o, 1)[2] == 1.0f); /* initial accumulator */
    assert_null(sp_optim_state(&o, 2));
    float w[3] = {0}, g[3] = {0};
    assert_int_equal(sp_optim_update(&o, 1, 3, w, g), SP_EINVAL);
    sp_optim_uninit(&o);
}

/* Wide & Deep layout: [wide table (sparse) | wide bias] under FTRL, [deep
 * weight] under Adam; each optimizer updates its run and nothing else. */
static void test_update_params_ranges(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 32);
    sp_params P;
    sp_params_init(&P);
    sp_params_add(&P, "wide", 10, 1, SP_INIT_ZEROS, 0, SP_PARAM_SPARSE_GRAD);
    sp_params_add(&P, "wide.bias", 1, 1, SP_INIT_ZEROS, 0, 0);
    sp_params_add(&P, "deep.weight", 3, 2, SP_INIT_NORMAL, 1.0f, 0);
    assert_int_equal(sp_params_alloc(&P, &rng), SP_OK);
    for (size_t i = 0; i < P.n_grads; i++)
        P.grads[i] = 0.5f;
    float before[17];
    memcpy(before, P.values, sizeof before);
    sp_optim_config fc = sp_optim_defaults(SP_OPT_FTRL), ac = sp_optim_defaults(SP_OPT_ADAM);
    sp_optim ftrl, adam;
    assert_int_equal(sp_optim_init(&ftrl, &fc, 11), SP_OK);
    assert_int_equal(sp_optim_init(&adam, &ac, 6), SP_OK);
    sp_optim_tick(&ftrl);
    assert_int_equal(sp_optim_update_params(&ftrl, &P, 0, 2), SP_OK);
    assert_memory_equal(P.values, before, 10 * sizeof(float)); /* sparse table skipped */
    assert_true(P.values[10] != 0.0f);
    assert_memory_equal(P.values + 11, before + 11, 6 * sizeof(float));
    sp_optim_tick(&adam);
    assert_int_equal(sp_optim_update_params(&adam, &P, 2, 1), SP_OK);
    for (int i = 11; i < 17; i++)
        assert_small(P.values[i] - (before[i] - 0.01f), 1e-6);
    assert_int_equal(sp_optim_update_params(&adam, &P, 0, 2), SP_EINVAL); /* 11 != 6 */
    assert_int_equal(sp_optim_update_params(&adam, &P, 2, 2), SP_EINVAL);
    sp_optim_uninit(&ftrl);
    sp_optim_uninit(&adam);
    sp_params_uninit(&P);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sgd_momentum),     cmocka_unit_test(test_adam_two_steps),
        cmocka_unit_test(test_ftrl_closed_form), cmocka_unit_test(test_ftrl_argmin),
        cmocka_unit_test(test_lazy_rows),        cmocka_unit_test(test_update_params_ranges),
        cmocka_unit_test(test_optim_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
