/* nn_internal.h: helpers shared by the src/nn files: the OpenMP loop macros
 * and their size threshold, and a few sp_nn_* kernels used across files.
 * Not installed; no stable API. */
#ifndef SPARTAN_NN_INTERNAL_H
#define SPARTAN_NN_INTERNAL_H

/* Below this many elements a loop runs on one thread (not worth waking others). */
#define SP_NN_PAR_MIN 16384

#define SP_NN_PRAGMA(x) _Pragma(#x)
#ifdef _OPENMP
/* `#pragma omp parallel for` with static schedule when `cond` holds. Static
 * scheduling and per-element work keep results independent of thread count. */
#define SP_NN_OMP_FOR(cond) SP_NN_PRAGMA(omp parallel for schedule(static) if (cond))
/* Dynamic schedule, for tasks of uneven size that each write their own
 * outputs (so the result still does not depend on who runs which task). */
#define SP_NN_OMP_FOR_DYNAMIC(cond) SP_NN_PRAGMA(omp parallel for schedule(dynamic, 1) if (cond))
#else /* no OpenMP: the condition is still evaluated, so its inputs stay "used" */
#define SP_NN_OMP_FOR(cond) (void)(cond);
#define SP_NN_OMP_FOR_DYNAMIC(cond) (void)(cond);
#endif

/* dY (B, out) -> db (out) += column sums (double accumulators, rows in order;
 * columns split among threads). */
void sp_nn_bias_grad(int B, int out, const float *dY, float *db);

#endif
