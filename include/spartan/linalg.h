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

/* Owning matrices come from init/clone and are freed by uninit. Views (wrap,
 * view) never free; on bad arguments they return an invalid matrix (rows =
 * cols = -1, data NULL) and record a message, and every wrapper rejects it. */
int sp_dmat_init(sp_dmat *A, int rows, int cols); /* zero-filled, owning, ld = max(1, rows) */
void sp_dmat_uninit(sp_dmat *A);                   /* frees if owning; safe on zeroed struct */
sp_dmat sp_dmat_wrap(double *data, int rows, int cols, int ld); /* view of caller memory */
sp_dmat sp_dmat_view(const sp_dmat *A, int i0, int j0, int rows, int cols); /* submatrix */
int sp_dmat_copy(const sp_dmat *src, sp_dmat *dst);  /* same shape, dst may be a view */
int sp_dmat_clone(const sp_dmat *src, sp_dmat *dst); /* dst newly allocated copy, ld = rows */
void sp_dmat_set_identity(sp_dmat *A);               /* I (rectangular: ones on diagonal) */
void sp_dmat_fill(sp_dmat *A, double value);
double sp_dmat_norm_fro(const sp_dmat *A); /* overflow-safe; NAN for an invalid matrix */

/* ---- BLAS level 1 (n-vectors, unit stride) ----------------------------- */
double sp_dot(int n, const double *x, const double *y);      /* x^T y */
double sp_nrm2(int n, const double *x);                      /* ||x||_2, overflow-safe */
void sp_axpy(int n, double alpha, const double *x, double *y); /* y += alpha x */
void sp_scal(int n, double alpha, double *x);                /* x *= alpha */
void sp_copy(int n, const double *x, double *y);             /* y = x */

/* ---- BLAS level 2/3 ----------------------------------------------------- */
/* Outputs must not overlap inputs. With beta = 0 the output is not read. */
/* y = alpha op(A) x + beta y, op = 'N' or 'T'. */
int sp_gemv(char trans, double alpha, const sp_dmat *A, const double *x, double beta, double *y);
/* C = alpha op(A) op(B) + beta C, ops 'N' or 'T'; shapes checked. */
int sp_gemm(char transa, char transb, double alpha, const sp_dmat *A, const sp_dmat *B,
            double beta, sp_dmat *C);

/* ---- LAPACK ------------------------------------------------------------- */
/* Workspace is allocated inside. The iterative routines (gesdd, geev, syev,
 * stev, hseqr, trevc3) reject NaN/Inf in what they read with SP_EINVAL naming
 * the entry; LAPACK's info != 0 gives SP_ELAPACK naming the routine and info. */
/* QR: A (m x n) overwritten by R (upper triangle) and Householder vectors;
 * tau has min(m,n) entries. */
int sp_geqrf(sp_dmat *A, double *tau);
/* Q from sp_geqrf's output: A (m x n, m >= n >= k) holds the first n columns
 * of the product of k reflectors on exit (e.g. n = k = min(m,n) of the QR). */
int sp_orgqr(sp_dmat *A, int k, const double *tau);
/* Column-pivoted QR A P = Q R, |R(j,j)| non-increasing. jpvt (n), 1-based as
 * LAPACK: on entry nonzero = keep the column in front, 0 = free; on exit
 * column j of A P is column jpvt[j] - 1 of A. tau has min(m,n) entries. */
int sp_geqp3(sp_dmat *A, int *jpvt, double *tau);
/* SVD A = U diag(s) VT by divide and conquer; A (m x n) destroyed. s has
 * k = min(m,n) entries, descending. U (m x k) and VT (k x n), exactly those
 * shapes (views ok), or both NULL for values only. */
int sp_gesdd(sp_dmat *A, double *s, sp_dmat *U, sp_dmat *VT);
/* Eigenvalues (wr + i wi) of a general square A (destroyed); VR (n x n) right
 * eigenvectors in LAPACK's packed real form, or NULL: column j for a real
 * wr[j]; for a pair (wi[j] > 0, wi[j+1] = -wi[j]) v = VR(:,j) +- i VR(:,j+1).
 * Each vector has unit 2-norm. */
int sp_geev(sp_dmat *A, double *wr, double *wi, sp_dmat *VR);
/* Symmetric eigen (n x n): only the lower triangle of A is read; w (n)
 * ascending; A replaced by orthonormal eigenvectors (column j for w[j]) when
 * want_vectors, else destroyed. */
int sp_syev(sp_dmat *A, double *w, int want_vectors);
/* Symmetric tridiagonal eigen: d (n) diagonal -> eigenvalues ascending,
 * e (n-1) off-diagonal destroyed; Z (n x n) orthonormal eigenvectors (column
 * j for d[j]) or NULL. */
