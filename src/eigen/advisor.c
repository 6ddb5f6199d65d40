/* advisor.c: sp_embdim_advise: one MIRAMns solve per candidate k (nev = k,
 * which LM, the restart budget) and its convergence record: restarts,
 * matvecs, residual, the per-restart history of Figure 11, eigenvalues.
 * Captured share, gap and the recommendation are in advisor_rule.c. Prints nothing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eigen/advisor_internal.h"

int sp_miramns_auto_sizes(int nev, int ncv, int *sizes);

sp_embdim_options sp_embdim_options_default(void)
{
    sp_embdim_options o;
    memset(&o, 0, sizeof o);
    o.max_restarts = 10;
    o.tol = 1e-8;
    o.min_captured = 0.9;
    o.seed = SP_DEFAULT_SEED;
    o.gap_max_restarts = 300;
    return o;
}

void sp_embdim_result_uninit(sp_embdim_result *res)
{
    if (!res) return;
    for (int i = 0; res->cand && i < res->count; i++) {
        free(res->cand[i].history);
        free(res->cand[i].values);
        free(res->cand[i].vectors);
    }
    free(res->cand);
    memset(res, 0, sizeof *res);
}

/* Sizes for candidate k: count (0 when none fits in [k + 2, n]). */
int sp_embdim_sizes(const sp_embdim_options *o, int k, int64_t n, int *sizes)
{
    int count = 0;
    if (o->nested_count > 0) {
        for (int i = 0; i < o->nested_count; i++)
            if (o->nested[i] >= k + 2 && o->nested[i] <= n) sizes[count++] = o->nested[i];
        return count;
    }
    if (o->nested_factor_count > 0) {
        for (int i = 0; i < o->nested_factor_count; i++) {
            double m = ceil(o->nested_factors[i] * k);
            if (m < k + 2 || m > (double)n) continue;
            if (count == 0 || (int)m > sizes[count - 1]) sizes[count++] = (int)m;
        }
        return count;
    }
    if ((int64_t)k + 2 > n) return 0;
    int64_t ncv = (int64_t)ceil(3.0 * k);
    if (ncv < (int64_t)k + 16) ncv = (int64_t)k + 16;
    if (ncv > n) ncv = n;
    return sp_miramns_auto_sizes(k, (int)ncv, sizes);
}

typedef struct monitor_ctx {
    const sp_embdim_options *o;
    int k;
} monitor_ctx;

static int forward_monitor(void *user, const sp_eigs_monitor_info *info)
{
    const monitor_ctx *m = user;
    return m->o->monitor(m->o->monitor_user, m->k, info);
}

/* Worst finite normalized estimate of the restart subspace, per restart. */
static int copy_history(const sp_eigs_result *r, sp_embdim_candidate *c)
{
    c->history_count = r->history_count;
    c->history = sp_malloc((size_t)(r->history_count > 0 ? r->history_count : 1) * sizeof(double));
    if (!c->history) return SP_ENOMEM;
    for (int i = 0; i < r->history_count; i++) {
        int s = r->n_sizes - 1;
        for (int t = 0; t < r->n_sizes; t++)
            if (r->sizes[t] == r->chosen[i]) s = t;
        double worst = NAN;
        for (int j = 0; j < r->nev; j++) {
            double v = r->history[((size_t)i * r->n_sizes + s) * r->nev + j];
            if (isfinite(v)) worst = isnan(worst) ? v : fmax(worst, v);
        }
        c->history[i] = worst;
    }
    return SP_OK;
}

/* Move the converged values (and vectors) of r into c. */
static int copy_pairs(sp_eigs_result *r, sp_embdim_candidate *c)
{
    c->nconv = r->nconv < c->k ? r->nconv : c->k;
    c->values = sp_malloc((size_t)(c->nconv > 0 ? c->nconv : 1) * sizeof(double));
    if (!c->values) return SP_ENOMEM;
    if (c->nconv > 0) memcpy(c->values, r->re, (size_t)c->nconv * sizeof(double));
    double worst = 0.0;
    for (int j = 0; j < c->nconv; j++) worst = fmax(worst, r->residual[j]);
    if (c->converged) c->residual = worst;
    else c->residual = c->history_count > 0 ? c->history[c->history_count - 1] : NAN;
    if (c->converged) {
        c->vectors = r->vectors; /* n_local x nconv, first nconv columns */
        r->vectors = NULL;
    }
    return SP_OK;
}

