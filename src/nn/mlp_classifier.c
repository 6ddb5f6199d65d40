/* mlp_classifier.c: a softmax MLP classifier on dense rows (standardised
 * by the training set's column statistics) and dense CSV loading. Guarantees
 * the same results at any thread count; the epoch loop is trainer.c's. Reads
 * numeric CSV only (no header names, no missing values). */
#include "train_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int sp_mlp_classifier_init(sp_mlp_classifier *c, int nsizes, const int *sizes, sp_act act,
                           const sp_optim_config *opt, int max_batch, uint64_t seed)
{
    memset(c, 0, sizeof *c);
    if (nsizes < 2 || sizes[nsizes - 1] < 2)
        return sp_error(SP_EINVAL, "mlp classifier: need >= 2 sizes and >= 2 classes");
    c->features = sizes[0];
    c->classes = sizes[nsizes - 1];
    c->max_batch = max_batch;
    c->seed = seed;
    sp_params_init(&c->P);
    sp_rng init_rng;
    sp_rng_seed_stream(&init_rng, seed, 0);
    sp_rng_seed_stream(&c->rng, seed, 1);
    int rc = sp_mlp_init_named(&c->mlp, &c->P, "mlp", nsizes, sizes, act, SP_ACT_IDENTITY, max_batch);
    if (rc == SP_OK) rc = sp_params_alloc(&c->P, &init_rng);
    if (rc == SP_OK) rc = sp_optim_init(&c->opt, opt, c->P.n_values);
    if (rc == SP_OK) {
        size_t F = (size_t)c->features, B = (size_t)max_batch, K = (size_t)c->classes;
        c->mean = sp_calloc(F, sizeof(float));
        c->inv_std = sp_malloc(F * sizeof(float));
        c->xb = sp_malloc(B * F * sizeof(float));
        c->dz = sp_malloc(B * K * sizeof(float));
        c->zb = sp_malloc(B * K * sizeof(float));
        c->yb = sp_malloc(B * sizeof(int));
        if (!c->mean || !c->inv_std || !c->xb || !c->dz || !c->zb || !c->yb) rc = SP_ENOMEM;
        else
            for (size_t j = 0; j < F; j++)
                c->inv_std[j] = 1.0f;
    }
    if (rc < 0) sp_mlp_classifier_uninit(c);
    return rc;
}

void sp_mlp_classifier_uninit(sp_mlp_classifier *c)
{
    sp_mlp_uninit(&c->mlp);
    sp_params_uninit(&c->P);
    sp_optim_uninit(&c->opt);
    free(c->mean);
    free(c->inv_std);
    free(c->xb);
    free(c->dz);
    free(c->zb);
    free(c->yb);
    memset(c, 0, sizeof *c);
}

int sp_mlp_classifier_fit_scaler(sp_mlp_classifier *c, const sp_dense_data *d)
{
    if (d->features != c->features || d->n < 1)
        return sp_error(SP_EINVAL, "mlp scaler: %d features, %lld rows", d->features, (long long)d->n);
    for (int j = 0; j < c->features; j++) {
        double s = 0.0, s2 = 0.0;
        for (int64_t i = 0; i < d->n; i++)
            s += d->x[(size_t)i * c->features + j];
        double mean = s / (double)d->n;
        for (int64_t i = 0; i < d->n; i++) {
            double t = d->x[(size_t)i * c->features + j] - mean;
            s2 += t * t;
        }
        double sd = sqrt(s2 / (double)d->n);
        c->mean[j] = (float)mean;
        c->inv_std[j] = sd > 1e-12 ? (float)(1.0 / sd) : 1.0f;
    }
    return SP_OK;
}

/* xraw (B, F) -> c->xb standardised (xraw may be c->xb). */
static void mc_scale(sp_mlp_classifier *c, int B, const float *xraw)
{
    size_t F = (size_t)c->features;
    for (size_t i = 0; i < (size_t)B; i++)
        for (size_t j = 0; j < F; j++)
            c->xb[i * F + j] = (xraw[i * F + j] - c->mean[j]) * c->inv_std[j];
}

