/* test_nn_layers.c: tensors, the parameter store, and every layer's forward
 * and gradient (linear, embedding concat/sum with sparse rows, activations,
 * dropout) against double-precision references and central differences on
 * random shapes. The references are written here, independently of src/nn. */
#include "spartan/nn.h"
#include "test_nn_util.h"
#include "test_util.h"
#include <stdint.h>
#include <string.h>

#define FD_H 1e-5
#define GRAD_TOL 1e-4 /* float analytic gradient vs double differences */

static void test_tensor_and_params(void **state)
{
    (void)state;
    sp_tensor t;
    int shape[3] = {2, 3, 4};
    assert_int_equal(sp_tensor_init(&t, 3, shape), SP_OK);
    assert_int_equal((int)t.size, 24);
    for (size_t i = 0; i < t.size; i++)
        assert_true(t.data[i] == 0.0f);
    sp_tensor_fill(&t, 2.5f);
    assert_true(t.data[23] == 2.5f);
    assert_int_equal(sp_first_nonfinite(t.size, t.data), -1);
    t.data[7] = NAN;
    assert_int_equal(sp_first_nonfinite(t.size, t.data), 7);
    sp_tensor_uninit(&t);
    int bad[2] = {2, 0};
    assert_int_equal(sp_tensor_init(&t, 2, bad), SP_EINVAL);

    sp_rng rng;
    sp_rng_seed(&rng, 3);
    sp_params P;
    sp_params_init(&P);
    assert_int_equal(sp_params_add(&P, "w", 3, 4, SP_INIT_NORMAL, 0.1f, 0), 0);
    assert_int_equal(sp_params_add(&P, "emb", 10, 2, SP_INIT_UNIFORM, 0.5f, SP_PARAM_SPARSE_GRAD),
                     1);
    assert_int_equal(sp_params_add(&P, "b", 1, 4, SP_INIT_CONSTANT, 0.25f, 0), 2);
    assert_int_equal(sp_params_add(&P, "b", 1, 4, SP_INIT_ZEROS, 0, 0), SP_EINVAL);
    assert_int_equal(sp_params_alloc(&P, &rng), SP_OK);
    assert_int_equal((int)P.n_values, 12 + 20 + 4);
    assert_int_equal((int)P.n_grads, 12 + 4);
    assert_null(sp_params_grad(&P, 1));
    assert_ptr_equal(sp_params_grad(&P, 2), P.grads + 12);
    assert_ptr_equal(sp_params_value(&P, 2), P.values + 32);
    assert_true(sp_params_value(&P, 2)[3] == 0.25f);
    for (int i = 0; i < 20; i++)
        assert_true(fabsf(sp_params_value(&P, 1)[i]) <= 0.5f);
    assert_int_equal(sp_params_find(&P, "emb"), 1);
    sp_tensor v = sp_params_tensor(&P, 1);
    assert_int_equal(v.shape[0], 10);
    assert_int_equal(v.owns, 0);
    assert_int_equal(sp_params_check_finite(&P, 1), SP_OK);
    sp_params_grad(&P, 2)[1] = INFINITY;
    assert_int_equal(sp_params_check_finite(&P, 1), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "'b'"));
    sp_params_uninit(&P);
}

/* ---- linear ------------------------------------------------------------ */

typedef struct lin_ctx {
    int B, in, out;
    double *X, *W, *b, *R; /* R: weights of the scalar test loss sum R .* Y */
} lin_ctx;

static double lin_ref_entry(const lin_ctx *c, int i, int j)
{
    double s = c->b[j];
    for (int k = 0; k < c->in; k++)
        s += c->X[i * c->in + k] * c->W[j * c->in + k];
    return s;
}

static double lin_ref_loss(void *p)
{
    const lin_ctx *c = p;
    double L = 0.0;
    for (int i = 0; i < c->B; i++)
        for (int j = 0; j < c->out; j++)
            L += c->R[i * c->out + j] * lin_ref_entry(c, i, j);
    return L;
}

