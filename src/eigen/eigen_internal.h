/* eigen_internal.h: private types of the Krylov solvers: the Arnoldi
 * factorization, Ritz data of one subspace, the solver run and its settings.
 * Not installed; nothing here is part of the public API. */
#ifndef SPARTAN_EIGEN_INTERNAL_H
#define SPARTAN_EIGEN_INTERNAL_H

#include "spartan/eigen.h"

/* An m-step Arnoldi factorization A V = V H + f e_m^T.
 * V is (n, ncv) column-major, ld n; H is (ncv+1, ncv), ld ncv+1, upper
 * Hessenberg, with H(j+1, j) = ||f_j|| kept for every step so that the
 * leading m_i x m_i block of a longer factorization is itself a factorization
 * (f_i = H(m_i, m_i-1) V(:, m_i)). f (n) and beta = ||f|| describe step m. */
typedef struct sp_arnoldi {
    const sp_operator *op;
    int n, ncv, m;
    int symmetric;   /* keep H symmetric tridiagonal (Lanczos with full reorth.) */
    int push_start;  /* push the start vector into the range of A */
    double *V, *H, *f, *w, *t, *proj; /* w, t: n work; proj, coef: ncv + p + 2 */
    double *coef, *part; /* Gram-Schmidt coefficients; block partial sums (arnoldi_sweep.c) */
    double *Q;       /* ncv x ncv: accumulated shift rotations */
    const double *X; /* n x p locked orthonormal vectors (not owned): the basis is kept
                      * orthogonal to them, i.e. the factorization is of (I - X X^T) A */
    int p;
    double beta;
    sp_rng rng;
    int64_t matvecs;
    int64_t reductions;      /* global reductions (allreduces), all of them */
    int64_t steps, step_reductions; /* Arnoldi steps and the reductions they made */
} sp_arnoldi;

#define SP_H(a, i, j) ((a)->H[(size_t)(i) + (size_t)(j) * (size_t)((a)->ncv + 1)])

int sp_arnoldi_init(sp_arnoldi *a, const sp_operator *op, int ncv, int symmetric, uint64_t seed);
void sp_arnoldi_uninit(sp_arnoldi *a);
/* Lock X (n x p orthonormal, not copied): before sp_arnoldi_start. */
int sp_arnoldi_lock(sp_arnoldi *a, const double *X, int p);
/* Make room for sweeps over nb_max basis columns (part buffer). */
int sp_arnoldi_sweep_reserve(sp_arnoldi *a, int nb_max);
/* Over B = [X V(:, 0:nb-p-1)] (nb columns): x -= B c when c != NULL, then
 * out = [B^T x ; x^T x] (local sums, nb + 1) when out != NULL. */
void sp_arnoldi_sweep(const sp_arnoldi *a, int nb, double *x, const double *c, double *out);
/* Start: v0 (or a random vector) pushed into range(A), normalized: m = 0,
 * f = v_1 direction, ready for sp_arnoldi_extend(a, m). */
int sp_arnoldi_start(sp_arnoldi *a, const double *v0, int push);
/* Extend the current m-step factorization to m_new steps (CGS + DGKS);
 * breakdown continues with a random vector orthogonal to V. */
int sp_arnoldi_extend(sp_arnoldi *a, int m_new);
/* Sum buf over processes (no-op when serial); ++*counter (if not NULL) either
 * way, so serial runs count the allreduces a distributed run would make. */
int sp_arnoldi_reduce(const sp_operator *op, double *buf, int count, int64_t *counter);
/* Global 2-norm of an n-vector (one reduction, counted). */
int sp_arnoldi_norm(const sp_operator *op, int n, const double *x, double *norm, int64_t *counter);
/* y = A x, counted. */
int sp_arnoldi_apply(sp_arnoldi *a, const double *x, double *y);

/* Ritz data of the leading m x m block of H with residual norm rnorm.
 * Values sorted most wanted first (which order), conjugate pairs adjacent
 * with the positive imaginary part first; diag[i] = position of value i on
 * the diagonal of the Schur form T (H = Z T Z^T). Symmetric: T diagonal. */
typedef struct sp_ritz {
    int m, cap;
    double rnorm;
    double *re, *im, *bound, *T, *Z, *Y; /* m; T, Z, Y m x m (ld m) */
    double *wr, *wi, *braw; /* unsorted values and bounds, diagonal order of T */
    int *diag, *shift;        /* shift: indices (into re/im) of the np shifts, in order */
    int k, np, nconv, numcnv; /* selection for the restart */
    double worst;             /* largest normalized estimate of the nev wanted */
} sp_ritz;

int sp_ritz_init(sp_ritz *r, int cap);
void sp_ritz_uninit(sp_ritz *r);
/* Ritz values, bounds = rnorm |e_m^T y|, sorted by which. */
int sp_ritz_compute(sp_ritz *r, const sp_arnoldi *a, int m, double rnorm, sp_which which);
/* Choose the kept dimension k (>= nev, conjugate pairs not split), count
 * nconv by dnconv's test, order the shifts (largest bound first). */
void sp_ritz_select(sp_ritz *r, int nev, double tol);
/* ARPACK's adaptive kept dimension: k += min(nconv, np/2), special cases,
 * capped at m - 2, then re-selected so pairs are not split. */
void sp_ritz_adapt(sp_ritz *r, int nev);
double sp_ritz_normalized(const sp_ritz *r, int i); /* bound / max(eps^(2/3), |theta|) */
int sp_ritz_converged(const sp_ritz *r, int i, double tol);

