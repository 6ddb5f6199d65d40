/* spartan/nn.h: float tensors, one flat parameter store, layers (linear,
 * embedding with sparse gradients, activations, dropout), losses, penalties,
 * optimizers (SGD, momentum, Adam, lazy Adam, FTRL-proximal), a generic MLP
 * and metrics (exact AUC, logloss, accuracy).
 *
 * Example (a 2-16-1 MLP on XOR, full batch, Adam):
 *   sp_rng rng; sp_rng_seed(&rng, 1);
 *   sp_params P; sp_params_init(&P);
 *   sp_mlp mlp; int sizes[] = {2, 16, 1};
 *   sp_mlp_init(&mlp, &P, 3, sizes, SP_ACT_TANH, SP_ACT_IDENTITY, 4);
 *   sp_params_alloc(&P, &rng);                 // values initialised, grads zero
 *   sp_optim_config cfg = sp_optim_defaults(SP_OPT_ADAM); cfg.lr = 0.05f;
 *   sp_optim opt; sp_optim_init(&opt, &cfg, P.n_values);
 *   for (int step = 0; step < 300; step++) {
 *       const float *z; float dz[4]; double loss;
 *       sp_mlp_forward(&mlp, &P, 4, X, 1, &rng, &z);     // X is (4, 2), z is (4, 1)
 *       sp_loss_logistic(4, z, y, dz, &loss);             // dz = dloss/dz
 *       sp_params_zero_grads(&P);
 *       sp_mlp_backward(&mlp, &P, 4, X, dz, NULL);        // grads += dloss/dparams
 *       sp_optim_tick(&opt);
 *       sp_optim_update_params(&opt, &P, 0, P.count);      // all of P
 *   }
 *   sp_optim_uninit(&opt); sp_mlp_uninit(&mlp); sp_params_uninit(&P);
 *
 * Layout: every batch matrix is row-major, batch x features: x(b, j) =
 * x[b*features + j]. A linear weight W is (out, in) row-major (as PyTorch and
 * llm.c), an embedding table is (rows, dim) row-major, one row per id.
 * Gradients: kernels overwrite input gradients (dX) and ADD into parameter
 * gradients (dW, db, sparse rows), so callers zero parameter gradients once
 * per step (sp_params_zero_grads, sp_sparse_grad_clear). Losses return the
 * mean over the batch and the gradient of that mean.
 * Threads: GEMMs run on fixed blocks (batch rows; weight rows or columns
 * for dW), one single-threaded cblas_sgemm per block, blocks spread over
 * OpenMP threads; elementwise loops use OpenMP above a size threshold. Every
 * output element is computed in an order fixed by the shapes alone, so
 * results are bit-identical at any thread count (OpenBLAS must run one
 * thread per call, as sp_set_threads arranges; its own threading changes
 * the bits).
 * Training is float; metrics accumulate in double.
 */
#ifndef SPARTAN_NN_H
#define SPARTAN_NN_H

#include "spartan/core.h"
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ==== tensors =========================================================== */

#define SP_TENSOR_MAXDIM 4

/* A float tensor with an explicit shape, row-major (last index fastest). */
typedef struct sp_tensor {
    float *data;
    int ndim;
    int shape[SP_TENSOR_MAXDIM];
    size_t size; /* product of the shape */
    int owns;    /* 1: data freed by sp_tensor_uninit; 0: a view */
} sp_tensor;

/* Zero-filled owning tensor of the given shape (1 <= ndim <= 4, dims >= 1). */
int sp_tensor_init(sp_tensor *t, int ndim, const int *shape);
/* Zero-filled owning (rows, cols) matrix. */
int sp_tensor_init2(sp_tensor *t, int rows, int cols);
/* View of caller memory as a (rows, cols) matrix; never frees. */
sp_tensor sp_tensor_view2(float *data, int rows, int cols);
void sp_tensor_uninit(sp_tensor *t); /* frees if owning; safe on a zeroed struct */
void sp_tensor_fill(sp_tensor *t, float value);
/* Index of the first NaN or infinity in x (n), or -1 when all are finite. */
ptrdiff_t sp_first_nonfinite(size_t n, const float *x);

