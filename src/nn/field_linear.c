/* field_linear.c: field embeddings followed by a Linear layer, computed per
 * distinct (field, id) pair of the batch (sp_field_linear in nn.h): one small
 * GEMM per field instead of a (B, F*dim) x (F*dim, out) one. Guarantees every
 * output is summed in an order fixed by the batch, never by the thread count.
 * Does not own, update or regularise the table or the weights. */
#include "nn_internal.h"
#include "spartan/nn.h"
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

/* Pairs per GEMM task (forward projection, embedding gradient) and rows of dW per task. */
enum { FL_PAIR_CHUNK = 128, FL_OUT_CHUNK = 256 };

int sp_field_linear_init(sp_field_linear *fl, int fields, int table_rows, int dim, int out)
{
    memset(fl, 0, sizeof *fl);
    if (fields < 1 || table_rows < 1 || dim < 1 || out < 1)
        return sp_error(SP_EINVAL, "sp_field_linear_init: fields %d, rows %d, dim %d, out %d "
                        "must be >= 1", fields, table_rows, dim, out);
    fl->field_start = sp_malloc(((size_t)fields + 1) * sizeof(int));
    fl->slot = sp_malloc((size_t)table_rows * sizeof(int));
    if (!fl->field_start || !fl->slot) {
        sp_field_linear_uninit(fl);
        return SP_ENOMEM;
    }
    for (int r = 0; r < table_rows; r++)
        fl->slot[r] = -1;
    fl->fields = fields;
    fl->table_rows = table_rows;
    fl->dim = dim;
    fl->out = out;
    return SP_OK;
}

void sp_field_linear_uninit(sp_field_linear *fl)
{
    free(fl->field_start);
    free(fl->pair_row);
    free(fl->lookup_pair);
    free(fl->bucket_start);
    free(fl->bucket);
    free(fl->slot);
    free(fl->emb);
    free(fl->proj);
    free(fl->demb);
    memset(fl, 0, sizeof *fl);
}

/* Index arrays for L lookups (at most L pairs). */
static int fl_reserve_lookups(sp_field_linear *fl, size_t L)
{
    if (L <= fl->lookup_cap) return SP_OK;
    int **arr[4] = {&fl->pair_row, &fl->lookup_pair, &fl->bucket, &fl->bucket_start};
    for (int k = 0; k < 4; k++) {
        int *a = sp_realloc(*arr[k], (L + 1) * sizeof(int));
        if (!a) return SP_ENOMEM;
        *arr[k] = a;
    }
    fl->lookup_cap = L;
    return SP_OK;
}

/* Float buffers for U pairs (contents are rebuilt by every forward). */
static int fl_reserve_pairs(sp_field_linear *fl, size_t U)
{
    if (U <= fl->pair_cap) return SP_OK;
    size_t cap = U + U / 4;
    free(fl->emb);
    free(fl->proj);
    free(fl->demb);
    fl->emb = sp_malloc(cap * (size_t)fl->dim * sizeof(float));
    fl->proj = sp_malloc(cap * (size_t)fl->out * sizeof(float));
    fl->demb = sp_malloc(cap * (size_t)fl->dim * sizeof(float));
    fl->pair_cap = fl->emb && fl->proj && fl->demb ? cap : 0;
    return fl->pair_cap ? SP_OK : SP_ENOMEM;
}

/* Pairs field by field, each field's in order of first appearance. */
int sp_field_linear_plan(sp_field_linear *fl, int B, const int *ids)
{
    int F = fl->fields, U = 0;
    fl->U = 0;
    if (B < 1) return sp_error(SP_EINVAL, "sp_field_linear_plan: batch %d < 1", B);
    size_t L = (size_t)B * (size_t)F;
    for (size_t p = 0; p < L; p++)
        if (ids[p] < 0 || ids[p] >= fl->table_rows)
            return sp_error(SP_EINVAL, "sp_field_linear_plan: id %d of sample %zu, field %zu "
                            "outside [0, %d)", ids[p], p / (size_t)F, p % (size_t)F, fl->table_rows);
    int rc = fl_reserve_lookups(fl, L);
    if (rc < 0) return rc;
    for (int f = 0; f < F; f++) {
        fl->field_start[f] = U;
        for (size_t p = (size_t)f; p < L; p += (size_t)F) {
            int r = ids[p];
            if (fl->slot[r] < 0) {
                fl->slot[r] = U;
                fl->pair_row[U++] = r;
            }
            fl->lookup_pair[p] = fl->slot[r];
        }
        for (int u = fl->field_start[f]; u < U; u++)
            fl->slot[fl->pair_row[u]] = -1;
    }
    fl->field_start[F] = U;
    fl->B = B;
    fl->U = U;
    return U;
}

