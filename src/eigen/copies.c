/* copies.c: search for missed copies of repeated eigenvalues. A single-vector
 * Krylov method sees one direction per eigenspace, so after convergence the
 * converged Schur vectors X are locked (the search's Arnoldi basis is kept
 * orthogonal to them: it works with (I - X X^T) A on X's complement, at no
 * extra matvec or reduction) and the solver restarts with a fresh random
 * vector for the most wanted remaining eigenvalue; the run ends as soon as
 * that value is clearly not among the nev wanted (its error bound separates it
 * from the worst kept value). While it belongs, it is added and the search
 * repeats. Skipped for SI and BE. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eigen/eigen_internal.h"

/* On the general path a Ritz value's error bound is taken as SP_COPIES_MARGIN
 * x its residual estimate (a condition number); symmetric: the estimate. */
#define SP_COPIES_MARGIN 10.0

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

/* Where the candidate (re, im) stands against the worst kept value w, on
 * which's key with a margin of margin x the larger magnitude: 1 more wanted,
 * 0 less wanted or tied within the margin (either copy answers nev), -1 within
 * the margin. With fewer than nev kept, 1. */
static int compare_worst(const sp_krylov_run *b, sp_which which, double re, double im, double margin)
{
    int w = worst_kept(b, which, b->nev);
    if (w < 0) return 1;
    double d = sp_which_key(which, re, im) - sp_which_key(which, b->vre[w], b->vim[w]);
    double tol = margin * fmax(hypot(re, im), hypot(b->vre[w], b->vim[w]));
    return d > tol ? 1 : d < -tol ? 0 : -1;
}

/* Does the converged candidate belong among the nev wanted: more wanted than
 * the worst kept value by more than the tolerance (a tie answers nev too)? */
static int qualifies(const sp_krylov_run *b, sp_which which, double re, double im)
{
    return compare_worst(b, which, re, im, 100.0 * fmax(b->tol, 1e-12)) == 1;
}

/* Append the candidate basis (n x pc, projected against X) and values. */
static int append(sp_krylov_run *b, const sp_krylov_run *c, double *coef, int64_t *reductions)
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
        rc = sp_project_out(b->op, X, p + j, x, coef, reductions);
        if (rc == SP_OK) rc = sp_arnoldi_norm(b->op, n, x, &nx, reductions);
        if (rc == SP_OK && nx > 0.0) sp_scal(n, 1.0 / nx, x);
    }
    b->p = p + q;
    return rc;
}

/* The search needs "the most wanted remaining value" to be comparable with
 * the kept ones: not for SI (interior) nor BE (two ends). */
static int search_applies(sp_which which)
{
    return which != SP_WHICH_SI && which != SP_WHICH_BE;
}

static int clearly_not_wanted(const sp_krylov_run *c, const sp_ritz *r);

/* A search run for the most wanted value of A on the complement of the
 * locked basis b->X (the Arnoldi basis is kept orthogonal to it: no extra
 * reductions), from a fresh random vector, ended early by clearly_not_wanted. */
static int search_run(sp_krylov_run *b, uint64_t seed, sp_krylov_run *c)
{
    int64_t room = b->op->n_global - b->p; /* decisions must agree on every process */
    *c = *b;
    c->nev = 1;
    c->n_sizes = 1;
    c->sizes[0] = b->sizes[b->n_sizes - 1] < room ? b->sizes[b->n_sizes - 1] : (int)room;
    c->seed = seed;
    c->v0 = NULL;
    c->stop_early = clearly_not_wanted;
    c->base = b;
    c->lock = b->X;
    c->lock_p = b->p;
    c->record = 0;
    c->X = NULL;
    c->vre = c->vim = NULL;
    c->p = 0;
    c->restarts = c->converged = c->stopped = c->kept_pair = 0;
    c->matvecs = c->reductions = c->steps = c->step_reductions = 0;
    int rc = sp_krylov_solve(c);
    b->matvecs += c->matvecs;
    b->reductions += c->reductions;
    b->steps += c->steps;
    b->step_reductions += c->step_reductions;
    return rc;
}

static void search_free(sp_krylov_run *c)
{
    free(c->X);
    free(c->vre);
    c->X = c->vre = c->vim = NULL;
}

/* Early end of a search run, after every sweep: its most wanted Ritz value
 * is already certain not to belong among the nev wanted (less wanted than the
 * worst kept value by more than its error, or tied with it at qualifies()'s
 * accuracy). The error is the residual estimate (symmetric), or that times
 * SP_COPIES_MARGIN for a condition number (general). */
static int clearly_not_wanted(const sp_krylov_run *c, const sp_ritz *r)
{
    const sp_krylov_run *b = c->base;
    double err = fmax(sp_ritz_normalized(r, 0), DBL_EPSILON) * (b->symmetric ? 1.0 : SP_COPIES_MARGIN);
    int v = compare_worst(b, b->opt->which, r->re[0], r->im[0], err);
    return v == 0 || (v == -1 && err <= 100.0 * fmax(b->tol, 1e-12));
}

/* One round: a search run at the solver's tolerance that ends as soon as its
 * value clearly does not belong. *add = 1 when c holds values to append. */
static int search_round(sp_krylov_run *b, int round, sp_krylov_run *c, int *add)
{
    uint64_t seed = b->seed + 0x9e3779b97f4a7c15ull * (uint64_t)(round + 1);
    int rc = search_run(b, seed, c);
    *add = rc == SP_OK && c->converged && c->p > 0 &&
           qualifies(b, b->opt->which, c->vre[0], c->vim[0]);
    return rc;
}

int sp_copies_search(const sp_operator *op, const sp_eigs_options *opt, sp_krylov_run *b,
                     sp_eigs_result *res)
{
    if (!search_applies(opt->which)) return SP_OK;
    int n = op->n_local, rc = SP_OK;
    double *coef = malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    if (!coef) return sp_error(SP_ENOMEM, "copies search: out of memory");
    res->copies_searched = 1;
    for (int round = 0; rc == SP_OK && round <= b->nev + 1 && op->n_global - b->p >= 3; round++) {
        sp_krylov_run c = {0};
        int add = 0;
        rc = search_round(b, round, &c, &add);
        res->copies_rounds++;
        if (add && (rc = append(b, &c, coef, &res->allreduces)) == SP_OK) res->copies_found += c.p;
        search_free(&c);
        if (!add) break;
    }
    free(coef);
    return rc;
}