/* ==== the flat parameter store ========================================== */

/* How a parameter's values start. */
typedef enum sp_init_kind {
    SP_INIT_ZEROS = 0,
    SP_INIT_CONSTANT, /* every value = scale */
    SP_INIT_UNIFORM,  /* U(-scale, scale) */
    SP_INIT_NORMAL,   /* N(0, scale^2) */
    SP_INIT_COUNT
} sp_init_kind;

/* Parameters whose gradient is sparse (embedding tables) take no room in
 * `grads`; their gradient lives in an sp_sparse_grad. */
#define SP_PARAM_SPARSE_GRAD 1

#define SP_PARAM_NAME_MAX 64

typedef struct sp_param_info {
    char name[SP_PARAM_NAME_MAX];
    int rows, cols;     /* a bias is (1, n) */
    size_t offset;      /* into values (and optimizer state) */
    size_t grad_offset; /* into grads; SIZE_MAX for a sparse-gradient parameter */
    sp_init_kind init;
    float scale;
    int flags;
} sp_param_info;

/* All parameters of a model in one array, all dense gradients in another
 * (llm.c style): optimizers, MPI reductions and checkpoints work on one
 * pointer and a length. Declare with sp_params_add, then sp_params_alloc
 * once; offsets never change afterwards. For a model without sparse-gradient
 * parameters grads is parallel to values (grad_offset == offset). */
typedef struct sp_params {
    int count, cap;
    sp_param_info *info;
    size_t n_values, n_grads;
    float *values; /* n_values */
    float *grads;  /* n_grads, zero after alloc */
} sp_params;

void sp_params_init(sp_params *P);
void sp_params_uninit(sp_params *P);
/* Declare a (rows, cols) parameter; returns its index (>= 0) or a negative
 * status (duplicate name, bad shape, already allocated). */
int sp_params_add(sp_params *P, const char *name, int rows, int cols, sp_init_kind init,
                  float scale, int flags);
/* Allocate values and grads and initialise values in declaration order from rng. */
int sp_params_alloc(sp_params *P, sp_rng *rng);
int sp_params_find(const sp_params *P, const char *name);  /* index or -1 */
float *sp_params_value(const sp_params *P, int index);     /* start of its values */
float *sp_params_grad(const sp_params *P, int index);      /* NULL if sparse-gradient */
sp_tensor sp_params_tensor(const sp_params *P, int index); /* (rows, cols) view of values */
void sp_params_zero_grads(sp_params *P);
/* SP_EINVAL naming the first parameter (and entry) whose value (which = 0)
 * or dense gradient (which = 1) is NaN or infinite. */
int sp_params_check_finite(const sp_params *P, int which);

/* ==== layers ============================================================ */

/* Linear: Y (B, out) = X (B, in) W^T + b, W (out, in), b (out) or NULL. */
int sp_linear_forward(int B, int in, int out, const float *X, const float *W, const float *b,
                      float *Y);
/* dX (B, in) = dY W (skipped when dX is NULL); dW (out, in) += dY^T X;
 * db (out) += column sums of dY (skipped when NULL). */
int sp_linear_backward(int B, int in, int out, const float *X, const float *W, const float *dY,
                       float *dX, float *dW, float *db);

/* Sparse gradient of a (rows, dim) table: n touched rows, each with a dim-wide
 * gradient row. Rows appear in order of first touch; accumulating twice into
 * the same row adds. Workspace is sized by the batch, not by the table,
 * apart from one int per table row (the row -> slot map). */
typedef struct sp_sparse_grad {
    int table_rows, dim;
    int n;             /* touched rows */
    int *rows;         /* n table row ids */
    float *vals;       /* (n, dim) */
    int cap, vals_cap; /* capacity (rows) of rows and start, of vals */
    int *slot;         /* table_rows entries: slot of a touched row, -1 otherwise */
    int *start, *pos;  /* backward workspace (per slot, per lookup) */
    size_t pos_cap;
} sp_sparse_grad;

