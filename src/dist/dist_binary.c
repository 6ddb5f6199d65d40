/* dist_binary.c: parallel read of a binary CSR file (csr_binary.h). Every
 * rank reads an even slice of the row pointer, the nnz-balanced partition is
 * computed from the slices, then each rank reads only its rows. Guarantees:
 * checksums of all parts are combined on every rank, so a corrupted or
 * truncated file fails on every rank with the same message; no rank reads
 * more than its rows plus one row-pointer slice. Does not write files. */
#include <stdlib.h>
#include <string.h>
#include "dist/dist_internal.h"
#include "spartan/csr_binary.h"

/* starts from an even split of the row pointer. */
static int binary_partition(MPI_Comm comm, const char *path, const sp_csr_binary_info *info,
                            int rank, int nranks, int *starts)
{
    int n = info->rows;
    int r0 = (int)((int64_t)n * rank / nranks), r1 = (int)((int64_t)n * (rank + 1) / nranks);
    int64_t *rp = sp_malloc((size_t)(r1 - r0 + 1) * sizeof(int64_t));
    int rc = rp ? sp_csr_binary_read_rowptr(path, info, r0, r1, rp) : SP_ENOMEM;
    if ((rc = sp_dist_agree(comm, rc)) == SP_OK) rc = sp_dist_partition_by_nnz(comm, n, r0, r1 - r0, rp, starts);
    free(rp);
    return rc;
}

/* Every rank combines every rank's part checksums (same result everywhere). */
static int binary_check_all_parts(MPI_Comm comm, const char *path, const sp_csr_binary_info *info,
                                  const sp_csr_binary_part *mine, int nranks)
{
    sp_csr_binary_part *all = sp_malloc((size_t)nranks * sizeof *all);
    int rc = sp_dist_agree(comm, all ? SP_OK : SP_ENOMEM);
    if (rc == SP_OK)
        rc = sp_dist_mpi_check(MPI_Allgather(mine, (int)sizeof *mine, MPI_BYTE, all, (int)sizeof *mine,
                                             MPI_BYTE, comm), "binary read: MPI_Allgather");
    if (rc == SP_OK) rc = sp_csr_binary_check_parts(path, info, all, nranks);
    free(all);
    return sp_dist_agree(comm, rc);
}

int sp_dist_csr_binary_read(MPI_Comm comm, const char *path, sp_dist_csr *D, int *symmetric)
{
    int rank, nranks;
    sp_dist_comm_info(comm, &rank, &nranks);
    memset(D, 0, sizeof *D);
    D->comm = MPI_COMM_NULL;
    D->plan.graph = MPI_COMM_NULL;
    sp_csr_binary_info info;
    sp_csr_binary_part part;
    memset(&part, 0, sizeof part);
    sp_csr rows = {0, 0, 0, NULL, NULL, NULL};
    int *starts = sp_malloc((size_t)(nranks + 1) * sizeof(int));
    int rc = starts ? sp_csr_binary_read_info(path, &info) : SP_ENOMEM;
    if (rc == SP_OK && info.rows != info.cols)
        rc = sp_error(SP_EFORMAT, "%s: the matrix is %d x %d; a distributed operator needs a square one",
                      path, info.rows, info.cols);
    if ((rc = sp_dist_agree(comm, rc)) == SP_OK) rc = binary_partition(comm, path, &info, rank, nranks, starts);
    if (rc == SP_OK)
        rc = sp_dist_agree(comm, sp_csr_binary_read_rows(path, &info, starts[rank], starts[rank + 1], &rows, &part));
    if (rc == SP_OK) rc = binary_check_all_parts(comm, path, &info, &part, nranks);
    if (rc == SP_OK) rc = sp_dist_agree(comm, sp_csr_binary_check_rows(path, &rows, starts[rank]));
    if (rc == SP_OK) rc = sp_dist_csr_from_rows(comm, info.rows, starts, &rows, D);
    if (rc == SP_OK && symmetric) *symmetric = info.symmetric;
    sp_csr_uninit(&rows);
    free(starts);
    return rc;
}
