/* copies.c: search for missed copies of repeated eigenvalues. A single-vector
 * Krylov method sees one direction per eigenspace, so after convergence the
 * converged Schur vectors X are locked (deflated: the search works with
 * (I - X X^T) A on X's complement) and the solver restarts with a fresh random
 * vector for the most wanted remaining eigenvalue. While that value belongs
 * among the nev wanted ones, it is added and the search repeats. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eigen/eigen_internal.h"

/* Position-nev value of the current set (the "worst" kept one): index into
 * vre/vim, or -1 when the set holds fewer than nev values. */
static int worst_kept(const sp_krylov_run *b, sp_which which, int nev)
{
    if (b->p < nev) return -1;
    int *perm = malloc((size_t)b->p * sizeof(int));
    if (!perm) return -1;
    sp_which_sort(which, b->p, b->vre, b->vim, perm);
    int w = perm[nev - 1];
    free(perm);
    return w;
}

/* Does the candidate (re, im) belong among the nev wanted: strictly more
 * wanted than the worst kept value and not equal to it within tolerance? */
static int qualifies(const sp_krylov_run *b, sp_which which, int nev, double re, double im)
{
    int w = worst_kept(b, which, nev);
    if (w < 0) return 1;
    double wre = b->vre[w], wim = b->vim[w];
    double tol = fmax(b->tol, 1e-12) * 100.0;
    if (hypot(re - wre, im - wim) <= tol * fmax(hypot(re, im), 1e-300)) return 0;
    return sp_which_compare(which, re, im, wre, wim) < 0;
}

/* Append the candidate basis (n x pc, projected against X) and values. */
static int append(sp_krylov_run *b, const sp_krylov_run *c, double *coef)
{
    int n = b->op->n_local, p = b->p, q = c->p;
    double *X = realloc(b->X, (size_t)n * (size_t)(p + q) * sizeof(double));
    if (!X) return sp_error(SP_ENOMEM, "copies search: out of memory");
    b->X = X;
    double *v = malloc((size_t)2 * (size_t)(p + q) * sizeof(double));
    if (!v) return sp_error(SP_ENOMEM, "copies search: out of memory");
    for (int j = 0; j < p; j++) v[j] = b->vre[j], v[p + q + j] = b->vim[j];
    for (int j = 0; j < q; j++) v[p + j] = c->vre[j], v[p + q + p + j] = c->vim[j];
    free(b->vre);
    b->vre = v;
    b->vim = v + p + q;
    int rc = SP_OK;
    for (int j = 0; rc == SP_OK && j < q; j++) {
        double *x = X + (size_t)(p + j) * n, nx;
        memcpy(x, c->X + (size_t)j * n, (size_t)n * sizeof(double));
        rc = sp_project_out(b->op, X, p + j, x, coef, &b->reductions);
        if (rc == SP_OK) rc = sp_arnoldi_norm(b->op, n, x, &nx, &b->reductions);
        if (rc == SP_OK && nx > 0.0) sp_scal(n, 1.0 / nx, x);
    }
    b->p = p + q;
    return rc;
}

/* Where the locked eigenvalues go so the search never wants them: 0 for LM
 * and LI, far right for SM/SR/SA, far left for LR/LA. NAN: no such place
 * (SI, BE), the search is skipped. */
static double never_wanted(const sp_krylov_run *b, sp_which which)
{
    double big = 4.0 * b->ritz_scale + 1.0;
    for (int j = 0; j < b->p; j++) big = fmax(big, 4.0 * hypot(b->vre[j], b->vim[j]) + 1.0);
    switch (which) {
    case SP_WHICH_LM: case SP_WHICH_LI: return 0.0;
    case SP_WHICH_SM: case SP_WHICH_SR: case SP_WHICH_SA: return big;
    case SP_WHICH_LR: case SP_WHICH_LA: return -big;
    default: return NAN;
    }
}

/* One deflated solve for the most wanted remaining value. */
static int search_round(sp_krylov_run *b, int round, sp_krylov_run *c, sp_deflated_op *d,
                        sp_operator *dop)
{
    double sigma = never_wanted(b, b->opt->which);
    int64_t n = b->op->n_global; /* decisions must agree on every process */
    int rc = sp_deflated_op_init(d, b->op, b->X, b->p, sigma, dop);
    if (rc < 0) return rc;
    *c = *b;
    c->op = dop;
    c->nev = 1;
    c->n_sizes = 1;
    int64_t room = n - b->p;
    c->sizes[0] = b->sizes[b->n_sizes - 1] < room ? b->sizes[b->n_sizes - 1] : (int)room;
    c->seed = b->seed + 0x9e3779b97f4a7c15ull * (uint64_t)(round + 1);
    c->v0 = NULL;
    c->record = 0;
    c->X = NULL;
    c->vre = c->vim = NULL;
    c->p = 0;
    c->restarts = c->converged = c->stopped = c->kept_pair = 0;
    c->matvecs = c->reductions = c->steps = c->step_reductions = 0;
    return sp_krylov_solve(c);
}

int sp_copies_search(const sp_operator *op, const sp_eigs_options *opt, sp_krylov_run *b,
                     sp_eigs_result *res)
{
    int n = op->n_local, rc = SP_OK;
    double *coef = malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    if (!coef) return sp_error(SP_ENOMEM, "copies search: out of memory");
    if (isnan(never_wanted(b, opt->which))) {
        free(coef);
        return SP_OK;
    }
    res->copies_searched = 1;
    for (int round = 0; rc == SP_OK && round <= b->nev + 1 && op->n_global - b->p >= 3; round++) {
        sp_krylov_run c = {0};
        sp_deflated_op d;
        sp_operator dop;
        rc = search_round(b, round, &c, &d, &dop);
        b->matvecs += c.matvecs;
        b->reductions += c.reductions + d.reductions;
        b->steps += c.steps;
        b->step_reductions += c.step_reductions + d.reductions;
        res->copies_rounds++;
        int add = rc == SP_OK && c.converged && c.p > 0 &&
                  qualifies(b, opt->which, b->nev, c.vre[0], c.vim[0]);
        if (add && (rc = append(b, &c, coef)) == SP_OK) res->copies_found += c.p;
        free(c.X);
        free(c.vre);
        sp_deflated_op_uninit(&d);
        if (!add) break;
    }
    free(coef);
    return rc;
}
