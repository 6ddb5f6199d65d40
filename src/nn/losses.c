/* losses.c: MSE, binary cross-entropy with logits, softmax cross-entropy:
 * the mean over the batch and its gradient. Guarantees numerically stable
 * formulas (no overflow for any finite logit), double accumulation in a
 * fixed order (same loss at any thread count); does not add penalties. */
#include "nn_internal.h"
#include "spartan/nn.h"
#include <math.h>
#include <stdlib.h>

/* pred, y (n) -> dpred (n) = 2 (pred - y) / n, *loss = mean (pred - y)^2. */
int sp_loss_mse(size_t n, const float *pred, const float *y, float *dpred, double *loss)
{
    if (n == 0) return sp_error(SP_EINVAL, "sp_loss_mse: empty batch");
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double r = (double)pred[i] - (double)y[i];
        sum += r * r;
    }
    if (dpred) {
        float scale = (float)(2.0 / (double)n);
        SP_NN_OMP_FOR(n >= SP_NN_PAR_MIN)
        for (size_t i = 0; i < n; i++)
            dpred[i] = scale * (pred[i] - y[i]);
    }
    *loss = sum / (double)n;
    return SP_OK;
}

/* z, y (n) -> dz (n) = (sigmoid(z) - y) / n, *loss = mean BCE with logits. */
int sp_loss_logistic(size_t n, const float *z, const float *y, float *dz, double *loss)
{
    if (n == 0) return sp_error(SP_EINVAL, "sp_loss_logistic: empty batch");
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!(y[i] >= 0.0f && y[i] <= 1.0f))
            return sp_error(SP_EINVAL, "sp_loss_logistic: label %g of sample %zu outside [0, 1]",
                            (double)y[i], i);
        double zi = z[i];
        sum += fmax(zi, 0.0) - zi * y[i] + log1p(exp(-fabs(zi)));
    }
    if (dz) {
        float inv_n = (float)(1.0 / (double)n);
        SP_NN_OMP_FOR(n >= SP_NN_PAR_MIN)
        for (size_t i = 0; i < n; i++) {
            float v = z[i], s;
            if (v >= 0.0f)
                s = 1.0f / (1.0f + expf(-v));
            else {
                float e = expf(v);
                s = e / (1.0f + e);
            }
            dz[i] = (s - y[i]) * inv_n;
        }
    }
    *loss = sum / (double)n;
    return SP_OK;
}

/* One row z (K): dz (K) = (softmax(z) - onehot(label)) * scale; returns
 * logsumexp(z) - z[label] in double. */
static double softmax_row(int K, const float *z, int label, float scale, float *dz)
{
    float zmax = z[0];
    for (int k = 1; k < K; k++)
        zmax = z[k] > zmax ? z[k] : zmax;
    double sum = 0.0;
    for (int k = 0; k < K; k++)
        sum += exp((double)z[k] - zmax);
    double lse = zmax + log(sum);
    if (dz)
        for (int k = 0; k < K; k++)
            dz[k] = (float)(exp((double)z[k] - lse) - (k == label)) * scale;
    return lse - z[label];
}

/* z (B, K), labels (B) -> dz (B, K), *loss = mean cross-entropy. */
int sp_loss_softmax_xent(int B, int K, const float *z, const int *labels, float *dz, double *loss)
{
    if (B < 1 || K < 1)
        return sp_error(SP_EINVAL, "sp_loss_softmax_xent: batch %d, classes %d", B, K);
    for (int b = 0; b < B; b++)
        if (labels[b] < 0 || labels[b] >= K)
            return sp_error(SP_EINVAL,
                            "sp_loss_softmax_xent: label %d of sample %d outside [0, %d)",
                            labels[b], b, K);
    double *row_loss = sp_malloc((size_t)B * sizeof(double));
    if (!row_loss) return SP_ENOMEM;
    float scale = (float)(1.0 / B);
    SP_NN_OMP_FOR((size_t)B * (size_t)K >= SP_NN_PAR_MIN)
    for (int b = 0; b < B; b++)
        row_loss[b] =
            softmax_row(K, z + (size_t)b * K, labels[b], scale, dz ? dz + (size_t)b * K : NULL);
    double sum = 0.0;
    for (int b = 0; b < B; b++)
        sum += row_loss[b];
    free(row_loss);
    *loss = sum / B;
    return SP_OK;
}
