/* widedeep.c: the Wide & Deep model (MindSpore's wide_and_deep): a wide
 * linear part over the sparse ids, a deep MLP over the concatenated field
 * embeddings, one logit, FTRL for the wide part and (lazy) Adam for the deep.
 * Guarantees: sparse table updates touch only the batch's rows; results are
 * bit-identical at any thread count. Does not read data or loop over epochs. */
#include "nn_internal.h"
#include "spartan/train.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void sp_widedeep_config_default(sp_widedeep_config *c)
{
    memset(c, 0, sizeof *c);
    c->fields = SP_CRITEO_FIELDS;
    c->emb_dim = 80;
    c->n_deep = 4;
    c->deep[0] = 1024;
    c->deep[1] = 512;
    c->deep[2] = 256;
    c->deep[3] = 128;
    c->act = SP_ACT_RELU;
    c->init_scale = 0.01f;
    c->l2_emb = 8e-5f;
    c->wide_opt = sp_optim_defaults(SP_OPT_FTRL);
    c->wide_opt.lr = 5e-2f;
    c->wide_opt.l1 = 1e-8f;
    c->wide_opt.l2 = 1e-8f;
    c->wide_opt.initial_accumulator = 1.0f;
    c->deep_opt = sp_optim_defaults(SP_OPT_ADAM);
    c->deep_opt.lr = 3.5e-4f;
    c->deep_opt.eps = 1e-8;
    c->max_batch = 16000;
}

int sp_widedeep_config_check(const sp_widedeep_config *c)
{
    if (c->fields < 1 || c->n_ids < 1 || c->emb_dim < 1)
        return sp_error(SP_EINVAL, "widedeep: fields %d, n_ids %d, emb_dim %d must be >= 1",
                        c->fields, c->n_ids, c->emb_dim);
    if ((int64_t)c->fields * c->emb_dim > (1 << 24))
        return sp_error(SP_EINVAL, "widedeep: fields x emb_dim = %d x %d too large", c->fields,
                        c->emb_dim);
    if (c->n_deep < 0 || c->n_deep > SP_WD_MAX_DEEP)
        return sp_error(SP_EINVAL, "widedeep: %d deep layers (0 to %d)", c->n_deep,
                        SP_WD_MAX_DEEP);
    for (int l = 0; l < c->n_deep; l++)
        if (c->deep[l] < 1)
            return sp_error(SP_EINVAL, "widedeep: deep layer %d has size %d", l + 1, c->deep[l]);
    if (c->max_batch < 1) return sp_error(SP_EINVAL, "widedeep: max_batch %d < 1", c->max_batch);
    if (!(c->init_scale >= 0.0f) || !(c->l2_emb >= 0.0f) || !(c->dropout >= 0.0f) ||
        !(c->dropout < 1.0f))
        return sp_error(SP_EINVAL, "widedeep: init_scale, l2_emb >= 0 and dropout in [0, 1)");
    if (!sp_act_name(c->act)) return sp_error(SP_EINVAL, "widedeep: unknown activation");
    if ((int)c->first_layer < 0 || c->first_layer >= SP_WD_FIRST_COUNT)
        return sp_error(SP_EINVAL, "widedeep: first_layer %d unknown", (int)c->first_layer);
    return SP_OK;
}

/* Declare the tables, then the MLP ("deep.<l>.*"), re-initialised N(0, s^2). */
static int widedeep_declare(sp_widedeep *m)
{
    const sp_widedeep_config *c = &m->cfg;
    int sizes[SP_WD_MAX_DEEP + 2], ns = 0;
    sizes[ns++] = c->fields * c->emb_dim;
    for (int l = 0; l < c->n_deep; l++)
        sizes[ns++] = c->deep[l];
    sizes[ns++] = 1;
    m->i_wide_w = sp_params_add(&m->P, "wide.weight", c->n_ids, 1, SP_INIT_NORMAL, c->init_scale,
                                SP_PARAM_SPARSE_GRAD);
    m->i_wide_b = sp_params_add(&m->P, "wide.bias", 1, 1, SP_INIT_ZEROS, 0.0f, 0);
    m->i_emb = sp_params_add(&m->P, "deep.embedding", c->n_ids, c->emb_dim, SP_INIT_NORMAL,
                             c->init_scale, SP_PARAM_SPARSE_GRAD);
    if (m->i_wide_w < 0 || m->i_wide_b < 0 || m->i_emb < 0) return SP_EINVAL;
    int rc = sp_mlp_init_named(&m->mlp, &m->P, "deep", ns, sizes, c->act, SP_ACT_IDENTITY,
                               c->max_batch);
    if (rc < 0) return rc;
    m->mlp.dropout = c->dropout;
    for (int i = m->i_emb + 1; i < m->P.count; i++) {
        m->P.info[i].init = SP_INIT_NORMAL;
        m->P.info[i].scale = c->init_scale;
    }
    return SP_OK;
}

