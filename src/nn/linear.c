/* linear.c: fully connected layer Y = X W^T + b on row-major batches,
 * forward and backward through cblas_sgemm on fixed blocks (batch rows, or
 * weight rows/columns for dW) run by OpenMP threads, each a single-threaded
 * GEMM: all cores work and the result does not depend on the thread count
 * (OpenBLAS's own threading does change the bits). Parameter gradients
 * accumulate, input gradients overwrite. Does not own any memory. */
#include "nn_internal.h"
#include "spartan/nn.h"
#include <cblas.h>

/* Fixed block sizes: the partition depends on the shapes only. Large enough
 * that OpenBLAS's packing of the shared operand (once per block) stays small
 * next to the block's multiply-adds; a batch of 1000 splits in two. */
enum { SP_LINEAR_ROW_BLOCK = 512, SP_LINEAR_W_BLOCK_MIN = 128, SP_LINEAR_W_BLOCK_MAX = 512 };

/* Block of dW's longer side (len): about half of it, in [128, 512], multiple of 64. */
static int linear_w_block(int len)
{
    int half = ((len + 1) / 2 + 63) / 64 * 64;
    return half < SP_LINEAR_W_BLOCK_MIN ? SP_LINEAR_W_BLOCK_MIN
           : half > SP_LINEAR_W_BLOCK_MAX ? SP_LINEAR_W_BLOCK_MAX : half;
}

static int linear_check(const char *fn, int B, int in, int out)
{
    if (B < 1 || in < 1 || out < 1)
        return sp_error(SP_EINVAL, "%s: batch %d, in %d, out %d must be >= 1", fn, B, in, out);
    return SP_OK;
}

/* X (B, in), W (out, in), b (out) or NULL -> Y (B, out). */
int sp_linear_forward(int B, int in, int out, const float *X, const float *W, const float *b,
                      float *Y)
{
    int rc = linear_check("sp_linear_forward", B, in, out);
    if (rc < 0) return rc;
    float beta = 0.0f;
    if (b) {
        SP_NN_OMP_FOR((size_t)B * (size_t)out >= SP_NN_PAR_MIN)
        for (int i = 0; i < B; i++)
            for (int j = 0; j < out; j++)
                Y[(size_t)i * out + j] = b[j];
        beta = 1.0f;
    }
    int nblocks = (B + SP_LINEAR_ROW_BLOCK - 1) / SP_LINEAR_ROW_BLOCK;
    SP_NN_OMP_FOR(nblocks > 1)
    for (int k = 0; k < nblocks; k++) {
        int i0 = k * SP_LINEAR_ROW_BLOCK,
            rows = B - i0 < SP_LINEAR_ROW_BLOCK ? B - i0 : SP_LINEAR_ROW_BLOCK;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, out, in, 1.0f,
                    X + (size_t)i0 * in, in, W, in, beta, Y + (size_t)i0 * out, out);
    }
    return SP_OK;
}

/* dY (B, out) -> db (out) += column sums; columns split among threads, rows
 * summed in order within each column. */
void sp_nn_bias_grad(int B, int out, const float *dY, float *db)
{
    enum { CHUNK = 64 };
    int nchunks = (out + CHUNK - 1) / CHUNK;
    SP_NN_OMP_FOR((size_t)B * (size_t)out >= SP_NN_PAR_MIN && nchunks > 1)
    for (int c = 0; c < nchunks; c++) {
        int j0 = c * CHUNK, j1 = j0 + CHUNK < out ? j0 + CHUNK : out;
        double acc[CHUNK];
        for (int j = j0; j < j1; j++)
            acc[j - j0] = db[j];
        for (int i = 0; i < B; i++) {
            const float *row = dY + (size_t)i * out;
            for (int j = j0; j < j1; j++)
                acc[j - j0] += row[j];
        }
        for (int j = j0; j < j1; j++)
            db[j] = (float)acc[j - j0];
    }
}

/* W (out, in), dY (B, out) -> dX (B, in) = dY W, by blocks of batch rows. */
static void linear_input_grad(int B, int in, int out, const float *W, const float *dY, float *dX)
{
    int nblocks = (B + SP_LINEAR_ROW_BLOCK - 1) / SP_LINEAR_ROW_BLOCK;
    SP_NN_OMP_FOR(nblocks > 1)
    for (int k = 0; k < nblocks; k++) {
        int i0 = k * SP_LINEAR_ROW_BLOCK,
            rows = B - i0 < SP_LINEAR_ROW_BLOCK ? B - i0 : SP_LINEAR_ROW_BLOCK;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, in, out, 1.0f,
                    dY + (size_t)i0 * out, out, W, in, 0.0f, dX + (size_t)i0 * in, in);
    }
}

/* X (B, in), dY (B, out) -> dW (out, in) += dY^T X, by blocks of the longer
 * side of dW (rows j0.. of dW need columns j0.. of dY; columns c0.. of dW
 * need columns c0.. of X). */
static void linear_weight_grad(int B, int in, int out, const float *X, const float *dY, float *dW)
{
    int by_rows = out > in, len = by_rows ? out : in, wb = linear_w_block(len);
    int nblocks = (len + wb - 1) / wb;
    SP_NN_OMP_FOR(nblocks > 1 && (size_t)B * (size_t)in * (size_t)out >= SP_NN_PAR_MIN)
    for (int k = 0; k < nblocks; k++) {
        int j0 = k * wb, n = len - j0 < wb ? len - j0 : wb;
        if (by_rows)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, in, B, 1.0f, dY + j0, out, X,
                        in, 1.0f, dW + (size_t)j0 * in, in);
        else
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, n, B, 1.0f, dY, out, X + j0,
                        in, 1.0f, dW + j0, in);
    }
}

/* X (B, in), W (out, in), dY (B, out) -> dX (B, in) = dY W,
 * dW (out, in) += dY^T X, db (out) += sum_b dY(b, :). */
int sp_linear_backward(int B, int in, int out, const float *X, const float *W, const float *dY,
                       float *dX, float *dW, float *db)
{
    int rc = linear_check("sp_linear_backward", B, in, out);
    if (rc < 0) return rc;
    if (dX) linear_input_grad(B, in, out, W, dY, dX);
    if (dW) linear_weight_grad(B, in, out, X, dY, dW);
    if (db) sp_nn_bias_grad(B, out, dY, db);
    return SP_OK;
}
