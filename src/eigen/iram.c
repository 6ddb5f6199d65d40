/* iram.c: the restart loop shared by IRAM and MIRAMns. One Arnoldi
 * factorization of the largest size; at each nested size m_i (one size for
 * IRAM) the wanted Ritz pairs are tested (dnconv) and the run stops as soon as
 * one subspace has converged; otherwise it restarts from the subspace chosen by
 * miramns.c with that subspace's exact shifts and ARPACK's adaptive kept
 * dimension. Output: an orthonormal basis X of the converged invariant
 * subspace (Schur vectors, dneupd style). Eigenpairs are extracted elsewhere. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <lapacke.h>
#include "eigen/eigen_internal.h"

int sp_miramns_choose(const sp_ritz *ritz, const int *evaluated, int n_sizes, int rule, double gain);

/* Measured filter gain per shift: the largest subspace's worst estimate went
 * from largest_worst[1] (last restart) to now with np shifts (NAN unknown). */
static double filter_gain(const sp_krylov_run *run, const sp_ritz *largest, int np)
{
    double e0 = run->largest_worst[1], e1 = largest->worst;
    if (!(e0 > 0.0 && e1 > 0.0 && e1 < e0) || np <= 0) return NAN;
    return pow(e1 / e0, 1.0 / np);
}

/* Converged wanted values of r, flagged on T's diagonal; returns how many. */
static int select_converged(const sp_ritz *r, double tol, lapack_logical *sel)
{
    int p = 0;
    memset(sel, 0, (size_t)r->m * sizeof *sel);
    for (int i = 0; i < r->numcnv; i++) {
        int pair = r->im[i] != 0.0 && i + 1 < r->m;
        int ok = sp_ritz_converged(r, i, tol);
        if (ok) {
            sel[r->diag[i]] = 1;
            if (pair) sel[r->diag[i + 1]] = 1;
            p += 1 + pair;
        }
        i += pair;
    }
    return p;
}

/* Orthonormal basis of the selected invariant subspace of T: Z reordered by
 * dtrsen so the selected values lead (general), or selected columns (symmetric). */
static int schur_basis(sp_ritz *r, int symmetric, lapack_logical *sel, int p, double *Zsel)
{
    int m = r->m;
    if (symmetric) {
        for (int j = 0, c = 0; j < m; j++)
            if (sel[j]) memcpy(Zsel + (size_t)(c++) * m, r->Z + (size_t)j * m, (size_t)m * sizeof(double));
        return SP_OK;
    }
    char job = 'N', compq = 'V';
    lapack_int n = m, mout = 0, lwork = m > 1 ? m : 1, liwork = 1, iwork = 0, info = 0;
    double s = 0, sep = 0;
    double *work = sp_malloc((size_t)lwork * sizeof(double));
    if (!work) return SP_ENOMEM;
    LAPACK_dtrsen(&job, &compq, sel, &n, r->T, &n, r->Z, &n, r->wr, r->wi, &mout, &s, &sep, work,
                  &lwork, &iwork, &liwork, &info);
    free(work);
    if (info != 0 || mout != p)
        return sp_error(SP_ELAPACK, "dtrsen: reordering the Schur form failed (info %d)", (int)info);
    memcpy(Zsel, r->Z, (size_t)m * (size_t)p * sizeof(double));
    return SP_OK;
}

/* The p selected values in the order of the basis columns. */
static void store_values(sp_krylov_run *run, const sp_ritz *r, int symmetric,
                         const lapack_logical *sel, int p)
{
    run->vim = run->vre + p;
    for (int j = 0, c = 0; j < r->m && c < p; j++) {
        if (symmetric && !sel[j]) continue;
        run->vre[c] = r->wr[j];
        run->vim[c++] = symmetric ? 0.0 : r->wi[j];
    }
}

