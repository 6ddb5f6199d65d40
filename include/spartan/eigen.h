/* spartan/eigen.h: a few eigenvalues (and vectors) of a large real matrix by
 * Krylov methods: IRAM (implicitly restarted Arnoldi, exact shifts, ARPACK's
 * adaptive kept dimension) and MIRAMns (nested subspaces), or dense LAPACK
 * for small problems. The solvers see only a linear operator y = A x.
 *
 * Example:
 *   sp_csr A;  sp_mm_info info;  sp_mm_read("bfwa62.mtx", &A, &info);
 *   sp_operator op;  sp_operator_csr(&A, &op);
 *   sp_eigs_options opt = sp_eigs_options_default();
 *   opt.nev = 4;  opt.which = SP_WHICH_LM;  opt.tol = 1e-10;
 *   sp_eigs_result res;
 *   int rc = sp_eigs(&op, &opt, &res);       // SP_OK, SP_ENOCONV or < 0
 *   for (int i = 0; i < res.nconv; i++)
 *       printf("%g%+gi  residual %.1e\n", res.re[i], res.im[i], res.residual[i]);
 *   sp_eigs_result_uninit(&res);  sp_csr_uninit(&A);  sp_mm_info_uninit(&info);
 *
 * Guarantees: all state lives in the caller's structs (reentrant: two solves
 * in two threads give the same bits as one after the other); the same seed
 * gives bit-identical results at any OpenMP thread count (default seed
 * SP_DEFAULT_SEED from core.h); memory is O(n * ncv) doubles plus the
 * operator, about sp_eigs_memory_estimate() bytes: no n x n array, except on
 * the dense path, which is used only for small n. Nothing is printed.
 *
 * Stopping test (ARPACK's dnconv): a Ritz pair (theta, y) of the m-step
 * factorization A V = V H + f e_m^T is converged when
 *     ||f|| |e_m^T y| <= tol * max(eps^(2/3), |theta|),   tol = 0 -> eps.
 * Reported residuals are true ones, computed at the end with extra matvecs
 * (counted in residual_matvecs; one block apply when the operator has one):
 * ||A x - lambda x|| / (max(|lambda|, eps^(2/3)) ||x||).
 */
#ifndef SPARTAN_EIGEN_H
#define SPARTAN_EIGEN_H

#include <stdint.h>
#include "spartan/core.h"
#include "spartan/linalg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== the operator ====================================================== */

/* y = A x on this process's rows. x and y have n_local entries (rows
 * distributed in blocks; serial: n_local = n_global). apply returns SP_OK or a
 * negative status (it may set a message with sp_error). allreduce_sum sums
 * buf[0..count) over all processes in place; NULL means serial. The Krylov
 * code batches its reductions: one allreduce of [V^T w ; w^T w] per
 * projection. */
typedef struct sp_operator {
    int n_local;
    int64_t n_global;
    int64_t row0;  /* global index of this process's first row (0 when serial);
                    * random vectors depend only on global indices, so they are
                    * the same for any number of processes */
    void *ctx;
    int (*apply)(void *ctx, const double *x, double *y);
    int (*allreduce_sum)(void *ctx, double *buf, int count);
    int symmetric; /* 1 when A = A^T (enables LA/SA/BE and the symmetric path) */
    int64_t nnz;   /* stored entries, informational (0 when unknown) */
    /* Optional: dense copy of A (n x n) for the dense path; NULL when the
     * operator cannot provide one (then the dense path applies A to e_j). */
    const sp_csr *csr;
    const sp_dmat *dense;
    /* Optional block apply: Y(:, j) = A X(:, j) for j < k (X and Y are
     * n_local x k, column-major, leading dimensions ldx and ldy), e.g. one pass
     * over a sparse matrix instead of k. NULL = k calls of apply. Column j must
     * equal apply(X(:, j)) bit for bit. Operators filled in field by field
     * rather than by a constructor must set it (NULL is fine). */
    int (*apply_block)(void *ctx, const double *X, int ldx, double *Y, int ldy, int k);
    /* Optional: the caller's global index of each local row (n_local) when the
     * operator relabelled its rows (sp_dist_csr_interleave); NULL = row0 + i.
     * Random vectors use it, so they are the same for any labelling. */
    const int *row_label;
} sp_operator;