/* Batch buffers (the dense first layer's input and its gradient come later). */
static int widedeep_buffers(sp_widedeep *m)
{
    const sp_widedeep_config *c = &m->cfg;
    size_t B = (size_t)c->max_batch;
    int rc = sp_field_linear_init(&m->first, c->fields, c->n_ids, c->emb_dim,
                                  c->n_deep > 0 ? c->deep[0] : 1);
    if (rc < 0) return rc;
    m->z = sp_malloc(B * sizeof(float));
    m->dz = sp_malloc(B * sizeof(float));
    m->y = sp_malloc(B * sizeof(float));
    m->b_ids = sp_malloc(B * (size_t)c->fields * sizeof(int));
    m->b_w = sp_malloc(B * (size_t)c->fields * sizeof(float));
    if (!m->z || !m->dz || !m->y || !m->b_ids || !m->b_w) return SP_ENOMEM;
    return SP_OK;
}

/* The dense first layer's (max_batch, fields*emb_dim) input and gradient. */
static int widedeep_dense_buffers(sp_widedeep *m)
{
    if (m->x_deep) return SP_OK;
    const sp_widedeep_config *c = &m->cfg;
    size_t X = (size_t)c->max_batch * (size_t)c->fields * (size_t)c->emb_dim;
    m->x_deep = sp_malloc(X * sizeof(float));
    m->dx_deep = sp_malloc(X * sizeof(float));
    if (m->x_deep && m->dx_deep) return SP_OK;
    free(m->x_deep);
    free(m->dx_deep);
    m->x_deep = m->dx_deep = NULL;
    return SP_ENOMEM;
}

/* Optimizer ranges: wide = [wide.weight, wide.bias], deep = the rest. */
static int widedeep_optimizers(sp_widedeep *m)
{
    const sp_param_info *emb = &m->P.info[m->i_emb];
    int rc = sp_optim_init(&m->opt_wide, &m->cfg.wide_opt, emb->offset);
    if (rc < 0) return sp_error_prefix(rc, "wide optimizer: ");
    rc = sp_optim_init(&m->opt_deep, &m->cfg.deep_opt, m->P.n_values - emb->offset);
    if (rc < 0) return sp_error_prefix(rc, "deep optimizer: ");
    return SP_OK;
}

int sp_widedeep_init(sp_widedeep *m, const sp_widedeep_config *cfg, uint64_t seed)
{
    memset(m, 0, sizeof *m);
    int rc = sp_widedeep_config_check(cfg);
    if (rc < 0) return rc;
    m->cfg = *cfg;
    m->seed = seed;
    sp_params_init(&m->P);
    sp_rng init_rng;
    sp_rng_seed_stream(&init_rng, seed, 0);
    sp_rng_seed_stream(&m->rng, seed, 1);
    if ((rc = widedeep_declare(m)) == SP_OK && (rc = sp_params_alloc(&m->P, &init_rng)) == SP_OK &&
        (rc = sp_sparse_grad_init(&m->g_wide, cfg->n_ids, 1)) == SP_OK &&
        (rc = sp_sparse_grad_init(&m->g_emb, cfg->n_ids, cfg->emb_dim)) == SP_OK &&
        (rc = widedeep_buffers(m)) == SP_OK)
        rc = widedeep_optimizers(m);
    if (rc < 0) sp_widedeep_uninit(m);
    return rc;
}

