/* test_nn_mlp.c: the generic MLP: gradient (parameters and input, every
 * activation, with and without dropout) against central differences of an
 * independent double-precision MLP; a 2-16-1 MLP learns XOR; the course's
 * four-person weight/height -> gender network reaches zero training error;
 * an embedding + MLP training run is bit-identical at 1 and 2 threads. */
#include "spartan/nn.h"
#include "test_nn_util.h"
#include "test_util.h"
#include <string.h>

#define FD_H 1e-5
#define GRAD_TOL 1e-4

/* ---- gradient against a double reference -------------------------------- */

typedef struct mlp_ref {
    const sp_mlp *m;
    const sp_params *P;
    int B;
    double *theta; /* all parameter values, P's layout */
    double *X, *R; /* input (B, sizes[0]); test loss weights (B, sizes[last]) */
} mlp_ref;

/* Layer l: h_out (B, out) = act(h_in W^T + b), times the float run's dropout mask. */
static void mlp_ref_layer(const mlp_ref *c, int l, const double *h_in, double *h_out)
{
    const sp_mlp *m = c->m;
    int in = m->sizes[l], out = m->sizes[l + 1], last = l + 1 == m->nlayers;
    const double *W = c->theta + c->P->info[m->w_index[l]].offset;
    const double *b = c->theta + c->P->info[m->b_index[l]].offset;
    for (int i = 0; i < c->B; i++)
        for (int j = 0; j < out; j++) {
            double z = b[j];
            for (int k = 0; k < in; k++)
                z += h_in[i * in + k] * W[j * in + k];
            double a = nn_act_ref(last ? m->out_act : m->act, last ? m->out_alpha : m->alpha, z);
            if (m->last_dropout && !last) a *= m->mask[l][i * out + j];
            h_out[i * out + j] = a;
        }
}

static double mlp_ref_loss(void *p)
{
    const mlp_ref *c = p;
    int width = 0;
    for (int l = 0; l <= c->m->nlayers; l++)
        width = c->m->sizes[l] > width ? c->m->sizes[l] : width;
    double *h = malloc(sizeof(double) * c->B * width), *h2 = malloc(sizeof(double) * c->B * width);
    memcpy(h, c->X, sizeof(double) * c->B * c->m->sizes[0]);
    for (int l = 0; l < c->m->nlayers; l++) {
        mlp_ref_layer(c, l, h, h2);
        double *t = h;
        h = h2;
        h2 = t;
    }
    double L = 0.0;
    for (int i = 0; i < c->B * c->m->sizes[c->m->nlayers]; i++)
        L += c->R[i] * h[i];
    free(h);
    free(h2);
    return L;
}

/* Returns the worst relative error of forward output, parameter and input gradients. */
static double mlp_trial(sp_rng *rng, sp_act act, float dropout)
{
    int nsizes = nn_rand_int(rng, 2, 4), sizes[4];
    for (int i = 0; i < nsizes; i++)
        sizes[i] = nn_rand_int(rng, 1, 7);
    int B = nn_rand_int(rng, 1, 6), nin = B * sizes[0], nout = B * sizes[nsizes - 1];
    sp_params P;
    sp_params_init(&P);
    sp_mlp m;
    assert_int_equal(sp_mlp_init(&m, &P, nsizes, sizes, act, act, 8), SP_OK);
    m.alpha = m.out_alpha = act == SP_ACT_ELU ? 0.8f : 0.1f;
    m.dropout = dropout;
    assert_int_equal(sp_params_alloc(&P, rng), SP_OK);
    float *X = malloc(nin * 4), *R = malloc(nout * 4), *dX = malloc(nin * 4);
    double *Xd = malloc(nin * 8), *Rd = malloc(nout * 8), *theta = malloc(P.n_values * 8);
    double *ref = malloc((P.n_values > (size_t)nin ? P.n_values : (size_t)nin) * 8);
    nn_fill_normal(rng, (size_t)nin, 1.0, X, Xd);
    nn_fill_normal(rng, (size_t)nout, 1.0, R, Rd);
    for (size_t i = 0; i < P.n_values; i++)
        theta[i] = P.values[i];
    const float *out;
    assert_int_equal(sp_mlp_forward(&m, &P, B, X, dropout > 0, rng, &out), SP_OK);
    mlp_ref c = {&m, &P, B, theta, Xd, Rd};
    double Lf = 0.0, err;
    for (int i = 0; i < nout; i++)
        Lf += (double)R[i] * out[i];
    err = fabs(Lf - mlp_ref_loss(&c)) / fmax(1.0, fabs(Lf));
    sp_params_zero_grads(&P);
    assert_int_equal(sp_mlp_backward(&m, &P, B, X, R, dX), SP_OK);
    nn_fd_gradient(mlp_ref_loss, &c, theta, P.n_values, FD_H, ref);
    err = fmax(err, nn_rel_err(P.n_values, P.grads, ref, 1e-3));
    nn_fd_gradient(mlp_ref_loss, &c, Xd, (size_t)nin, FD_H, ref);
    err = fmax(err, nn_rel_err((size_t)nin, dX, ref, 1e-3));
    free(X);
    free(R);
    free(dX);
    free(Xd);
    free(Rd);
    free(theta);
    free(ref);
    sp_mlp_uninit(&m);
    sp_params_uninit(&P);
    return err;
}