/* run->X (n x p) = V(:, 0:m-1) * (Schur vectors of the converged wanted values). */
static int build_basis(sp_krylov_run *run, sp_arnoldi *a, sp_ritz *r)
{
    lapack_logical *sel = sp_malloc((size_t)r->m * sizeof *sel);
    double *Zsel = sp_malloc((size_t)r->m * (size_t)r->m * sizeof(double));
    int rc = (!sel || !Zsel) ? SP_ENOMEM : SP_OK;
    int p = rc == SP_OK ? select_converged(r, run->tol, sel) : 0;
    if (rc == SP_OK && p > 0) rc = schur_basis(r, a->symmetric, sel, p, Zsel);
    if (rc == SP_OK && p > 0) {
        free(run->X);
        free(run->vre);
        run->X = sp_malloc((size_t)a->n * (size_t)p * sizeof(double));
        run->vre = sp_malloc((size_t)2 * (size_t)p * sizeof(double));
        if (!run->X || !run->vre) rc = SP_ENOMEM;
        else store_values(run, r, a->symmetric, sel, p);
        if (rc == SP_OK) rc = sp_gemm_raw('N', 'N', a->n, p, r->m, 1.0, a->V, a->n, Zsel, r->m, 0.0, run->X, a->n);
    }
    run->p = rc == SP_OK ? p : 0;
    free(sel);
    free(Zsel);
    return rc;
}

/* Under the default rule the smaller nested sizes only serve to stop early,
 * which can happen only when the run is about to converge: their dense
 * eigenproblems are solved only when the largest subspace's worst estimate,
 * extrapolated one restart at its last rate (at the first restart: squared),
 * is within SP_NESTED_NEAR x tol. Not in the first sweep (no estimate yet).
 * Other rules compare every size at every restart. */
#define SP_NESTED_NEAR 1.0

static int evaluate_smaller(const sp_krylov_run *run)
{
    if (run->rule != 0) return 1;
    double e1 = run->largest_worst[1], e0 = run->largest_worst[0];
    if (!(e1 >= 0.0)) return 0; /* first sweep, or the largest was not evaluated */
    double rate = e0 >= 0.0 ? (e0 > 0.0 && e1 < e0 ? e1 / e0 : 1.0) : fmin(e1, 1.0);
    return e1 * rate <= SP_NESTED_NEAR * run->tol;
}

/* Is an early stop at size s worth its dense eigenproblem? It would save
 * m_l - m_s Arnoldi steps (a matvec, 2 nnz flops, and Gram-Schmidt, 4 n m_l)
 * against about SP_NESTED_DENSE m_s^3 flops (dhseqr + dtrevc3; dstev on the
 * symmetric path). From global sizes, so every process decides alike. */
#define SP_NESTED_DENSE 25.0
#define SP_NESTED_DENSE_SYM 6.0

static int worth_evaluating(const sp_krylov_run *run, int s)
{
    double n = (double)run->op->n_global, ml = run->sizes[run->n_sizes - 1], ms = run->sizes[s];
    double nnz = run->op->nnz > 0 ? (double)run->op->nnz : 10.0 * n;
    double dense = (run->symmetric ? SP_NESTED_DENSE_SYM : SP_NESTED_DENSE) * ms * ms * ms;
    return (ml - ms) * (2.0 * nnz + 4.0 * n * ml) >= dense;
}

static void remember_largest(sp_krylov_run *run, const sp_ritz *ritz, const int *evaluated)
{
    int last = run->n_sizes - 1;
    run->largest_worst[0] = run->largest_worst[1];
    run->largest_worst[1] = evaluated[last] ? ritz[last].worst : NAN;
}

/* Extend through the nested sizes, testing each; *conv = index of a
 * converged subspace or -1. est (n_sizes x nev) gets normalized estimates. */
static int sweep_sizes(sp_krylov_run *run, sp_arnoldi *a, sp_ritz *ritz, int k_cur, int *evaluated,
                       double *est, int *conv)
{
    *conv = -1;
    for (int s = 0; s < run->n_sizes; s++) {
        evaluated[s] = 0;
        for (int j = 0; j < run->nev; j++) est[s * run->nev + j] = NAN;
    }
    int smaller = evaluate_smaller(run);
    for (int s = 0; s < run->n_sizes; s++) {
        int ms = run->sizes[s];
        int last = s == run->n_sizes - 1;
        if (ms <= k_cur || (!last && !(smaller && worth_evaluating(run, s)))) continue;
        int rc = sp_arnoldi_extend(a, ms);
        if (rc < 0) return rc;
        rc = sp_ritz_compute(&ritz[s], a, ms, a->beta, run->opt->which);
        if (rc < 0) return rc;
        sp_ritz_select(&ritz[s], run->nev, run->tol);
        evaluated[s] = 1;
        for (int j = 0; j < run->nev && j < ms; j++)
            est[s * run->nev + j] = sp_ritz_normalized(&ritz[s], j);
        if (ritz[s].nconv >= ritz[s].numcnv) {
            *conv = s;
            return SP_OK;
        }
    }
    return SP_OK;
}

