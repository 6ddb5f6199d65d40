/* partition.c: nnz-balanced contiguous row blocks computed from distributed
 * row pointers. Guarantees: the same starts as sp_rows_partition_by_nnz on the
 * whole matrix, on every rank, with O(P) memory and three small collectives.
 * Does not move any rows (see dist_csr.c and dist_mmread.c). */
#include <limits.h>
#include <stdlib.h>
#include "dist/dist_internal.h"

int sp_dist_owner(const int *starts, int nranks, int row)
{
    int lo = 0, hi = nranks - 1; /* last rank r with starts[r] <= row */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (starts[mid] <= row) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/* First local r in [1, nrows] with base + rowptr[r] - rowptr[0] >= target. */
static int local_first_reaching(const int64_t *rowptr, int nrows, int64_t base, int64_t target)
{
    int lo = 1, hi = nrows;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (base + rowptr[mid] - rowptr[0] < target) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* candidates[p-1] = starts[p] if this rank can tell, else INT_MAX. */
static void local_candidates(int n, int row0, int nrows, const int64_t *rowptr, int64_t base,
                             int64_t nnz, int parts, int *cand)
{
    int64_t end = base + (nrows > 0 ? rowptr[nrows] - rowptr[0] : 0);
    for (int p = 1; p < parts; p++) {
        int64_t target = (nnz / parts) * p + (nnz % parts) * p / parts;
        cand[p - 1] = INT_MAX;
        if (nnz == 0) cand[p - 1] = (int)((int64_t)n * p / parts);
        else if (target <= 0) cand[p - 1] = 0;
        else if (nrows > 0 && base < target && target <= end)
            cand[p - 1] = row0 + local_first_reaching(rowptr, nrows, base, target);
    }
}

int sp_dist_partition_by_nnz(MPI_Comm comm, int n, int row0, int nrows, const int64_t *rowptr,
                             int *starts)
{
    int rank, parts;
    sp_dist_comm_info(comm, &rank, &parts);
    int rc = SP_OK;
    int64_t mine[2] = {nrows, nrows > 0 && rowptr ? rowptr[nrows] - rowptr[0] : 0};
    int64_t before[2] = {0, 0}, total[2] = {0, 0};
    rc = sp_dist_mpi_check(MPI_Exscan(mine, before, 2, MPI_INT64_T, MPI_SUM, comm), "partition: MPI_Exscan");
    if (rc == SP_OK)
        rc = sp_dist_mpi_check(MPI_Allreduce(mine, total, 2, MPI_INT64_T, MPI_SUM, comm),
                               "partition: MPI_Allreduce");
    if (rc < 0) return rc;
    if (rank == 0) before[0] = before[1] = 0; /* MPI_Exscan leaves rank 0's result undefined */
    if (nrows < 0 || (nrows > 0 && !rowptr) || before[0] != row0 || total[0] != n || !starts)
        rc = sp_error(SP_EINVAL, "partition_by_nnz: rank %d holds rows [%d, %d) but the blocks "
                      "of the ranks before it end at %lld (of n = %d, total %lld)",
                      rank, row0, row0 + nrows, (long long)before[0], n, (long long)total[0]);
    int *cand = rc == SP_OK ? sp_malloc((size_t)parts * sizeof *cand) : NULL;
    if (rc == SP_OK && !cand) rc = SP_ENOMEM;
    if ((rc = sp_dist_agree(comm, rc)) < 0) {
        free(cand);
        return rc;
    }
    local_candidates(n, row0, nrows, rowptr, before[1], total[1], parts, cand);
    rc = sp_dist_mpi_check(MPI_Allreduce(cand, starts + 1, parts - 1, MPI_INT, MPI_MIN, comm),
                           "partition: MPI_Allreduce");
    free(cand);
    starts[0] = 0;
    starts[parts] = n;
    return rc;
}