int sp_sparse_grad_init(sp_sparse_grad *g, int table_rows, int dim);
void sp_sparse_grad_uninit(sp_sparse_grad *g);
void sp_sparse_grad_clear(sp_sparse_grad *g); /* n = 0, cost O(n) */
/* g row rows[u] += vals (u, :) for u = 0 .. n-1 in order; vals is (n, dim). */
int sp_sparse_grad_add_rows(sp_sparse_grad *g, int n, const int *rows, const float *vals);

/* How an embedding combines the F field lookups of one sample. */
typedef enum sp_emb_pool {
    SP_EMB_CONCAT = 0, /* out (B, F*dim): out(b, f*dim + d) = w(b,f) E(id(b,f), d) */
    SP_EMB_SUM,        /* out (B, dim):   out(b, d) = sum_f w(b,f) E(id(b,f), d)
                        * (with dim 1 and a bias: the wide part of Wide & Deep) */
    SP_EMB_POOL_COUNT
} sp_emb_pool;

/* ids, w are (B, F) (one (id, weight) pair per field); table is (V, dim).
 * Ids outside [0, V) give SP_EINVAL naming sample and field. */
int sp_embedding_forward(int B, int F, int V, int dim, const int *ids, const float *w,
                         const float *table, sp_emb_pool pool, float *out);
/* g += d(out)/d(table) contracted with dout: only the rows named in ids. */
int sp_embedding_backward(int B, int F, const int *ids, const float *w, sp_emb_pool pool,
                          const float *dout, sp_sparse_grad *g);

/* Field embeddings then a Linear layer, computed per distinct (field, id)
 * pair of the batch instead of per sample (the first deep layer of Wide &
 * Deep). With E (V, dim) the table and W (out, F*dim), W_f its columns
 * f*dim .. f*dim+dim-1:
 *   Y(b, :) = bias + sum_f w(b,f) P_f(id(b,f)),   P_f(id) = W_f E[id]  (out).
 * The same function as sp_embedding_forward(SP_EMB_CONCAT) then
 * sp_linear_forward, summed in another (fixed) order, at a cost of
 * U*dim*out + B*F*out multiply-adds instead of B*F*dim*out (U = distinct
 * pairs), and no (B, F*dim) input or input gradient. Backward: G_u = sum of
 * w(b,f) dY(b, :) over the lookups of pair u, dW_f += G_f^T E_f, E rows +=
 * W_f^T G_u. Every output is summed in an order fixed by the batch, so the
 * result is the same at any thread count. */
typedef struct sp_field_linear {
    int fields, dim, out, table_rows;
    int B, U;          /* batch and distinct pairs of the last plan */
    int *field_start;  /* (fields + 1): pairs of field f are [field_start[f], field_start[f+1]) */
    int *pair_row;     /* (B*fields cap) table row of pair u */
    int *lookup_pair;  /* (B, fields): pair of lookup (b, f) */
    int *bucket_start; /* (U + 1) and bucket (B*fields): lookups of pair u, in batch order */
    int *bucket;
    int *slot;         /* (table_rows): -1 outside sp_field_linear_plan */
    float *emb;        /* (U, dim): E rows of the pairs */
    float *proj;       /* (U, out): P after forward, G after backward */
    float *demb;       /* (U, dim): E row gradients */
    size_t lookup_cap, pair_cap;
} sp_field_linear;

int sp_field_linear_init(sp_field_linear *fl, int fields, int table_rows, int dim, int out);
void sp_field_linear_uninit(sp_field_linear *fl);
/* Find the distinct (field, id) pairs of ids (B, fields); returns U >= 1 or a
 * negative status (an id outside [0, table_rows) names sample and field). */
int sp_field_linear_plan(sp_field_linear *fl, int B, const int *ids);
/* After a plan: w (B, fields), table (V, dim), W (out, fields*dim), bias (out)
 * or NULL -> Y (B, out). */