/* Apply the shifts r->re/im[k..m-1] implicitly to the m-step factorization
 * (the first m columns of a, with f_m = H(m, m-1) V(:, m) when m < a->m):
 * afterwards a is a k-step factorization. k may grow by one (pair). */
int sp_shifts_apply(sp_arnoldi *a, const sp_ritz *r, int *k_out);

/* Raw pointer helpers around the checked BLAS wrappers. */
static inline int sp_gemv_raw(char t, int rows, int cols, double alpha, const double *A, int lda,
                              const double *x, double beta, double *y)
{
    sp_dmat M = sp_dmat_wrap((double *)A, rows, cols, lda > 0 ? lda : 1);
    return sp_gemv(t, alpha, &M, x, beta, y);
}
static inline int sp_gemm_raw(char ta, char tb, int m, int n, int k, double alpha, const double *A,
                              int lda, const double *B, int ldb, double beta, double *C, int ldc)
{
    sp_dmat MA = ta == 'N' ? sp_dmat_wrap((double *)A, m, k, lda > 0 ? lda : 1)
                           : sp_dmat_wrap((double *)A, k, m, lda > 0 ? lda : 1);
    sp_dmat MB = tb == 'N' ? sp_dmat_wrap((double *)B, k, n, ldb > 0 ? ldb : 1)
                           : sp_dmat_wrap((double *)B, n, k, ldb > 0 ? ldb : 1);
    sp_dmat MC = sp_dmat_wrap(C, m, n, ldc > 0 ? ldc : 1);
    return sp_gemm(ta, tb, alpha, &MA, &MB, beta, &MC);
}

/* which-ordering. The primary key (larger = more wanted; BE: LA). */
double sp_which_key(sp_which which, double re, double im);
int sp_which_compare(sp_which which, double are, double aim, double bre, double bim);
/* Sort n values (and a permutation) most wanted first; pairs stay adjacent. */
void sp_which_sort(sp_which which, int n, const double *re, const double *im, int *perm);

/* One Krylov run (IRAM when n_sizes == 1, MIRAMns otherwise). */
typedef struct sp_krylov_run {
    const sp_operator *op;
    const sp_eigs_options *opt;
    int nev, n_sizes, sizes[SP_EIGS_MAX_NESTED];
    int symmetric, max_restarts, rule;
    double tol;
    uint64_t seed;
    const double *v0;
    int push_start;
    const double *lock; /* n x lock_p orthonormal vectors the basis is kept orthogonal to */
    int lock_p;
    /* outputs */
    int restarts, converged, stopped, kept_pair;
    int64_t matvecs;
    int64_t reductions, steps, step_reductions; /* as in sp_arnoldi */
    double *X;     /* n x p orthonormal basis of the converged invariant subspace */
    int p;         /* columns of X */
    double *vre, *vim; /* p Ritz values belonging to X (Schur order) */
    int record;    /* record history into res */
    sp_eigs_result *res;
    double largest_worst[2]; /* worst normalized estimate of the largest subspace at the
                              * last two restarts (NAN before): predicts convergence */
    int last_np;             /* shifts applied at the last restart */
    double final_worst;      /* worst normalized estimate of the converged subspace */
    /* Internal runs (record = 0): called after every sweep with the chosen
     * subspace's Ritz data; nonzero stops the run (not converged). */
    int (*stop_early)(const struct sp_krylov_run *run, const sp_ritz *r);
    const struct sp_krylov_run *base; /* context of stop_early */
} sp_krylov_run;

int sp_krylov_solve(sp_krylov_run *run);

/* Final Rayleigh-Ritz on the basis X (n x p): eigenvalues, residuals and
 * vectors into res (extra matvecs counted in res->residual_matvecs). */
int sp_extract_pairs(const sp_operator *op, const double *X, int p, int symmetric,
                     sp_which which, int nev, int want_vectors, sp_eigs_result *res);

/* Missed-copies search: X grows (realloc) with the basis of found pairs. */
int sp_copies_search(const sp_operator *op, const sp_eigs_options *opt, sp_krylov_run *base,
                     sp_eigs_result *res);

int sp_dense_eigs(const sp_operator *op, const sp_eigs_options *opt, int symmetric,
                  sp_eigs_result *res);

/* History of the result: append one restart (n_sizes x nev estimates). */
int sp_history_append(sp_eigs_result *res, int chosen, int kept, const double *est);

/* Y(:, j) = A X(:, j), j < k: op->apply_block when set, else k applies;
 * *passes += operator calls made. */
int sp_operator_apply_block(const sp_operator *op, const double *X, int ldx, double *Y, int ldy,
                            int k, int64_t *passes);

/* Deflated operator y = P A P x + sigma X X^T x, P = I - X X^T: the
 * eigenvalues of X's block move to sigma (chosen never wanted). */
typedef struct sp_deflated_op {
    const sp_operator *base;
    const double *X;
    int p;
    double sigma;
    double *tmp, *coef; /* n, p */
    int64_t reductions; /* made inside apply */
} sp_deflated_op;
int sp_deflated_op_init(sp_deflated_op *d, const sp_operator *base, const double *X, int p,
                        double sigma, sp_operator *op);
void sp_deflated_op_uninit(sp_deflated_op *d);
/* x -= X (X^T x) twice (global reductions, counted in *counter). */
int sp_project_out(const sp_operator *op, const double *X, int p, double *x, double *coef,
                   int64_t *counter);

#endif
