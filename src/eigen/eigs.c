/* eigs.c: sp_eigs, the public entry point: checks the options against the
 * operator (one place, clear messages), picks the method (dense for small n
 * under auto), runs IRAM or MIRAMns, the missed-copies search and the final
 * extraction, and fills the caller's result. No globals: reentrant. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eigen/eigen_internal.h"

int sp_miramns_auto_sizes(int nev, int ncv, int *sizes);

sp_eigs_options sp_eigs_options_default(void)
{
    sp_eigs_options o;
    memset(&o, 0, sizeof o);
    o.nev = 1;
    o.which = SP_WHICH_LM;
    o.seed = SP_DEFAULT_SEED;
    o.method = SP_EIG_AUTO;
    o.symmetric = -1;
    o.check_missed_copies = 1;
    o.dense_auto_max_n = 200;
    return o;
}

int64_t sp_eigs_memory_estimate(int64_t n, int nev, int ncv)
{
    return 8 * n * (int64_t)(ncv + nev + 3);
}

void sp_eigs_result_uninit(sp_eigs_result *res)
{
    if (!res) return;
    free(res->re);
    free(res->im);
    free(res->residual);
    free(res->vectors);
    free(res->chosen);
    free(res->kept);
    free(res->history);
    memset(res, 0, sizeof *res);
}

int sp_history_append(sp_eigs_result *res, int chosen, int kept, const double *est)
{
    int r = res->history_count, per = res->n_sizes * res->nev;
    int *c = realloc(res->chosen, (size_t)(r + 1) * sizeof(int));
    if (c) res->chosen = c;
    int *k = realloc(res->kept, (size_t)(r + 1) * sizeof(int));
    if (k) res->kept = k;
    double *h = realloc(res->history, (size_t)(r + 1) * (size_t)per * sizeof(double));
    if (h) res->history = h;
    if (!c || !k || !h) return sp_error(SP_ENOMEM, "eigs: out of memory recording the history");
    res->chosen[r] = chosen;
    res->kept[r] = kept;
    memcpy(res->history + (size_t)r * per, est, (size_t)per * sizeof(double));
    res->history_count = r + 1;
    return SP_OK;
}

static int default_ncv(int nev, int64_t n)
{
    int64_t m = 2 * (int64_t)nev + 1 > 20 ? 2 * (int64_t)nev + 1 : 20;
    return (int)(m < n ? m : n);
}

static int use_dense(const sp_operator *op, const sp_eigs_options *o)
{
    if (o->method == SP_EIG_DENSE) return 1;
    if (o->method != SP_EIG_AUTO || op->allreduce_sum) return 0;
    int64_t n = op->n_global;
    int ncv = o->ncv > 0 ? o->ncv : default_ncv(o->nev, n);
    int lim = o->dense_auto_max_n > 2 * ncv ? o->dense_auto_max_n : 2 * ncv;
    return n <= lim || o->nev >= n - 1;
}

static int check_nested(const sp_eigs_options *o, int64_t n)
{
    if (o->nested_count < 0 || o->nested_count > SP_EIGS_MAX_NESTED)
        return sp_error(SP_EINVAL, "nested: %d sizes (at most %d)", o->nested_count, SP_EIGS_MAX_NESTED);
    for (int i = 0; i < o->nested_count; i++) {
        int m = o->nested[i];
        if (m < o->nev + 2 || m > n)
            return sp_error(SP_EINVAL, "nested size %d must be in [nev + 2, n] = [%d, %lld]", m,
                            o->nev + 2, (long long)n);
        if (i > 0 && m <= o->nested[i - 1])
            return sp_error(SP_EINVAL, "nested sizes must increase (%d after %d)", m, o->nested[i - 1]);
    }
    if (o->nested_count > 0 && o->ncv > 0 && o->ncv != o->nested[o->nested_count - 1])
        return sp_error(SP_EINVAL, "ncv = %d differs from the largest nested size %d", o->ncv,
                        o->nested[o->nested_count - 1]);
    return SP_OK;
}

static int check_iterative(const sp_eigs_options *o, int64_t n)
{
    if (o->ncv > 0 && (o->ncv > n || o->ncv < o->nev + 2))
        return sp_error(SP_EINVAL, "ncv = %d must be in [nev + 2, n] = [%d, %lld]", o->ncv,
                        o->nev + 2, (long long)n);
    if (o->method == SP_EIG_MIRAMNS) return check_nested(o, n);
    return SP_OK;
}

/* v0 finite on every process: the verdict is summed over processes so all
 * of them return the same status (a rank returning alone would hang the rest). */
static int check_v0(const sp_operator *op, const sp_eigs_options *o)
{
    double bad[2] = {0.0, -1.0}; /* count, first bad global index */
    for (int i = 0; o->v0 && i < op->n_local; i++)
        if (!isfinite(o->v0[i]) && bad[0]++ == 0) bad[1] = (double)(op->row_label ? (int64_t)op->row_label[i] : op->row0 + i);
    if (op->allreduce_sum) {
        double count = bad[0];
        int rc = op->allreduce_sum(op->ctx, &count, 1);
        if (rc < 0) return rc;
        bad[0] = count;
    }
    if (bad[0] > 0)
        return sp_error(SP_EINVAL, "v0 has %.0f non-finite entries%s", bad[0],
                        bad[1] >= 0 ? " (one on this process)" : "");
    return SP_OK;
}