int sp_stev(int n, double *d, double *e, sp_dmat *Z);
/* Real Schur form of upper Hessenberg H (n x n): H = Z T Z^T. On exit H holds
 * T, quasi-triangular in LAPACK's standard form (2x2 blocks have equal
 * diagonal entries and off-diagonals of opposite sign; zeros below them);
 * entries of H below the first subdiagonal are ignored. wr, wi (n): the
 * eigenvalues in the order of T's diagonal, complex pairs adjacent with the
 * positive imaginary part first. Z (n x n) on entry: a matrix Q to accumulate
 * into (on exit Q Z; pass the identity to get Z itself), or NULL when the
 * Schur vectors are not wanted (T is still computed). */
int sp_hseqr(sp_dmat *H, double *wr, double *wi, sp_dmat *Z);
/* Right eigenvectors of T (n x n, standard quasi-triangular form as returned
 * by sp_hseqr) for the selected eigenvalues, optionally back-transformed.
 *   select: n ints, nonzero = wanted, indexed like T's diagonal (and sp_hseqr's
 *     wr/wi); NULL = all. Selecting either row of a 2x2 block selects the pair.
 *   Z: NULL -> X holds eigenvectors y of T (X is n x >= m);
 *      Z (p x n, e.g. sp_hseqr's Schur vectors, or V Q) -> X holds Z y (p x >= m).
 *   X: output columns 0..m-1, in the order of T's diagonal. A real eigenvalue
 *     takes one column; a complex pair T(j:j+1, j:j+1) takes two, (c, c+1),
 *     with x = X(:,c) + i X(:,c+1) the eigenvector of the eigenvalue with
 *     positive imaginary part (its conjugate belongs to the other one). Each
 *     vector has unit 2-norm (a pair: ||X(:,c)||^2 + ||X(:,c+1)||^2 = 1).
 *     Columns >= m are untouched. X may be NULL to only count m, and may be
 *     the same matrix as Z (the product goes through a temporary).
 *   m: number of columns written (selected real + 2 x selected pairs).
 * T not in standard form (e.g. a 2x2 block with real eigenvalues) gives
 * SP_EINVAL naming the block. T is not changed, nor Z unless it is X. */
int sp_trevc3(const sp_dmat *T, const int *select, const sp_dmat *Z, sp_dmat *X, int *m);

/* ==== CSR sparse matrices ============================================== */

typedef struct sp_csr {
    int rows, cols;
    int64_t nnz;
    int64_t *rowptr; /* rows + 1 */
    int *colind;     /* nnz, sorted within each row, no duplicates */
    double *val;     /* nnz (explicit zeros allowed) */
} sp_csr;

/* Build from coordinate triplets (0-based): duplicates summed (in input
 * order), columns sorted, explicit zeros kept. Indices out of range give
 * SP_EINVAL naming the entry. A is newly allocated (free with sp_csr_uninit). */
int sp_csr_from_triplets(int rows, int cols, int64_t nnz, const int *ri, const int *ci,
                         const double *v, sp_csr *A);
void sp_csr_uninit(sp_csr *A);                 /* frees; safe on a zeroed struct */
int sp_csr_clone(const sp_csr *A, sp_csr *B);  /* B newly allocated copy */
int sp_csr_transpose(const sp_csr *A, sp_csr *AT); /* AT (cols x rows) newly allocated */
/* A holds one triangle (either) of a symmetric (sign = +1) or skew-symmetric
 * (sign = -1) matrix; B gets the full matrix B = A + sign (A - diag(A))^T
 * (diagonal not mirrored). Entries in both triangles are summed. */
int sp_csr_symmetric_expand(const sp_csr *A, int sign, sp_csr *B);
/* y = A x (x has cols entries, y rows). OpenMP over nnz-balanced row blocks;
 * each y_i summed in column order: bit-identical at any thread count. */
void sp_csr_matvec(const sp_csr *A, const double *x, double *y);
/* y = A^T x (x has rows entries, y cols). No atomics: each thread owns a range
 * of y and scans all rows; each y_j summed in row order, so bit-identical to
 * the serial loop at any thread count. Repeated use on a very tall matrix with
 * many threads: sp_csr_transpose once then sp_csr_matvec is faster. */
