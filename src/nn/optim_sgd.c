/* optim_sgd.c: plain SGD and heavy-ball / Nesterov momentum (PyTorch's form)
 * on one contiguous segment. Serial kernels: sp_optim splits work among
 * threads. Does not apply weight decay (penalties.c does). */
#include "spartan/nn.h"

/* w, g (n): w -= lr g. */
void sp_sgd_kernel(size_t n, float *w, const float *g, float lr)
{
    for (size_t i = 0; i < n; i++)
        w[i] -= lr * g[i];
}

/* w, g, vel (n): vel = mu vel + g; w -= lr vel, or w -= lr (g + mu vel) (Nesterov). */
void sp_momentum_kernel(size_t n, float *w, const float *g, float *vel, float lr, float mu,
                        int nesterov)
{
    for (size_t i = 0; i < n; i++) {
        vel[i] = mu * vel[i] + g[i];
        w[i] -= lr * (nesterov ? g[i] + mu * vel[i] : vel[i]);
    }
}
