/* dropout.c: inverted dropout with a counter-based mask (splitmix64 of a
 * per-call seed drawn from the caller's sp_rng plus the element index).
 * Guarantees the same mask for the same rng state at any thread count and
 * the identity at evaluation; does not rescale at evaluation (not needed). */
#include "nn_internal.h"
#include "spartan/nn.h"

static inline uint64_t dropout_mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* x (n) -> mask (n), y (n); y may equal x. */
int sp_dropout_forward(float p, int train, size_t n, const float *x, float *mask, float *y,
                       sp_rng *rng)
{
    if (!(p >= 0.0f && p < 1.0f))
        return sp_error(SP_EINVAL, "sp_dropout_forward: p = %g must be in [0, 1)", (double)p);
    if (!train || p == 0.0f) {
        SP_NN_OMP_FOR(n >= SP_NN_PAR_MIN)
        for (size_t i = 0; i < n; i++) {
            mask[i] = 1.0f;
            y[i] = x[i];
        }
        return SP_OK;
    }
    if (!rng) return sp_error(SP_EINVAL, "sp_dropout_forward: training needs an rng");
    uint64_t seed = sp_rng_u64(rng);
    /* keep when the top 53 bits, as a uniform on [0,1), are >= p */
    uint64_t threshold = (uint64_t)((double)p * 9007199254740992.0);
    float keep_scale = 1.0f / (1.0f - p);
    SP_NN_OMP_FOR(n >= SP_NN_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        uint64_t u = dropout_mix(seed ^ dropout_mix((uint64_t)i)) >> 11;
        mask[i] = u >= threshold ? keep_scale : 0.0f;
        y[i] = mask[i] * x[i];
    }
    return SP_OK;
}

/* mask, dy (n) -> dx (n); dx may equal dy. */
void sp_dropout_backward(size_t n, const float *mask, const float *dy, float *dx)
{
    SP_NN_OMP_FOR(n >= SP_NN_PAR_MIN)
    for (size_t i = 0; i < n; i++)
        dx[i] = mask[i] * dy[i];
}