void sp_csr_matvec_t(const sp_csr *A, const double *x, double *y);
double sp_csr_norm_fro(const sp_csr *A); /* overflow-safe sqrt(sum a_ij^2) */
double sp_csr_norm_1(const sp_csr *A);   /* max column sum of |a_ij| (NAN if out of memory) */
double sp_csr_norm_inf(const sp_csr *A); /* max row sum of |a_ij| */
/* max over (i,j) of |a_ij - sign a_ji| / max(|a_ij|, |a_ji|) (a pair of zeros
 * counts 0): 0 when exactly symmetric (sign = +1) or skew-symmetric (sign = -1),
 * 1 or more when an entry has no counterpart. Non-square: INFINITY; a NaN
 * entry: NAN; NAN also when out of memory (builds A^T). */
double sp_csr_symmetry_defect(const sp_csr *A, int sign);
double sp_csr_asymmetry(const sp_csr *A); /* sp_csr_symmetry_defect(A, +1) */
int sp_csr_to_dense(const sp_csr *A, sp_dmat *D); /* D newly allocated rows x cols */
/* Split rows [0, nrows) into `parts` contiguous blocks with about equal
 * nonzeros: starts has parts + 1 entries, starts[0] = 0, starts[parts] = nrows.
 * Block p holds within max row length of (nnz / parts) nonzeros. Blocks may be
 * empty; with no nonzeros at all the rows are split evenly. */
int sp_rows_partition_by_nnz(int nrows, const int64_t *rowptr, int parts, int *starts);
/* Y = A X for k dense vectors (X is cols x k, ld ldx; Y is rows x k, ld ldy;
 * column-major): one sweep over A per 4 vectors, OpenMP over nnz-balanced row
 * blocks; column j is bit-identical to sp_csr_matvec(A, X(:, j)) at any thread
 * count. Allocates 4 cols doubles of work: SP_ENOMEM, SP_EINVAL. */
int sp_csr_spmm(const sp_csr *A, const double *X, int ldx, double *Y, int ldy, int k);

/* ==== Matrix Market ===================================================== */

typedef enum { SP_MM_COORDINATE, SP_MM_ARRAY } sp_mm_format;
typedef enum { SP_MM_REAL, SP_MM_INTEGER, SP_MM_PATTERN } sp_mm_field;
typedef enum { SP_MM_GENERAL, SP_MM_SYMMETRIC, SP_MM_SKEW_SYMMETRIC } sp_mm_symmetry;

typedef struct sp_mm_info {
    sp_mm_format format;
    sp_mm_field field;
    sp_mm_symmetry symmetry;
    int rows, cols;
    int64_t stored;     /* entry lines in the file */
    int64_t nnz;        /* entries of the full matrix (symmetric storage expanded;
                           sp_mm_read: A.nnz after summing duplicates; array files:
                           nonzero values only) */
    int64_t duplicates; /* coordinate entries summed into an earlier one at the same
                           position (sp_mm_read only; 0 otherwise) */
    char *comments;     /* the '%' lines before the size line, each without its first
                           '%', newline-separated (no final newline), owned; at most
                           1 MiB kept */
} sp_mm_info;

void sp_mm_info_uninit(sp_mm_info *info); /* frees comments; safe on a zeroed struct */

/* Read a Matrix Market file (plain or gzip, detected by content) into a full
 * CSR matrix: symmetric/skew storage expanded, pattern entries = 1, array
 * format stored densely into CSR (zeros kept out), coordinate duplicates
 * summed, explicit zeros kept. info may be NULL. Malformed files give
 * SP_EFORMAT with "path:line: what" in the message (bad banner or size line,
 * missing / extra / non-numeric field, index out of range, upper-triangle entry
 * in symmetric storage, diagonal entry in skew storage, too many entries, too
 * few = truncated file, corrupt gzip data); complex and hermitian files are
 * rejected as unsupported. Never a crash; A and info are empty on error. */
int sp_mm_read(const char *path, sp_csr *A, sp_mm_info *info);
/* Read an `array` (or coordinate) file into a dense matrix (e.g. vectors), A
 * newly allocated rows x cols; same checks as sp_mm_read. info->nnz counts
 * the expanded entries read (duplicates not merged; array: nonzero values). */
int sp_mm_read_dense(const char *path, sp_dmat *A, sp_mm_info *info);
/* Write A as coordinate real, values with %.17g (exact round trip). symmetry
 * SP_MM_SYMMETRIC writes the lower triangle (row >= col), SP_MM_SKEW_SYMMETRIC
 * the strict lower triangle (the caller asserts the property; upper entries
 * are not written). comments may be NULL (lines without the leading '%').
 * Written to a temp file then renamed. */
int sp_mm_write_csr(const char *path, const sp_csr *A, sp_mm_symmetry symmetry,
                    const char *comments);
/* Write a dense matrix in array real general format (%.17g), temp file + rename. */
int sp_mm_write_dense(const char *path, const sp_dmat *A, const char *comments);

#ifdef __cplusplus
}
#endif
#endif
