/* nn_internal.h: helpers shared by the src/nn files: the OpenMP loop macro
 * and its size threshold. Not installed; no public symbols. */
#ifndef SPARTAN_NN_INTERNAL_H
#define SPARTAN_NN_INTERNAL_H

/* Below this many elements a loop runs on one thread (not worth waking others). */
#define SP_NN_PAR_MIN 16384

#define SP_NN_PRAGMA(x) _Pragma(#x)
#ifdef _OPENMP
/* `#pragma omp parallel for` with static schedule when `cond` holds. Static
 * scheduling and per-element work keep results independent of thread count. */
#define SP_NN_OMP_FOR(cond) SP_NN_PRAGMA(omp parallel for schedule(static) if (cond))
#else
#define SP_NN_OMP_FOR(cond)
#endif

#endif