void sp_widedeep_uninit(sp_widedeep *m)
{
    sp_mlp_uninit(&m->mlp);
    sp_params_uninit(&m->P);
    sp_sparse_grad_uninit(&m->g_wide);
    sp_sparse_grad_uninit(&m->g_emb);
    sp_optim_uninit(&m->opt_wide);
    sp_optim_uninit(&m->opt_deep);
    sp_field_linear_uninit(&m->first);
    free(m->x_deep);
    free(m->dx_deep);
    free(m->z);
    free(m->dz);
    free(m->y);
    free(m->b_ids);
    free(m->b_w);
    memset(m, 0, sizeof *m);
}

/* 1 when the first deep layer of this batch goes per (field, id) pair. */
static int widedeep_use_pairs(sp_widedeep *m, int B, const int *ids, int *rc)
{
    const sp_widedeep_config *c = &m->cfg;
    *rc = SP_OK;
    if (c->first_layer == SP_WD_FIRST_DENSE) return 0;
    int U = sp_field_linear_plan(&m->first, B, ids);
    if (U < 0) *rc = U;
    return U >= 0 && (c->first_layer == SP_WD_FIRST_PAIRS || (int64_t)U * 2 <= (int64_t)B * c->fields);
}

/* Deep part of ids, w (B, F) -> *deep (B) (a pointer into the MLP). */
static int widedeep_deep_forward(sp_widedeep *m, int B, const int *ids, const float *w, int train,
                                 const float **deep)
{
    const sp_widedeep_config *c = &m->cfg;
    int rc;
    m->first_by_pairs = widedeep_use_pairs(m, B, ids, &rc);
    if (rc < 0) return rc;
    if (m->first_by_pairs) {
        sp_mlp *mlp = &m->mlp;
        rc = sp_field_linear_forward(&m->first, w, sp_params_value(&m->P, m->i_emb),
                                     sp_params_value(&m->P, mlp->w_index[0]),
                                     sp_params_value(&m->P, mlp->b_index[0]), mlp->pre[0]);
        return rc < 0 ? rc : sp_mlp_forward_from_pre0(mlp, &m->P, B, train, &m->rng, deep);
    }
    if ((rc = widedeep_dense_buffers(m)) < 0) return rc;
    rc = sp_embedding_forward(B, c->fields, c->n_ids, c->emb_dim, ids, w,
                              sp_params_value(&m->P, m->i_emb), SP_EMB_CONCAT, m->x_deep);
    return rc < 0 ? rc : sp_mlp_forward(&m->mlp, &m->P, B, m->x_deep, train, &m->rng, deep);
}

/* ids, w (B, F) -> z (B) = wide + deep; train = 1 applies dropout. */
static int widedeep_forward(sp_widedeep *m, int B, const int *ids, const float *w, int train,
                            float *z)
{
    const sp_widedeep_config *c = &m->cfg;
    if (B < 1 || B > c->max_batch)
        return sp_error(SP_EINVAL, "widedeep: batch %d outside [1, %d]", B, c->max_batch);
    int rc = sp_embedding_forward(B, c->fields, c->n_ids, 1, ids, w,
                                  sp_params_value(&m->P, m->i_wide_w), SP_EMB_SUM, z);
    const float *deep = NULL;
    if (rc == SP_OK) rc = widedeep_deep_forward(m, B, ids, w, train, &deep);
    if (rc < 0) return sp_error_prefix(rc, "widedeep forward: ");
    float bias = sp_params_value(&m->P, m->i_wide_b)[0];
    for (int b = 0; b < B; b++)
        z[b] += bias + deep[b];
    return SP_OK;
}

int sp_widedeep_forward(sp_widedeep *m, int B, const int *ids, const float *w, float *z)
{
    return widedeep_forward(m, B, ids, w, 1, z);
}

