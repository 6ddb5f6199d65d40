/* dense.c: sp_dmat lifecycle (init/uninit, wrap, view, copy, clone) and small
 * whole-matrix helpers (identity, fill, Frobenius norm). Column-major,
 * a(i,j) = data[i + j*ld]; every loop honours ld, so views work everywhere.
 * No arithmetic kernels here: those are CBLAS/LAPACKE calls in blas.c, lapack.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <lapacke.h>
#include "spartan/linalg.h"
#include "linalg/dense_check.h"

static sp_dmat invalid_view(void)
{
    sp_dmat V = {-1, -1, 0, NULL, 0};
    return V;
}

/* Shape and ld usable for element access (empty matrices count as valid). */
static int dmat_ok(const sp_dmat *A)
{
    if (!A || A->rows < 0 || A->cols < 0 || A->ld < (A->rows > 1 ? A->rows : 1)) return 0;
    return A->data != NULL || A->rows == 0 || A->cols == 0;
}

int sp_dmat_init(sp_dmat *A, int rows, int cols)
{
    if (!A) return sp_error(SP_EINVAL, "sp_dmat_init: A is NULL");
    *A = (sp_dmat){0, 0, 1, NULL, 0};
    if (rows < 0 || cols < 0)
        return sp_error(SP_EINVAL, "sp_dmat_init: shape %d x %d is negative", rows, cols);
    double *data = sp_calloc((size_t)rows * (size_t)cols, sizeof(double));
    if (!data) return SP_ENOMEM;
    *A = (sp_dmat){rows, cols, rows > 1 ? rows : 1, data, 1};
    return SP_OK;
}

void sp_dmat_uninit(sp_dmat *A)
{
    if (!A) return;
    if (A->owns) free(A->data);
    *A = (sp_dmat){0, 0, 1, NULL, 0};
}

sp_dmat sp_dmat_wrap(double *data, int rows, int cols, int ld)
{
    sp_dmat V = {rows, cols, ld, data, 0};
    if (!dmat_ok(&V)) {
        sp_error(SP_EINVAL, "sp_dmat_wrap: %d x %d with ld = %d%s is not a valid matrix",
                 rows, cols, ld, data ? "" : " and data NULL");
        return invalid_view();
    }
    return V;
}

sp_dmat sp_dmat_view(const sp_dmat *A, int i0, int j0, int rows, int cols)
{
    if (!dmat_ok(A)) {
        sp_error(SP_EINVAL, "sp_dmat_view: source matrix is invalid");
        return invalid_view();
    }
    if (i0 < 0 || j0 < 0 || rows < 0 || cols < 0 || i0 > A->rows - rows ||
        j0 > A->cols - cols) {
        sp_error(SP_EINVAL, "sp_dmat_view: block (%d, %d) of size %d x %d is outside %d x %d",
                 i0, j0, rows, cols, A->rows, A->cols);
        return invalid_view();
    }
    sp_dmat V = {rows, cols, A->ld, NULL, 0};
    if (rows > 0 && cols > 0) V.data = &SP_AT(A, i0, j0);
    else V.data = A->data; /* empty view: any valid pointer */
    return V;
}

int sp_dmat_copy(const sp_dmat *src, sp_dmat *dst)
{
    if (!dmat_ok(src) || !dmat_ok(dst))
        return sp_error(SP_EINVAL, "sp_dmat_copy: %s matrix is invalid",
                        dmat_ok(src) ? "destination" : "source");
    if (src->rows != dst->rows || src->cols != dst->cols)
        return sp_error(SP_EINVAL, "sp_dmat_copy: source is %d x %d but destination is %d x %d",
                        src->rows, src->cols, dst->rows, dst->cols);
    size_t bytes = (size_t)src->rows * sizeof(double);
    for (int j = 0; j < src->cols && bytes > 0; j++)
        memmove(&SP_AT(dst, 0, j), &SP_AT(src, 0, j), bytes);
    return SP_OK;
}

int sp_dmat_clone(const sp_dmat *src, sp_dmat *dst)
{
    if (!dst) return sp_error(SP_EINVAL, "sp_dmat_clone: dst is NULL");
    if (!dmat_ok(src)) {
        *dst = (sp_dmat){0, 0, 1, NULL, 0};
        return sp_error(SP_EINVAL, "sp_dmat_clone: source matrix is invalid");
    }
    int rc = sp_dmat_init(dst, src->rows, src->cols);
    if (rc < 0) return rc;
    return sp_dmat_copy(src, dst);
}

void sp_dmat_fill(sp_dmat *A, double value)
{
    if (!dmat_ok(A)) return;
    for (int j = 0; j < A->cols; j++)
        for (int i = 0; i < A->rows; i++) SP_AT(A, i, j) = value;
}

void sp_dmat_set_identity(sp_dmat *A)
{
    if (!dmat_ok(A)) return;
    sp_dmat_fill(A, 0.0);
    int k = A->rows < A->cols ? A->rows : A->cols;
    for (int i = 0; i < k; i++) SP_AT(A, i, i) = 1.0;
}

double sp_dmat_norm_fro(const sp_dmat *A)
{
    if (!dmat_ok(A)) return NAN;
    if (A->rows == 0 || A->cols == 0) return 0.0;
    /* dlange('F') scales as it sums (dlassq): no overflow for huge entries. */
    return LAPACKE_dlange_work(LAPACK_COL_MAJOR, 'F', A->rows, A->cols, A->data, A->ld, NULL);
}

int sp_dmat_check(const char *fn, const char *name, const sp_dmat *A)
{
    if (!A) return sp_error(SP_EINVAL, "%s: %s is NULL", fn, name);
    if (A->rows < 0 || A->cols < 0)
        return sp_error(SP_EINVAL, "%s: %s has negative shape %d x %d", fn, name, A->rows,
                        A->cols);
    if (A->ld < (A->rows > 1 ? A->rows : 1))
        return sp_error(SP_EINVAL, "%s: %s has ld = %d < rows = %d", fn, name, A->ld, A->rows);
    if (!A->data && A->rows > 0 && A->cols > 0)
        return sp_error(SP_EINVAL, "%s: %s has no data", fn, name);
    return SP_OK;
}
