/* copies.c: search for missed copies of repeated eigenvalues. A single-vector
 * Krylov method sees one direction per eigenspace, so after convergence the
 * converged Schur vectors X are locked (the search's Arnoldi basis is kept
 * orthogonal to them: it works with (I - X X^T) A on X's complement, at no
 * extra matvec or reduction) and the solver restarts with a fresh random
 * vector for the most wanted remaining eigenvalue, first at a loose
 * tolerance. While that value belongs among the nev wanted ones, it is
 * refined, added, and the search repeats. Skipped for SI and BE. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eigen/eigen_internal.h"

/* The search runs first at this tolerance (or the solver's, if looser): a
 * value clearly less wanted than the worst kept one ends the search cheaply;
 * otherwise the value is refined at the solver's tolerance. Values within
 * SP_COPIES_MARGIN x tolerance of the worst kept one count as undecided. */
#define SP_COPIES_LOOSE_TOL 1e-4
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

/* A search run for the most wanted value of A on the complement of the
 * locked basis b->X (the Arnoldi basis is kept orthogonal to it: no extra
 * reductions), at tolerance tol, from v0 (NULL: a fresh random vector). */
static int search_run(sp_krylov_run *b, uint64_t seed, double tol, const double *v0,
                      sp_krylov_run *c)
{
    int64_t room = b->op->n_global - b->p; /* decisions must agree on every process */
    *c = *b;
    c->nev = 1;
    c->n_sizes = 1;
    c->sizes[0] = b->sizes[b->n_sizes - 1] < room ? b->sizes[b->n_sizes - 1] : (int)room;
    c->tol = tol;
    c->seed = seed;
    c->v0 = v0;
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

/* Decision on a loose candidate: 1 it belongs among the nev wanted, 0 it does
 * not (or ties with the worst kept value as qualifies() would judge), -1 too
 * close to tell. Its eigenvalue error is at most its residual estimate
 * (symmetric), or that times a condition number (general: SP_COPIES_MARGIN). */
static int verdict(const sp_krylov_run *b, sp_which which, const sp_krylov_run *c)
{
    if (!c->converged || c->p <= 0) return 0;
    double err = fmax(c->final_worst, DBL_EPSILON) * (b->symmetric ? 1.0 : SP_COPIES_MARGIN);
    int v = compare_worst(b, which, c->vre[0], c->vim[0], err);
    if (v == -1 && err <= 100.0 * fmax(b->tol, 1e-12)) return 0; /* a tie at qualifies()'s accuracy */
    return v;
}

/* One round: a cheap search at the loose tolerance; when its value clearly
 * belongs (or cannot be told apart from the worst kept one), refine from its
 * Schur vector at the solver's tolerance and decide with that. *add = 1 when
 * c holds values to append. */
static int search_round(sp_krylov_run *b, int round, sp_krylov_run *c, int *add)
{
    uint64_t seed = b->seed + 0x9e3779b97f4a7c15ull * (uint64_t)(round + 1);
    double loose = fmax(b->tol, SP_COPIES_LOOSE_TOL);
    int rc = search_run(b, seed, loose, NULL, c), v = rc == SP_OK ? verdict(b, b->opt->which, c) : 0;
    *add = 0;
    if (rc < 0 || v == 0 || loose <= b->tol) {
        *add = rc == SP_OK && v != 0 && qualifies(b, b->opt->which, c->vre[0], c->vim[0]);
        return rc;
    }
    sp_krylov_run fine;
    double *x = c->X; /* the loose Schur vector starts the refinement */
    c->X = NULL;
    search_free(c);
    rc = search_run(b, seed + 1, b->tol, x, &fine);
    free(x);
    *c = fine;
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
