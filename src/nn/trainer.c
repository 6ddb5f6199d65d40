/* trainer.c: the epoch loop shared by Wide & Deep and the MLP classifier:
 * seeded shuffled mini-batches, per-epoch validation (logloss, exact AUC,
 * accuracy), timing, early stopping on validation logloss, resume from a
 * model's completed epochs. Guarantees epoch e's batch order depends only on
 * (seed, e), so results repeat exactly; does not print or write files. */
#include "train_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What the loop needs from a model (a small vtable over one model type). */
typedef struct trainable {
    void *self;
    int64_t n_train, n_valid;
    int outputs; /* 1: binary logit; K > 1: class logits */
    int max_batch;
    int *epochs_done;
    int64_t *step;
    uint64_t seed;
    void (*epoch_begin)(void *self, int epoch);
    /* one optimisation step on training rows rows[0..B): mean loss, correct predictions */
    int (*train_batch)(void *self, const int64_t *rows, int B, double *loss, double *hits);
    /* validation rows [r0, r0 + B) -> out (B, outputs) logits */
    int (*score)(void *self, int64_t r0, int B, float *out);
    const float *valid_yf; /* binary labels (outputs == 1) */
    const int *valid_yi;   /* class labels (outputs > 1) */
    double (*penalty)(void *self);
} trainable;

void sp_train_options_default(sp_train_options *o)
{
    memset(o, 0, sizeof *o);
    o->epochs = 15;
    o->batch = 16000;
}

void sp_train_history_init(sp_train_history *h)
{
    memset(h, 0, sizeof *h);
}

void sp_train_history_uninit(sp_train_history *h)
{
    free(h->epochs);
    memset(h, 0, sizeof *h);
}

int sp_train_history_push(sp_train_history *h, const sp_epoch_stats *st)
{
    if (h->n == h->cap) {
        int cap = h->cap ? 2 * h->cap : 16;
        sp_epoch_stats *e = sp_realloc(h->epochs, (size_t)cap * sizeof *e);
        if (!e) return SP_ENOMEM;
        h->epochs = e;
        h->cap = cap;
    }
    h->epochs[h->n++] = *st;
    return SP_OK;
}

/* Generator for (seed, purpose, epoch): splitmix seeding of a mixed key
 * (sp_rng_seed_stream would cost `stream` jumps). purpose 1 = shuffle, 2 = dropout. */
static void epoch_rng(sp_rng *rng, uint64_t seed, uint64_t purpose, int epoch)
{
    sp_rng_seed(rng, seed * 0x9E3779B97F4A7C15ull + purpose * 0xD1B54A32D192ED03ull +
                         (uint64_t)epoch * 0xAEF17502108EF2D9ull);
}