int sp_mlp_classifier_logits(sp_mlp_classifier *c, int B, const float *xraw, float *z)
{
    mc_scale(c, B, xraw);
    const float *out;
    int rc = sp_mlp_forward(&c->mlp, &c->P, B, c->xb, 0, &c->rng, &out);
    if (rc == SP_OK) memcpy(z, out, (size_t)B * (size_t)c->classes * sizeof(float));
    return rc;
}

int sp_mlp_classifier_step(sp_mlp_classifier *c, int B, const float *xraw, const int *y,
                           double *loss, double *hits)
{
    for (int b = 0; b < B; b++)
        if (y[b] < 0 || y[b] >= c->classes)
            return sp_error(SP_EINVAL, "label %d outside [0, %d)", y[b], c->classes);
    mc_scale(c, B, xraw);
    const float *out;
    int rc = sp_mlp_forward(&c->mlp, &c->P, B, c->xb, 1, &c->rng, &out);
    if (rc == SP_OK) rc = sp_loss_softmax_xent(B, c->classes, out, y, c->dz, loss);
    if (rc < 0) return rc;
    if (!isfinite(*loss))
        return sp_error(SP_EINVAL, "step %lld: loss is %g", (long long)c->step + 1, *loss);
    *hits = sp_accuracy_argmax(B, c->classes, out, y) * B;
    sp_params_zero_grads(&c->P);
    rc = sp_mlp_backward(&c->mlp, &c->P, B, c->xb, c->dz, NULL);
    if (rc == SP_OK && (rc = sp_params_check_finite(&c->P, 1)) < 0)
        return sp_error_prefix(rc, "step %lld: ", (long long)c->step + 1);
    sp_optim_tick(&c->opt);
    if (rc == SP_OK) rc = sp_optim_update_params(&c->opt, &c->P, 0, c->P.count);
    if (rc == SP_OK) c->step++;
    return rc;
}

int sp_mlp_classifier_predict(sp_mlp_classifier *c, int64_t n, const float *x, float *prob)
{
    size_t K = (size_t)c->classes;
    for (int64_t r0 = 0; r0 < n; r0 += c->max_batch) {
        int B = (int)(n - r0 < c->max_batch ? n - r0 : c->max_batch);
        float *z = prob + (size_t)r0 * K;
        int rc = sp_mlp_classifier_logits(c, B, x + (size_t)r0 * c->features, z);
        if (rc < 0) return rc;
        for (int b = 0; b < B; b++) {
            float *row = z + (size_t)b * K, mx = row[0];
            for (size_t k = 1; k < K; k++)
                mx = row[k] > mx ? row[k] : mx;
            double s = 0.0;
            for (size_t k = 0; k < K; k++)
                s += exp((double)row[k] - mx);
            for (size_t k = 0; k < K; k++)
                row[k] = (float)(exp((double)row[k] - mx) / s);
        }
    }
    return SP_OK;
}

/* ---- dense CSV ---------------------------------------------------------- */

void sp_dense_data_uninit(sp_dense_data *d)
{
    free(d->x);
    free(d->labels);
    memset(d, 0, sizeof *d);
}

/* Split one line into numbers; returns the count or -1 (col = bad column). */
static int csv_numbers(char *line, double *v, int cap, int *col)
{
    int n = 0;
    char *p = line;
    while (*p && *p != '\n' && *p != '\r') {
        char *end;
        double x = strtod(p, &end);
        if (end == p || n >= cap || !isfinite(x) || (*end && *end != ',' && *end != '\n' && *end != '\r')) {
            *col = n + 1;
            return -1;
        }
        v[n++] = x;
        p = *end == ',' ? end + 1 : end;
    }
    return n;
}

static int dense_push(sp_dense_data *d, int64_t *cap, const double *v, int label_col)
{
    if (d->n == *cap) {
        *cap = *cap ? 2 * *cap : 1024;
        float *x = sp_realloc(d->x, (size_t)*cap * (size_t)d->features * sizeof(float));
        if (!x) return SP_ENOMEM;
        d->x = x;
        int *y = sp_realloc(d->labels, (size_t)*cap * sizeof(int));
        if (!y) return SP_ENOMEM;
        d->labels = y;
    }
    int k = 0;
    for (int j = 0; j <= d->features; j++)
        if (j != label_col) d->x[(size_t)d->n * d->features + k++] = (float)v[j];
    d->labels[d->n++] = (int)v[label_col];
    return SP_OK;
}

