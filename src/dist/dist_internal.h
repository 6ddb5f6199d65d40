/* dist_internal.h (private to dist/): MPI return-code checking and small
 * helpers shared by the files of the MPI layer. Not installed. */
#ifndef SPARTAN_DIST_INTERNAL_H
#define SPARTAN_DIST_INTERNAL_H

#include "spartan/dist.h"

/* SP_OK when rc == MPI_SUCCESS, else SP_EMPI with "what: MPI's message". */
int sp_dist_mpi_check(int rc, const char *what);

/* Rank and size of comm (0 and 1 when the queries fail). */
void sp_dist_comm_info(MPI_Comm comm, int *rank, int *nranks);

/* Triplets whose global rows lie in [row0, row0 + rows) -> CSR with local
 * rows and n global columns (duplicates summed); t is emptied. */
int sp_dist_triplets_to_rows(sp_dist_triplets *t, int row0, int rows, int n, sp_csr *A);

#define SP_DIST_TAG_PLAN 7301  /* plan construction messages */
#define SP_DIST_TAG_X 7302     /* ghost exchange of the matvec */

#endif