static int call_monitor(sp_krylov_run *run, const sp_ritz *r, int restart, int64_t matvecs,
                        const double *est)
{
    const sp_eigs_options *o = run->opt;
    if (!o->monitor) return 0;
    sp_eigs_monitor_info info = {restart, matvecs, r->nconv, run->nev, r->m, r->k,
                                 run->n_sizes, run->sizes, est};
    return o->monitor(o->monitor_user, &info);
}

/* Index of the evaluated subspace with the most converged pairs (partial result). */
static int best_partial(const sp_ritz *ritz, const int *evaluated, int n_sizes)
{
    int best = -1;
    for (int s = 0; s < n_sizes; s++)
        if (evaluated[s] && (best < 0 || ritz[s].nconv >= ritz[best].nconv)) best = s;
    return best;
}

static int restart_loop(sp_krylov_run *run, sp_arnoldi *a, sp_ritz *ritz, int *evaluated,
                        double *est)
{
    int k_cur = 0, rc;
    for (;;) {
        int conv;
        if ((rc = sweep_sizes(run, a, ritz, k_cur, evaluated, est, &conv)) < 0) return rc;
        int b = conv >= 0 ? conv
                          : sp_miramns_choose(ritz, evaluated, run->n_sizes, run->rule,
                                              filter_gain(run, &ritz[run->n_sizes - 1],
                                                          run->last_np));
        if (b < 0) return sp_error(SP_EINTERNAL, "krylov: no subspace evaluated (k = %d)", k_cur);
        if (ritz[b].k > run->nev) run->kept_pair |= ritz[b].numcnv > run->nev;
        int stop = run->record ? call_monitor(run, &ritz[b], run->restarts + 1, a->matvecs, est)
                               : run->stop_early && run->stop_early(run, &ritz[b]);
        if (run->record && (rc = sp_history_append(run->res, run->sizes[b], ritz[b].k, est)) < 0)
            return rc;
        if (conv >= 0) {
            run->converged = 1;
            run->final_worst = ritz[conv].worst;
            return build_basis(run, a, &ritz[conv]);
        }
        if (stop || run->restarts >= run->max_restarts || ritz[b].np == 0) {
            run->stopped = stop;
            int s = best_partial(ritz, evaluated, run->n_sizes);
            return build_basis(run, a, &ritz[s]);
        }
        remember_largest(run, ritz, evaluated);
        sp_ritz_adapt(&ritz[b], run->nev);
        run->last_np = ritz[b].np;
        if ((rc = sp_shifts_apply(a, &ritz[b], &k_cur)) < 0) return rc;
        run->restarts++;
    }
}

int sp_krylov_solve(sp_krylov_run *run)
{
    sp_arnoldi a;
    sp_ritz ritz[SP_EIGS_MAX_NESTED];
    int evaluated[SP_EIGS_MAX_NESTED], m_max = run->sizes[run->n_sizes - 1];
    double *est = sp_malloc((size_t)run->n_sizes * (size_t)run->nev * sizeof(double));
    int rc = est ? sp_arnoldi_init(&a, run->op, m_max, run->symmetric, run->seed) : SP_ENOMEM;
    if (rc < 0) {
        free(est);
        return rc;
    }
    int made = 0;
    run->largest_worst[0] = run->largest_worst[1] = NAN;
    for (; rc == SP_OK && made < run->n_sizes; made++) rc = sp_ritz_init(&ritz[made], run->sizes[made]);
    if (rc == SP_OK && run->lock_p > 0) rc = sp_arnoldi_lock(&a, run->lock, run->lock_p);
    if (rc == SP_OK) rc = sp_arnoldi_start(&a, run->v0, run->push_start);
    if (rc == SP_OK) rc = restart_loop(run, &a, ritz, evaluated, est);
    run->matvecs = a.matvecs;
    run->reductions = a.reductions;
    run->steps = a.steps;
    run->step_reductions = a.step_reductions;
    for (int s = 0; s < made; s++) sp_ritz_uninit(&ritz[s]);
    sp_arnoldi_uninit(&a);
    free(est);
    return rc;
}