/* Operator views (no copy: A must outlive op). symmetric is set when A is
 * exactly symmetric (sp_csr_asymmetry == 0, or a dense check). The CSR view
 * provides apply_block (sp_csr_spmm: one pass over A). */
int sp_operator_csr(const sp_csr *A, sp_operator *op);
int sp_operator_dense(const sp_dmat *A, sp_operator *op);

/* ==== what to compute ==================================================== */

/* Which eigenvalues: largest/smallest magnitude (LM, SM), real part (LR, SR),
 * imaginary part (LI, SI, by |imag|); symmetric only: largest/smallest
 * algebraic (LA, SA) and both ends (BE: ceil(k/2) from the top, floor(k/2)
 * from the bottom, returned alternately: largest, smallest, 2nd largest, ...).
 * Ties are broken by the other part, as ARPACK's dngets pre-sort does: LI, LR
 * and LA prefer the larger |lambda|, SI, SR and SA the smaller; LM prefers
 * the larger real part, SM the smaller. So LI on an all-real spectrum is LM,
 * and SI is SM. Remaining ties: larger real part, larger |imag|, +imag first. */
typedef enum sp_which {
    SP_WHICH_LM, SP_WHICH_SM, SP_WHICH_LR, SP_WHICH_SR, SP_WHICH_LI, SP_WHICH_SI,
    SP_WHICH_LA, SP_WHICH_SA, SP_WHICH_BE,
    SP_WHICH_COUNT
} sp_which;

const char *sp_which_name(sp_which which);             /* "LM", ...; "?" if out of range */
int sp_which_parse(const char *name, sp_which *which);  /* SP_EINVAL for an unknown name */
int sp_which_symmetric_only(sp_which which);            /* 1 for LA, SA, BE */

typedef enum sp_eig_method {
    SP_EIG_AUTO,    /* dense LAPACK when n <= max(200, 2 ncv) or nev >= n-1, else IRAM */
    SP_EIG_IRAM,
    SP_EIG_MIRAMNS,
    SP_EIG_DENSE,   /* dgeev / dsyev on the whole matrix */
    SP_EIG_METHOD_COUNT
} sp_eig_method;

const char *sp_eig_method_name(sp_eig_method method);  /* "auto", "iram", "miramns", "dense" */
int sp_eig_method_parse(const char *name, sp_eig_method *method);

#define SP_EIGS_MAX_NESTED 16

/* Passed to the monitor after every restart (read-only views, valid only
 * during the call). */
typedef struct sp_eigs_monitor_info {
    int restart;           /* 1, 2, ... */
    int64_t matvecs;
    int nconv;             /* wanted pairs converged in the chosen subspace */
    int nev;
    int subspace;          /* size m of the subspace restarted from */
    int kept;              /* kept dimension k of the restart (adaptive) */
    int n_sizes;           /* subspace sizes tried (1 for IRAM) */
    const int *sizes;      /* n_sizes */
    const double *estimates; /* n_sizes x nev: estimates[s*nev + j], normalized */
} sp_eigs_monitor_info;

/* Return nonzero to stop the solve (the result is then SP_ENOCONV, partial). */
typedef int (*sp_eigs_monitor)(void *user, const sp_eigs_monitor_info *info);

typedef struct sp_eigs_options {
    int nev;              /* wanted pairs, 1 <= nev <= n (required) */
    int ncv;              /* Krylov subspace size; 0 = max(2 nev + 1, 20) capped at n
                           * (MIRAMns: the largest nested size) */
    sp_which which;       /* default LM */
    double tol;           /* relative tolerance; 0 = machine epsilon */
    int max_restarts;     /* 0 = default 1000 */
    uint64_t seed;        /* start-vector and breakdown randomness; SP_DEFAULT_SEED */
    sp_eig_method method; /* default SP_EIG_AUTO */
    int nested[SP_EIGS_MAX_NESTED]; /* MIRAMns sizes, increasing */
    int nested_count;     /* 0 = automatic sizes from max(2 nev, nev + 8) to ncv */
    const double *v0;     /* optional start vector (n_local), not copied */
    int want_vectors;     /* 1 = return eigenvectors */
    int symmetric;        /* -1 = take op->symmetric (default), 0 = general, 1 = symmetric path */
    int check_missed_copies; /* 1 (default): after convergence, lock the converged Schur
                           * vectors and restart with a fresh random vector while it finds
                           * a value that belongs among the nev (missed copies of repeated
                           * eigenvalues); costs extra matvecs; skipped for SI and BE */
    int dense_auto_max_n; /* auto switches to dense when n <= max(this, 2 ncv); default 200 */
    int miramns_rule;     /* restart-subspace choice: 0 = default (the largest subspace,
                           * stopping early when a smaller nested one converged: never
                           * more matvecs than IRAM), 1 = published (smallest worst
                           * estimate), 2 = smallest worst estimate if 10x below the
                           * largest's, 3 = weighs the filter by its measured gain
                           * per shift (see miramns.c) */
    sp_eigs_monitor monitor; /* called after every restart; NULL = none */
    void *monitor_user;
} sp_eigs_options;

