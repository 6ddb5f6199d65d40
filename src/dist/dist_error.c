/* dist_error.c: errors agreed across ranks and MPI return codes as statuses.
 * Guarantees: after sp_dist_agree every rank holds the same status and
 * message (the lowest failing rank's); never aborts. Does not recover from a
 * dead rank (MPI itself cannot). */
#include <string.h>
#include "dist/dist_internal.h"

int sp_dist_mpi_check(int rc, const char *what)
{
    if (rc == MPI_SUCCESS) return SP_OK;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) snprintf(text, sizeof text, "code %d", rc);
    return sp_error(SP_EMPI, "%s: %s", what, text);
}

void sp_dist_comm_info(MPI_Comm comm, int *rank, int *nranks)
{
    if (MPI_Comm_rank(comm, rank) != MPI_SUCCESS) *rank = 0;
    if (MPI_Comm_size(comm, nranks) != MPI_SUCCESS) *nranks = 1;
}

int sp_dist_agree(MPI_Comm comm, int status)
{
    int rank, nranks, first = 0;
    sp_dist_comm_info(comm, &rank, &nranks);
    int mine = status < 0 ? rank : nranks;
    int rc = MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
    if (rc != MPI_SUCCESS) return sp_dist_mpi_check(rc, "agree: MPI_Allreduce");
    if (first >= nranks) return SP_OK;
    struct {
        int status;
        char msg[1000];
    } what;
    memset(&what, 0, sizeof what);
    if (rank == first) {
        what.status = status;
        snprintf(what.msg, sizeof what.msg, "%s", sp_errmsg());
    }
    rc = MPI_Bcast(&what, (int)sizeof what, MPI_BYTE, first, comm);
    if (rc != MPI_SUCCESS) return sp_dist_mpi_check(rc, "agree: MPI_Bcast");
    return sp_error(what.status, "%s", what.msg);
}
