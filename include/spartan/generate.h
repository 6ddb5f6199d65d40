/* spartan/generate.h: test and benchmark matrices made on the spot, as CSR:
 * 2D/3D Laplacians, random sparse nonsymmetric matrices, and a power-law
 * co-occurrence-like symmetric matrix. Part of the linalg layer.
 *
 * Example:
 *   sp_csr A;
 *   if (sp_gen_laplace2d(1000, &A) < 0) { puts(sp_errmsg()); return 2; }
 *   // A is 10^6 x 10^6, 5 nonzeros per interior row, eigenvalues
 *   // 4 - 2cos(i pi/1001) - 2cos(j pi/1001), i, j = 1..1000
 *   sp_csr_uninit(&A);
 *
 *   sp_csr C;   // n = 2e5, about 33 nonzeros per row, Zipf exponent 1, seed 7
 *   sp_gen_powerlaw_cooc(200000, 33.0, 1.0, 7, &C);
 *
 *   sp_gen_spec("powerlaw:200000:33:1.0:7", &C);   // the same, from a string
 *
 * Every generator fills a caller-owned sp_csr (free with sp_csr_uninit), with
 * columns sorted and no duplicates. Random ones are deterministic functions of
 * the seed (sp_rng; the same seed gives the same matrix on any platform and at
 * any thread count). Arguments are checked first (SP_EINVAL with a message);
 * SP_ENOMEM when the matrix does not fit.
 */
#ifndef SPARTAN_GENERATE_H
#define SPARTAN_GENERATE_H

#include "spartan/linalg.h"
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 5-point Laplacian on an N x N grid with Dirichlet boundary: n = N^2,
 * row r = i + j N (i fastest), a(r,r) = 4, a(r,neighbour) = -1 (no h^2 scaling).
 * Symmetric positive definite; eigenvalues 4 - 2cos(p pi/(N+1)) - 2cos(q pi/(N+1)),
 * p, q = 1..N, eigenvectors sin(p (i+1) pi/(N+1)) sin(q (j+1) pi/(N+1)).
 * 1 <= N <= 46340 (n fits an int). */
int sp_gen_laplace2d(int N, sp_csr *A);

/* 7-point Laplacian on an N x N x N grid, Dirichlet: n = N^3, r = i + j N + k N^2,
 * diagonal 6, neighbours -1; eigenvalues 6 - 2cos(p pi/(N+1)) - 2cos(q ..) - 2cos(s ..).
 * 1 <= N <= 1290. */
int sp_gen_laplace3d(int N, sp_csr *A);

/* General nonsymmetric n x n matrix: every row has exactly min(R, n) distinct
 * columns drawn uniformly at random, values uniform on [-1, 1). The diagonal is
 * not forced. n >= 1, R >= 1. */
int sp_gen_random_sparse(int n, int nnz_per_row, uint64_t seed, sp_csr *A);

/* Feature co-occurrence-like matrix of a click log: symmetric, nonnegative,
 * heavy-tailed row lengths. Feature f (0-based, 0 the most frequent) has
 * frequency ~ (f+1)^-alpha (Zipf-like, continuous approximation); feature
 * pairs (f, g), f != g, are drawn with probability ~ freq(f) freq(g) (Chung-Lu),
 * a(f,g) = a(g,f) = number of times the pair was drawn, and sampling continues
 * until about n (avg_nnz_per_row - 1) off-diagonal entries are distinct (the
 * mean row length, diagonal included, lands within about 1% of
 * avg_nnz_per_row, capped at n). The diagonal is the row sum of the
 * off-diagonal entries (so A is positive semidefinite, a signless Laplacian).
 * Rows are ordered by frequency: row 0 is the longest.
 * n >= 2, 1 <= avg_nnz_per_row, 0 < alpha <= 4.
 * Memory: about 16 bytes per drawn pair while sampling, then the CSR
 * (12 bytes per nonzero); n = 1e7 with 10 per row peaks near 2 GB. */
int sp_gen_powerlaw_cooc(int n, double avg_nnz_per_row, double alpha, uint64_t seed, sp_csr *A);

/* One of the above from a spec string (as `spartan eigs --gen` takes):
 *   "laplace2d:N", "laplace3d:N", "random-sparse:N:R[:SEED]",
 *   "powerlaw:N:R[:ALPHA[:SEED]]"  (defaults: ALPHA 1.0, SEED SP_DEFAULT_SEED;
 *   a SEED in a spec must be below 2^53).
 * *symmetric (may be NULL) is set to 1 for the symmetric kinds. */
int sp_gen_spec(const char *spec, sp_csr *A, int *symmetric);

/* ---- blocks of rows (each MPI rank generates only its own rows) -------- */

/* Sums buf[0..count) in place over every process generating a block of the
 * same matrix (an MPI_Allreduce); it must return 0 or a negative status. */
typedef int (*sp_gen_reduce)(void *ctx, double *buf, int count);

/* Rows [row0, row1) of the matrix the whole generator gives (same arguments),
 * as a (row1 - row0) x n CSR with global column indices, bit for bit equal to
 * those rows of the whole matrix. 0 <= row0 <= row1 <= n.
 * Laplacians: O(rows) time and memory. random-sparse: replays the random
 * stream of the rows before row0 (time O(row1 R), memory O(n) ints).
 * powerlaw: every process makes all the draws; with reduce == NULL it keeps
 * every pair (memory as sp_gen_powerlaw_cooc); with reduce it keeps only pairs
 * touching its rows and is collective: the processes' ranges must tile
 * [0, n) in order and each call reduce the same number of times. */
int sp_gen_laplace2d_rows(int N, int row0, int row1, sp_csr *A);
int sp_gen_laplace3d_rows(int N, int row0, int row1, sp_csr *A);
int sp_gen_random_sparse_rows(int n, int nnz_per_row, uint64_t seed, int row0, int row1, sp_csr *A);
int sp_gen_powerlaw_cooc_rows(int n, double avg_nnz_per_row, double alpha, uint64_t seed, int row0,
                              int row1, sp_gen_reduce reduce, void *ctx, sp_csr *A);

/* Order n and symmetry of the matrix a spec describes, without generating it. */
int sp_gen_spec_size(const char *spec, int *n, int *symmetric);
/* Rows [row0, row1) of sp_gen_spec(spec) (rules above; reduce only for powerlaw). */
int sp_gen_spec_rows(const char *spec, int row0, int row1, sp_gen_reduce reduce, void *ctx,
                     sp_csr *A);

#ifdef __cplusplus
}
#endif
#endif