/* Defaults as documented above (nev = 1). */
sp_eigs_options sp_eigs_options_default(void);

/* Bytes the iterative solve will allocate for vectors: 8 n (ncv + nev + 3). */
int64_t sp_eigs_memory_estimate(int64_t n, int nev, int ncv);

/* ==== results ============================================================ */

typedef struct sp_eigs_result {
    int nev;              /* requested */
    int nconv;            /* pairs returned (converged); may be nev + 1 when the
                           * nev-th is one half of a complex-conjugate pair */
    double *re, *im;      /* nconv eigenvalues, ordered by `which`; conjugate pairs
                           * adjacent, positive imaginary part first */
    double *residual;     /* nconv true relative residuals (see top of file) */
    double *vectors;      /* n_local x nconv column-major when want_vectors (else
                           * NULL); a pair a +- bi stores Re x, Im x in two columns */
    int n_local;
    int64_t matvecs;      /* operator applications by the solver (incl. start push) */
    int64_t residual_matvecs; /* extra applications for the final residuals
                           * (k vectors = k matvecs, also when done as a block) */
    int64_t residual_passes;  /* operator calls that made them: 1 when the operator's
                           * apply_block did all residual_matvecs in one pass */
    int restarts;
    int64_t allreduces;   /* global reductions of the whole solve (MPI_Allreduce calls on
                           * a distributed operator; counted alike when serial; 0 dense) */
    int64_t arnoldi_steps;      /* Arnoldi steps (one matvec + orthogonalization each) */
    int64_t arnoldi_allreduces; /* reductions made by those steps (incl. the deflated
                           * operator's in the copies search): per step = this / steps */
    sp_eig_method method; /* the one actually used (never AUTO) */
    int ncv;              /* largest subspace used */
    int symmetric;        /* 1 when the symmetric path was used */
    int kept_pair;        /* 1 when k + 1 was kept at least once so a conjugate
                           * pair is not split (as dngets does) */
    int copies_searched;  /* 1 when the missed-copies search ran */
    int copies_found;     /* eigenvalues the search added to the result */
    int copies_rounds;    /* deflated restarts performed by the search */
    int n_sizes;          /* subspace sizes (1 for IRAM) */
    int sizes[SP_EIGS_MAX_NESTED];
    int history_count;    /* restarts recorded */
    int *chosen;          /* history_count: subspace size restarted from (MIRAMns) */
    int *kept;            /* history_count: kept dimension k at that restart */
    double *history;      /* history_count x n_sizes x nev normalized estimates:
                           * history[(r * n_sizes + s) * nev + j], NAN when not computed */
    double seconds;
} sp_eigs_result;

/* Solve. res is overwritten (never freed first): call sp_eigs_result_uninit
 * after each solve. Returns SP_OK when nev pairs converged, SP_ENOCONV when
 * not (res holds the nconv converged ones), another negative status on bad
 * input or failure (message in sp_errmsg()). */
int sp_eigs(const sp_operator *op, const sp_eigs_options *opt, sp_eigs_result *res);

/* Check options against the operator without solving (the same checks
 * sp_eigs makes first): SP_OK or SP_EINVAL with a message. */
int sp_eigs_check(const sp_operator *op, const sp_eigs_options *opt);

/* Frees everything in res; safe on a zeroed struct and twice. */
void sp_eigs_result_uninit(sp_eigs_result *res);

#ifdef __cplusplus
}
#endif
#endif