/* Chunk k of the pairs, cut at field boundaries: calls
 * gemm(fl, field, first pair, pairs) for each piece. W is (out, F*dim). */
typedef void (*fl_piece_fn)(sp_field_linear *fl, const float *W, int f, int u0, int n);

static void fl_for_pieces(sp_field_linear *fl, const float *W, fl_piece_fn piece)
{
    int nchunks = (fl->U + FL_PAIR_CHUNK - 1) / FL_PAIR_CHUNK;
    size_t work = (size_t)fl->U * (size_t)fl->dim * (size_t)fl->out;
    SP_NN_OMP_FOR_DYNAMIC(nchunks > 1 && work >= SP_NN_PAR_MIN)
    for (int k = 0; k < nchunks; k++) {
        int u0 = k * FL_PAIR_CHUNK, u1 = u0 + FL_PAIR_CHUNK < fl->U ? u0 + FL_PAIR_CHUNK : fl->U;
        for (int f = 0; f < fl->fields; f++) {
            int a = fl->field_start[f] > u0 ? fl->field_start[f] : u0;
            int b = fl->field_start[f + 1] < u1 ? fl->field_start[f + 1] : u1;
            if (a < b) piece(fl, W, f, a, b - a);
        }
    }
}

/* proj (n pairs from u0, out) = emb (n, dim) W_f^T. */
static void fl_project_piece(sp_field_linear *fl, const float *W, int f, int u0, int n)
{
    int D = fl->dim, O = fl->out, FD = fl->fields * D;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, O, D, 1.0f, fl->emb + (size_t)u0 * D,
                D, W + (size_t)f * D, FD, 0.0f, fl->proj + (size_t)u0 * O, O);
}

/* demb (n pairs from u0, dim) = G (n, out) W_f. */
static void fl_emb_grad_piece(sp_field_linear *fl, const float *W, int f, int u0, int n)
{
    int D = fl->dim, O = fl->out, FD = fl->fields * D;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, D, O, 1.0f,
                fl->proj + (size_t)u0 * O, O, W + (size_t)f * D, FD, 0.0f,
                fl->demb + (size_t)u0 * D, D);
}

/* Y (B, out) = bias + sum over fields, in order, of w(b,f) proj(pair(b,f), :)
 * (lookups of weight 0 add nothing and are skipped). */
static void fl_sum(const sp_field_linear *fl, const float *w, const float *bias, float *Y)
{
    size_t F = (size_t)fl->fields, O = (size_t)fl->out;
    SP_NN_OMP_FOR((size_t)fl->B * O >= SP_NN_PAR_MIN)
    for (int b = 0; b < fl->B; b++) {
        float *y = Y + (size_t)b * O;
        if (bias) memcpy(y, bias, O * sizeof(float));
        else memset(y, 0, O * sizeof(float));
        for (size_t f = 0; f < F; f++) {
            size_t p = (size_t)b * F + f;
            float s = w[p];
            if (s == 0.0f) continue;
            cblas_saxpy((int)O, s, fl->proj + (size_t)fl->lookup_pair[p] * O, 1, y, 1);
        }
    }
}

int sp_field_linear_forward(sp_field_linear *fl, const float *w, const float *table,
                            const float *W, const float *bias, float *Y)
{
    if (fl->U < 1) return sp_error(SP_EINVAL, "sp_field_linear_forward: no plan");
    int rc = fl_reserve_pairs(fl, (size_t)fl->U);
    if (rc < 0) return rc;
    size_t D = (size_t)fl->dim;
    for (int u = 0; u < fl->U; u++)
        memcpy(fl->emb + (size_t)u * D, table + (size_t)fl->pair_row[u] * D, D * sizeof(float));
    fl_for_pieces(fl, W, fl_project_piece);
    fl_sum(fl, w, bias, Y);
    return SP_OK;
}