static void test_mlp_gradient(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 41);
    for (int a = 0; a < SP_ACT_COUNT; a++) {
        double err = 0.0, err_drop = 0.0;
        for (int trial = 0; trial < 8; trial++) {
            err = fmax(err, mlp_trial(&rng, (sp_act)a, 0.0f));
            err_drop = fmax(err_drop, mlp_trial(&rng, (sp_act)a, 0.4f));
        }
        print_message("mlp %-10s: gradient rel err %.2e, with dropout %.2e (tol %.0e)\n",
                      sp_act_name((sp_act)a), err, err_drop, GRAD_TOL);
        assert_small(err, GRAD_TOL);
        assert_small(err_drop, GRAD_TOL);
    }
}

/* ---- learning ----------------------------------------------------------- */

/* Full-batch training of an MLP on (X, y); returns the final loss. */
typedef struct train_spec {
    int nsizes;
    const int *sizes;
    sp_act act, out_act;
    int mse;   /* 1: MSE on the output, 0: logistic loss on the logit */
    int batch; /* rows per step (cycling through the data in order) */
    int steps;
    sp_optim_config opt;
} train_spec;

static double train_mlp(const train_spec *s, int n, const float *X, const float *y, uint64_t seed,
                        float *final_out)
{
    sp_rng rng;
    sp_rng_seed(&rng, seed);
    sp_params P;
    sp_params_init(&P);
    sp_mlp m;
    assert_int_equal(sp_mlp_init(&m, &P, s->nsizes, s->sizes, s->act, s->out_act, n), SP_OK);
    assert_int_equal(sp_params_alloc(&P, &rng), SP_OK);
    sp_optim o;
    assert_int_equal(sp_optim_init(&o, &s->opt, P.n_values), SP_OK);
    float dz[16];
    const float *out;
    double loss = 0.0;
    int in = s->sizes[0];
    for (int step = 0; step < s->steps; step++) {
        int first = (step * s->batch) % n;
        const float *xb = X + first * in, *yb = y + first;
        assert_int_equal(sp_mlp_forward(&m, &P, s->batch, xb, 1, &rng, &out), SP_OK);
        if (s->mse)
            assert_int_equal(sp_loss_mse(s->batch, out, yb, dz, &loss), SP_OK);
        else
            assert_int_equal(sp_loss_logistic(s->batch, out, yb, dz, &loss), SP_OK);
        sp_params_zero_grads(&P);
        assert_int_equal(sp_mlp_backward(&m, &P, s->batch, xb, dz, NULL), SP_OK);
        sp_optim_tick(&o);
        assert_int_equal(sp_optim_update_params(&o, &P, 0, P.count), SP_OK);
    }
    assert_int_equal(sp_mlp_forward(&m, &P, n, X, 0, NULL, &out), SP_OK);
    memcpy(final_out, out, sizeof(float) * n);
    if (s->mse)
        sp_loss_mse(n, out, y, NULL, &loss);
    else
        sp_loss_logistic(n, out, y, NULL, &loss);
    sp_optim_uninit(&o);
    sp_mlp_uninit(&m);
    sp_params_uninit(&P);
    return loss;
}

static void test_mlp_xor(void **state)
{
    (void)state;
    const float X[8] = {0, 0, 0, 1, 1, 0, 1, 1}, y[4] = {0, 1, 1, 0};
    const int sizes[3] = {2, 16, 1};
    train_spec s = {3, sizes, SP_ACT_TANH, SP_ACT_IDENTITY,
                    0, 4,     500,         sp_optim_defaults(SP_OPT_ADAM)};
    s.opt.lr = 0.05f;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        float z[4];
        double loss = train_mlp(&s, 4, X, y, seed, z);
        int correct = 0;
        for (int i = 0; i < 4; i++)
            correct += (z[i] > 0.0f) == (y[i] > 0.5f);
        print_message("xor seed %d: logloss %.2e, logits %.2f %.2f %.2f %.2f, %d/4 correct\n",
                      (int)seed, loss, z[0], z[1], z[2], z[3], correct);
        assert_int_equal(correct, 4);
        assert_true(loss < 0.05);
    }
}