static int solve_candidate(const sp_operator *op, const sp_embdim_options *o, sp_embdim_candidate *c)
{
    sp_eigs_options e = sp_eigs_options_default();
    e.nev = c->k;
    e.which = SP_WHICH_LM;
    e.tol = o->tol;
    e.max_restarts = o->max_restarts;
    e.seed = o->seed;
    e.method = SP_EIG_MIRAMNS;
    memcpy(e.nested, c->sizes, sizeof e.nested);
    e.nested_count = c->n_sizes;
    e.want_vectors = 1;
    e.miramns_rule = o->miramns_rule;
    monitor_ctx mctx = {o, c->k};
    if (o->monitor) e.monitor = forward_monitor, e.monitor_user = &mctx;
    sp_eigs_result r;
    int rc = sp_eigs(op, &e, &r);
    if (rc == SP_OK || rc == SP_ENOCONV) {
        c->converged = rc == SP_OK;
        c->restarts = r.restarts;
        c->matvecs = r.matvecs + r.residual_matvecs;
        c->residual_matvecs = r.residual_matvecs;
        c->seconds = r.seconds;
        rc = copy_history(&r, c);
        if (rc == SP_OK) rc = copy_pairs(&r, c);
    } else {
        rc = sp_error_prefix(rc, "candidate k = %d: ", c->k);
    }
    sp_eigs_result_uninit(&r);
    return rc;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Fill res->cand with the sorted candidates and their sizes (skips noted). */
static int setup_candidates(const sp_operator *op, const sp_embdim_options *o, sp_embdim_result *res)
{
    int ks[SP_EMBDIM_MAX_CANDIDATES];
    memcpy(ks, o->candidates, (size_t)o->n_candidates * sizeof(int));
    qsort(ks, (size_t)o->n_candidates, sizeof(int), cmp_int);
    res->cand = sp_calloc((size_t)o->n_candidates, sizeof *res->cand);
    if (!res->cand) return SP_ENOMEM;
    res->count = o->n_candidates;
    int64_t n = op->n_global;
    for (int i = 0; i < res->count; i++) {
        sp_embdim_candidate *c = &res->cand[i];
        c->k = ks[i];
        c->residual = c->gap = c->captured = NAN;
        if ((int64_t)c->k > n - 2) {
            c->skipped = 1;
            snprintf(c->note, sizeof c->note, "skipped: k = %d > n - 2 = %lld (the Krylov "
                     "subspace needs k + 2 vectors)", c->k, (long long)(n - 2));
        } else if ((c->n_sizes = sp_embdim_sizes(o, c->k, n, c->sizes)) == 0) {
            c->skipped = 1;
            snprintf(c->note, sizeof c->note, "skipped: no nested size in [k + 2, n] = [%d, %lld]",
                     c->k + 2, (long long)n);
        }
    }
    return SP_OK;
}

/* Solve every candidate in ascending k; keep the vectors of the largest
 * converged one (all converged ones with want_vectors). */
static int solve_all(const sp_operator *op, const sp_embdim_options *o, sp_embdim_result *res)
{
    int keep = -1;
    for (int i = 0; i < res->count; i++) {
        sp_embdim_candidate *c = &res->cand[i];
        if (c->skipped) continue;
        int rc = solve_candidate(op, o, c);
        if (rc < 0) return rc;
        if (!c->converged) continue;
        if (keep >= 0 && !o->want_vectors) {
            free(res->cand[keep].vectors);
            res->cand[keep].vectors = NULL;
        }
        keep = i;
    }
    res->largest_converged = keep >= 0 ? res->cand[keep].k : 0;
    return SP_OK;
}

int sp_embdim_advise(const sp_operator *op, const sp_embdim_options *o, sp_embdim_result *res)
{
    if (!res) return sp_error(SP_EINVAL, "sp_embdim_advise: result is NULL");
    memset(res, 0, sizeof *res);
    int rc = sp_embdim_check(op, o);
    if (rc < 0) return rc;
    double t0 = sp_time_now();
    res->n = op->n_global;
    res->nnz = op->nnz;
    res->fro_norm = sp_embdim_fro_norm(op, o);
    res->next_value = NAN;
    rc = setup_candidates(op, o, res);
    if (rc == SP_OK) rc = solve_all(op, o, res);
    if (rc == SP_OK) rc = sp_embdim_spectrum(op, o, res);
    for (int i = 0; !o->want_vectors && i < res->count; i++) {
        free(res->cand[i].vectors);
        res->cand[i].vectors = NULL;
    }
    res->seconds = sp_time_now() - t0;
    if (rc < 0) return rc;
    return sp_embdim_recommend(o, res) ? SP_OK : SP_ENOCONV;
}
