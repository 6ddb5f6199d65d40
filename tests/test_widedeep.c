/* test_widedeep.c: the Wide & Deep model: the gradient of every parameter
 * (wide rows, wide bias, embedding rows with the lazy L2 term, MLP) against
 * central differences of an independent double-precision model; training on
 * a synthetic click log drawn from a known logistic model recovers the true
 * model's AUC within 0.01; bad configurations and ids are refused. */
#include "spartan/train.h"
#include "test_nn_util.h"
#include "test_util.h"
#include <string.h>

/* ---- double reference ---------------------------------------------------- */

typedef struct wd_ref {
    const sp_widedeep *m;
    int B;
    const int *ids;
    const float *w, *y;
    double *theta; /* all values, P's layout */
} wd_ref;

/* MLP layer l of the reference: h_out (out) = act(W h_in + b). */
static void ref_layer(const wd_ref *r, int l, const double *h_in, double *h_out)
{
    const sp_widedeep *m = r->m;
    int in = m->mlp.sizes[l], out = m->mlp.sizes[l + 1], last = l + 1 == m->mlp.nlayers;
    const double *W = r->theta + m->P.info[m->mlp.w_index[l]].offset;
    const double *b = r->theta + m->P.info[m->mlp.b_index[l]].offset;
    for (int j = 0; j < out; j++) {
        double z = b[j];
        for (int k = 0; k < in; k++)
            z += W[j * in + k] * h_in[k];
        h_out[j] = last ? z : nn_act_ref(m->cfg.act, m->mlp.alpha, z);
    }
}

static double ref_logit(const wd_ref *r, int s)
{
    const sp_widedeep *m = r->m;
    int F = m->cfg.fields, D = m->cfg.emb_dim;
    const double *Ww = r->theta + m->P.info[m->i_wide_w].offset;
    const double *E = r->theta + m->P.info[m->i_emb].offset;
    double wide = r->theta[m->P.info[m->i_wide_b].offset], h[2][64];
    for (int f = 0; f < F; f++) {
        int id = r->ids[s * F + f];
        double wt = r->w[s * F + f];
        wide += wt * Ww[id];
        for (int d = 0; d < D; d++)
            h[0][f * D + d] = wt * E[id * D + d];
    }
    int cur = 0;
    for (int l = 0; l < m->mlp.nlayers; l++, cur = 1 - cur)
        ref_layer(r, l, h[cur], h[1 - cur]);
    return wide + h[cur][0];
}

/* mean logistic loss + (l2/2) sum over the batch's distinct rows of ||E_r||^2. */
static double ref_loss(void *ctx)
{
    const wd_ref *r = ctx;
    const sp_widedeep *m = r->m;
    double L = 0.0;
    for (int s = 0; s < r->B; s++) {
        double z = ref_logit(r, s);
        L += fmax(z, 0.0) - z * r->y[s] + log1p(exp(-fabs(z)));
    }
    L /= r->B;
    const double *E = r->theta + m->P.info[m->i_emb].offset;
    int seen[64] = {0}, D = m->cfg.emb_dim;
    for (int p = 0; p < r->B * m->cfg.fields; p++) {
        int id = r->ids[p];
        if (seen[id]++) continue;
        for (int d = 0; d < D; d++)
            L += 0.5 * m->cfg.l2_emb * E[id * D + d] * E[id * D + d];
    }
    return L;
}

/* Dense copy g (n_values) of all gradients: dense grads and the two sparse tables. */
static void gather_grads(const sp_widedeep *m, float *g)
{
    memset(g, 0, m->P.n_values * sizeof(float));
    for (int i = 0; i < m->P.count; i++) {
        const sp_param_info *p = &m->P.info[i];
        const float *src = sp_params_grad(&m->P, i);
        if (src) memcpy(g + p->offset, src, (size_t)p->rows * p->cols * sizeof(float));
    }
    const sp_sparse_grad *sg[2] = {&m->g_wide, &m->g_emb};
    size_t off[2] = {m->P.info[m->i_wide_w].offset, m->P.info[m->i_emb].offset};
    for (int t = 0; t < 2; t++)
        for (int u = 0; u < sg[t]->n; u++)
            for (int d = 0; d < sg[t]->dim; d++)
                g[off[t] + (size_t)sg[t]->rows[u] * sg[t]->dim + d] = sg[t]->vals[u * sg[t]->dim + d];
}

