/* advisor_rule.c: the advisor's checks, its spectrum bookkeeping (captured
 * share sum l_i^2 / ||C||_F^2 and gap |l_{k+1}| / |l_k| per candidate, one
 * deflated IRAM solve for the value after the largest converged k) and the
 * recommendation rule with its one-sentence reason. No solves of candidates here. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "eigen/advisor_internal.h"

static int check_nested(const sp_embdim_options *o)
{
    if (o->nested_count < 0 || o->nested_count > SP_EIGS_MAX_NESTED ||
        o->nested_factor_count < 0 || o->nested_factor_count > SP_EIGS_MAX_NESTED)
        return sp_error(SP_EINVAL, "embdim: at most %d nested sizes", SP_EIGS_MAX_NESTED);
    if (o->nested_count > 0 && o->nested_factor_count > 0)
        return sp_error(SP_EINVAL, "embdim: give nested sizes or nested factors, not both");
    for (int i = 0; i < o->nested_count; i++)
        if (o->nested[i] < 3 || (i > 0 && o->nested[i] <= o->nested[i - 1]))
            return sp_error(SP_EINVAL, "embdim: nested sizes must be >= 3 and increase (%d)",
                            o->nested[i]);
    for (int i = 0; i < o->nested_factor_count; i++) {
        double f = o->nested_factors[i];
        if (!(f >= 1.0 && f <= 1000.0) || (i > 0 && f <= o->nested_factors[i - 1]))
            return sp_error(SP_EINVAL, "embdim: nested factors must be in [1, 1000] and "
                            "increase (%g)", f);
    }
    return SP_OK;
}

static int check_candidates(const sp_operator *op, const sp_embdim_options *o)
{
    if (o->n_candidates < 1 || o->n_candidates > SP_EMBDIM_MAX_CANDIDATES)
        return sp_error(SP_EINVAL, "embdim: %d candidates (give 1 to %d)", o->n_candidates,
                        SP_EMBDIM_MAX_CANDIDATES);
    int fits = 0;
    for (int i = 0; i < o->n_candidates; i++) {
        int k = o->candidates[i];
        if (k < 1) return sp_error(SP_EINVAL, "embdim: candidate k = %d must be >= 1", k);
        for (int j = 0; j < i; j++)
            if (o->candidates[j] == k) return sp_error(SP_EINVAL, "embdim: candidate %d given twice", k);
        fits += (int64_t)k <= op->n_global - 2;
    }
    if (!fits)
        return sp_error(SP_EINVAL, "embdim: every candidate exceeds n - 2 = %lld (the matrix is "
                        "%lld x %lld; the Krylov subspace needs k + 2 vectors)",
                        (long long)(op->n_global - 2), (long long)op->n_global,
                        (long long)op->n_global);
    return SP_OK;
}

static int check_numbers(const sp_embdim_options *o)
{
    if (o->max_restarts < 1) return sp_error(SP_EINVAL, "embdim: max_restarts = %d must be >= 1", o->max_restarts);
    if (!(o->tol >= 0.0) || !isfinite(o->tol)) return sp_error(SP_EINVAL, "embdim: tol = %g must be >= 0", o->tol);
    if (!(o->min_captured >= 0.0 && o->min_captured <= 1.0))
        return sp_error(SP_EINVAL, "embdim: min_captured = %g must be in [0, 1]", o->min_captured);
    if (o->gap_max_restarts < 0)
        return sp_error(SP_EINVAL, "embdim: gap_max_restarts = %d must be >= 0", o->gap_max_restarts);
    if (!(o->fro_norm >= 0.0) || !isfinite(o->fro_norm))
        return sp_error(SP_EINVAL, "embdim: fro_norm = %g must be finite and >= 0", o->fro_norm);
    return SP_OK;
}

double sp_embdim_fro_norm(const sp_operator *op, const sp_embdim_options *o)
{
    if (o->fro_norm > 0.0) return o->fro_norm;
    if (op->csr) return sp_csr_norm_fro(op->csr);
    if (op->dense) return sp_dmat_norm_fro(op->dense);
    return NAN;
}

int sp_embdim_check(const sp_operator *op, const sp_embdim_options *o)
{
    if (!op || !o) return sp_error(SP_EINVAL, "sp_embdim_advise: NULL operator or options");
    if (!op->apply || op->n_global < 1)
        return sp_error(SP_EINVAL, "embdim: the operator is empty or has no apply function");
    if (!op->symmetric)
        return sp_error(SP_EINVAL, "embdim: the matrix is not symmetric (a co-occurrence matrix "
                        "is; the captured share needs sum l_i^2 = ||C||_F^2)");
    int rc = check_numbers(o);
    if (rc == SP_OK) rc = check_nested(o);
    if (rc == SP_OK) rc = check_candidates(op, o);
    if (rc < 0) return rc;
    if (o->fro_norm == 0.0 && !op->csr && !op->dense)
        return sp_error(SP_EINVAL, "embdim: the operator has no matrix: set fro_norm = ||C||_F");
    double fro = sp_embdim_fro_norm(op, o);
    if (!(fro > 0.0) || !isfinite(fro))
        return sp_error(SP_EINVAL, "embdim: ||C||_F = %g: the matrix is zero or not finite", fro);
    return SP_OK;
}

/* ---- spectrum ------------------------------------------------------------ */