static int csv_read_lines(gzFile gz, const char *path, int label_col, sp_dense_data *d)
{
    enum { LINE = 1 << 16, MAXCOL = 1 << 14 };
    char *line = sp_malloc(LINE);
    double *v = sp_malloc(MAXCOL * sizeof(double));
    int64_t cap = 0, lineno = 0;
    int rc = line && v ? SP_OK : SP_ENOMEM, col = 0;
    while (rc == SP_OK && gzgets(gz, line, LINE)) {
        lineno++;
        if (line[0] == '\n' || line[0] == '\r' || line[0] == '#') continue;
        int n = csv_numbers(line, v, MAXCOL, &col);
        if (n < 0) rc = sp_error(SP_EFORMAT, "%s:%lld: column %d is not a number", path, (long long)lineno, col);
        else if (d->features == 0 && n < 2) rc = sp_error(SP_EFORMAT, "%s:%lld: need >= 2 columns", path, (long long)lineno);
        if (rc < 0) break;
        if (d->features == 0) d->features = n - 1;
        int lc = label_col < 0 ? n - 1 : label_col;
        if (n != d->features + 1 || lc >= n)
            rc = sp_error(SP_EFORMAT, "%s:%lld: %d columns, expected %d", path, (long long)lineno, n, d->features + 1);
        else if (v[lc] < 0 || v[lc] != floor(v[lc]) || v[lc] > 1e6)
            rc = sp_error(SP_EFORMAT, "%s:%lld: label %g is not a class number >= 0", path, (long long)lineno, v[lc]);
        else rc = dense_push(d, &cap, v, lc);
    }
    free(line);
    free(v);
    return rc;
}

int sp_dense_data_load_csv(sp_dense_data *d, const char *path, int label_col)
{
    memset(d, 0, sizeof *d);
    gzFile gz = gzopen(path, "rb");
    if (!gz) return sp_error(SP_EIO, "%s: cannot open", path);
    int rc = csv_read_lines(gz, path, label_col, d);
    gzclose(gz);
    if (rc == SP_OK && d->n == 0) rc = sp_error(SP_EFORMAT, "%s: no data rows", path);
    for (int64_t i = 0; rc == SP_OK && i < d->n; i++)
        if (d->labels[i] + 1 > d->classes) d->classes = d->labels[i] + 1;
    if (rc < 0) sp_dense_data_uninit(d);
    return rc;
}

int sp_dense_data_split(const sp_dense_data *all, double valid_fraction, uint64_t seed,
                        sp_dense_data *train, sp_dense_data *valid)
{
    /* Reuse the click-data split on row indices (one field: the row number). */
    sp_ctr_data idx, tr, va;
    int rc = sp_ctr_data_init(&idx, all->n, 1);
    if (rc < 0) return rc;
    for (int64_t i = 0; i < all->n; i++)
        idx.ids[i] = (int)i;
    rc = sp_ctr_data_split(&idx, valid_fraction, seed, &tr, &va);
    sp_ctr_data_uninit(&idx);
    if (rc < 0) return rc;
    sp_dense_data *out[2] = {train, valid};
    sp_ctr_data *src[2] = {&tr, &va};
    size_t F = (size_t)all->features;
    for (int s = 0; s < 2; s++) {
        sp_dense_data *o = out[s];
        memset(o, 0, sizeof *o);
        o->n = src[s]->n;
        o->features = all->features;
        o->classes = all->classes;
        o->x = sp_malloc((size_t)(o->n ? o->n : 1) * F * sizeof(float));
        o->labels = sp_malloc((size_t)(o->n ? o->n : 1) * sizeof(int));
        if (!o->x || !o->labels) rc = SP_ENOMEM;
        for (int64_t i = 0; rc == SP_OK && i < o->n; i++) {
            int r = src[s]->ids[i];
            memcpy(o->x + (size_t)i * F, all->x + (size_t)r * F, F * sizeof(float));
            o->labels[i] = all->labels[r];
        }
    }
    sp_ctr_data_uninit(&tr);
    sp_ctr_data_uninit(&va);
    if (rc < 0) {
        sp_dense_data_uninit(train);
        sp_dense_data_uninit(valid);
    }
    return rc;
}