static double gradient_trial(sp_act act, uint64_t seed, sp_wd_first_layer first)
{
    sp_widedeep_config cfg;
    sp_widedeep_config_default(&cfg);
    cfg.fields = 4;
    cfg.n_ids = 9;
    cfg.emb_dim = 3;
    cfg.n_deep = 2;
    cfg.deep[0] = 5;
    cfg.deep[1] = 4;
    cfg.act = act;
    cfg.init_scale = 0.5f;
    cfg.l2_emb = 0.1f;
    cfg.max_batch = 8;
    cfg.first_layer = first;
    sp_widedeep m;
    assert_int_equal(sp_widedeep_init(&m, &cfg, seed), SP_OK);
    sp_rng rng;
    sp_rng_seed(&rng, seed + 1);
    enum { B = 6 };
    int ids[B * 4];
    float w[B * 4], y[B], z[B], dz[B];
    for (int p = 0; p < B * 4; p++) {
        ids[p] = nn_rand_int(&rng, 0, 8);
        w[p] = (float)(0.2 + sp_rng_uniform(&rng));
    }
    for (int s = 0; s < B; s++)
        y[s] = (float)(sp_rng_uniform(&rng) < 0.4);
    double loss;
    assert_int_equal(sp_widedeep_forward(&m, B, ids, w, z), SP_OK);
    assert_int_equal(sp_loss_logistic(B, z, y, dz, &loss), SP_OK);
    assert_int_equal(sp_widedeep_backward(&m, B, ids, w, dz), SP_OK);
    size_t n = m.P.n_values;
    double *theta = malloc(n * 8), *fd = malloc(n * 8);
    float *g = malloc(n * 4);
    for (size_t i = 0; i < n; i++)
        theta[i] = m.P.values[i];
    wd_ref r = {&m, B, ids, w, y, theta};
    double zref = ref_logit(&r, 0);
    assert_small(z[0] - zref, 1e-5);
    nn_fd_gradient(ref_loss, &r, theta, n, 1e-6, fd);
    gather_grads(&m, g);
    double err = nn_rel_err(n, g, fd, 1e-3);
    free(theta);
    free(fd);
    free(g);
    sp_widedeep_uninit(&m);
    return err;
}

static void test_gradient(void **state)
{
    (void)state;
    const sp_act acts[] = {SP_ACT_TANH, SP_ACT_RELU, SP_ACT_ELU};
    const char *first_name[] = {"auto", "dense", "pairs"};
    for (int first = 0; first < SP_WD_FIRST_COUNT; first++)
        for (int a = 0; a < 3; a++)
            for (uint64_t seed = 1; seed <= 3; seed++) {
                double err = gradient_trial(acts[a], seed, (sp_wd_first_layer)first);
                print_message("gradient %s, first layer %s, seed %d: relative error %.2e "
                              "(tolerance 1e-4)\n", sp_act_name(acts[a]), first_name[first],
                              (int)seed, err);
                assert_small(err, 1e-4);
            }
}

/* ---- synthetic click log ------------------------------------------------- */

enum { SYN_FIELDS = 6, SYN_CARD = 15 };

/* n rows: field f takes id f*CARD + k (k uniform), weight 1; label ~
 * Bernoulli(sigmoid(-1 + sum_f beta[id])): a known logistic model. */
static void synth_data(sp_ctr_data *d, int64_t n, const double *beta, sp_rng *rng, float *true_z)
{
    assert_int_equal(sp_ctr_data_init(d, n, SYN_FIELDS), SP_OK);
    for (int64_t i = 0; i < n; i++) {
        double z = -1.0;
        for (int f = 0; f < SYN_FIELDS; f++) {
            int id = f * SYN_CARD + (int)sp_rng_below(rng, SYN_CARD);
            d->ids[i * SYN_FIELDS + f] = id;
            d->weights[i * SYN_FIELDS + f] = 1.0f;
            z += beta[id];
        }
        true_z[i] = (float)z;
        d->labels[i] = (float)(sp_rng_uniform(rng) < 1.0 / (1.0 + exp(-z)));
    }
}

