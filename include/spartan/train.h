/* spartan/train.h: models and training on top of nn.h: Wide & Deep for
 * click logs (MindSpore's recipe by default), click data held in memory,
 * the training loop (shuffled mini-batches, per-epoch validation metrics,
 * early stopping, NaN/inf detection), a dense-data MLP classifier, and
 * checkpoints in the safetensors format (readable by numpy and PyTorch).
 *
 * Example (train, save, reload, predict):
 *   sp_vocab *voc; sp_vocab_options vo; sp_vocab_options_default(&vo);
 *   sp_vocab_build_from_file("train.txt", NULL, &vo, &voc);
 *   sp_ctr_data all, tr, va;
 *   sp_ctr_data_load(&all, "train.txt", NULL, voc, NULL);
 *   sp_ctr_data_split(&all, 0.1, 42, &tr, &va);          // 90/10 by row, fixed seed
 *   sp_widedeep_config cfg; sp_widedeep_config_default(&cfg);
 *   cfg.n_ids = sp_vocab_n_ids(voc); cfg.emb_dim = 32; cfg.max_batch = 16000;
 *   sp_widedeep m; sp_widedeep_init(&m, &cfg, 42);
 *   sp_train_options to; sp_train_options_default(&to);  // 15 epochs, batch 16000
 *   sp_train_history h; sp_train_history_init(&h);
 *   if (sp_widedeep_train(&m, &tr, &va, &to, &h) < 0) fprintf(stderr, "%s\n", sp_errmsg());
 *   sp_widedeep_save(&m, voc, &h, "model.safetensors");  // temp file + rename
 *   ... sp_widedeep_load("model.safetensors", NULL, 4096, &m2, &voc2, &h2);
 *   sp_widedeep_predict(&m2, B, ids, weights, prob);      // ids, weights (B, 39)
 *
 * Model (MindSpore's wide_and_deep): per sample F (id, weight) pairs;
 *   wide  = sum_f w_f Wwide[id_f] + b                       (FTRL-proximal)
 *   deep  = MLP(concat_f w_f E[id_f, :]), ReLU hidden, 1 output  (Adam)
 *   logit = wide + deep; loss = mean logistic loss + (l2/2) ||E||^2.
 * The L2 term is applied lazily: each step adds l2 E[r] to the gradient of
 * the embedding rows the batch touched (not to every row), and Adam on the
 * table is lazy (untouched rows and their moments do not change).
 * Determinism: epoch e's shuffle comes from stream e of the seed, so the same
 * seed gives bit-identical metrics at any thread count and after --resume.
 * Nothing here prints or exits; errors return a negative sp_status with a
 * message (sp_errmsg()).
 */
#ifndef SPARTAN_TRAIN_H
#define SPARTAN_TRAIN_H

#include "spartan/core.h"
#include "spartan/data.h"
#include "spartan/nn.h"
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ==== click data in memory =============================================== */

/* n mapped rows: ids, weights (n, fields) row-major, labels (n) in {0, 1}. */
typedef struct sp_ctr_data {
    int64_t n;
    int fields;
    int *ids;
    float *weights;
    float *labels;
} sp_ctr_data;

/* Counts of a load (for messages and the vocabulary check). */
typedef struct sp_ctr_load_stats {
    int64_t rows, positives;
    int64_t cat_present; /* present categorical values */
    int64_t cat_in_vocab; /* ... of which found in the vocabulary */
} sp_ctr_load_stats;

int sp_ctr_data_init(sp_ctr_data *d, int64_t n, int fields); /* zero-filled */
void sp_ctr_data_uninit(sp_ctr_data *d);
/* Read a labelled Criteo file (ro NULL = TSV defaults) and map every row through v
 * (sp_feature_map, 39 pairs). stats may be NULL. */
int sp_ctr_data_load(sp_ctr_data *d, const char *path, const sp_criteo_options *ro,
                     const sp_vocab *v, sp_ctr_load_stats *stats);
/* Rows idx[0..n) of src copied into a new dst. */
int sp_ctr_data_gather(const sp_ctr_data *src, const int64_t *idx, int64_t n, sp_ctr_data *dst);
/* Random split with a fixed seed: round(valid_fraction n) rows to valid, the
 * rest to train, both in input order. valid_fraction in [0, 1). */
int sp_ctr_data_split(const sp_ctr_data *all, double valid_fraction, uint64_t seed,
                      sp_ctr_data *train, sp_ctr_data *valid);

/* ==== Wide & Deep ======================================================== */

