/* miramns.c: MIRAMns's choice of the subspace to restart from, and the
 * automatic nested sizes. The published rule takes the subspace whose worst
 * normalized Ritz estimate is smallest; the default restarts from the largest
 * (a smaller subspace applies fewer shifts) and gains by stopping early when a
 * smaller nested one has converged: never more matvecs than IRAM. The restart
 * itself is IRAM's (iram.c, shifts.c). */
#include <math.h>
#include "eigen/eigen_internal.h"

/* Rule 2 takes a smaller subspace only when its worst estimate is below this
 * fraction of the largest subspace's. Measured on the shared matrices (k = 2, 5;
 * sizes {5,8,10}, {10,15,20}, {15,20,25}, tol 1e-8), no fixed fraction in
 * {1, 0.5, 0.1, 0.01} nor the published rule was at most IRAM's matvecs
 * everywhere (e.g. olm500 k=5 {10,15,20}: published 1094 vs IRAM 626), so the
 * default restarts from the largest subspace and gains only by stopping as soon
 * as a smaller nested subspace has converged: never more matvecs than IRAM. */
#ifndef SP_MIRAMNS_FILTER_FACTOR
#define SP_MIRAMNS_FILTER_FACTOR 0.1
#endif

/* Rule 3 takes m_i when worst_i * g^-(m_l - m_i) < MARGIN * worst_l. Measured
 * (2026-11-23, tol 1e-10, 13 matrices x {k=2 {10,15,20}, k=2 {5,8,10}, k=6
 * {15,20,25}, k=4 {12,16,20}, k=5 {10,15,20}}, bench start vector): margin 1
 * used 15449 matvecs in all against IRAM's 18090 (published rule 15373) but
 * more than IRAM on 5 of 65 runs (dwa512 k=2: 513 vs 438; laplace2d:100 k=6:
 * 1233 vs 1085); margin 0.1: 17858, more on 1 run (plat362 k=6: 113 vs 110);
 * default rule 0: 17879, never more. So rule 3 stays an option. */
#ifndef SP_MIRAMNS_GAIN_MARGIN
#define SP_MIRAMNS_GAIN_MARGIN 1.0
#endif

/* rule 0 (default): largest; 1: published (smallest worst estimate);
 * 2: smallest worst estimate if below SP_MIRAMNS_FILTER_FACTOR x the largest's;
 * 3: weighs the filter by its measured gain g per shift (g < 1: the largest's
 * estimate shrank by g^np at the last restart): m_i wins only when
 * worst_i * g^-(m_l - m_i) < worst_l, i.e. it beats the largest by what the
 * m_l - m_i extra shifts would have gained (g unknown: the largest). */
int sp_miramns_choose(const sp_ritz *ritz, const int *evaluated, int n_sizes, int rule, double gain)
{
    int last = -1;
    for (int s = 0; s < n_sizes; s++)
        if (evaluated[s]) last = s;
    if (last < 0 || rule == 0 || (rule == 3 && !(gain > 0.0 && gain < 1.0))) return last;
    int best = last;
    double score_best = ritz[last].worst;
    for (int s = 0; s < n_sizes; s++) {
        if (!evaluated[s] || s == last) continue;
        double w = ritz[s].worst, wb = ritz[best].worst;
        if (rule == 3) {
            double score = w * pow(gain, -(double)(ritz[last].m - ritz[s].m));
            if (score < SP_MIRAMNS_GAIN_MARGIN * ritz[last].worst && score < score_best)
                best = s, score_best = score;
        } else if (rule == 1 ? w < wb : w < SP_MIRAMNS_FILTER_FACTOR * ritz[last].worst && w < wb) {
            best = s;
        }
    }
    return best;
}

/* Automatic sizes: from max(2 nev, nev + 8) to ncv, about one per
 * SP_MIRAMNS_AUTO_STEP (each costs a dense eigenproblem when evaluated), at
 * most SP_MIRAMNS_AUTO_MAX. */
#ifndef SP_MIRAMNS_AUTO_STEP
#define SP_MIRAMNS_AUTO_STEP 4
#endif
#define SP_MIRAMNS_AUTO_MAX 5

int sp_miramns_auto_sizes(int nev, int ncv, int *sizes)
{
    int lo = 2 * nev > nev + 8 ? 2 * nev : nev + 8;
    if (lo < nev + 2) lo = nev + 2;
    if (lo >= ncv) {
        sizes[0] = ncv;
        return 1;
    }
    int count = 1 + (ncv - lo) / SP_MIRAMNS_AUTO_STEP, used = 0;
    if (count > SP_MIRAMNS_AUTO_MAX) count = SP_MIRAMNS_AUTO_MAX;
    if (count < 2) count = 2;
    for (int i = 0; i < count; i++) {
        int m = lo + (int)lround((double)(ncv - lo) * i / (count - 1));
        if (used == 0 || m > sizes[used - 1]) sizes[used++] = m;
    }
    return used;
}