static void test_synthetic_recovers_auc(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 99);
    double beta[SYN_FIELDS * SYN_CARD];
    for (int i = 0; i < SYN_FIELDS * SYN_CARD; i++)
        beta[i] = 0.8 * sp_rng_normal(&rng);
    enum { NTRAIN = 12000, NVALID = 4000 };
    float *zt = malloc(NTRAIN * 4), *zv = malloc(NVALID * 4), *p = malloc(NVALID * 4);
    sp_ctr_data tr, va;
    synth_data(&tr, NTRAIN, beta, &rng, zt);
    synth_data(&va, NVALID, beta, &rng, zv);
    double true_auc, auc;
    assert_int_equal(sp_auc(NVALID, zv, va.labels, &true_auc), SP_OK);

    sp_widedeep_config cfg;
    sp_widedeep_config_default(&cfg);
    cfg.fields = SYN_FIELDS;
    cfg.n_ids = SYN_FIELDS * SYN_CARD;
    cfg.emb_dim = 4;
    cfg.n_deep = 1;
    cfg.deep[0] = 16;
    cfg.max_batch = 256;
    cfg.wide_opt.lr = 0.5f;
    cfg.deep_opt.lr = 1e-2f;
    sp_widedeep m;
    assert_int_equal(sp_widedeep_init(&m, &cfg, 5), SP_OK);
    sp_train_options to;
    sp_train_options_default(&to);
    to.epochs = 6;
    to.batch = 256;
    sp_train_history h;
    sp_train_history_init(&h);
    assert_int_equal(sp_widedeep_train(&m, &tr, &va, &to, &h), SP_OK);
    assert_int_equal(h.n, 6);
    assert_int_equal(sp_widedeep_predict(&m, NVALID, va.ids, va.weights, p), SP_OK);
    assert_int_equal(sp_auc(NVALID, p, va.labels, &auc), SP_OK);
    for (int e = 0; e < h.n; e++) print_message("epoch %d auc %.4f loss %.4f\n", e + 1, h.epochs[e].valid_auc, h.epochs[e].valid_logloss);
    print_message("synthetic: true AUC %.4f, trained %.4f (history %.4f), |diff| tolerance 0.01\n",
                  true_auc, auc, h.epochs[5].valid_auc);
    assert_small(auc - true_auc, 0.01);
    assert_small(auc - h.epochs[5].valid_auc, 1e-6);
    /* the history's training loss goes down */
    assert_true(h.epochs[5].train_loss < h.epochs[0].train_loss);
    sp_train_history_uninit(&h);
    sp_widedeep_uninit(&m);
    sp_ctr_data_uninit(&tr);
    sp_ctr_data_uninit(&va);
    free(zt);
    free(zv);
    free(p);
}

/* ---- refusals ------------------------------------------------------------- */

static void test_bad_input(void **state)
{
    (void)state;
    sp_widedeep_config cfg;
    sp_widedeep_config_default(&cfg);
    sp_widedeep m;
    assert_int_equal(sp_widedeep_init(&m, &cfg, 1), SP_EINVAL); /* n_ids = 0 */
    assert_non_null(strstr(sp_errmsg(), "n_ids"));
    cfg.n_ids = 50;
    cfg.fields = 2;
    cfg.emb_dim = 2;
    cfg.n_deep = 1;
    cfg.deep[0] = 3;
    cfg.max_batch = 4;
    assert_int_equal(sp_widedeep_init(&m, &cfg, 1), SP_OK);
    int ids[4] = {1, 2, 3, 50};
    float w[4] = {1, 1, 1, 1}, z[2];
    assert_int_equal(sp_widedeep_forward(&m, 2, ids, w, z), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "id 50"));
    assert_int_equal(sp_widedeep_forward(&m, 5, ids, w, z), SP_EINVAL);
    sp_widedeep_uninit(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradient),
        cmocka_unit_test(test_synthetic_recovers_auc),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