int sp_eigs_check(const sp_operator *op, const sp_eigs_options *o)
{
    if (!op || !o) return sp_error(SP_EINVAL, "sp_eigs: NULL operator or options");
    if (!op->apply) return sp_error(SP_EINVAL, "sp_eigs: operator has no apply function");
    if (op->n_local < 0 || op->n_global < 1)
        return sp_error(SP_EINVAL, "sp_eigs: the matrix is empty (n = %lld)", (long long)op->n_global);
    int64_t n = op->n_global;
    if (o->nev < 1 || o->nev > n)
        return sp_error(SP_EINVAL, "nev = %d must be in [1, n = %lld]", o->nev, (long long)n);
    if ((unsigned)o->which >= SP_WHICH_COUNT) return sp_error(SP_EINVAL, "which = %d is unknown", (int)o->which);
    if ((unsigned)o->method >= SP_EIG_METHOD_COUNT)
        return sp_error(SP_EINVAL, "method = %d is unknown", (int)o->method);
    int sym = o->symmetric < 0 ? op->symmetric : o->symmetric;
    if (sp_which_symmetric_only(o->which) && !sym)
        return sp_error(SP_EINVAL, "which = %s needs a symmetric matrix (this one is not)",
                        sp_which_name(o->which));
    if (!(o->tol >= 0.0) || !isfinite(o->tol)) return sp_error(SP_EINVAL, "tol = %g must be >= 0", o->tol);
    if (o->max_restarts < 0) return sp_error(SP_EINVAL, "max_restarts = %d must be >= 0", o->max_restarts);
    if (o->miramns_rule < 0 || o->miramns_rule > 3)
        return sp_error(SP_EINVAL, "miramns_rule = %d must be 0, 1, 2 or 3", o->miramns_rule);
    if (o->ncv > n) return sp_error(SP_EINVAL, "ncv = %d must be <= n = %lld", o->ncv, (long long)n);
    if (o->ncv < 0) return sp_error(SP_EINVAL, "ncv = %d must be >= 0", o->ncv);
    if (o->method == SP_EIG_DENSE && op->allreduce_sum)
        return sp_error(SP_EINVAL, "method dense needs a serial operator");
    int rc = check_v0(op, o);
    if (rc < 0) return rc;
    return use_dense(op, o) ? SP_OK : check_iterative(o, n);
}

static void setup_sizes(const sp_operator *op, const sp_eigs_options *o, sp_krylov_run *run)
{
    int ncv = o->ncv > 0 ? o->ncv : default_ncv(o->nev, op->n_global);
    if (o->method == SP_EIG_MIRAMNS && o->nested_count > 0) {
        run->n_sizes = o->nested_count;
        memcpy(run->sizes, o->nested, (size_t)o->nested_count * sizeof(int));
    } else if (o->method == SP_EIG_MIRAMNS) {
        run->n_sizes = sp_miramns_auto_sizes(o->nev, ncv, run->sizes);
    } else {
        run->n_sizes = 1;
        run->sizes[0] = ncv;
    }
}

static int solve_krylov(const sp_operator *op, const sp_eigs_options *o, int sym, sp_eigs_result *res)
{
    sp_krylov_run run;
    memset(&run, 0, sizeof run);
    run.op = op;
    run.opt = o;
    run.nev = o->nev;
    setup_sizes(op, o, &run);
    run.symmetric = sym;
    run.max_restarts = o->max_restarts > 0 ? o->max_restarts : 1000;
    run.rule = o->miramns_rule;
    run.tol = o->tol > 0.0 ? o->tol : 2.220446049250313e-16;
    run.seed = o->seed;
    run.v0 = o->v0;
    run.push_start = 1; /* every which, as ARPACK's dgetv0 (SM too: 0.93x its matvecs on olm500) */
    run.record = 1;
    run.res = res;
    res->n_sizes = run.n_sizes;
    memcpy(res->sizes, run.sizes, sizeof run.sizes);
    res->ncv = run.sizes[run.n_sizes - 1];
    int rc = sp_krylov_solve(&run);
    res->restarts = run.restarts;
    res->kept_pair = run.kept_pair;
    if (rc == SP_OK && run.converged && o->check_missed_copies) rc = sp_copies_search(op, o, &run, res);
    res->matvecs = run.matvecs;
    res->allreduces += run.reductions;
    res->arnoldi_steps = run.steps;
    res->arnoldi_allreduces = run.step_reductions;
    if (rc == SP_OK) rc = sp_extract_pairs(op, run.X, run.p, sym, o->which, o->nev, o->want_vectors, res);
    free(run.X);
    free(run.vre);
    return rc;
}

int sp_eigs(const sp_operator *op, const sp_eigs_options *o, sp_eigs_result *res)
{
    if (!res) return sp_error(SP_EINVAL, "sp_eigs: result is NULL");
    memset(res, 0, sizeof *res);
    int rc = sp_eigs_check(op, o);
    if (rc < 0) return rc;
    double t0 = sp_time_now();
    int sym = o->symmetric < 0 ? op->symmetric : o->symmetric;
    res->nev = o->nev;
    res->symmetric = sym;
    res->n_local = op->n_local;
    if (use_dense(op, o)) {
        res->method = SP_EIG_DENSE;
        res->ncv = (int)op->n_global;
        rc = sp_dense_eigs(op, o, sym, res);
    } else {
        res->method = o->method == SP_EIG_MIRAMNS ? SP_EIG_MIRAMNS : SP_EIG_IRAM;
        res->allreduces = 1; /* check_v0's agreement */
        rc = solve_krylov(op, o, sym, res);
    }
    res->seconds = sp_time_now() - t0;
    if (rc < 0) return rc;
    if (res->nconv < res->nev)
        return sp_error(SP_ENOCONV, "%d of %d eigenvalues converged after %d restarts (%lld matvecs)",
                        res->nconv, res->nev, res->restarts, (long long)res->matvecs);
    return SP_OK;
}