/* The course notes' example: weight - 135 lb, height - 66 in -> 1 = female;
 * a 2-2-1 sigmoid network, MSE, plain SGD one person at a time. */
static void test_mlp_alice_bob_charlie_diana(void **state)
{
    (void)state;
    const float X[8] = {-2, -1, 25, 6, 17, 4, -15, -6}; /* Alice, Bob, Charlie, Diana */
    const float y[4] = {1, 0, 0, 1};
    const int sizes[3] = {2, 2, 1};
    train_spec s = {3, sizes, SP_ACT_SIGMOID, SP_ACT_SIGMOID,
                    1, 1,     4000,           sp_optim_defaults(SP_OPT_SGD)};
    s.opt.lr = 0.1f;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        float p[4];
        double mse = train_mlp(&s, 4, X, y, seed, p);
        int errors = 0;
        for (int i = 0; i < 4; i++)
            errors += (p[i] > 0.5f) != (y[i] > 0.5f);
        print_message("alice/bob/charlie/diana seed %d: mse %.2e, p(F) %.3f %.3f %.3f %.3f, "
                      "%d errors\n",
                      (int)seed, mse, p[0], p[1], p[2], p[3], errors);
        assert_int_equal(errors, 0);
        assert_true(mse < 0.05);
    }
}

/* ---- same seed, same result at 1 and 2 threads --------------------------- */

enum { DET_B = 512, DET_F = 4, DET_V = 1000, DET_D = 8, DET_STEPS = 6 };

typedef struct det_model {
    sp_params P;
    sp_mlp m;
    int table;
    sp_sparse_grad g;
    sp_optim o;
} det_model;

static void det_init(det_model *d, sp_rng *rng)
{
    const int sizes[4] = {DET_F * DET_D, 128, 128, 1};
    sp_params_init(&d->P);
    assert_int_equal(sp_mlp_init(&d->m, &d->P, 4, sizes, SP_ACT_RELU, SP_ACT_IDENTITY, DET_B),
                     SP_OK);
    d->m.dropout = 0.2f;
    d->table =
        sp_params_add(&d->P, "emb", DET_V, DET_D, SP_INIT_NORMAL, 0.1f, SP_PARAM_SPARSE_GRAD);
    assert_true(d->table >= 0);
    assert_int_equal(sp_params_alloc(&d->P, rng), SP_OK);
    assert_int_equal(sp_sparse_grad_init(&d->g, DET_V, DET_D), SP_OK);
    sp_optim_config cfg = sp_optim_defaults(SP_OPT_ADAM);
    assert_int_equal(sp_optim_init(&d->o, &cfg, d->P.n_values), SP_OK);
}

static void det_uninit(det_model *d)
{
    sp_optim_uninit(&d->o);
    sp_sparse_grad_uninit(&d->g);
    sp_mlp_uninit(&d->m);
    sp_params_uninit(&d->P);
}

/* One step of embedding -> MLP -> logistic loss, Adam + lazy Adam. */
static double det_step(det_model *d, const int *ids, const float *w, const float *y, float *emb,
                       float *demb, sp_rng *rng)
{
    float *table = sp_params_value(&d->P, d->table), dz[DET_B];
    const float *z;
    double loss;
    assert_int_equal(
        sp_embedding_forward(DET_B, DET_F, DET_V, DET_D, ids, w, table, SP_EMB_CONCAT, emb), SP_OK);
    assert_int_equal(sp_mlp_forward(&d->m, &d->P, DET_B, emb, 1, rng, &z), SP_OK);
    assert_int_equal(sp_loss_logistic(DET_B, z, y, dz, &loss), SP_OK);
    sp_params_zero_grads(&d->P);
    sp_sparse_grad_clear(&d->g);
    assert_int_equal(sp_mlp_backward(&d->m, &d->P, DET_B, emb, dz, demb), SP_OK);
    assert_int_equal(sp_embedding_backward(DET_B, DET_F, ids, w, SP_EMB_CONCAT, demb, &d->g),
                     SP_OK);
    loss += sp_penalty_l2_rows(table, 1e-4f, &d->g);
    sp_optim_tick(&d->o);
    assert_int_equal(sp_optim_update_params(&d->o, &d->P, 0, d->P.count), SP_OK);
    assert_int_equal(sp_optim_update_rows(&d->o, d->P.info[d->table].offset, table, &d->g), SP_OK);
    return loss;
}

