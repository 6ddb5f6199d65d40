/* csr_blocks.h: private to the CSR kernels (csr_matvec.c, csr_spmm.c): how many
 * row blocks a product is split into: one per OpenMP thread, or one when the
 * matrix is too small to be worth waking other threads. */
#ifndef SPARTAN_LINALG_CSR_BLOCKS_H
#define SPARTAN_LINALG_CSR_BLOCKS_H

#include "spartan/linalg.h"

#define SP_CSR_PARALLEL_MIN_NNZ 50000
#define SP_CSR_MAX_BLOCKS 256

int sp_csr_thread_blocks(const sp_csr *A); /* in [1, SP_CSR_MAX_BLOCKS] */

#endif