#define SP_WD_MAX_DEEP 8

/* How the first deep layer (embeddings -> deep[0]) is computed; all give the
 * same function, summed in different (fixed) orders. */
typedef enum sp_wd_first_layer {
    SP_WD_FIRST_AUTO = 0, /* per distinct (field, id) pair when the batch has at
                           * most half as many pairs as lookups, else dense */
    SP_WD_FIRST_DENSE,    /* concatenated embeddings (B, F*dim) through one GEMM */
    SP_WD_FIRST_PAIRS,    /* always per pair (sp_field_linear) */
    SP_WD_FIRST_COUNT
} sp_wd_first_layer;

typedef struct sp_widedeep_config {
    int fields;                /* (id, weight) pairs per sample: 39 */
    int n_ids;                 /* rows of the wide and embedding tables (sp_vocab_n_ids) */
    int emb_dim;               /* 80 */
    int n_deep;                /* hidden layers: 4 */
    int deep[SP_WD_MAX_DEEP];  /* 1024, 512, 256, 128 */
    sp_act act;                /* hidden activation: ReLU */
    float init_scale;          /* weights and embeddings N(0, s^2), s = 0.01; wide bias 0 */
    float l2_emb;              /* 8e-5 */
    float dropout;             /* on hidden outputs in training: 0 */
    sp_optim_config wide_opt;  /* FTRL lr 5e-2, l1 = l2 = 1e-8, initial accumulator 1 */
    sp_optim_config deep_opt;  /* Adam lr 3.5e-4, eps 1e-8 */
    int max_batch;             /* largest batch of forward/train_step: 16000 */
    sp_wd_first_layer first_layer; /* AUTO (not stored in checkpoints) */
} sp_widedeep_config;

/* Parameters in one sp_params, in this order: "wide.weight" (n_ids, 1),
 * "wide.bias" (1, 1), "deep.embedding" (n_ids, emb_dim), then the MLP
 * "deep.<l>.weight" (out, in), "deep.<l>.bias" (1, out). The wide optimizer
 * covers the first two, the deep optimizer the rest. */
typedef struct sp_widedeep {
    sp_widedeep_config cfg;
    sp_params P;
    int i_wide_w, i_wide_b, i_emb;
    sp_mlp mlp;                   /* fields*emb_dim -> deep... -> 1 */
    sp_sparse_grad g_wide, g_emb; /* sparse gradients of the two tables */
    sp_optim opt_wide, opt_deep;
    sp_field_linear first;        /* first deep layer per (field, id) pair */
    int first_by_pairs;           /* 1: the last forward used `first` */
    float *x_deep, *dx_deep;      /* (max_batch, fields*emb_dim), allocated when the
                                   * dense first layer is first used */
    float *z, *dz, *y;            /* (max_batch) logits, their gradient, labels */
    int *b_ids;                   /* (max_batch, fields) batch gather buffers */
    float *b_w;
    int64_t step;                 /* training steps taken */
    int epochs_done;              /* completed epochs (for resume) */
    uint64_t seed;                /* initialisation and shuffling seed */
    sp_rng rng;                   /* dropout draws */
} sp_widedeep;

void sp_widedeep_config_default(sp_widedeep_config *c); /* MindSpore's recipe, n_ids = 0 */
/* Check a configuration (message names the bad field). */
int sp_widedeep_config_check(const sp_widedeep_config *c);
/* Build and initialise from seed. */
int sp_widedeep_init(sp_widedeep *m, const sp_widedeep_config *cfg, uint64_t seed);
void sp_widedeep_uninit(sp_widedeep *m);
/* ids, w (B, fields), B <= max_batch -> z (B) logits (z may be m->z). */
int sp_widedeep_forward(sp_widedeep *m, int B, const int *ids, const float *w, float *z);
/* After a forward on the same batch: dz (B) = dloss/dlogit -> wide and
 * embedding sparse gradients, dense MLP gradients, plus the lazy L2 term. */
int sp_widedeep_backward(sp_widedeep *m, int B, const int *ids, const float *w, const float *dz);
/* One step of both optimizers with the accumulated gradients, then clear them. */
int sp_widedeep_update(sp_widedeep *m);
/* forward, logistic loss, backward, finiteness checks, update. *loss = mean
 * logloss of the batch before the update. A NaN/inf loss or gradient gives
 * SP_EINVAL naming the step and the parameter (layer). */
int sp_widedeep_train_step(sp_widedeep *m, int B, const int *ids, const float *w, const float *y,
                           double *loss);
