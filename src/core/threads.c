/* threads.c: one level of parallelism at a time: OpenMP loops, OpenBLAS
 * single-threaded (its own pool on top would oversubscribe, and its threaded
 * reductions would change results with the thread count). */
#include "spartan/core.h"
#ifdef _OPENMP
#include <omp.h>
#endif

void openblas_set_num_threads(int num_threads); /* from OpenBLAS */
/* OpenBLAS (pthreads build, 0.3.x) starts its worker pool when it loads;
 * the workers then spin for about 0.1 s before they sleep. This stops
 * them (OpenBLAS starts the pool again if a later call wants threads).
 * Weak: absent from other BLAS builds. */
int blas_thread_shutdown_(void) __attribute__((weak));

void sp_set_threads(int threads)
{
    if (threads <= 0) return;
#ifdef _OPENMP
    omp_set_num_threads(threads);
#endif
    /* BLAS stays single-threaded even without OpenMP: its threaded reductions
     * would make results depend on the thread count, and a build without
     * OpenMP is the serial build. */
    openblas_set_num_threads(1);
    if (blas_thread_shutdown_) (void)blas_thread_shutdown_();
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
