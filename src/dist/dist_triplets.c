/* dist_triplets.c: coordinate entries (row, column, value) and their exchange
 * to the ranks owning their rows. Guarantees: the receiver gets entries in
 * sender-rank order, each sender's entries in its own order (so input order,
 * and with it the summation order of duplicates, is kept). Does not sort
 * or merge entries (sp_csr_from_triplets does). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "dist/dist_internal.h"

void sp_dist_triplets_uninit(sp_dist_triplets *t)
{
    if (!t) return;
    free(t->ri);
    free(t->ci);
    free(t->v);
    memset(t, 0, sizeof *t);
}

static int triplets_reserve(sp_dist_triplets *t, int64_t cap)
{
    if (cap <= t->cap) return SP_OK;
    int *ri = sp_realloc(t->ri, (size_t)cap * sizeof *ri);
    if (ri) t->ri = ri;
    int *ci = ri ? sp_realloc(t->ci, (size_t)cap * sizeof *ci) : NULL;
    if (ci) t->ci = ci;
    double *v = ci ? sp_realloc(t->v, (size_t)cap * sizeof *v) : NULL;
    if (v) t->v = v;
    if (!v) return SP_ENOMEM;
    t->cap = cap;
    return SP_OK;
}

int sp_dist_triplets_push(sp_dist_triplets *t, int i, int j, double v)
{
    if (t->n == t->cap && triplets_reserve(t, t->cap ? 2 * t->cap : 4096) < 0) return SP_ENOMEM;
    t->ri[t->n] = i, t->ci[t->n] = j, t->v[t->n++] = v;
    return SP_OK;
}

/* Stable counting sort of t by owner into out; counts[q] = entries for q. */
static int sort_by_owner(const int *starts, int nranks, sp_dist_triplets *t,
                         sp_dist_triplets *out, int *counts)
{
    int64_t *next = sp_calloc((size_t)nranks + 1, sizeof *next);
    int *owner = sp_malloc((size_t)(t->n > 0 ? t->n : 1) * sizeof *owner);
    int rc = next && owner ? triplets_reserve(out, t->n > 0 ? t->n : 1) : SP_ENOMEM;
    for (int64_t k = 0; rc == SP_OK && k < t->n; k++) {
        if (t->ri[k] < 0 || t->ri[k] >= starts[nranks]) {
            rc = sp_error(SP_EINVAL, "triplets_exchange: row %d out of range [0, %d)", t->ri[k], starts[nranks]);
            break;
        }
        owner[k] = sp_dist_owner(starts, nranks, t->ri[k]);
        next[owner[k] + 1]++;
    }
    for (int q = 0; rc == SP_OK && q < nranks; q++) {
        if (next[q + 1] > INT_MAX) rc = sp_error(SP_EINVAL, "triplets_exchange: more than 2^31 entries for one rank");
        else counts[q] = (int)next[q + 1];
        next[q + 1] += next[q];
    }
    for (int64_t k = 0; rc == SP_OK && k < t->n; k++) {
        int64_t d = next[owner[k]]++;
        out->ri[d] = t->ri[k], out->ci[d] = t->ci[k], out->v[d] = t->v[k];
    }
    out->n = t->n;
    free(next);
    free(owner);
    return rc;
}

/* displs from counts; SP_EINVAL when the total exceeds MPI's int range. */
static int displacements(const int *counts, int nranks, int *displs, int64_t *total)
{
    *total = 0;
    for (int q = 0; q < nranks; q++) {
        if (*total > INT_MAX) break;
        displs[q] = (int)*total;
        *total += counts[q];
    }
    return *total > INT_MAX ? sp_error(SP_EINVAL, "triplets_exchange: more than 2^31 entries on one rank")
                            : SP_OK;
}

static int alltoallv3(MPI_Comm comm, const sp_dist_triplets *s, const int *sc, const int *sd,
                      sp_dist_triplets *r, const int *rcnt, const int *rd)
{
    int rc = MPI_Alltoallv(s->ri, sc, sd, MPI_INT, r->ri, rcnt, rd, MPI_INT, comm);
    if (rc == MPI_SUCCESS) rc = MPI_Alltoallv(s->ci, sc, sd, MPI_INT, r->ci, rcnt, rd, MPI_INT, comm);
    if (rc == MPI_SUCCESS) rc = MPI_Alltoallv(s->v, sc, sd, MPI_DOUBLE, r->v, rcnt, rd, MPI_DOUBLE, comm);
    return sp_dist_mpi_check(rc, "triplets_exchange: MPI_Alltoallv");
}

int sp_dist_triplets_exchange(MPI_Comm comm, const int *starts, sp_dist_triplets *t)
{
    int rank, nranks;
    sp_dist_comm_info(comm, &rank, &nranks);
    sp_dist_triplets sorted = {0, 0, NULL, NULL, NULL}, got = {0, 0, NULL, NULL, NULL};
    int *cnt = sp_calloc(4 * (size_t)nranks, sizeof *cnt);
    if (!cnt) return sp_dist_agree(comm, SP_ENOMEM);
    int *sd = cnt + nranks, *rcnt = sd + nranks, *rd = rcnt + nranks;
    int rc = sort_by_owner(starts, nranks, t, &sorted, cnt);
    int64_t total = 0;
    if (rc == SP_OK) rc = displacements(cnt, nranks, sd, &total);
    if ((rc = sp_dist_agree(comm, rc)) == SP_OK)
        rc = sp_dist_mpi_check(MPI_Alltoall(cnt, 1, MPI_INT, rcnt, 1, MPI_INT, comm),
                               "triplets_exchange: MPI_Alltoall");
    if (rc == SP_OK) rc = displacements(rcnt, nranks, rd, &total);
    if (rc == SP_OK) rc = triplets_reserve(&got, total > 0 ? total : 1);
    if ((rc = sp_dist_agree(comm, rc)) == SP_OK) rc = alltoallv3(comm, &sorted, cnt, sd, &got, rcnt, rd);
    sp_dist_triplets_uninit(&sorted);
    free(cnt);
    if (rc < 0) {
        sp_dist_triplets_uninit(&got);
        return rc;
    }
    got.n = total;
    sp_dist_triplets_uninit(t);
    *t = got;
    return SP_OK;
}

int sp_dist_triplets_to_rows(sp_dist_triplets *t, int row0, int rows, int n, sp_csr *A)
{
    for (int64_t k = 0; k < t->n; k++) t->ri[k] -= row0;
    int rc = sp_csr_from_triplets(rows, n, t->n, t->ri, t->ci, t->v, A);
    sp_dist_triplets_uninit(t);
    return rc;
}