int sp_field_linear_forward(sp_field_linear *fl, const float *w, const float *table,
                            const float *W, const float *bias, float *Y);
/* After the forward on the same batch (table and W unchanged): dY (B, out) ->
 * dW += , db += (db may be NULL), g (the table's sparse gradient) += . */
int sp_field_linear_backward(sp_field_linear *fl, const float *w, const float *W, const float *dY,
                             float *dW, float *db, sp_sparse_grad *g);

/* Activations: y = f(x) elementwise on n values; alpha is the leaky ReLU
 * slope (y = alpha x for x < 0) or the ELU scale (y = alpha (e^x - 1)). */
typedef enum sp_act {
    SP_ACT_IDENTITY = 0,
    SP_ACT_RELU,
    SP_ACT_SIGMOID,
    SP_ACT_TANH,
    SP_ACT_LEAKY_RELU,
    SP_ACT_ELU,
    SP_ACT_COUNT
} sp_act;

const char *sp_act_name(sp_act act);             /* "relu", ... ; NULL when out of range */
int sp_act_parse(const char *name, sp_act *act); /* inverse of sp_act_name */
float sp_act_default_alpha(sp_act act);          /* 0.01 leaky ReLU, 1 ELU, else 0 */
/* y (n) = f(x (n)); y may equal x. */
int sp_act_forward(sp_act act, float alpha, size_t n, const float *x, float *y);
/* dx (n) = f'(x) * dy, from x the input and y the output of the forward
 * (both are needed by some activations; x and y must not be overwritten);
 * dx may equal dy. */
int sp_act_backward(sp_act act, float alpha, size_t n, const float *x, const float *y,
                    const float *dy, float *dx);

/* Inverted dropout on n values with drop probability p in [0, 1): in training
 * mask = 0 with probability p, else 1/(1-p), and y = mask x; at evaluation
 * (train = 0) y = x and mask is set to 1. One 64-bit draw from rng per call
 * seeds a counter-based stream, so the mask is the same at any thread count. */
int sp_dropout_forward(float p, int train, size_t n, const float *x, float *mask, float *y,
                       sp_rng *rng);
/* dx = mask * dy. */
void sp_dropout_backward(size_t n, const float *mask, const float *dy, float *dx);

/* ==== losses and penalties ============================================== */

/* Mean squared error over n values: loss = (1/n) sum (pred - y)^2,
 * dpred = 2 (pred - y) / n (dpred may be NULL). */
int sp_loss_mse(size_t n, const float *pred, const float *y, float *dpred, double *loss);
/* Binary cross-entropy with logits over n samples, y in [0, 1]:
 * loss = (1/n) sum max(z,0) - z y + log1p(exp(-|z|)), dz = (sigmoid(z) - y) / n. */
int sp_loss_logistic(size_t n, const float *z, const float *y, float *dz, double *loss);
/* Softmax cross-entropy: z (B, K) logits, labels (B) in [0, K):
 * loss = (1/B) sum_b logsumexp(z_b) - z_b[label_b], dz = (softmax(z) - onehot) / B. */
int sp_loss_softmax_xent(int B, int K, const float *z, const int *labels, float *dz, double *loss);

/* L2: returns (lambda/2) ||w||^2 and adds lambda w to grad (grad may be NULL). */
double sp_penalty_l2(size_t n, const float *w, float lambda, float *grad);
/* L1: returns lambda ||w||_1 and adds lambda sign(w) to grad (0 at w = 0). */
double sp_penalty_l1(size_t n, const float *w, float lambda, float *grad);
/* L2 on the touched rows of a table only (lazy): adds lambda w_row to each
 * row of g and returns (lambda/2) sum of their squares. table is (rows, dim). */
double sp_penalty_l2_rows(const float *table, float lambda, sp_sparse_grad *g);

/* ==== optimizers ======================================================== */

