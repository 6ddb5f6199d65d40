/* activations.c: elementwise activations (identity, ReLU, sigmoid, tanh,
 * leaky ReLU, ELU) and their derivatives, one table row per activation.
 * Guarantees: overflow-free sigmoid, per-element results independent of the
 * thread count; does not allocate. */
#include "nn_internal.h"
#include "spartan/nn.h"
#include <assert.h>
#include <math.h>
#include <string.h>

/* Forward loop: y[i] = EXPR(x[i]) with `v` the input and `a` alpha. */
#define SP_ACT_FORWARD_LOOP(fname, EXPR)                                                           \
    static void fname(float a, size_t n, const float *x, float *y)                                 \
    {                                                                                              \
        (void)a;                                                                                   \
        SP_NN_OMP_FOR(n >= SP_NN_PAR_MIN)                                                          \
        for (size_t i = 0; i < n; i++) {                                                           \
            float v = x[i];                                                                        \
            y[i] = (EXPR);                                                                         \
        }                                                                                          \
    }
/* Backward loop: dx[i] = DERIV * dy[i] with `v` = x[i], `o` = y[i]. */
#define SP_ACT_BACKWARD_LOOP(fname, DERIV)                                                         \
    static void fname(float a, size_t n, const float *x, const float *y, const float *dy,          \
                      float *dx)                                                                   \
    {                                                                                              \
        (void)a;                                                                                   \
        (void)x;                                                                                   \
        (void)y;                                                                                   \
        SP_NN_OMP_FOR(n >= SP_NN_PAR_MIN)                                                          \
        for (size_t i = 0; i < n; i++) {                                                           \
            float v = x[i], o = y[i];                                                              \
            (void)v;                                                                               \
            (void)o;                                                                               \
            dx[i] = (DERIV)*dy[i];                                                                 \
        }                                                                                          \
    }

static inline float sigmoid_stable(float v)
{
    if (v >= 0.0f) return 1.0f / (1.0f + expf(-v));
    float e = expf(v);
    return e / (1.0f + e);
}

SP_ACT_FORWARD_LOOP(identity_fwd, v)
SP_ACT_BACKWARD_LOOP(identity_bwd, 1.0f)
SP_ACT_FORWARD_LOOP(relu_fwd, v > 0.0f ? v : 0.0f)
SP_ACT_BACKWARD_LOOP(relu_bwd, v > 0.0f ? 1.0f : 0.0f)
SP_ACT_FORWARD_LOOP(sigmoid_fwd, sigmoid_stable(v))
SP_ACT_BACKWARD_LOOP(sigmoid_bwd, o *(1.0f - o))
SP_ACT_FORWARD_LOOP(tanh_fwd, tanhf(v))
SP_ACT_BACKWARD_LOOP(tanh_bwd, 1.0f - o * o)
SP_ACT_FORWARD_LOOP(leaky_fwd, v > 0.0f ? v : a * v)
SP_ACT_BACKWARD_LOOP(leaky_bwd, v > 0.0f ? 1.0f : a)
SP_ACT_FORWARD_LOOP(elu_fwd, v > 0.0f ? v : a * expm1f(v))
SP_ACT_BACKWARD_LOOP(elu_bwd, v > 0.0f ? 1.0f : o + a)

typedef struct act_entry {
    const char *name;
    float default_alpha;
    void (*forward)(float, size_t, const float *, float *);
    void (*backward)(float, size_t, const float *, const float *, const float *, float *);
} act_entry;

static const act_entry act_table[] = {
    [SP_ACT_IDENTITY] = {"identity", 0.0f, identity_fwd, identity_bwd},
    [SP_ACT_RELU] = {"relu", 0.0f, relu_fwd, relu_bwd},
    [SP_ACT_SIGMOID] = {"sigmoid", 0.0f, sigmoid_fwd, sigmoid_bwd},
    [SP_ACT_TANH] = {"tanh", 0.0f, tanh_fwd, tanh_bwd},
    [SP_ACT_LEAKY_RELU] = {"leaky_relu", 0.01f, leaky_fwd, leaky_bwd},
    [SP_ACT_ELU] = {"elu", 1.0f, elu_fwd, elu_bwd},
};
static_assert(sizeof act_table / sizeof act_table[0] == SP_ACT_COUNT,
              "act_table must have one row per sp_act");

static int act_valid(sp_act act)
{
    return (int)act >= 0 && act < SP_ACT_COUNT;
}

const char *sp_act_name(sp_act act)
{
    return act_valid(act) ? act_table[act].name : NULL;
}

float sp_act_default_alpha(sp_act act)
{
    return act_valid(act) ? act_table[act].default_alpha : 0;
}

int sp_act_parse(const char *name, sp_act *act)
{
    for (int i = 0; i < SP_ACT_COUNT; i++)
        if (name && strcmp(name, act_table[i].name) == 0) {
            *act = (sp_act)i;
            return SP_OK;
        }
    return sp_error(SP_EINVAL,
                    "unknown activation '%s' (relu, sigmoid, tanh, leaky_relu, elu, "
                    "identity)",
                    name ? name : "(null)");
}

/* x (n) -> y (n). */
int sp_act_forward(sp_act act, float alpha, size_t n, const float *x, float *y)
{
    if (!act_valid(act)) return sp_error(SP_EINVAL, "sp_act_forward: unknown activation %d", act);
    act_table[act].forward(alpha, n, x, y);
    return SP_OK;
}

/* x, y, dy (n) -> dx (n). */
int sp_act_backward(sp_act act, float alpha, size_t n, const float *x, const float *y,
                    const float *dy, float *dx)
{
    if (!act_valid(act)) return sp_error(SP_EINVAL, "sp_act_backward: unknown activation %d", act);
    act_table[act].backward(alpha, n, x, y, dy, dx);
    return SP_OK;
}
