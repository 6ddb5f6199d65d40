/* test_nn_util.h: helpers for the nn test programs: random fills, central
 * finite differences of a double-precision reference loss, and the relative
 * error of a float result against a double reference. */
#ifndef SPARTAN_TEST_NN_UTIL_H
#define SPARTAN_TEST_NN_UTIL_H

#include "spartan/nn.h"
#include <math.h>
#include <stddef.h>

/* x (n) ~ N(0, scale^2), rounded to float; xd (n) the same values in double. */
static inline void nn_fill_normal(sp_rng *rng, size_t n, double scale, float *x, double *xd)
{
    for (size_t i = 0; i < n; i++) {
        x[i] = (float)(scale * sp_rng_normal(rng));
        if (xd) xd[i] = x[i];
    }
}

/* Uniform integer in [lo, hi]. */
static inline int nn_rand_int(sp_rng *rng, int lo, int hi)
{
    return lo + (int)sp_rng_below(rng, (uint64_t)(hi - lo + 1));
}

/* grad (n) = central differences (f(theta + h e_i) - f(theta - h e_i)) / 2h. */
typedef double (*nn_ref_loss)(void *ctx);
static inline void nn_fd_gradient(nn_ref_loss f, void *ctx, double *theta, size_t n, double h,
                                  double *grad)
{
    for (size_t i = 0; i < n; i++) {
        double keep = theta[i];
        theta[i] = keep + h;
        double up = f(ctx);
        theta[i] = keep - h;
        double down = f(ctx);
        theta[i] = keep;
        grad[i] = (up - down) / (2.0 * h);
    }
}

/* max_i |a_i - ref_i| / max(max_i |ref_i|, floor). */
static inline double nn_rel_err(size_t n, const float *a, const double *ref, double floor)
{
    double num = 0.0, den = floor;
    for (size_t i = 0; i < n; i++) {
        num = fmax(num, fabs((double)a[i] - ref[i]));
        den = fmax(den, fabs(ref[i]));
    }
    return num / den;
}

/* Double reference of the activations (written from their definitions). */
static inline double nn_act_ref(sp_act act, double a, double x)
{
    switch (act) {
    case SP_ACT_RELU:
        return x > 0 ? x : 0;
    case SP_ACT_SIGMOID:
        return 1.0 / (1.0 + exp(-x));
    case SP_ACT_TANH:
        return tanh(x);
    case SP_ACT_LEAKY_RELU:
        return x > 0 ? x : a * x;
    case SP_ACT_ELU:
        return x > 0 ? x : a * (exp(x) - 1.0);
    default:
        return x;
    }
}

#endif
