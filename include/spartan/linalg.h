/* spartan/linalg.h: dense column-major matrices with views, checked
 * CBLAS/LAPACKE wrappers, CSR sparse matrices, Matrix Market I/O.
 *
 * Example:
 *   sp_csr A; sp_mm_info info;
 *   if (sp_mm_read("bfwa62.mtx", &A, &info) < 0) { puts(sp_errmsg()); return 2; }
 *   double *x = ..., *y = ...;          // length A.cols, A.rows
 *   sp_csr_matvec(&A, x, y);            // y = A x
 *   sp_csr_uninit(&A); sp_mm_info_uninit(&info);
 *
 * Layout: dense a(i,j) = data[i + j*ld] (column-major, LAPACK order), ld >= rows.
 * Sizes: dense dimensions and CSR row/column indices are int (LAPACK's LP64
 * integers); CSR row pointers and nnz are int64_t. All wrappers check their
 * arguments and LAPACK's info and return SP_OK or a negative sp_status with a
 * message (sp_errmsg()).
 */
#ifndef SPARTAN_LINALG_H
#define SPARTAN_LINALG_H

#include <stdint.h>
#include "spartan/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== dense matrices ==================================================== */

typedef struct sp_dmat {
    int rows, cols, ld;
    double *data;
    int owns; /* 1: data freed by sp_dmat_uninit; 0: a view, never frees */
} sp_dmat;

/* a(i,j) of a dense matrix pointer. */
#define SP_AT(A, i, j) ((A)->data[(size_t)(i) + (size_t)(j) * (size_t)(A)->ld])

int sp_dmat_init(sp_dmat *A, int rows, int cols);           /* zero-filled, owning */
void sp_dmat_uninit(sp_dmat *A);                             /* frees if owning; safe on zeroed struct */
sp_dmat sp_dmat_wrap(double *data, int rows, int cols, int ld); /* view of caller memory */
sp_dmat sp_dmat_view(const sp_dmat *A, int i0, int j0, int rows, int cols); /* submatrix, no copy */
int sp_dmat_copy(const sp_dmat *src, sp_dmat *dst);          /* dst same shape, may be a view */
int sp_dmat_clone(const sp_dmat *src, sp_dmat *dst);         /* dst newly allocated copy */
void sp_dmat_set_identity(sp_dmat *A);                       /* I (rectangular: ones on diagonal) */
void sp_dmat_fill(sp_dmat *A, double value);
double sp_dmat_norm_fro(const sp_dmat *A);

/* ---- BLAS level 1 (n-vectors, unit stride) ----------------------------- */
double sp_dot(int n, const double *x, const double *y);      /* x^T y */
double sp_nrm2(int n, const double *x);                      /* ||x||_2, overflow-safe */
void sp_axpy(int n, double alpha, const double *x, double *y); /* y += alpha x */
void sp_scal(int n, double alpha, double *x);                /* x *= alpha */
void sp_copy(int n, const double *x, double *y);             /* y = x */

/* ---- BLAS level 2/3 ----------------------------------------------------- */
/* y = alpha op(A) x + beta y, op = 'N' or 'T'. */
int sp_gemv(char trans, double alpha, const sp_dmat *A, const double *x, double beta, double *y);
/* C = alpha op(A) op(B) + beta C, ops 'N' or 'T'; shapes checked. */
int sp_gemm(char transa, char transb, double alpha, const sp_dmat *A, const sp_dmat *B,
            double beta, sp_dmat *C);

/* ---- LAPACK ------------------------------------------------------------- */
/* QR: A (m x n) overwritten by R and Householder vectors, tau has min(m,n). */
int sp_geqrf(sp_dmat *A, double *tau);
/* Form the first A->cols columns of Q from sp_geqrf's output (k reflectors). */
int sp_orgqr(sp_dmat *A, int k, const double *tau);
/* Column-pivoted QR: jpvt (n) in/out, 1-based as LAPACK (0 = free column). */
int sp_geqp3(sp_dmat *A, int *jpvt, double *tau);
/* SVD A = U diag(s) VT by divide and conquer; A destroyed. U (m x min) and VT
 * (min x n) may be NULL for values only (then both must be NULL). */
int sp_gesdd(sp_dmat *A, double *s, sp_dmat *U, sp_dmat *VT);
/* Eigenvalues (wr + i wi) of a general square A (destroyed); VR (n x n) right
 * eigenvectors in LAPACK's packed real form, or NULL. */
int sp_geev(sp_dmat *A, double *wr, double *wi, sp_dmat *VR);
/* Symmetric eigen: w ascending; A replaced by eigenvectors when want_vectors. */
int sp_syev(sp_dmat *A, double *w, int want_vectors);
/* Symmetric tridiagonal eigen: d (n) diagonal -> eigenvalues ascending,
 * e (n-1) off-diagonal destroyed; Z (n x n) eigenvectors or NULL. */
int sp_stev(int n, double *d, double *e, sp_dmat *Z);
/* Real Schur form of upper Hessenberg H (destroyed -> T): H = Z T Z^T.
 * Z (n x n) on entry: the matrix to accumulate into (identity for Z itself),
 * or NULL for eigenvalues only. */