/* One random shape: returns the worst relative error among Y, dX, dW, db. */
static double linear_trial(sp_rng *rng, double *worst_fwd)
{
    lin_ctx c = {
        nn_rand_int(rng, 1, 9), nn_rand_int(rng, 1, 13), nn_rand_int(rng, 1, 11), 0, 0, 0, 0};
    size_t nx = (size_t)c.B * c.in, nw = (size_t)c.out * c.in, ny = (size_t)c.B * c.out;
    float *X = malloc(nx * 4), *W = malloc(nw * 4), *b = malloc(c.out * 4), *R = malloc(ny * 4);
    float *Y = malloc(ny * 4), *dX = malloc(nx * 4), *dW = malloc(nw * 4), *db = malloc(c.out * 4);
    c.X = malloc(nx * 8);
    c.W = malloc(nw * 8);
    c.b = malloc(c.out * 8);
    c.R = malloc(ny * 8);
    double *ref = malloc((nx + nw + c.out + ny) * 8);
    nn_fill_normal(rng, nx, 1.0, X, c.X);
    nn_fill_normal(rng, nw, 1.0, W, c.W);
    nn_fill_normal(rng, (size_t)c.out, 1.0, b, c.b);
    nn_fill_normal(rng, ny, 1.0, R, c.R);
    assert_int_equal(sp_linear_forward(c.B, c.in, c.out, X, W, b, Y), SP_OK);
    for (int i = 0; i < c.B; i++)
        for (int j = 0; j < c.out; j++)
            ref[i * c.out + j] = lin_ref_entry(&c, i, j);
    *worst_fwd = fmax(*worst_fwd, nn_rel_err(ny, Y, ref, 1e-3));
    for (size_t i = 0; i < nw; i++)
        dW[i] = 1.0f; /* parameter grads accumulate */
    for (int i = 0; i < c.out; i++)
        db[i] = -1.0f;
    assert_int_equal(sp_linear_backward(c.B, c.in, c.out, X, W, R, dX, dW, db), SP_OK);
    for (size_t i = 0; i < nw; i++)
        dW[i] -= 1.0f;
    for (int i = 0; i < c.out; i++)
        db[i] += 1.0f;
    double err = 0.0;
    nn_fd_gradient(lin_ref_loss, &c, c.X, nx, FD_H, ref);
    err = fmax(err, nn_rel_err(nx, dX, ref, 1e-3));
    nn_fd_gradient(lin_ref_loss, &c, c.W, nw, FD_H, ref);
    err = fmax(err, nn_rel_err(nw, dW, ref, 1e-3));
    nn_fd_gradient(lin_ref_loss, &c, c.b, (size_t)c.out, FD_H, ref);
    err = fmax(err, nn_rel_err((size_t)c.out, db, ref, 1e-3));
    free(X);
    free(W);
    free(b);
    free(R);
    free(Y);
    free(dX);
    free(dW);
    free(db);
    free(c.X);
    free(c.W);
    free(c.b);
    free(c.R);
    free(ref);
    return err;
}

static void test_linear_gradient(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 11);
    double worst = 0.0, worst_fwd = 0.0;
    for (int trial = 0; trial < 20; trial++)
        worst = fmax(worst, linear_trial(&rng, &worst_fwd));
    print_message("linear: forward rel err %.2e, gradient rel err %.2e (tol %.0e)\n", worst_fwd,
                  worst, GRAD_TOL);
    assert_small(worst_fwd, 1e-5);
    assert_small(worst, GRAD_TOL);
    assert_int_equal(sp_linear_forward(0, 1, 1, NULL, NULL, NULL, NULL), SP_EINVAL);
}

/* ---- embedding --------------------------------------------------------- */

typedef struct emb_ctx {
    int B, F, V, D;
    sp_emb_pool pool;
    const int *ids;
    double *w, *E, *R; /* R: weights of the test loss on the output */
} emb_ctx;

static int emb_out_width(const emb_ctx *c)
{
    return c->pool == SP_EMB_CONCAT ? c->F * c->D : c->D;
}

static void emb_ref_forward(const emb_ctx *c, double *out)
{
    int W = emb_out_width(c);
    memset(out, 0, sizeof(double) * (size_t)c->B * W);
    for (int b = 0; b < c->B; b++)
        for (int f = 0; f < c->F; f++) {
            int p = b * c->F + f, col = c->pool == SP_EMB_CONCAT ? f * c->D : 0;
            for (int d = 0; d < c->D; d++)
                out[b * W + col + d] += c->w[p] * c->E[c->ids[p] * c->D + d];
        }
}