/* Lookups bucketed by pair (counting sort, stable): the lookups of pair u
 * are bucket[bucket_start[u] .. bucket_start[u+1]), in batch order. */
static void fl_bucket(sp_field_linear *fl)
{
    size_t L = (size_t)fl->B * (size_t)fl->fields;
    int *start = fl->bucket_start;
    memset(start, 0, ((size_t)fl->U + 1) * sizeof(int));
    for (size_t p = 0; p < L; p++)
        start[fl->lookup_pair[p] + 1]++;
    for (int u = 0; u < fl->U; u++)
        start[u + 1] += start[u];
    for (size_t p = 0; p < L; p++)
        fl->bucket[start[fl->lookup_pair[p]]++] = (int)p;
    for (int u = fl->U; u > 0; u--)
        start[u] = start[u - 1]; /* undo the shift */
    start[0] = 0;
}

/* proj (U, out) = G: G_u = sum over the lookups p = (b, f) of pair u, in
 * batch order, of w(p) dY(b, :). */
static void fl_scatter(sp_field_linear *fl, const float *w, const float *dY)
{
    size_t F = (size_t)fl->fields, O = (size_t)fl->out;
    SP_NN_OMP_FOR_DYNAMIC((size_t)fl->B * F * O >= SP_NN_PAR_MIN)
    for (int u = 0; u < fl->U; u++) {
        float *g = fl->proj + (size_t)u * O;
        memset(g, 0, O * sizeof(float));
        for (int q = fl->bucket_start[u]; q < fl->bucket_start[u + 1]; q++) {
            size_t p = (size_t)fl->bucket[q];
            float s = w[p];
            if (s == 0.0f) continue;
            cblas_saxpy((int)O, s, dY + (p / F) * O, 1, g, 1);
        }
    }
}

/* dW_f (out, dim; columns f*dim.. of dW) += G_f^T emb_f, in (field, rows) tasks. */
static void fl_weight_grad(const sp_field_linear *fl, float *dW)
{
    int D = fl->dim, O = fl->out, FD = fl->fields * D;
    int nrow = (O + FL_OUT_CHUNK - 1) / FL_OUT_CHUNK, ntasks = fl->fields * nrow;
    size_t work = (size_t)fl->U * (size_t)D * (size_t)O;
    SP_NN_OMP_FOR_DYNAMIC(ntasks > 1 && work >= SP_NN_PAR_MIN)
    for (int t = 0; t < ntasks; t++) {
        int f = t / nrow, r0 = (t % nrow) * FL_OUT_CHUNK;
        int rows = O - r0 < FL_OUT_CHUNK ? O - r0 : FL_OUT_CHUNK;
        int a = fl->field_start[f], n = fl->field_start[f + 1] - a;
        if (n < 1) continue;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, rows, D, n, 1.0f,
                    fl->proj + (size_t)a * O + r0, O, fl->emb + (size_t)a * D, D, 1.0f,
                    dW + (size_t)r0 * FD + (size_t)f * D, FD);
    }
}

int sp_field_linear_backward(sp_field_linear *fl, const float *w, const float *W, const float *dY,
                             float *dW, float *db, sp_sparse_grad *g)
{
    if (fl->U < 1 || fl->pair_cap < (size_t)fl->U)
        return sp_error(SP_EINVAL, "sp_field_linear_backward: no forward on this batch");
    if (g->table_rows != fl->table_rows || g->dim != fl->dim)
        return sp_error(SP_EINVAL, "sp_field_linear_backward: gradient of a (%d, %d) table, "
                        "layer has (%d, %d)", g->table_rows, g->dim, fl->table_rows, fl->dim);
    if (db) sp_nn_bias_grad(fl->B, fl->out, dY, db);
    fl_bucket(fl);
    fl_scatter(fl, w, dY);
    fl_weight_grad(fl, dW);
    fl_for_pieces(fl, W, fl_emb_grad_piece);
    return sp_sparse_grad_add_rows(g, fl->U, fl->pair_row, fl->demb);
}
