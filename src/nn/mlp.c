/* mlp.c: a multilayer perceptron (Linear + activation per layer, optional
 * dropout on hidden outputs) whose weights live in a caller's sp_params.
 * Guarantees forward/backward through GEMM with no per-sample loops and the
 * same result at any thread count; does not own parameters or optimizers. */
#include "spartan/nn.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int mlp_check(int nsizes, const int *sizes, sp_act act, sp_act out_act, int max_batch)
{
    if (nsizes < 2)
        return sp_error(SP_EINVAL, "sp_mlp_init: need >= 2 layer sizes, got %d", nsizes);
    for (int i = 0; i < nsizes; i++)
        if (sizes[i] < 1)
            return sp_error(SP_EINVAL, "sp_mlp_init: size %d of layer %d must be >= 1", sizes[i],
                            i);
    if (max_batch < 1) return sp_error(SP_EINVAL, "sp_mlp_init: max_batch %d < 1", max_batch);
    if (!sp_act_name(act) || !sp_act_name(out_act))
        return sp_error(SP_EINVAL, "sp_mlp_init: unknown activation (%d, %d)", act, out_act);
    return SP_OK;
}

/* Arrays of per-layer pointers and the activation buffers. */
static int mlp_alloc(sp_mlp *m, int max_width)
{
    int L = m->nlayers;
    m->w_index = sp_calloc((size_t)L, sizeof(int));
    m->b_index = sp_calloc((size_t)L, sizeof(int));
    m->pre = sp_calloc((size_t)L, sizeof(float *));
    m->post = sp_calloc((size_t)L, sizeof(float *));
    m->mask = sp_calloc((size_t)L, sizeof(float *));
    m->dropped = sp_calloc((size_t)L, sizeof(float *));
    size_t wide = (size_t)m->max_batch * (size_t)max_width;
    m->work_a = sp_malloc(wide * sizeof(float));
    m->work_b = sp_malloc(wide * sizeof(float));
    if (!m->w_index || !m->b_index || !m->pre || !m->post || !m->mask || !m->dropped ||
        !m->work_a || !m->work_b)
        return SP_ENOMEM;
    for (int l = 0; l < L; l++) {
        size_t n = (size_t)m->max_batch * (size_t)m->sizes[l + 1];
        m->pre[l] = sp_malloc(n * sizeof(float));
        m->post[l] = sp_malloc(n * sizeof(float));
        if (!m->pre[l] || !m->post[l]) return SP_ENOMEM;
    }
    return SP_OK;
}

/* "<prefix>.<l>.weight" (out, in) and ".bias" (1, out), U(-1/sqrt(in), 1/sqrt(in)). */
static int mlp_declare(sp_mlp *m, sp_params *P, const char *prefix)
{
    char name[SP_PARAM_NAME_MAX];
    for (int l = 0; l < m->nlayers; l++) {
        int in = m->sizes[l], out = m->sizes[l + 1];
        float bound = (float)(1.0 / sqrt((double)in));
        snprintf(name, sizeof name, "%s.%d.weight", prefix, l);
        m->w_index[l] = sp_params_add(P, name, out, in, SP_INIT_UNIFORM, bound, 0);
        if (m->w_index[l] < 0) return m->w_index[l];
        snprintf(name, sizeof name, "%s.%d.bias", prefix, l);
        m->b_index[l] = sp_params_add(P, name, 1, out, SP_INIT_UNIFORM, bound, 0);
        if (m->b_index[l] < 0) return m->b_index[l];
    }
    return SP_OK;
}

int sp_mlp_init_named(sp_mlp *m, sp_params *P, const char *prefix, int nsizes, const int *sizes,
                      sp_act act, sp_act out_act, int max_batch)
{
    memset(m, 0, sizeof *m);
    int rc = mlp_check(nsizes, sizes, act, out_act, max_batch);
    if (rc < 0) return rc;
    m->nlayers = nsizes - 1;
    m->act = act;
    m->out_act = out_act;
    m->alpha = sp_act_default_alpha(act);
    m->out_alpha = sp_act_default_alpha(out_act);
    m->max_batch = max_batch;
    m->sizes = sp_malloc((size_t)nsizes * sizeof(int));
    if (!m->sizes) return SP_ENOMEM;
    memcpy(m->sizes, sizes, (size_t)nsizes * sizeof(int));
    int max_width = 0; /* work buffers hold gradients of layer outputs: sizes[1..] */
    for (int i = 1; i < nsizes; i++)
        max_width = sizes[i] > max_width ? sizes[i] : max_width;
    rc = mlp_alloc(m, max_width);
    if (rc == SP_OK) rc = mlp_declare(m, P, prefix ? prefix : "mlp");
    if (rc < 0) sp_mlp_uninit(m);
    return rc;
}

int sp_mlp_init(sp_mlp *m, sp_params *P, int nsizes, const int *sizes, sp_act act, sp_act out_act,
                int max_batch)
{
    return sp_mlp_init_named(m, P, NULL, nsizes, sizes, act, out_act, max_batch);
}

void sp_mlp_uninit(sp_mlp *m)
{
    for (int l = 0; l < m->nlayers; l++) {
        if (m->pre) free(m->pre[l]);
        if (m->post) free(m->post[l]);
        if (m->mask) free(m->mask[l]);
        if (m->dropped) free(m->dropped[l]);
    }
    free(m->pre);
    free(m->post);
    free(m->mask);
    free(m->dropped);
    free(m->w_index);
    free(m->b_index);
    free(m->sizes);
    free(m->work_a);
    free(m->work_b);
    memset(m, 0, sizeof *m);
}