static double emb_ref_loss(void *p)
{
    const emb_ctx *c = p;
    size_t n = (size_t)c->B * emb_out_width(c);
    double *out = malloc(n * sizeof(double)), L = 0.0;
    emb_ref_forward(c, out);
    for (size_t i = 0; i < n; i++)
        L += c->R[i] * out[i];
    free(out);
    return L;
}

/* Scatter the sparse gradient into a dense (V, D) array; check that every
 * listed row is named in ids and listed once. */
static void emb_densify(const emb_ctx *c, const sp_sparse_grad *g, float *dense)
{
    memset(dense, 0, sizeof(float) * (size_t)c->V * c->D);
    for (int u = 0; u < g->n; u++) {
        int r = g->rows[u], named = 0;
        for (int p = 0; p < c->B * c->F; p++)
            named |= c->ids[p] == r;
        assert_true(named);
        assert_int_equal(g->slot[r], u);
        memcpy(dense + (size_t)r * c->D, g->vals + (size_t)u * c->D, sizeof(float) * c->D);
    }
}

static double embedding_trial(sp_rng *rng, sp_emb_pool pool, double *worst_fwd)
{
    emb_ctx c = {nn_rand_int(rng, 1, 8),
                 nn_rand_int(rng, 1, 5),
                 nn_rand_int(rng, 1, 12),
                 nn_rand_int(rng, 1, 6),
                 pool,
                 NULL,
                 NULL,
                 NULL,
                 NULL};
    size_t L = (size_t)c.B * c.F, nE = (size_t)c.V * c.D, nout = (size_t)c.B * emb_out_width(&c);
    int *ids = malloc(L * sizeof(int));
    for (size_t p = 0; p < L; p++)
        ids[p] = nn_rand_int(rng, 0, c.V - 1); /* repeats likely */
    c.ids = ids;
    float *w = malloc(L * 4), *E = malloc(nE * 4), *R = malloc(nout * 4), *out = malloc(nout * 4);
    float *dense = malloc(nE * 4);
    c.w = malloc(L * 8);
    c.E = malloc(nE * 8);
    c.R = malloc(nout * 8);
    double *ref = malloc((nE > nout ? nE : nout) * 8);
    nn_fill_normal(rng, L, 1.0, w, c.w);
    nn_fill_normal(rng, nE, 1.0, E, c.E);
    nn_fill_normal(rng, nout, 1.0, R, c.R);
    assert_int_equal(sp_embedding_forward(c.B, c.F, c.V, c.D, ids, w, E, pool, out), SP_OK);
    emb_ref_forward(&c, ref);
    *worst_fwd = fmax(*worst_fwd, nn_rel_err(nout, out, ref, 1e-3));
    sp_sparse_grad g;
    assert_int_equal(sp_sparse_grad_init(&g, c.V, c.D), SP_OK);
    assert_int_equal(sp_embedding_backward(c.B, c.F, ids, w, pool, R, &g), SP_OK);
    emb_densify(&c, &g, dense);
    nn_fd_gradient(emb_ref_loss, &c, c.E, nE, FD_H, ref); /* untouched rows: exactly 0 */
    double err = nn_rel_err(nE, dense, ref, 1e-3);
    /* a second backward accumulates: gradient doubles, rows stay unique */
    assert_int_equal(sp_embedding_backward(c.B, c.F, ids, w, pool, R, &g), SP_OK);
    emb_densify(&c, &g, dense);
    for (size_t i = 0; i < nE; i++)
        ref[i] *= 2.0;
    err = fmax(err, nn_rel_err(nE, dense, ref, 1e-3));
    sp_sparse_grad_clear(&g);
    assert_int_equal(g.n, 0);
    for (int r = 0; r < c.V; r++)
        assert_int_equal(g.slot[r], -1);
    sp_sparse_grad_uninit(&g);
    free(ids);
    free(w);
    free(E);
    free(R);
    free(out);
    free(dense);
    free(c.w);
    free(c.E);
    free(c.R);
    free(ref);
    return err;
}

static void test_embedding_gradient(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 12);
    double worst[2] = {0, 0}, worst_fwd = 0.0;
    for (int trial = 0; trial < 20; trial++)
        for (int pool = 0; pool < 2; pool++)
            worst[pool] = fmax(worst[pool], embedding_trial(&rng, (sp_emb_pool)pool, &worst_fwd));
    print_message("embedding: forward rel err %.2e, gradient rel err concat %.2e, sum %.2e "
                  "(tol %.0e)\n",
                  worst_fwd, worst[0], worst[1], GRAD_TOL);
    assert_small(worst_fwd, 1e-5);
    assert_small(worst[0], GRAD_TOL);
    assert_small(worst[1], GRAD_TOL);
}

