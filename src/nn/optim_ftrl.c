/* optim_ftrl.c: FTRL-proximal (McMahan et al. 2013, "Ad click prediction: a
 * view from the trenches", Algorithm 1) per coordinate on one segment.
 * Guarantees exact zeros where |z| <= l1 (sparsity); serial kernel. */
#include "spartan/nn.h"
#include <math.h>

/* w, g, z, acc (n): sigma = (sqrt(acc + g^2) - sqrt(acc)) / alpha;
 * z += g - sigma w; acc += g^2;
 * w = 0 if |z| <= l1, else -(z - sign(z) l1) / ((beta + sqrt(acc)) / alpha + l2). */
void sp_ftrl_kernel(size_t n, float *w, const float *g, float *z, float *acc, float alpha,
                    float beta, float l1, float l2)
{
    for (size_t i = 0; i < n; i++) {
        float n_new = acc[i] + g[i] * g[i];
        float sigma = (sqrtf(n_new) - sqrtf(acc[i])) / alpha;
        z[i] += g[i] - sigma * w[i];
        acc[i] = n_new;
        float zi = z[i];
        if (fabsf(zi) <= l1)
            w[i] = 0.0f;
        else
            w[i] = -(zi - copysignf(l1, zi)) / ((beta + sqrtf(n_new)) / alpha + l2);
    }
}