/* Click probabilities p (n) of n rows (any n: batched internally). */
int sp_widedeep_predict(sp_widedeep *m, int64_t n, const int *ids, const float *w, float *p);
/* Logits of n rows (batched). */
int sp_widedeep_logits(sp_widedeep *m, int64_t n, const int *ids, const float *w, float *z);
/* (l2/2) ||E||^2 over the whole embedding table. */
double sp_widedeep_penalty(const sp_widedeep *m);

/* ==== training loop ====================================================== */

typedef struct sp_epoch_stats {
    int epoch;            /* 1-based */
    int64_t step;         /* steps taken at the end of the epoch */
    double train_loss;    /* mean training loss over the epoch's batches (the "wide loss") */
    double penalty;       /* regulariser at the end of the epoch; deep loss = train_loss + penalty */
    double train_accuracy;/* accuracy on the training batches (before each update) */
    double valid_logloss, valid_auc, valid_accuracy; /* NaN without validation data */
    double seconds;       /* training time of the epoch (validation excluded) */
    double samples_per_s;
} sp_epoch_stats;

typedef struct sp_train_history {
    int n, cap;
    sp_epoch_stats *epochs;
    int stopped_early; /* 1 when early stopping ended the run */
} sp_train_history;

void sp_train_history_init(sp_train_history *h);
void sp_train_history_uninit(sp_train_history *h);
int sp_train_history_push(sp_train_history *h, const sp_epoch_stats *st);
/* Write the history as CSV (header line, one row per epoch), temp file + rename. */
int sp_train_history_write_csv(const sp_train_history *h, const char *path);

typedef struct sp_train_options {
    int epochs;       /* total epochs (a resumed model continues up to this): 15 */
    int batch;        /* 16000 (<= the model's max_batch) */
    int patience;     /* stop after this many epochs without a better validation
                       * logloss (by more than min_delta); 0 = never stop early */
    double min_delta;
    /* Called after every epoch (NULL = none): return 0 to go on, > 0 to stop,
     * < 0 to fail with that status (e.g. a checkpoint write failed). */
    int (*on_epoch)(void *ctx, const sp_epoch_stats *st);
    void *ctx;
} sp_train_options;

void sp_train_options_default(sp_train_options *o); /* 15 epochs, batch 16000, no early stop */

/* Train from m->epochs_done + 1 to o->epochs on train, validating on valid
 * (NULL or empty: no validation metrics). Appends one entry per epoch to h. */
int sp_widedeep_train(sp_widedeep *m, const sp_ctr_data *train, const sp_ctr_data *valid,
                      const sp_train_options *o, sp_train_history *h);

/* ==== MLP classifier on dense data ======================================= */

/* n rows of `features` floats (row-major) and integer labels in [0, classes). */
typedef struct sp_dense_data {
    int64_t n;
    int features, classes;
    float *x;
    int *labels;
} sp_dense_data;

void sp_dense_data_uninit(sp_dense_data *d);
/* CSV (plain or .gz), one row per line, all numbers; label_col = column of
 * the label (-1: the last). Labels must be integers >= 0; classes = max + 1. */
int sp_dense_data_load_csv(sp_dense_data *d, const char *path, int label_col);
/* IDX images (n, d1, ...) and labels (n) (MNIST: sp_idx_read, plain or .gz):
 * n rows of d1*d2*... features (the raw byte values 0..255 as floats), labels
 * from the label file. max_rows > 0 keeps the first max_rows only. The two
 * files must hold the same number of items; errors name the file. */
int sp_dense_data_load_idx(sp_dense_data *d, const char *images, const char *labels,
                           int64_t max_rows);
/* Random split as sp_ctr_data_split. */
int sp_dense_data_split(const sp_dense_data *all, double valid_fraction, uint64_t seed,
                        sp_dense_data *train, sp_dense_data *valid);

/* MLP features -> hidden... -> classes with softmax cross-entropy (classes
 * >= 2), inputs standardised by the training set's column means and stds. */
typedef struct sp_mlp_classifier {
    sp_params P;
    sp_mlp mlp;
    sp_optim opt;
    int features, classes, max_batch;
    float *mean, *inv_std; /* (features) */
    float *xb, *dz, *zb;   /* (max_batch, features), (max_batch, classes) x2 */
    int *yb;
    int64_t step;
    int epochs_done;
    uint64_t seed;
    sp_rng rng;
} sp_mlp_classifier;