/* A big table stays untouched but for the looked-up rows; bad ids are reported. */
static void test_embedding_sparse_cost(void **state)
{
    (void)state;
    const int V = 200000, D = 200, B = 64, F = 3;
    sp_sparse_grad g;
    assert_int_equal(sp_sparse_grad_init(&g, V, D), SP_OK);
    int ids[B * F];
    float w[B * F], *dout = malloc(sizeof(float) * B * F * D);
    for (int p = 0; p < B * F; p++) {
        ids[p] = (p * 7919) % 50 + 1000 * (p % 3);
        w[p] = 1.0f;
    }
    for (int i = 0; i < B * F * D; i++)
        dout[i] = 1.0f;
    assert_int_equal(sp_embedding_backward(B, F, ids, w, SP_EMB_CONCAT, dout, &g), SP_OK);
    assert_true(g.n <= 150);
    assert_true(g.vals_cap <= 256); /* gradient storage follows the batch, not the table */
    ids[5] = V;
    assert_int_equal(sp_embedding_backward(B, F, ids, w, SP_EMB_CONCAT, dout, &g), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sample 1, field 2"));
    sp_sparse_grad_uninit(&g);
    free(dout);
}

/* ---- field embeddings + linear, per (field, id) pair -------------------- */

typedef struct fl_ctx {
    int B, F, V, D, out;
    const int *ids;
    double *w, *E, *W, *b, *R; /* R: weights of the test loss on Y (B, out) */
} fl_ctx;

/* sum_{b,j} R(b,j) (b(j) + sum_f w(b,f) sum_d W(j, f*D+d) E(id(b,f), d)). */
static double fl_ref_loss(void *p)
{
    const fl_ctx *c = p;
    double L = 0.0;
    int FD = c->F * c->D;
    for (int s = 0; s < c->B; s++)
        for (int j = 0; j < c->out; j++) {
            double y = c->b[j];
            for (int f = 0; f < c->F; f++) {
                int q = s * c->F + f;
                for (int d = 0; d < c->D; d++)
                    y += c->w[q] * c->W[j * FD + f * c->D + d] * c->E[c->ids[q] * c->D + d];
            }
            L += c->R[s * c->out + j] * y;
        }
    return L;
}

/* Forward and backward of one random shape: returns the worst relative
 * gradient error; *fwd_err the forward's (against the dense layers). */
static double fl_trial(sp_rng *rng, int B, int F, int V, int D, int out, double *fwd_err)
{
    fl_ctx c = {B, F, V, D, out, NULL, NULL, NULL, NULL, NULL, NULL};
    size_t L = (size_t)B * F, nE = (size_t)V * D, nW = (size_t)out * F * D, nY = (size_t)B * out;
    int *ids = malloc(L * sizeof(int));
    for (size_t q = 0; q < L; q++)
        ids[q] = nn_rand_int(rng, 0, V - 1);
    c.ids = ids;
    float *w = malloc(L * 4), *E = malloc(nE * 4), *W = malloc(nW * 4), *b = malloc(out * 4);
    float *R = malloc(nY * 4), *Y = malloc(nY * 4), *Yd = malloc(nY * 4), *X = malloc(L * D * 4);
    float *dW = calloc(nW, 4), *db = calloc(out, 4), *dense = malloc(nE * 4);
    c.w = malloc(L * 8), c.E = malloc(nE * 8), c.W = malloc(nW * 8), c.b = malloc(out * 8);
    c.R = malloc(nY * 8);
    double *ref = malloc((nE > nW ? nE : nW) * 8 + out * 8);
    nn_fill_normal(rng, L, 1.0, w, c.w);
    w[0] = 0.0f, c.w[0] = 0.0; /* a zero weight is skipped, with the same result */
    nn_fill_normal(rng, nE, 1.0, E, c.E);
    nn_fill_normal(rng, nW, 1.0, W, c.W);
    nn_fill_normal(rng, out, 1.0, b, c.b);
    nn_fill_normal(rng, nY, 1.0, R, c.R);
    sp_field_linear fl;
    assert_int_equal(sp_field_linear_init(&fl, F, V, D, out), SP_OK);
    int U = sp_field_linear_plan(&fl, B, ids);
    assert_true(U >= 1 && U <= (int)L && U <= F * V);
    assert_int_equal(sp_field_linear_forward(&fl, w, E, W, b, Y), SP_OK);
    assert_int_equal(sp_embedding_forward(B, F, V, D, ids, w, E, SP_EMB_CONCAT, X), SP_OK);
    assert_int_equal(sp_linear_forward(B, F * D, out, X, W, b, Yd), SP_OK);
    double num = 0.0, den = 1e-3;
    for (size_t i = 0; i < nY; i++)
        num = fmax(num, fabs((double)Y[i] - Yd[i])), den = fmax(den, fabs((double)Yd[i]));
    *fwd_err = fmax(*fwd_err, num / den);
    sp_sparse_grad g;
    assert_int_equal(sp_sparse_grad_init(&g, V, D), SP_OK);
    assert_int_equal(sp_field_linear_backward(&fl, w, W, R, dW, db, &g), SP_OK);
    emb_ctx ec = {B, F, V, D, SP_EMB_CONCAT, ids, NULL, NULL, NULL};
    emb_densify(&ec, &g, dense);
    nn_fd_gradient(fl_ref_loss, &c, c.E, nE, FD_H, ref);
    double err = nn_rel_err(nE, dense, ref, 1e-3);
    nn_fd_gradient(fl_ref_loss, &c, c.W, nW, FD_H, ref);
    err = fmax(err, nn_rel_err(nW, dW, ref, 1e-3));
    nn_fd_gradient(fl_ref_loss, &c, c.b, (size_t)out, FD_H, ref);
    err = fmax(err, nn_rel_err((size_t)out, db, ref, 1e-3));
    sp_sparse_grad_uninit(&g);
    sp_field_linear_uninit(&fl);
    free(ids), free(w), free(E), free(W), free(b), free(R), free(Y), free(Yd), free(X);
    free(dW), free(db), free(dense), free(c.w), free(c.E), free(c.W), free(c.b), free(c.R);
    free(ref);
    return err;
}

static void test_field_linear_gradient(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 15);
    double worst = 0.0, worst_fwd = 0.0;
    for (int trial = 0; trial < 15; trial++)
        worst = fmax(worst, fl_trial(&rng, nn_rand_int(&rng, 1, 9), nn_rand_int(&rng, 1, 5),
                                     nn_rand_int(&rng, 1, 12), nn_rand_int(&rng, 1, 6),
                                     nn_rand_int(&rng, 1, 20), &worst_fwd));
    /* more than one 128-pair chunk, several fields per chunk */
    worst = fmax(worst, fl_trial(&rng, 64, 3, 150, 4, 20, &worst_fwd));
    print_message("field linear: forward vs embedding + linear rel err %.2e, gradient rel err "
                  "%.2e (tol %.0e)\n", worst_fwd, worst, GRAD_TOL);
    assert_small(worst_fwd, 1e-5);
    assert_small(worst, GRAD_TOL);
    sp_field_linear fl;
    int ids[4] = {0, 1, 2, 7};
    assert_int_equal(sp_field_linear_init(&fl, 2, 7, 3, 4), SP_OK);
    assert_int_equal(sp_field_linear_plan(&fl, 2, ids), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sample 1, field 1"));
    sp_field_linear_uninit(&fl);
}

/* ---- activations ------------------------------------------------------- */

typedef struct act_ctx {
    sp_act act;
    double alpha;
    size_t n;
    double *x, *R;
} act_ctx;

static double act_ref_loss(void *p)
{
    const act_ctx *c = p;
    double L = 0.0;
    for (size_t i = 0; i < c->n; i++)
        L += c->R[i] * nn_act_ref(c->act, c->alpha, c->x[i]);
    return L;
}

static void test_activation_gradients(void **state)
{
    (void)state;
    sp_rng rng;
    sp_rng_seed(&rng, 13);
    enum { N = 257 };
    float x[N], y[N], R[N], dx[N];
    double xd[N], Rd[N], ref[N];
    for (int a = 0; a < SP_ACT_COUNT; a++) {
        sp_act act = (sp_act)a;
        float alpha = a == SP_ACT_ELU ? 0.7f : sp_act_default_alpha(act) * 10.0f;
        nn_fill_normal(&rng, N, 3.0, x, xd);
        for (int i = 0; i < N; i++) /* keep away from the kink at 0 */
            if (fabs(xd[i]) < 1e-3) x[i] = (float)(xd[i] = 0.5);
        nn_fill_normal(&rng, N, 1.0, R, Rd);
        act_ctx c = {act, alpha, N, xd, Rd};
        assert_int_equal(sp_act_forward(act, alpha, N, x, y), SP_OK);
        for (int i = 0; i < N; i++)
            ref[i] = nn_act_ref(act, alpha, xd[i]);
        double fwd = nn_rel_err(N, y, ref, 1e-3);
        assert_int_equal(sp_act_backward(act, alpha, N, x, y, R, dx), SP_OK);
        nn_fd_gradient(act_ref_loss, &c, xd, N, FD_H, ref);
        double err = nn_rel_err(N, dx, ref, 1e-3);
        print_message("%-10s: forward rel err %.2e, gradient rel err %.2e (tol %.0e)\n",
                      sp_act_name(act), fwd, err, GRAD_TOL);
        assert_small(fwd, 1e-6);
        assert_small(err, GRAD_TOL);
        sp_act back;
        assert_int_equal(sp_act_parse(sp_act_name(act), &back), SP_OK);
        assert_int_equal(back, act);
    }
    float big[2] = {-1000.0f, 1000.0f}, out[2];
    sp_act_forward(SP_ACT_SIGMOID, 0, 2, big, out);
    assert_true(out[0] == 0.0f && out[1] == 1.0f);
    sp_act bad;
    assert_int_equal(sp_act_parse("softplus", &bad), SP_EINVAL);
    assert_int_equal(sp_act_forward(SP_ACT_COUNT, 0, 2, big, out), SP_EINVAL);
}

/* ---- dropout ----------------------------------------------------------- */

static void test_dropout(void **state)
{
    (void)state;
    enum { N = 200000 };
    const float p = 0.3f;
    float *x = malloc(N * 4), *y = malloc(N * 4), *mask = malloc(N * 4), *mask2 = malloc(N * 4);
    float *dx = malloc(N * 4);
    sp_rng rng, rng2;
    sp_rng_seed(&rng, 14);
    nn_fill_normal(&rng, N, 1.0, x, NULL);
    sp_rng_seed(&rng, 99);
    sp_rng_seed(&rng2, 99);
    assert_int_equal(sp_dropout_forward(p, 1, N, x, mask, y, &rng), SP_OK);
    assert_int_equal(sp_dropout_forward(p, 1, N, x, mask2, y, &rng2), SP_OK);
    assert_memory_equal(mask, mask2, N * sizeof(float)); /* same seed, same mask */
    double dropped = 0.0;
    for (int i = 0; i < N; i++) {
        assert_true(mask[i] == 0.0f || mask[i] == 1.0f / (1.0f - p));
        assert_true(y[i] == mask[i] * x[i]);
        dropped += mask[i] == 0.0f;
    }
    double sd = sqrt(N * p * (1 - p));
    print_message("dropout: dropped %.0f of %d, expected %.0f +- %.0f\n", dropped, N, N * p, sd);
    assert_small(dropped - N * p, 5 * sd);
    sp_dropout_backward(N, mask, x, dx); /* d(mask .* x)/dx = mask, exactly */
    for (int i = 0; i < N; i++)
        assert_true(dx[i] == mask[i] * x[i]);
    assert_int_equal(sp_dropout_forward(p, 1, N, x, mask2, y, &rng), SP_OK);
    assert_true(memcmp(mask, mask2, N * sizeof(float)) != 0); /* next call, new mask */
    assert_int_equal(sp_dropout_forward(p, 0, N, x, mask, y, &rng), SP_OK);
    assert_memory_equal(x, y, N * sizeof(float));
    assert_int_equal(sp_dropout_forward(1.0f, 1, N, x, mask, y, &rng), SP_EINVAL);
    free(x);
    free(y);
    free(mask);
    free(mask2);
    free(dx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tensor_and_params),    cmocka_unit_test(test_linear_gradient),
        cmocka_unit_test(test_embedding_gradient),   cmocka_unit_test(test_embedding_sparse_cost),
        cmocka_unit_test(test_field_linear_gradient),
        cmocka_unit_test(test_activation_gradients), cmocka_unit_test(test_dropout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
