/* threads.c: one level of parallelism at a time. With OpenMP threads > 1,
 * OpenBLAS runs single-threaded (its own pool on top would oversubscribe). */
#include "spartan/core.h"
#ifdef _OPENMP
#include <omp.h>
#endif

void openblas_set_num_threads(int num_threads); /* from OpenBLAS */

void sp_set_threads(int threads)
{
    if (threads <= 0) return;
#ifdef _OPENMP
    omp_set_num_threads(threads);
    openblas_set_num_threads(1);
#else
    openblas_set_num_threads(threads);
#endif
}

int sp_get_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

const char *sp_version(void) { return SPARTAN_VERSION_STRING; }