int sp_hseqr(sp_dmat *H, double *wr, double *wi, sp_dmat *Z);
/* Right eigenvectors of quasi-triangular T for the selected eigenvalues
 * (select: n ints, 1 = wanted; a complex pair takes two columns). When
 * backtransform is nonzero X holds Z on entry and Z*eigvecs on exit (all n
 * columns of Z needed, select ignored by LAPACK's 'B' mode: then every vector
 * is computed). `m` returns the number of columns used. */
int sp_trevc3(const sp_dmat *T, const int *select, sp_dmat *X, int backtransform, int *m);

/* ==== CSR sparse matrices ============================================== */

typedef struct sp_csr {
    int rows, cols;
    int64_t nnz;
    int64_t *rowptr; /* rows + 1 */
    int *colind;     /* nnz, sorted within each row, no duplicates */
    double *val;     /* nnz (explicit zeros allowed) */
} sp_csr;

/* Build from coordinate triplets (0-based): duplicates summed, columns sorted.
 * Indices out of range give SP_EINVAL naming the entry. */
int sp_csr_from_triplets(int rows, int cols, int64_t nnz, const int *ri, const int *ci,
                         const double *v, sp_csr *A);
void sp_csr_uninit(sp_csr *A);
int sp_csr_clone(const sp_csr *A, sp_csr *B);
int sp_csr_transpose(const sp_csr *A, sp_csr *AT);
/* A holds one triangle (either) of a symmetric (sign = +1) or skew-symmetric
 * (sign = -1) matrix; B gets the full matrix (diagonal not mirrored). */
int sp_csr_symmetric_expand(const sp_csr *A, int sign, sp_csr *B);
/* y = A x (x has cols entries, y rows). OpenMP over rows; deterministic. */
void sp_csr_matvec(const sp_csr *A, const double *x, double *y);
/* y = A^T x (x has rows entries, y cols). Same result at any thread count. */
void sp_csr_matvec_t(const sp_csr *A, const double *x, double *y);
double sp_csr_norm_fro(const sp_csr *A);
double sp_csr_norm_1(const sp_csr *A);   /* max column sum of |a_ij| */
double sp_csr_norm_inf(const sp_csr *A); /* max row sum of |a_ij| */
/* Largest |a_ij - a_ji| / max(|a_ij|,|a_ji|)-style symmetry defect; 0 when
 * numerically symmetric. Non-square: returns INFINITY. */
double sp_csr_asymmetry(const sp_csr *A);
int sp_csr_to_dense(const sp_csr *A, sp_dmat *D); /* D newly allocated rows x cols */
/* Split rows [0, nrows) into `parts` contiguous blocks with about equal
 * nonzeros: starts has parts + 1 entries, starts[0] = 0, starts[parts] = nrows.
 * Blocks may be empty. */
int sp_rows_partition_by_nnz(int nrows, const int64_t *rowptr, int parts, int *starts);

/* ==== Matrix Market ===================================================== */

typedef enum { SP_MM_COORDINATE, SP_MM_ARRAY } sp_mm_format;
typedef enum { SP_MM_REAL, SP_MM_INTEGER, SP_MM_PATTERN } sp_mm_field;
typedef enum { SP_MM_GENERAL, SP_MM_SYMMETRIC, SP_MM_SKEW_SYMMETRIC } sp_mm_symmetry;

typedef struct sp_mm_info {
    sp_mm_format format;
    sp_mm_field field;
    sp_mm_symmetry symmetry;
    int rows, cols;
    int64_t stored;   /* entry lines in the file */
    int64_t nnz;      /* entries of the full matrix (symmetric storage expanded) */
    char *comments;   /* the '%' lines after the banner, newline-separated, owned */
} sp_mm_info;

void sp_mm_info_uninit(sp_mm_info *info);

/* Read a Matrix Market file (plain or gzip, detected by content) into a full
 * CSR matrix: symmetric/skew storage expanded, pattern entries = 1, array
 * format stored densely into CSR (zeros kept out). Malformed files give
 * SP_EFORMAT with "path:line: what" in the message; never a crash. */
int sp_mm_read(const char *path, sp_csr *A, sp_mm_info *info);
/* Read an `array` (or coordinate) file into a dense matrix (e.g. vectors). */
int sp_mm_read_dense(const char *path, sp_dmat *A, sp_mm_info *info);
/* Write A as coordinate real. symmetry SP_MM_SYMMETRIC / SKEW writes the lower
 * triangle only (caller asserts the property). comments may be NULL (lines
 * without the leading '%'). Written to a temp file then renamed. */
int sp_mm_write_csr(const char *path, const sp_csr *A, sp_mm_symmetry symmetry,
                    const char *comments);
/* Write a dense matrix in array real general format, temp file + rename. */
int sp_mm_write_dense(const char *path, const sp_dmat *A, const char *comments);

#ifdef __cplusplus
}
#endif
#endif
