/* optim_adam.c: Adam (Kingma & Ba) with bias correction, PyTorch's placement
 * of eps, on one contiguous segment at step t >= 1. Serial kernel: sp_optim
 * splits work among threads and makes it lazy for sparse rows. */
#include "spartan/nn.h"
#include <math.h>

/* w, g, m, v (n): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps). */
void sp_adam_kernel(size_t n, float *w, const float *g, float *m, float *v, float lr, double beta1,
                    double beta2, double eps, int64_t t)
{
    double tt = (double)(t < 1 ? 1 : t);
    float b1 = (float)beta1, c1 = (float)(1.0 - beta1);
    float b2 = (float)beta2, c2 = (float)(1.0 - beta2), epsf = (float)eps;
    float inv_bc1 = (float)(1.0 / (1.0 - pow(beta1, tt)));
    float inv_bc2 = (float)(1.0 / (1.0 - pow(beta2, tt)));
    for (size_t i = 0; i < n; i++) {
        m[i] = b1 * m[i] + c1 * g[i];
        v[i] = b2 * v[i] + c2 * g[i] * g[i];
        w[i] -= lr * (m[i] * inv_bc1) / (sqrtf(v[i] * inv_bc2) + epsf);
    }
}