typedef enum sp_opt_kind {
    SP_OPT_SGD = 0,  /* w -= lr g */
    SP_OPT_MOMENTUM, /* v = mu v + g; w -= lr v (nesterov: w -= lr (g + mu v)) */
    SP_OPT_ADAM,     /* bias-corrected, PyTorch form: w -= lr mhat / (sqrt(vhat) + eps) */
    SP_OPT_FTRL,     /* FTRL-proximal, McMahan et al. 2013, Algorithm 1, per coordinate */
    SP_OPT_COUNT
} sp_opt_kind;

typedef struct sp_optim_config {
    sp_opt_kind kind;
    float lr;       /* SGD, momentum, Adam step size; FTRL alpha */
    float momentum; /* momentum mu */
    int nesterov;
    double beta1, beta2, eps;  /* Adam (double: 1 - beta2 must not round) */
    float beta, l1, l2;        /* FTRL: eta_t = alpha / (beta + sqrt(n_t)); l2 without a factor 2 */
    float initial_accumulator; /* FTRL n_0 (MindSpore's default 1.0) */
} sp_optim_config;

/* Defaults: lr 0.01 (FTRL alpha 0.05), momentum 0.9, Adam (0.9, 0.999, 1e-8),
 * FTRL beta 0, l1 = l2 = 0, initial accumulator 1 (MindSpore's Wide & Deep). */
sp_optim_config sp_optim_defaults(sp_opt_kind kind);
const char *sp_opt_name(sp_opt_kind kind);
int sp_opt_parse(const char *name, sp_opt_kind *kind);

/* Optimizer state for n parameters in one array of nstate * n floats with
 * named views: momentum velocity = state; Adam m = state, v = state + n;
 * FTRL z = state, accumulator = state + n. Entry i of the state belongs to
 * parameter i of the range the optimizer covers. */
typedef struct sp_optim {
    sp_optim_config cfg;
    size_t n;
    int nstate;
    float *state;
    int64_t t; /* steps taken (Adam's bias correction) */
} sp_optim;

int sp_optim_init(sp_optim *o, const sp_optim_config *cfg, size_t n);
void sp_optim_uninit(sp_optim *o);
float *sp_optim_state(const sp_optim *o, int k); /* k-th view (n floats) */
/* Start a training step: t += 1. Call once per step, before the updates. */
void sp_optim_tick(sp_optim *o);
/* Dense update of w (n), g (n) whose state starts at entry off. */
int sp_optim_update(sp_optim *o, size_t off, size_t n, float *w, const float *g);
/* Lazy update of the touched rows of a (g->table_rows, g->dim) table whose
 * state starts at entry off: other rows and their state do not change
 * (lazy Adam: the moments of an untouched row are not decayed). */
int sp_optim_update_rows(sp_optim *o, size_t off, float *table, const sp_sparse_grad *g);

/* Dense update of the dense-gradient parameters first .. first+count-1 of P,
 * for an optimizer covering exactly their values: state entry = value offset
 * - offset of parameter `first` (so count = P->count, first = 0 covers all of
 * P; Wide & Deep gives the wide and deep parts each a contiguous run and an
 * optimizer). Sparse-gradient parameters are skipped: update them with
 * sp_optim_update_rows at off = their offset - offset of `first`. */
int sp_optim_update_params(sp_optim *o, sp_params *P, int first, int count);

/* The kernels behind sp_optim (w, g, state views of n entries). */
void sp_sgd_kernel(size_t n, float *w, const float *g, float lr);
void sp_momentum_kernel(size_t n, float *w, const float *g, float *vel, float lr, float mu,
                        int nesterov);
void sp_adam_kernel(size_t n, float *w, const float *g, float *m, float *v, float lr, double beta1,
                    double beta2, double eps, int64_t t);
void sp_ftrl_kernel(size_t n, float *w, const float *g, float *z, float *acc, float alpha,
                    float beta, float l1, float l2);

/* ==== models ============================================================ */

