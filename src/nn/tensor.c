/* tensor.c: float tensors with explicit row-major shapes (owning or views)
 * and a finiteness scan. Guarantees zero-filled allocation and no leaks on
 * failure; does no arithmetic beyond fill (kernels take raw pointers). */
#include "spartan/nn.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int sp_tensor_init(sp_tensor *t, int ndim, const int *shape)
{
    memset(t, 0, sizeof *t);
    if (ndim < 1 || ndim > SP_TENSOR_MAXDIM)
        return sp_error(SP_EINVAL, "sp_tensor_init: ndim = %d must be in [1, %d]", ndim,
                        SP_TENSOR_MAXDIM);
    size_t size = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 1)
            return sp_error(SP_EINVAL, "sp_tensor_init: shape[%d] = %d must be >= 1", i, shape[i]);
        size *= (size_t)shape[i];
    }
    t->data = sp_calloc(size, sizeof(float));
    if (!t->data) return SP_ENOMEM;
    t->ndim = ndim;
    memcpy(t->shape, shape, (size_t)ndim * sizeof(int));
    t->size = size;
    t->owns = 1;
    return SP_OK;
}

int sp_tensor_init2(sp_tensor *t, int rows, int cols)
{
    int shape[2] = {rows, cols};
    return sp_tensor_init(t, 2, shape);
}

sp_tensor sp_tensor_view2(float *data, int rows, int cols)
{
    sp_tensor t;
    memset(&t, 0, sizeof t);
    t.data = data;
    t.ndim = 2;
    t.shape[0] = rows;
    t.shape[1] = cols;
    t.size = (size_t)rows * (size_t)cols;
    return t;
}

void sp_tensor_uninit(sp_tensor *t)
{
    if (t->owns) free(t->data);
    memset(t, 0, sizeof *t);
}

void sp_tensor_fill(sp_tensor *t, float value)
{
    for (size_t i = 0; i < t->size; i++)
        t->data[i] = value;
}

/* Blocks of 1024: sum of x * 0 is NaN exactly when the block holds a NaN or
 * an infinity (a vectorisable test); only such a block is searched. */
ptrdiff_t sp_first_nonfinite(size_t n, const float *x)
{
    for (size_t i0 = 0; i0 < n; i0 += 1024) {
        size_t i1 = n - i0 < 1024 ? n : i0 + 1024;
        float probe = 0.0f;
#pragma omp simd reduction(+ : probe)
        for (size_t i = i0; i < i1; i++)
            probe += x[i] * 0.0f;
        if (probe == 0.0f) continue;
        for (size_t i = i0; i < i1; i++)
            if (!isfinite(x[i])) return (ptrdiff_t)i;
    }
    return -1;
}