/* Dropout buffers of the hidden layers, allocated on first use. */
static int mlp_dropout_buffers(sp_mlp *m)
{
    for (int l = 0; l + 1 < m->nlayers; l++) {
        if (m->mask[l]) continue;
        size_t n = (size_t)m->max_batch * (size_t)m->sizes[l + 1];
        m->mask[l] = sp_malloc(n * sizeof(float));
        m->dropped[l] = sp_malloc(n * sizeof(float));
        if (!m->mask[l] || !m->dropped[l]) return SP_ENOMEM;
    }
    return SP_OK;
}

/* Hidden layer l's output as seen by layer l + 1. */
static const float *mlp_layer_output(const sp_mlp *m, int l)
{
    return m->last_dropout && l + 1 < m->nlayers ? m->dropped[l] : m->post[l];
}

/* Layers 0..: Linear (skipped for layer 0 when pre0_done: m->pre[0] already
 * holds it), activation, dropout. X (B, sizes[0]) -> *out (B, sizes[nlayers]). */
static int mlp_forward_layers(sp_mlp *m, const sp_params *P, int B, const float *X, int pre0_done,
                              int train, sp_rng *rng, const float **out)
{
    if (B < 1 || B > m->max_batch)
        return sp_error(SP_EINVAL, "sp_mlp_forward: batch %d outside [1, %d]", B, m->max_batch);
    int drop = train && m->dropout > 0.0f && m->nlayers > 1, rc = SP_OK;
    if (drop && (rc = mlp_dropout_buffers(m)) < 0) return rc;
    m->last_dropout = drop;
    const float *in = X;
    for (int l = 0; l < m->nlayers; l++) {
        int last = l + 1 == m->nlayers;
        size_t n = (size_t)B * (size_t)m->sizes[l + 1];
        if (l > 0 || !pre0_done)
            rc = sp_linear_forward(B, m->sizes[l], m->sizes[l + 1], in,
                                   sp_params_value(P, m->w_index[l]),
                                   sp_params_value(P, m->b_index[l]), m->pre[l]);
        if (rc == SP_OK)
            rc = sp_act_forward(last ? m->out_act : m->act, last ? m->out_alpha : m->alpha, n,
                                m->pre[l], m->post[l]);
        if (rc == SP_OK && drop && !last)
            rc = sp_dropout_forward(m->dropout, 1, n, m->post[l], m->mask[l], m->dropped[l], rng);
        if (rc < 0) return sp_error_prefix(rc, "mlp layer %d: ", l);
        in = mlp_layer_output(m, l);
    }
    m->last_batch = B;
    *out = m->post[m->nlayers - 1];
    return SP_OK;
}

int sp_mlp_forward(sp_mlp *m, const sp_params *P, int B, const float *X, int train, sp_rng *rng,
                   const float **out)
{
    return mlp_forward_layers(m, P, B, X, 0, train, rng, out);
}

int sp_mlp_forward_from_pre0(sp_mlp *m, const sp_params *P, int B, int train, sp_rng *rng,
                             const float **out)
{
    return mlp_forward_layers(m, P, B, NULL, 1, train, rng, out);
}

/* Layers nlayers-1 .. 0: parameter grads +=, dX (B, sizes[0]) or NULL. With
 * dpre0 non-NULL, stops at layer 0's pre-activation: *dpre0 (B, sizes[1]) =
 * d/d pre[0] (in m's workspace) and layer 0's Linear is left to the caller. */
static int mlp_backward_layers(sp_mlp *m, sp_params *P, int B, const float *X, const float *dout,
                               float *dX, const float **dpre0)
{
    if (B != m->last_batch)
        return sp_error(SP_EINVAL, "sp_mlp_backward: batch %d but the last forward had %d", B,
                        m->last_batch);
    const float *dA = dout;
    float *bufs[2] = {m->work_a, m->work_b};
    int cur = 0;
    for (int l = m->nlayers - 1; l >= 0; l--) {
        int last = l + 1 == m->nlayers;
        size_t n = (size_t)B * (size_t)m->sizes[l + 1];
        float *dZ = bufs[cur];
        if (m->last_dropout && !last) {
            sp_dropout_backward(n, m->mask[l], dA, dZ);
            dA = dZ;
        }
        int rc = sp_act_backward(last ? m->out_act : m->act, last ? m->out_alpha : m->alpha, n,
                                 m->pre[l], m->post[l], dA, dZ);
        if (rc == SP_OK && l == 0 && dpre0) {
            *dpre0 = dZ;
            return SP_OK;
        }
        const float *in = l == 0 ? X : mlp_layer_output(m, l - 1);
        float *dIn = l == 0 ? dX : bufs[1 - cur];
        if (rc == SP_OK)
            rc = sp_linear_backward(
                B, m->sizes[l], m->sizes[l + 1], in, sp_params_value(P, m->w_index[l]), dZ, dIn,
                sp_params_grad(P, m->w_index[l]), sp_params_grad(P, m->b_index[l]));
        if (rc < 0) return sp_error_prefix(rc, "mlp layer %d: ", l);
        dA = dIn;
        cur = 1 - cur;
    }
    return SP_OK;
}

int sp_mlp_backward(sp_mlp *m, sp_params *P, int B, const float *X, const float *dout, float *dX)
{
    return mlp_backward_layers(m, P, B, X, dout, dX, NULL);
}

int sp_mlp_backward_to_pre0(sp_mlp *m, sp_params *P, int B, const float *dout,
                            const float **dpre0)
{
    return mlp_backward_layers(m, P, B, NULL, dout, NULL, dpre0);
}
