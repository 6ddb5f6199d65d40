/* dense_check.h: private argument check shared by the dense wrappers
 * (blas.c, lapack.c): one place that says what a valid sp_dmat is. */
#ifndef SPARTAN_LINALG_DENSE_CHECK_H
#define SPARTAN_LINALG_DENSE_CHECK_H

#include "spartan/linalg.h"

/* Valid matrix: non-negative shape, ld >= max(1, rows), data unless empty. */
int sp_dmat_check(const char *fn, const char *name, const sp_dmat *A);

#endif