/* Fisher-Yates permutation of [0, n) for this epoch. */
static void epoch_permutation(int64_t *perm, int64_t n, uint64_t seed, int epoch)
{
    sp_rng rng;
    epoch_rng(&rng, seed, 1, epoch);
    for (int64_t i = 0; i < n; i++)
        perm[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)sp_rng_below(&rng, (uint64_t)i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

static int run_train_epoch(const trainable *t, int batch, int64_t *perm, int epoch,
                           sp_epoch_stats *st)
{
    epoch_permutation(perm, t->n_train, t->seed, epoch);
    if (t->epoch_begin) t->epoch_begin(t->self, epoch);
    double loss_sum = 0.0, hits_sum = 0.0, t0 = sp_time_now();
    for (int64_t r0 = 0; r0 < t->n_train; r0 += batch) {
        int B = (int)(t->n_train - r0 < batch ? t->n_train - r0 : batch);
        double loss = 0.0, hits = 0.0;
        int rc = t->train_batch(t->self, perm + r0, B, &loss, &hits);
        if (rc < 0) return sp_error_prefix(rc, "epoch %d: ", epoch);
        loss_sum += loss * B;
        hits_sum += hits;
    }
    st->seconds = sp_time_now() - t0;
    st->train_loss = t->n_train ? loss_sum / (double)t->n_train : NAN;
    st->train_accuracy = t->n_train ? hits_sum / (double)t->n_train : NAN;
    st->samples_per_s = st->seconds > 0.0 ? (double)t->n_train / st->seconds : NAN;
    st->penalty = t->penalty ? t->penalty(t->self) : 0.0;
    return SP_OK;
}

/* Metrics of validation logits z (n, outputs). */
static int valid_metrics(const trainable *t, const float *z, sp_epoch_stats *st)
{
    size_t n = (size_t)t->n_valid;
    if (t->outputs == 1) {
        st->valid_logloss = sp_logloss_logits(n, z, t->valid_yf);
        st->valid_accuracy = sp_accuracy_binary(n, z, t->valid_yf, 0.0f);
        double auc = NAN;
        if (sp_auc(n, z, t->valid_yf, &auc) < 0) auc = NAN; /* one class only */
        st->valid_auc = auc;
        return SP_OK;
    }
    double loss = NAN;
    int rc = sp_loss_softmax_xent((int)n, t->outputs, z, t->valid_yi, NULL, &loss);
    st->valid_logloss = loss;
    st->valid_accuracy = sp_accuracy_argmax((int)n, t->outputs, z, t->valid_yi);
    st->valid_auc = NAN;
    return rc;
}

static int run_validation(const trainable *t, float *z, sp_epoch_stats *st)
{
    st->valid_logloss = st->valid_auc = st->valid_accuracy = NAN;
    if (t->n_valid < 1) return SP_OK;
    for (int64_t r0 = 0; r0 < t->n_valid; r0 += t->max_batch) {
        int B = (int)(t->n_valid - r0 < t->max_batch ? t->n_valid - r0 : t->max_batch);
        int rc = t->score(t->self, r0, B, z + r0 * t->outputs);
        if (rc < 0) return sp_error_prefix(rc, "validation: ");
    }
    return valid_metrics(t, z, st);
}

/* 1 when the last `patience` epochs brought no validation logloss below the best before them. */
static int should_stop(const sp_train_history *h, const sp_train_options *o)
{
    if (o->patience < 1 || h->n <= o->patience) return 0;
    double best = INFINITY;
    for (int e = 0; e < h->n - o->patience; e++)
        if (h->epochs[e].valid_logloss < best) best = h->epochs[e].valid_logloss;
    if (!isfinite(best)) return 0;
    for (int e = h->n - o->patience; e < h->n; e++)
        if (h->epochs[e].valid_logloss < best - o->min_delta) return 0;
    return 1;
}

static int check_options(const trainable *t, const sp_train_options *o)
{
    if (o->epochs < 0 || o->batch < 1 || o->batch > t->max_batch)
        return sp_error(SP_EINVAL, "train: epochs %d must be >= 0 and batch %d in [1, %d]",
                        o->epochs, o->batch, t->max_batch);
    if (t->n_train < 1) return sp_error(SP_EINVAL, "train: no training rows");
    if (o->patience < 0) return sp_error(SP_EINVAL, "train: patience %d < 0", o->patience);
    return SP_OK;
}

static int train_loop(const trainable *t, const sp_train_options *o, sp_train_history *h)
{
    int rc = check_options(t, o);
    if (rc < 0) return rc;
    int64_t *perm = sp_malloc((size_t)t->n_train * sizeof *perm);
    float *z = sp_malloc((size_t)(t->n_valid > 0 ? t->n_valid : 1) * (size_t)t->outputs *
                         sizeof(float));
    if (!perm || !z) rc = SP_ENOMEM;
    h->stopped_early = 0;
    for (int epoch = *t->epochs_done + 1; rc == SP_OK && epoch <= o->epochs; epoch++) {
        sp_epoch_stats st;
        memset(&st, 0, sizeof st);
        st.epoch = epoch;
        if ((rc = run_train_epoch(t, o->batch, perm, epoch, &st)) < 0) break;
        if ((rc = run_validation(t, z, &st)) < 0) break;
        st.step = *t->step;
        *t->epochs_done = epoch;
        if ((rc = sp_train_history_push(h, &st)) < 0) break;
        int stop = o->on_epoch ? o->on_epoch(o->ctx, &st) : 0;
        if (stop < 0) rc = stop;
        if (stop != 0) break;
        if (should_stop(h, o)) {
            h->stopped_early = 1;
            break;
        }
    }
    free(perm);
    free(z);
    return rc;
}

/* ---- Wide & Deep adapter ------------------------------------------------ */

typedef struct wd_ctx {
    sp_widedeep *m;
    const sp_ctr_data *train, *valid;
} wd_ctx;

static void wd_epoch_begin(void *self, int epoch)
{
    wd_ctx *c = self;
    epoch_rng(&c->m->rng, c->m->seed, 2, epoch); /* dropout */
}

static int wd_train_batch(void *self, const int64_t *rows, int B, double *loss, double *hits)
{
    wd_ctx *c = self;
    sp_widedeep *m = c->m;
    size_t F = (size_t)c->train->fields;
    for (int b = 0; b < B; b++) {
        memcpy(m->b_ids + b * F, c->train->ids + (size_t)rows[b] * F, F * sizeof(int));
        memcpy(m->b_w + b * F, c->train->weights + (size_t)rows[b] * F, F * sizeof(float));
        m->y[b] = c->train->labels[rows[b]];
    }
    int rc = sp_widedeep_train_step(m, B, m->b_ids, m->b_w, m->y, loss);
    double h = 0.0;
    for (int b = 0; b < B; b++)
        h += (m->z[b] > 0.0f) == (m->y[b] > 0.5f);
    *hits = h;
    return rc;
}

static int wd_score(void *self, int64_t r0, int B, float *out)
{
    wd_ctx *c = self;
    size_t F = (size_t)c->valid->fields;
    return sp_widedeep_logits(c->m, B, c->valid->ids + (size_t)r0 * F,
                              c->valid->weights + (size_t)r0 * F, out);
}

static double wd_penalty(void *self)
{
    return sp_widedeep_penalty(((wd_ctx *)self)->m);
}

int sp_widedeep_train(sp_widedeep *m, const sp_ctr_data *train, const sp_ctr_data *valid,
                      const sp_train_options *o, sp_train_history *h)
{
    if (train->fields != m->cfg.fields || (valid && valid->n > 0 && valid->fields != m->cfg.fields))
        return sp_error(SP_EINVAL, "widedeep train: data has %d fields, the model %d",
                        train->fields, m->cfg.fields);
    wd_ctx c = {m, train, valid};
    trainable t;
    memset(&t, 0, sizeof t);
    t.self = &c;
    t.n_train = train->n;
    t.n_valid = valid ? valid->n : 0;
    t.outputs = 1;
    t.max_batch = m->cfg.max_batch;
    t.epochs_done = &m->epochs_done;
    t.step = &m->step;
    t.seed = m->seed;
    t.epoch_begin = wd_epoch_begin;
    t.train_batch = wd_train_batch;
    t.score = wd_score;
    t.valid_yf = valid ? valid->labels : NULL;
    t.penalty = wd_penalty;
    return train_loop(&t, o, h);
}

/* ---- MLP classifier adapter ---------------------------------------------- */

typedef struct mc_ctx {
    sp_mlp_classifier *c;
    const sp_dense_data *train, *valid;
} mc_ctx;

static void mc_epoch_begin(void *self, int epoch)
{
    mc_ctx *k = self;
    epoch_rng(&k->c->rng, k->c->seed, 2, epoch);
}

static int mc_train_batch(void *self, const int64_t *rows, int B, double *loss, double *hits)
{
    mc_ctx *k = self;
    sp_mlp_classifier *c = k->c;
    size_t D = (size_t)c->features;
    for (int b = 0; b < B; b++) {
        memcpy(c->xb + b * D, k->train->x + (size_t)rows[b] * D, D * sizeof(float));
        c->yb[b] = k->train->labels[rows[b]];
    }
    return sp_mlp_classifier_step(c, B, c->xb, c->yb, loss, hits);
}

static int mc_score(void *self, int64_t r0, int B, float *out)
{
    mc_ctx *k = self;
    return sp_mlp_classifier_logits(k->c, B, k->valid->x + (size_t)r0 * k->c->features, out);
}

int sp_mlp_classifier_train(sp_mlp_classifier *c, const sp_dense_data *train,
                            const sp_dense_data *valid, const sp_train_options *o,
                            sp_train_history *h)
{
    if (train->features != c->features || (valid && valid->n > 0 && valid->features != c->features))
        return sp_error(SP_EINVAL, "mlp train: data has %d features, the model %d",
                        train->features, c->features);
    mc_ctx k = {c, train, valid};
    trainable t;
    memset(&t, 0, sizeof t);
    t.self = &k;
    t.n_train = train->n;
    t.n_valid = valid ? valid->n : 0;
    t.outputs = c->classes;
    t.max_batch = c->max_batch;
    t.epochs_done = &c->epochs_done;
    t.step = &c->step;
    t.seed = c->seed;
    t.epoch_begin = mc_epoch_begin;
    t.train_batch = mc_train_batch;
    t.score = mc_score;
    t.valid_yi = valid ? valid->labels : NULL;
    return train_loop(&t, o, h);
}
