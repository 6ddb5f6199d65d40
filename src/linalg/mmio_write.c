/* mmio_write.c: Matrix Market writer: CSR as `coordinate real` (general, or
 * the lower triangle for symmetric / skew-symmetric) and dense as `array real
 * general`. Values with %.17g, so reading back gives the same doubles. Output
 * goes to a temp file renamed into place: all or nothing. Does not check that
 * a matrix written as symmetric really is (the caller asserts it). */
#include "spartan/linalg.h"
#include <string.h>

static const char *const symmetry_names[] = {"general", "symmetric", "skew-symmetric"};

/* Each line of comments as a '%' line (NULL: none). */
static void write_comments(FILE *fp, const char *comments)
{
    if (!comments || !*comments) return;
    for (const char *p = comments;;) {
        size_t len = strcspn(p, "\n");
        fprintf(fp, "%%%.*s\n", (int)len, p);
        if (!p[len]) break;
        p += len + 1;
    }
}

/* Whether (i, j) is written: the stored triangle for symmetric storage. */
static int entry_kept(sp_mm_symmetry symmetry, int i, int j)
{
    if (symmetry == SP_MM_SYMMETRIC) return i >= j;
    if (symmetry == SP_MM_SKEW_SYMMETRIC) return i > j;
    return 1;
}

static int64_t count_kept(const sp_csr *A, sp_mm_symmetry symmetry)
{
    int64_t n = 0;
    for (int i = 0; i < A->rows; i++)
        for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++)
            n += entry_kept(symmetry, i, A->colind[k]);
    return n;
}

static int check_write_csr(const char *path, const sp_csr *A, sp_mm_symmetry symmetry)
{
    if (!path || !A) return sp_error(SP_EINVAL, "mm_write_csr: NULL argument");
    if ((int)symmetry < 0 || (int)symmetry > SP_MM_SKEW_SYMMETRIC)
        return sp_error(SP_EINVAL, "mm_write_csr: %s: bad symmetry %d", path, (int)symmetry);
    if (symmetry != SP_MM_GENERAL && A->rows != A->cols)
        return sp_error(SP_EINVAL,
                        "mm_write_csr: %s: %s storage needs a square matrix, not %d x %d", path,
                        symmetry_names[symmetry], A->rows, A->cols);
    return SP_OK;
}

int sp_mm_write_csr(const char *path, const sp_csr *A, sp_mm_symmetry symmetry,
                    const char *comments)
{
    int rc = check_write_csr(path, A, symmetry);
    if (rc < 0) return rc;
    sp_atomic_file f;
    if ((rc = sp_atomic_open(&f, path)) < 0) return rc;
    fprintf(f.fp, "%%%%MatrixMarket matrix coordinate real %s\n", symmetry_names[symmetry]);
    write_comments(f.fp, comments);
    fprintf(f.fp, "%d %d %lld\n", A->rows, A->cols, (long long)count_kept(A, symmetry));
    for (int i = 0; i < A->rows; i++)
        for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++)
            if (entry_kept(symmetry, i, A->colind[k]))
                fprintf(f.fp, "%d %d %.17g\n", i + 1, A->colind[k] + 1, A->val[k]);
    return sp_atomic_commit(&f);
}

int sp_mm_write_dense(const char *path, const sp_dmat *A, const char *comments)
{
    if (!path || !A || A->rows < 0 || A->cols < 0 || (A->rows > 0 && A->cols > 0 && !A->data))
        return sp_error(SP_EINVAL, "mm_write_dense: bad argument");
    sp_atomic_file f;
    int rc = sp_atomic_open(&f, path);
    if (rc < 0) return rc;
    fprintf(f.fp, "%%%%MatrixMarket matrix array real general\n");
    write_comments(f.fp, comments);
    fprintf(f.fp, "%d %d\n", A->rows, A->cols);
    for (int j = 0; j < A->cols; j++)
        for (int i = 0; i < A->rows; i++)
            fprintf(f.fp, "%.17g\n", SP_AT(A, i, j));
    return sp_atomic_commit(&f);
}
