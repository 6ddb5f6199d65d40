/* optim_adam.c: Adam (Kingma & Ba) with bias correction, PyTorch's placement
 * of eps, on one contiguous segment at step t >= 1. Serial kernel (SSE, four
 * lanes, when the compiler targets it; same bits as the scalar loop):
 * sp_optim splits work among threads and makes it lazy for sparse rows. */
#include "spartan/nn.h"
#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct adam_coef {
    float lr, b1, c1, b2, c2, inv_bc1, inv_bc2, eps;
} adam_coef;

/* Entries [0, n4) four at a time (n4 a multiple of 4); returns n4. */
static size_t adam_lanes(size_t n, float *w, const float *g, float *m, float *v, const adam_coef *k)
{
#if defined(__SSE2__)
    size_t n4 = n & ~(size_t)3;
    __m128 lr = _mm_set1_ps(k->lr), b1 = _mm_set1_ps(k->b1), c1 = _mm_set1_ps(k->c1);
    __m128 b2 = _mm_set1_ps(k->b2), c2 = _mm_set1_ps(k->c2), eps = _mm_set1_ps(k->eps);
    __m128 i1 = _mm_set1_ps(k->inv_bc1), i2 = _mm_set1_ps(k->inv_bc2);
    for (size_t i = 0; i < n4; i += 4) {
        __m128 gi = _mm_loadu_ps(g + i);
        __m128 mi = _mm_add_ps(_mm_mul_ps(b1, _mm_loadu_ps(m + i)), _mm_mul_ps(c1, gi));
        __m128 vi = _mm_add_ps(_mm_mul_ps(b2, _mm_loadu_ps(v + i)), _mm_mul_ps(_mm_mul_ps(c2, gi), gi));
        _mm_storeu_ps(m + i, mi);
        _mm_storeu_ps(v + i, vi);
        __m128 den = _mm_add_ps(_mm_sqrt_ps(_mm_mul_ps(vi, i2)), eps);
        __m128 step = _mm_div_ps(_mm_mul_ps(lr, _mm_mul_ps(mi, i1)), den);
        _mm_storeu_ps(w + i, _mm_sub_ps(_mm_loadu_ps(w + i), step));
    }
    return n4;
#else
    (void)n, (void)w, (void)g, (void)m, (void)v, (void)k;
    return 0;
#endif
}

/* w, g, m, v (n): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps). */
void sp_adam_kernel(size_t n, float *w, const float *g, float *m, float *v, float lr, double beta1,
                    double beta2, double eps, int64_t t)
{
    double tt = (double)(t < 1 ? 1 : t);
    adam_coef k = {lr, (float)beta1, (float)(1.0 - beta1), (float)beta2, (float)(1.0 - beta2),
                   (float)(1.0 / (1.0 - pow(beta1, tt))), (float)(1.0 / (1.0 - pow(beta2, tt))),
                   (float)eps};
    for (size_t i = adam_lanes(n, w, g, m, v, &k); i < n; i++) {
        float gi = g[i];
        m[i] = k.b1 * m[i] + k.c1 * gi;
        v[i] = k.b2 * v[i] + k.c2 * gi * gi;
        w[i] -= k.lr * (m[i] * k.inv_bc1) / (sqrtf(v[i] * k.inv_bc2) + k.eps);
    }
}
