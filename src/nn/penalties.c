/* penalties.c: L1 and L2 weight penalties, dense or on the touched rows of
 * an embedding table. Guarantees double accumulation of the penalty value in
 * a fixed order; does not choose which parameters are penalised. */
#include "nn_internal.h"
#include "spartan/nn.h"
#include <math.h>

/* w (n) -> grad (n) += lambda w; returns (lambda/2) ||w||^2. */
double sp_penalty_l2(size_t n, const float *w, float lambda, float *grad)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += (double)w[i] * w[i];
    if (grad) {
        SP_NN_OMP_FOR(n >= SP_NN_PAR_MIN)
        for (size_t i = 0; i < n; i++)
            grad[i] += lambda * w[i];
    }
    return 0.5 * lambda * sum;
}

/* w (n) -> grad (n) += lambda sign(w); returns lambda ||w||_1. */
double sp_penalty_l1(size_t n, const float *w, float lambda, float *grad)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += fabs((double)w[i]);
    if (grad) {
        SP_NN_OMP_FOR(n >= SP_NN_PAR_MIN)
        for (size_t i = 0; i < n; i++)
            grad[i] += w[i] > 0.0f ? lambda : (w[i] < 0.0f ? -lambda : 0.0f);
    }
    return lambda * sum;
}

/* table (rows, dim), g touched rows -> g rows += lambda w_row;
 * returns (lambda/2) sum over touched rows of ||w_row||^2. */
double sp_penalty_l2_rows(const float *table, float lambda, sp_sparse_grad *g)
{
    size_t D = (size_t)g->dim;
    double sum = 0.0;
    for (int u = 0; u < g->n; u++) {
        const float *row = table + (size_t)g->rows[u] * D;
        for (size_t d = 0; d < D; d++)
            sum += (double)row[d] * row[d];
    }
    SP_NN_OMP_FOR((size_t)g->n * D >= SP_NN_PAR_MIN)
    for (int u = 0; u < g->n; u++) {
        const float *row = table + (size_t)g->rows[u] * D;
        float *gr = g->vals + (size_t)u * D;
        for (size_t d = 0; d < D; d++)
            gr[d] += lambda * row[d];
    }
    return 0.5 * lambda * sum;
}