/* Deep part of the backward: MLP, first layer, embedding rows. */
static int widedeep_deep_backward(sp_widedeep *m, int B, const int *ids, const float *w,
                                  const float *dz)
{
    const sp_widedeep_config *c = &m->cfg;
    sp_mlp *mlp = &m->mlp;
    if (!m->first_by_pairs) {
        int rc = sp_mlp_backward(mlp, &m->P, B, m->x_deep, dz, m->dx_deep);
        return rc < 0 ? rc
                      : sp_embedding_backward(B, c->fields, ids, w, SP_EMB_CONCAT, m->dx_deep,
                                              &m->g_emb);
    }
    if (B != m->first.B)
        return sp_error(SP_EINVAL, "batch %d but the last forward had %d", B, m->first.B);
    const float *dpre0 = NULL;
    int rc = sp_mlp_backward_to_pre0(mlp, &m->P, B, dz, &dpre0);
    if (rc < 0) return rc;
    return sp_field_linear_backward(&m->first, w, sp_params_value(&m->P, mlp->w_index[0]), dpre0,
                                    sp_params_grad(&m->P, mlp->w_index[0]),
                                    sp_params_grad(&m->P, mlp->b_index[0]), &m->g_emb);
}

/* dz (B): wide rows, bias, MLP, embedding rows (+ lazy L2 on those rows). */
int sp_widedeep_backward(sp_widedeep *m, int B, const int *ids, const float *w, const float *dz)
{
    const sp_widedeep_config *c = &m->cfg;
    int rc = sp_embedding_backward(B, c->fields, ids, w, SP_EMB_SUM, dz, &m->g_wide);
    if (rc < 0) return sp_error_prefix(rc, "widedeep backward (wide): ");
    double db = 0.0;
    for (int b = 0; b < B; b++)
        db += dz[b];
    sp_params_grad(&m->P, m->i_wide_b)[0] += (float)db;
    rc = widedeep_deep_backward(m, B, ids, w, dz);
    if (rc < 0) return sp_error_prefix(rc, "widedeep backward (deep): ");
    if (c->l2_emb > 0.0f) sp_penalty_l2_rows(sp_params_value(&m->P, m->i_emb), c->l2_emb, &m->g_emb);
    return SP_OK;
}

int sp_widedeep_update(sp_widedeep *m)
{
    sp_optim_tick(&m->opt_wide);
    sp_optim_tick(&m->opt_deep);
    int rc = sp_optim_update_params(&m->opt_wide, &m->P, m->i_wide_w, 2);
    if (rc == SP_OK)
        rc = sp_optim_update_rows(&m->opt_wide, 0, sp_params_value(&m->P, m->i_wide_w), &m->g_wide);
    if (rc == SP_OK) rc = sp_optim_update_params(&m->opt_deep, &m->P, m->i_emb, m->P.count - m->i_emb);
    if (rc == SP_OK)
        rc = sp_optim_update_rows(&m->opt_deep, 0, sp_params_value(&m->P, m->i_emb), &m->g_emb);
    sp_params_zero_grads(&m->P);
    sp_sparse_grad_clear(&m->g_wide);
    sp_sparse_grad_clear(&m->g_emb);
    if (rc == SP_OK) m->step++;
    return rc;
}

/* First non-finite sparse gradient entry: SP_EINVAL naming the table row. */
static int sparse_grad_check(const sp_sparse_grad *g, const char *name)
{
    ptrdiff_t bad = sp_first_nonfinite((size_t)g->n * (size_t)g->dim, g->vals);
    if (bad < 0) return SP_OK;
    return sp_error(SP_EINVAL, "gradient of parameter '%s' is %g at (%d, %td)", name,
                    (double)g->vals[bad], g->rows[bad / g->dim], bad % g->dim);
}