static double share(const double *values, int k, double fro)
{
    double s = 0.0;
    for (int i = 0; i < k; i++) s += (values[i] / fro) * (values[i] / fro);
    return s;
}

/* l_{K+1} by IRAM (nev 1, LM) on (I - X X^T) C (I - X X^T), X = c's vectors. */
static int next_value(const sp_operator *op, const sp_embdim_options *o, const sp_embdim_candidate *c,
                      sp_embdim_result *res)
{
    int64_t rest = op->n_global - c->nconv;
    if (o->gap_max_restarts == 0 || !c->vectors || rest < 1 || op->n_global < 3) return SP_OK;
    sp_deflated_op d;
    sp_operator dop;
    int rc = sp_deflated_op_init(&d, op, c->vectors, c->nconv, 0.0, &dop);
    if (rc < 0) return rc;
    sp_eigs_options e = sp_eigs_options_default();
    e.which = SP_WHICH_LM;
    e.tol = o->tol;
    e.max_restarts = o->gap_max_restarts;
    e.seed = o->seed + 1;
    e.method = SP_EIG_IRAM;
    e.ncv = op->n_global < 20 ? (int)op->n_global : 20;
    e.check_missed_copies = 0;
    sp_eigs_result r;
    rc = sp_eigs(&dop, &e, &r);
    res->gap_matvecs = r.matvecs + r.residual_matvecs;
    if (rc == SP_OK) res->next_value = r.re[0];
    if (rc == SP_ENOCONV) rc = SP_OK; /* gap of K stays unknown */
    sp_eigs_result_uninit(&r);
    sp_deflated_op_uninit(&d);
    return rc;
}

/* Smallest converged candidate after index i, or -1. */
static int next_converged(const sp_embdim_result *res, int i)
{
    for (int j = i + 1; j < res->count; j++)
        if (!res->cand[j].skipped && res->cand[j].converged) return j;
    return -1;
}

static void fill_one(sp_embdim_result *res, int i)
{
    sp_embdim_candidate *c = &res->cand[i];
    int j = next_converged(res, i), k = c->k;
    const sp_embdim_candidate *src = c->converged ? c : j >= 0 ? &res->cand[j] : NULL;
    if (!src) { /* lower bound from the values that did converge */
        c->captured = share(c->values, c->nconv, res->fro_norm);
        return;
    }
    c->captured = share(src->values, k, res->fro_norm);
    c->captured_exact = 1;
    c->spectrum_from = src->k;
    double lk = fabs(src->values[k - 1]);
    double next = src->nconv > k ? src->values[k] : j >= 0 ? res->cand[j].values[k] : res->next_value;
    if (lk > 0.0) c->gap = fabs(next) / lk;
}