/* A multilayer perceptron sizes[0] -> sizes[1] -> ... -> sizes[nsizes-1]:
 * Linear then `act` on hidden layers (then dropout when dropout > 0),
 * Linear then `out_act` on the last. Parameters "<prefix>.<l>.weight" (out,
 * in) and ".bias" (1, out) live in the caller's sp_params; activations for
 * up to max_batch rows live in the struct. */
typedef struct sp_mlp {
    int nlayers; /* nsizes - 1 */
    int *sizes;  /* nsizes */
    sp_act act, out_act;
    float alpha; /* of act (leaky ReLU slope, ELU scale) */
    float out_alpha;
    float dropout; /* on hidden outputs, training only; 0 = none (set after init) */
    int max_batch;
    int *w_index, *b_index;  /* parameter indices per layer */
    float **pre, **post;     /* per layer (max_batch, sizes[l+1]) */
    float **mask, **dropped; /* per hidden layer when dropout > 0: mask and masked output */
    float *work_a, *work_b;  /* (max_batch, max width) backward scratch */
    int last_batch;          /* rows of the last forward (0: none yet) */
    int last_dropout;        /* 1 when the last forward applied dropout */
} sp_mlp;

/* Declare the parameters in P (before sp_params_alloc) with PyTorch's
 * default initialisation U(-1/sqrt(in), 1/sqrt(in)); prefix "mlp" when NULL. */
int sp_mlp_init_named(sp_mlp *m, sp_params *P, const char *prefix, int nsizes, const int *sizes,
                      sp_act act, sp_act out_act, int max_batch);
int sp_mlp_init(sp_mlp *m, sp_params *P, int nsizes, const int *sizes, sp_act act, sp_act out_act,
                int max_batch);
void sp_mlp_uninit(sp_mlp *m);
/* X (B, sizes[0]) -> *out (B, sizes[last]), a pointer into m valid until the
 * next forward. train = 1 applies dropout (drawing from rng). */
int sp_mlp_forward(sp_mlp *m, const sp_params *P, int B, const float *X, int train, sp_rng *rng,
                   const float **out);
/* After a forward on the same X: parameter grads += d/dparams of
 * sum(dout .* out); dX (B, sizes[0]) = input gradient unless NULL. */
int sp_mlp_backward(sp_mlp *m, sp_params *P, int B, const float *X, const float *dout, float *dX);
/* Split first layer (e.g. sp_field_linear): the caller writes layer 0's Linear
 * output (B, sizes[1]) into m->pre[0], then this forward does the rest. */
int sp_mlp_forward_from_pre0(sp_mlp *m, const sp_params *P, int B, int train, sp_rng *rng,
                             const float **out);
/* Its backward: grads of layers 1.. +=, *dpre0 (B, sizes[1]) = d/d pre[0]
 * (m's workspace, valid until the next call); layer 0's Linear gradients are
 * the caller's. */
int sp_mlp_backward_to_pre0(sp_mlp *m, sp_params *P, int B, const float *dout,
                            const float **dpre0);

/* ==== metrics (double accumulators) ===================================== */

/* Exact ROC AUC by sorting: P(score of a positive > score of a negative),
 * ties counting one half. labels are 0/1 (> 0.5 is positive). SP_EINVAL when
 * one class is absent. */
int sp_auc(size_t n, const float *score, const float *label, double *auc);
/* Mean logloss of probabilities p clipped to [1e-7, 1 - 1e-7]. */
double sp_logloss(size_t n, const float *p, const float *y);
/* Mean logloss from logits z, computed stably (as sp_loss_logistic, in double). */
double sp_logloss_logits(size_t n, const float *z, const float *y);
/* Fraction of (score > threshold) == (label > 0.5). */
double sp_accuracy_binary(size_t n, const float *score, const float *label, float threshold);
/* Fraction of rows of z (B, K) whose argmax (first on ties) equals the label. */
double sp_accuracy_argmax(int B, int K, const float *z, const int *labels);

#ifdef __cplusplus
}
#endif
#endif
