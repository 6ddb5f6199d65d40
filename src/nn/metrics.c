/* metrics.c: exact ROC AUC (sort, ties count one half), logloss from
 * probabilities or logits, accuracy. Guarantees double accumulation and the
 * same value at any thread count; does not threshold-sweep or interpolate. */
#include "spartan/nn.h"
#include <math.h>
#include <stdlib.h>

typedef struct auc_item {
    float score;
    int positive;
} auc_item;

static int auc_item_compare(const void *a, const void *b)
{
    float x = ((const auc_item *)a)->score, y = ((const auc_item *)b)->score;
    return (x > y) - (x < y);
}

/* Mann-Whitney: AUC = (sum of positive ranks - P(P+1)/2) / (P N), ranks of a
 * tie group all equal to the group's mean rank. score, label (n). */
int sp_auc(size_t n, const float *score, const float *label, double *auc)
{
    auc_item *items = sp_malloc((n ? n : 1) * sizeof *items);
    if (!items) return SP_ENOMEM;
    double npos = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(score[i])) {
            free(items);
            return sp_error(SP_EINVAL, "sp_auc: score %zu is NaN", i);
        }
        items[i].score = score[i];
        items[i].positive = label[i] > 0.5f;
        npos += items[i].positive;
    }
    double nneg = (double)n - npos;
    if (npos == 0.0 || nneg == 0.0) {
        free(items);
        return sp_error(SP_EINVAL, "sp_auc: undefined with %.0f positives and %.0f negatives", npos,
                        nneg);
    }
    qsort(items, n, sizeof *items, auc_item_compare);
    double rank_sum = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double pos_in_group = 0.0;
        while (j < n && items[j].score == items[i].score)
            pos_in_group += items[j++].positive;
        double mean_rank = 0.5 * ((double)(i + 1) + (double)j); /* ranks i+1 .. j */
        rank_sum += pos_in_group * mean_rank;
        i = j;
    }
    free(items);
    *auc = (rank_sum - npos * (npos + 1.0) / 2.0) / (npos * nneg);
    return SP_OK;
}

/* p, y (n). */
double sp_logloss(size_t n, const float *p, const float *y)
{
    const double eps = 1e-7;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double q = fmin(fmax((double)p[i], eps), 1.0 - eps);
        sum -= y[i] * log(q) + (1.0 - y[i]) * log1p(-q);
    }
    return n ? sum / (double)n : 0.0;
}

/* z, y (n). */
double sp_logloss_logits(size_t n, const float *z, const float *y)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double zi = z[i];
        sum += fmax(zi, 0.0) - zi * y[i] + log1p(exp(-fabs(zi)));
    }
    return n ? sum / (double)n : 0.0;
}

/* score, label (n). */
double sp_accuracy_binary(size_t n, const float *score, const float *label, float threshold)
{
    double hits = 0.0;
    for (size_t i = 0; i < n; i++)
        hits += (score[i] > threshold) == (label[i] > 0.5f);
    return n ? hits / (double)n : 0.0;
}

/* z (B, K), labels (B). */
double sp_accuracy_argmax(int B, int K, const float *z, const int *labels)
{
    double hits = 0.0;
    for (int b = 0; b < B; b++) {
        const float *row = z + (size_t)b * K;
        int best = 0;
        for (int k = 1; k < K; k++)
            if (row[k] > row[best]) best = k;
        hits += best == labels[b];
    }
    return B > 0 ? hits / B : 0.0;
}