/* Finiteness of the gradients, output layer first (where a blow-up shows first). */
static int widedeep_check_grads(const sp_widedeep *m)
{
    for (int i = m->P.count - 1; i > m->i_emb; i--) {
        const sp_param_info *p = &m->P.info[i];
        const float *g = sp_params_grad(&m->P, i);
        ptrdiff_t bad = sp_first_nonfinite((size_t)p->rows * (size_t)p->cols, g);
        if (bad >= 0)
            return sp_error(SP_EINVAL, "gradient of parameter '%s' is %g at (%td, %td)", p->name,
                            (double)g[bad], bad / p->cols, bad % p->cols);
    }
    int rc = sparse_grad_check(&m->g_emb, "deep.embedding");
    if (rc == SP_OK) rc = sparse_grad_check(&m->g_wide, "wide.weight");
    if (rc == SP_OK && !isfinite(sp_params_grad(&m->P, m->i_wide_b)[0]))
        rc = sp_error(SP_EINVAL, "gradient of parameter 'wide.bias' is not finite");
    return rc;
}

/* The loss of a batch of B is not finite: name the first parameter with a
 * non-finite value, else the first layer whose output overflowed. */
static int widedeep_bad_loss(const sp_widedeep *m, int B, double loss)
{
    const char *what = isnan(loss) ? "nan" : "inf";
    long long step = (long long)m->step + 1;
    if (sp_params_check_finite(&m->P, 0) < 0)
        return sp_error_prefix(SP_EINVAL, "step %lld: loss is %s: ", step, what);
    size_t width = (size_t)m->cfg.fields * (size_t)m->cfg.emb_dim;
    if (!m->first_by_pairs && sp_first_nonfinite((size_t)B * width, m->x_deep) >= 0)
        return sp_error(SP_EINVAL, "step %lld: loss is %s: the embedding output overflowed", step, what);
    for (int l = 0; l < m->mlp.nlayers; l++)
        if (sp_first_nonfinite((size_t)B * (size_t)m->mlp.sizes[l + 1], m->mlp.pre[l]) >= 0)
            return sp_error(SP_EINVAL,
                            "step %lld: loss is %s: the output of layer 'deep.%d' overflowed "
                            "(its weights are finite; lower the learning rates)", step, what, l);
    return sp_error(SP_EINVAL, "step %lld: loss is %s: the wide part overflowed", step, what);
}

int sp_widedeep_train_step(sp_widedeep *m, int B, const int *ids, const float *w, const float *y,
                           double *loss)
{
    int rc = widedeep_forward(m, B, ids, w, 1, m->z);
    if (rc < 0) return rc;
    double L = 0.0;
    rc = sp_loss_logistic((size_t)B, m->z, y, m->dz, &L);
    if (rc < 0) return rc;
    if (!isfinite(L)) return widedeep_bad_loss(m, B, L);
    rc = sp_widedeep_backward(m, B, ids, w, m->dz);
    if (rc == SP_OK && (rc = widedeep_check_grads(m)) < 0) {
        sp_params_zero_grads(&m->P);
        sp_sparse_grad_clear(&m->g_wide);
        sp_sparse_grad_clear(&m->g_emb);
        return sp_error_prefix(rc, "step %lld: ", (long long)m->step + 1);
    }
    if (rc == SP_OK) rc = sp_widedeep_update(m);
    *loss = L;
    return rc;
}

int sp_widedeep_logits(sp_widedeep *m, int64_t n, const int *ids, const float *w, float *z)
{
    int F = m->cfg.fields;
    for (int64_t r0 = 0; r0 < n; r0 += m->cfg.max_batch) {
        int B = (int)(n - r0 < m->cfg.max_batch ? n - r0 : m->cfg.max_batch);
        int rc = widedeep_forward(m, B, ids + r0 * F, w + r0 * F, 0, z + r0);
        if (rc < 0) return rc;
    }
    return SP_OK;
}

int sp_widedeep_predict(sp_widedeep *m, int64_t n, const int *ids, const float *w, float *p)
{
    int rc = sp_widedeep_logits(m, n, ids, w, p);
    if (rc < 0) return rc;
    for (int64_t i = 0; i < n; i++)
        p[i] = (float)(1.0 / (1.0 + exp(-(double)p[i])));
    return SP_OK;
}

double sp_widedeep_penalty(const sp_widedeep *m)
{
    const sp_param_info *e = &m->P.info[m->i_emb];
    return sp_penalty_l2((size_t)e->rows * (size_t)e->cols, sp_params_value(&m->P, m->i_emb),
                         m->cfg.l2_emb, NULL);
}