int sp_embdim_spectrum(const sp_operator *op, const sp_embdim_options *o, sp_embdim_result *res)
{
    int last = -1;
    for (int i = 0; i < res->count; i++)
        if (!res->cand[i].skipped && res->cand[i].converged) last = i;
    if (last >= 0) {
        int rc = next_value(op, o, &res->cand[last], res);
        if (rc < 0) return sp_error_prefix(rc, "embdim: the value after k = %d: ", res->cand[last].k);
    }
    for (int i = 0; i < res->count; i++)
        if (!res->cand[i].skipped) fill_one(res, i);
    return SP_OK;
}

/* ---- recommendation -------------------------------------------------------- */

/* "16, 24" for the run candidates below index i that did not converge. */
static void list_failed(const sp_embdim_result *res, int below, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < below && len + 16 < cap; i++) {
        const sp_embdim_candidate *c = &res->cand[i];
        if (c->skipped || c->converged) continue;
        len += (size_t)snprintf(buf + len, cap - len, "%s%d", len ? ", " : "", c->k);
    }
}

static int pick_rule(const sp_embdim_options *o, sp_embdim_result *res)
{
    for (int i = 0; i < res->count; i++) {
        const sp_embdim_candidate *c = &res->cand[i];
        if (c->skipped || !c->converged || !(c->captured >= o->min_captured)) continue;
        char failed[96];
        list_failed(res, i, failed, sizeof failed);
        res->recommended = c->k;
        snprintf(res->reason, sizeof res->reason,
                 "k = %d is the smallest candidate that converged within %d restarts%s%s%s and "
                 "captures at least %.1f%% of ||C||_F^2 (it captures %.1f%%).", c->k,
                 o->max_restarts, failed[0] ? " (" : "", failed, failed[0] ? " did not)" : "",
                 100.0 * o->min_captured, 100.0 * c->captured);
        return 1;
    }
    return 0;
}

static void pick_fallback(const sp_embdim_options *o, sp_embdim_result *res)
{
    int best = -1, any_conv = res->largest_converged > 0;
    for (int i = 0; i < res->count; i++) {
        const sp_embdim_candidate *c = &res->cand[i];
        if (c->skipped || (any_conv && !c->converged)) continue;
        double key = any_conv ? -c->captured : c->residual, bkey = 0.0;
        if (best >= 0) bkey = any_conv ? -res->cand[best].captured : res->cand[best].residual;
        if (best < 0 || key < bkey || (isnan(bkey) && !isnan(key))) best = i;
    }
    if (best < 0) {
        snprintf(res->reason, sizeof res->reason, "No candidate could run: none has a nested "
                 "subspace size in [k + 2, n].");
        return;
    }
    const sp_embdim_candidate *c = &res->cand[best];
    res->recommended = c->k;
    if (any_conv)
        snprintf(res->reason, sizeof res->reason,
                 "No converged candidate captures %.1f%% of ||C||_F^2; k = %d converged within %d "
                 "restarts and captures the most (%.1f%%): try larger candidates or a lower share.",
                 100.0 * o->min_captured, c->k, o->max_restarts, 100.0 * c->captured);
    else
        snprintf(res->reason, sizeof res->reason,
                 "No candidate converged within %d restarts; k = %d came closest (residual %.1e): "
                 "raise the restart budget or the subspace sizes.", o->max_restarts, c->k, c->residual);
}

int sp_embdim_recommend(const sp_embdim_options *o, sp_embdim_result *res)
{
    res->rule_met = pick_rule(o, res);
    if (!res->rule_met) pick_fallback(o, res);
    return res->rule_met;
}