static void det_run(int threads, double *losses, float **final_values, size_t *n_values)
{
    sp_set_threads(threads);
    sp_rng rng;
    sp_rng_seed(&rng, 77);
    det_model d;
    det_init(&d, &rng);
    int *ids = malloc(sizeof(int) * DET_B * DET_F);
    float *w = malloc(sizeof(float) * DET_B * DET_F), *y = malloc(sizeof(float) * DET_B);
    float *emb = malloc(sizeof(float) * DET_B * DET_F * DET_D),
          *demb = malloc(sizeof(float) * DET_B * DET_F * DET_D);
    for (int i = 0; i < DET_B * DET_F; i++) {
        ids[i] = (int)sp_rng_below(&rng, DET_V / 4) * 4 + i % DET_F; /* repeats across the batch */
        w[i] = (float)sp_rng_uniform(&rng) + 0.5f;
    }
    for (int i = 0; i < DET_B; i++)
        y[i] = (float)((ids[i * DET_F] + ids[i * DET_F + 1]) % 3 == 0);
    for (int s = 0; s < DET_STEPS; s++)
        losses[s] = det_step(&d, ids, w, y, emb, demb, &rng);
    *n_values = d.P.n_values;
    *final_values = malloc(sizeof(float) * d.P.n_values);
    memcpy(*final_values, d.P.values, sizeof(float) * d.P.n_values);
    free(ids);
    free(w);
    free(y);
    free(emb);
    free(demb);
    det_uninit(&d);
}

static void test_thread_determinism(void **state)
{
    (void)state;
    int threads_before = sp_get_threads();
    double l1[DET_STEPS], l2[DET_STEPS];
    float *v1, *v2;
    size_t n1, n2;
    det_run(1, l1, &v1, &n1);
    det_run(2, l2, &v2, &n2);
    sp_set_threads(threads_before);
    print_message("determinism: losses at 1 thread %.9f .. %.9f, at 2 threads %.9f .. %.9f\n",
                  l1[0], l1[DET_STEPS - 1], l2[0], l2[DET_STEPS - 1]);
    assert_true(l1[DET_STEPS - 1] < l1[0]); /* it trains */
    assert_memory_equal(l1, l2, sizeof l1); /* bit-identical */
    assert_int_equal((int)n1, (int)n2);
    assert_memory_equal(v1, v2, n1 * sizeof(float));
    free(v1);
    free(v2);
}

static void test_mlp_errors(void **state)
{
    (void)state;
    sp_params P;
    sp_params_init(&P);
    sp_mlp m;
    const int sizes[3] = {3, 4, 2}, bad[2] = {3, 0};
    assert_int_equal(sp_mlp_init(&m, &P, 2, bad, SP_ACT_RELU, SP_ACT_IDENTITY, 4), SP_EINVAL);
    assert_int_equal(sp_mlp_init(&m, &P, 3, sizes, SP_ACT_RELU, SP_ACT_IDENTITY, 4), SP_OK);
    assert_int_equal(sp_params_find(&P, "mlp.1.bias"), 3);
    assert_int_equal(sp_params_alloc(&P, NULL), SP_EINVAL); /* random init needs an rng */
    sp_rng rng;
    sp_rng_seed(&rng, 5);
    assert_int_equal(sp_params_alloc(&P, &rng), SP_OK);
    assert_int_equal(sp_params_alloc(&P, &rng), SP_EINVAL);
    float X[15] = {0}, dout[10] = {0};
    const float *out;
    assert_int_equal(sp_mlp_backward(&m, &P, 2, X, dout, NULL), SP_EINVAL);   /* no forward yet */
    assert_int_equal(sp_mlp_forward(&m, &P, 5, X, 0, NULL, &out), SP_EINVAL); /* > max_batch */
    m.dropout = 0.5f;
    assert_int_equal(sp_mlp_forward(&m, &P, 2, X, 1, NULL, &out), SP_EINVAL); /* dropout, no rng */
    assert_non_null(strstr(sp_errmsg(), "mlp layer 0"));
    assert_int_equal(sp_mlp_forward(&m, &P, 2, X, 0, NULL, &out), SP_OK); /* eval: no rng needed */
    sp_mlp_uninit(&m);
    sp_params_uninit(&P);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mlp_gradient),
        cmocka_unit_test(test_mlp_xor),
        cmocka_unit_test(test_mlp_alice_bob_charlie_diana),
        cmocka_unit_test(test_thread_determinism),
        cmocka_unit_test(test_mlp_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