/* sizes = {features, hidden..., classes}. */
int sp_mlp_classifier_init(sp_mlp_classifier *c, int nsizes, const int *sizes, sp_act act,
                           const sp_optim_config *opt, int max_batch, uint64_t seed);
void sp_mlp_classifier_uninit(sp_mlp_classifier *c);
/* Column means and 1/std (1 for constant columns) from the training data. */
int sp_mlp_classifier_fit_scaler(sp_mlp_classifier *c, const sp_dense_data *train);
/* Train as sp_widedeep_train; valid_auc is NaN, logloss and accuracy are
 * over the classes. */
int sp_mlp_classifier_train(sp_mlp_classifier *c, const sp_dense_data *train,
                            const sp_dense_data *valid, const sp_train_options *o,
                            sp_train_history *h);
/* Class probabilities prob (n, classes) of raw (unscaled) rows x (n, features). */
int sp_mlp_classifier_predict(sp_mlp_classifier *c, int64_t n, const float *x, float *prob);

/* ==== safetensors ======================================================== */
/* File: 8-byte little-endian header length N, N bytes of JSON
 * {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 *  "__metadata__": {"key": "value", ...}} padded with spaces to a multiple of
 * 8, then the data buffer (offsets relative to its start, little-endian). */

typedef enum sp_st_dtype { SP_ST_F32 = 0, SP_ST_F64, SP_ST_I32, SP_ST_I64, SP_ST_U8, SP_ST_DTYPE_COUNT } sp_st_dtype;

#define SP_ST_MAXDIM 4

typedef struct sp_st_tensor {
    char *name;
    sp_st_dtype dtype;
    int ndim;
    int64_t shape[SP_ST_MAXDIM];
    size_t nbytes;
    const void *data; /* writer: borrowed from the caller; reader: into the file's buffer */
} sp_st_tensor;

typedef struct sp_safetensors {
    int n, cap;
    sp_st_tensor *t;
    int n_meta, meta_cap;
    char **keys, **vals;
    uint8_t *buffer; /* reader: the data buffer (owned) */
} sp_safetensors;

void sp_safetensors_init(sp_safetensors *s);
void sp_safetensors_uninit(sp_safetensors *s);
/* Declare a tensor for writing; data is borrowed until sp_safetensors_write. */
int sp_safetensors_add(sp_safetensors *s, const char *name, sp_st_dtype dtype, int ndim,
                       const int64_t *shape, const void *data);
int sp_safetensors_set_meta(sp_safetensors *s, const char *key, const char *value); /* copies */
/* Write (temp file + rename). */
int sp_safetensors_write(const sp_safetensors *s, const char *path);
/* Read a whole file into s (s initialised by this call). */
int sp_safetensors_read(sp_safetensors *s, const char *path);
const sp_st_tensor *sp_safetensors_find(const sp_safetensors *s, const char *name);
const char *sp_safetensors_meta(const sp_safetensors *s, const char *key); /* NULL if absent */
const char *sp_st_dtype_name(sp_st_dtype d); /* "F32", ... */

/* ==== model checkpoints ================================================== */

/* Wide & Deep checkpoint: every parameter under its name (F32), optimizer
 * states "optim.wide" / "optim.deep" (nstate, n) F32, the vocabulary as the U8
 * tensor "vocab" (sp_vocab_to_bytes; omitted when v is NULL), and metadata:
 * configuration, step, epochs done, seed, optimizer steps and the history. */
int sp_widedeep_save(const sp_widedeep *m, const sp_vocab *v, const sp_train_history *h,
                     const char *path);
/* Load into a new model m. expect NULL: take the configuration from the file;
 * else the file must match expect's shapes (fields, n_ids, emb_dim, deep
 * layers) or SP_EINVAL names the difference. max_batch > 0 overrides the
 * stored one. v (may be NULL) receives the vocabulary (NULL when absent),
 * h (may be NULL) the stored history (initialised by the call). */
int sp_widedeep_load(const char *path, const sp_widedeep_config *expect, int max_batch,
                     sp_widedeep *m, sp_vocab **v, sp_train_history *h);

/* MLP classifier checkpoint (parameters, scaler, optimizer state, history). */
int sp_mlp_classifier_save(const sp_mlp_classifier *c, const sp_train_history *h,
                           const char *path);
int sp_mlp_classifier_load(const char *path, int max_batch, sp_mlp_classifier *c,
                           sp_train_history *h);
/* "widedeep", "mlp" or NULL: the model kind stored in a checkpoint's metadata. */
int sp_checkpoint_kind(const char *path, char *kind, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
