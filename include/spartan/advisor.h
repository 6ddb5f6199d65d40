/* spartan/advisor.h: the embedding-dimension advisor. For each candidate
 * dimension k it runs MIRAMns (nev = k, which = LM) on a symmetric matrix C,
 * usually a feature co-occurrence matrix, within a restart budget, and
 * recommends the smallest k that converged and captures enough of C's energy.
 *
 * Example:
 *   sp_csr C;  ...                              // e.g. sp_cooc_from_file(...)
 *   sp_operator op;  sp_operator_csr(&C, &op);
 *   sp_embdim_options o = sp_embdim_options_default();
 *   int ks[] = {16, 24, 32, 40, 80};
 *   memcpy(o.candidates, ks, sizeof ks);  o.n_candidates = 5;
 *   sp_embdim_result res;
 *   int rc = sp_embdim_advise(&op, &o, &res); // SP_OK, SP_ENOCONV (fallback) or < 0
 *   if (rc >= 0) printf("k = %d: %s\n", res.recommended, res.reason);
 *   sp_embdim_result_uninit(&res);
 *
 * Per candidate (all candidates share C, the seed and the budget):
 *   converged  all k wanted pairs converged within max_restarts restarts
 *   residual   converged: largest true relative residual ||C x - l x|| /
 *              (|l| ||x||) of the k pairs; not converged: largest normalized
 *              Ritz estimate of the k wanted at the last restart (the Figure 11
 *              quantity, also recorded per restart in history)
 *   captured   sum_{i<=k} l_i^2 / ||C||_F^2, eigenvalues by decreasing |l|
 *              (exact: ||C||_F^2 = sum of all l_i^2 for symmetric C)
 *   gap        |l_{k+1}| / |l_k|; l_{k+1} is the (k+1)-th value of a larger
 *              converged candidate when there is one, else it comes from one
 *              extra IRAM solve (nev = 1) on the deflated (I - X X^T) C (I - X X^T),
 *              X the k converged eigenvectors (its matvecs: gap_matvecs)
 * A candidate that did not converge borrows captured and gap from the
 * smallest larger candidate that did (spectrum_from); with none, captured is
 * a lower bound from its own converged values and gap is NAN.
 *
 * Recommendation rule: the smallest k that converged within the budget and
 * captures at least min_captured. Fallbacks (return SP_ENOCONV, rule_met 0):
 * if some converged but none captures enough, the converged k capturing the
 * most; if none converged, the k with the smallest final residual.
 *
 * Guarantees: deterministic for a seed; nothing printed; memory is one solve
 * at a time (sp_eigs_memory_estimate(n, k, m_max)) plus the eigenvectors of
 * the largest converged candidate. Candidates with k > n - 2 (the Krylov
 * subspace needs k + 2 vectors) are skipped with a note, not an error.
 */
#ifndef SPARTAN_ADVISOR_H
#define SPARTAN_ADVISOR_H

#include <stdint.h>
#include "spartan/core.h"
#include "spartan/eigen.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SP_EMBDIM_MAX_CANDIDATES 64

/* Called after every restart of every candidate's solve; nonzero stops that
 * solve (the candidate then counts as not converged). */
typedef int (*sp_embdim_monitor)(void *user, int k, const sp_eigs_monitor_info *info);

typedef struct sp_embdim_options {
    int candidates[SP_EMBDIM_MAX_CANDIDATES]; /* distinct k >= 1, any order (run ascending) */
    int n_candidates;
    int max_restarts;      /* restart budget per candidate; default 10 (the report's) */
    double tol;            /* relative tolerance (ARPACK's test); default 1e-8 */
    double min_captured;   /* share of ||C||_F^2 the recommended k must capture; default 0.9 */
    /* Nested MIRAMns sizes for each k: absolute sizes (those in [k + 2, n] are
     * used), or else multiples of k (e.g. 2, 2.5, 3), or else automatic: the
     * solver's 5 sizes from max(2k, k + 8) to min(n, max(3k, k + 16)). */
    int nested[SP_EIGS_MAX_NESTED];
    int nested_count;
    double nested_factors[SP_EIGS_MAX_NESTED];
    int nested_factor_count;
    int miramns_rule;      /* sp_eigs_options.miramns_rule (0 = solver default) */
    uint64_t seed;         /* default SP_DEFAULT_SEED */
    double fro_norm;       /* ||C||_F; 0 = computed from op->csr or op->dense */
    int gap_max_restarts;  /* budget of the deflated solve for l_{K+1}; default 300 */
    int want_vectors;      /* 1: keep every converged candidate's eigenvectors */
    sp_embdim_monitor monitor;
    void *monitor_user;
} sp_embdim_options;

typedef struct sp_embdim_candidate {
    int k;
    int skipped;           /* 1: not run; note says why */
    int converged, nconv, restarts;
    int64_t matvecs;       /* solver matvecs (+ residual_matvecs for the final residuals) */
    int64_t residual_matvecs;
    double residual, gap, captured; /* see the top of this file; gap NAN when unknown */
    int captured_exact;    /* 1: from k eigenvalues known to tol; 0: lower bound */
    int spectrum_from;     /* the k whose eigenvalues gave captured and gap (0: none) */
    double seconds;
    int n_sizes, sizes[SP_EIGS_MAX_NESTED];
    int history_count;     /* restarts recorded */
    double *history;       /* worst normalized estimate of the restart subspace, per restart */
    double *values;        /* nconv eigenvalues, decreasing |l| */
    double *vectors;       /* n_local x nconv when want_vectors and converged, else NULL */
    char note[160];
} sp_embdim_candidate;

typedef struct sp_embdim_result {
    int64_t n, nnz;
    double fro_norm;
    int count;             /* candidates, ascending k (skipped ones included) */
    sp_embdim_candidate *cand;
    int recommended;       /* a candidate k; 0 only when none could run */
    int rule_met;          /* 1 when the recommendation satisfies the rule */
    int largest_converged; /* largest converged k (0: none) */
    double next_value;     /* l_{K+1} of that K from the deflated solve (NAN: not computed) */
    int64_t gap_matvecs;
    double seconds;
    char reason[320];      /* one sentence */
} sp_embdim_result;

/* Defaults as documented above (no candidates). */
sp_embdim_options sp_embdim_options_default(void);

/* Run the advisor. res is overwritten (never freed first): call
 * sp_embdim_result_uninit after. Returns SP_OK when the rule is met,
 * SP_ENOCONV when a fallback was recommended (res complete), SP_EINVAL for
 * bad options, a nonsymmetric operator, or when every candidate is too large
 * (message says which), other negative statuses on failure. */
int sp_embdim_advise(const sp_operator *op, const sp_embdim_options *opt, sp_embdim_result *res);

/* Check options against the operator without solving: SP_OK or SP_EINVAL. */
int sp_embdim_check(const sp_operator *op, const sp_embdim_options *opt);

/* Frees everything in res; safe on a zeroed struct and twice. */
void sp_embdim_result_uninit(sp_embdim_result *res);

#ifdef __cplusplus
}
#endif
#endif
