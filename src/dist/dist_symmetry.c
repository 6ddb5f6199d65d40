/* dist_symmetry.c: exact symmetry test of a distributed matrix. Guarantees:
 * the same answer as sp_csr_asymmetry(A) == 0 on the whole matrix (a stored
 * a_ij must equal a_ji, a missing entry counting 0; NaN is never symmetric),
 * with one exchange of the transposed entries and no rank holding more than
 * its rows. Does not measure how far from symmetric A is. */
#include <stdlib.h>
#include "dist/dist_internal.h"

/* Value of global entry (i, c) for a local row i (0 when not stored). */
static double local_entry(const sp_dist_csr *D, int i, int c)
{
    int64_t lo = D->rowptr[i], hi = D->rowptr[i + 1];
    while (lo < hi) { /* stored order is ascending global column */
        int64_t mid = lo + (hi - lo) / 2;
        if (sp_dist_csr_global_col(D, D->col[mid]) < c) lo = mid + 1;
        else hi = mid;
    }
    if (lo < D->rowptr[i + 1] && sp_dist_csr_global_col(D, D->col[lo]) == c) return D->val[lo];
    return 0.0;
}

static int transposed_entries(const sp_dist_csr *D, sp_dist_triplets *t)
{
    for (int i = 0; i < D->n_local; i++)
        for (int64_t k = D->rowptr[i]; k < D->rowptr[i + 1]; k++)
            if (sp_dist_triplets_push(t, sp_dist_csr_global_col(D, D->col[k]), D->row0 + i, D->val[k]) < 0)
                return SP_ENOMEM;
    return SP_OK;
}

int sp_dist_csr_check_symmetric(sp_dist_csr *D, int *symmetric)
{
    if (D->symmetric >= 0) {
        *symmetric = D->symmetric;
        return SP_OK;
    }
    sp_dist_triplets t = {0, 0, NULL, NULL, NULL};
    int rc = sp_dist_agree(D->comm, transposed_entries(D, &t));
    if (rc == SP_OK) rc = sp_dist_triplets_exchange(D->comm, D->starts, &t);
    int mine = 1, all = 0;
    for (int64_t k = 0; rc == SP_OK && k < t.n && mine; k++)
        mine = local_entry(D, t.ri[k] - D->row0, t.ci[k]) == t.v[k];
    sp_dist_triplets_uninit(&t);
    if (rc == SP_OK)
        rc = sp_dist_mpi_check(MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, D->comm),
                               "check_symmetric: MPI_Allreduce");
    if (rc < 0) return rc;
    D->symmetric = *symmetric = all;
    return SP_OK;
}
