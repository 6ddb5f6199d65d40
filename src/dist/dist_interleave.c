/* dist_interleave.c: relabel a distributed matrix so that every rank gets an
 * equal share of long and short rows (sp_dist_csr_interleave), and the
 * partition policy of the commands (sp_dist_csr_balance_auto). Why: in a
 * power-law co-occurrence matrix the frequent ids come first, so any
 * contiguous split gives one rank the long (hub) rows and the other most of
 * the rows; the product then waits on the first and the Krylov vector work
 * on the second, and the allreduces between them make the slower of each
 * phase count (measured: P = 2 no faster than 1.4x P = 1 at n = 10^7).
 * Guarantees: B = P A P^T exactly (entries moved, not recomputed);
 * D->orig_row is a permutation of [0, n) across ranks; errors agreed. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dist/dist_internal.h"

#define CLASSES 160 /* quarter octaves of the row length: up to 2^40 */
#define SKEW_LIMIT 1.5

/* Length class, 0 = longest: 4 log2(len + 1), reversed. */
static int length_class(int64_t len)
{
    int c = (int)(4.0 * log2((double)len + 1.0));
    c = c < CLASSES - 1 ? c : CLASSES - 1;
    return CLASSES - 1 - c;
}

/* New global label of each local row: its position p in the order (class,
 * index) dealt round-robin: rank p mod P, slot p / P of that rank. */
static int new_labels(const sp_dist_csr *D, const int *nstart, int *label)
{
    int64_t hist[CLASSES] = {0}, total[CLASSES], before[CLASSES] = {0}, offset = 0, at[CLASSES];
    for (int i = 0; i < D->n_local; i++) hist[length_class(D->rowptr[i + 1] - D->rowptr[i])]++;
    int rc = sp_dist_mpi_check(MPI_Allreduce(hist, total, CLASSES, MPI_INT64_T, MPI_SUM, D->comm),
                               "interleave: MPI_Allreduce");
    if (rc == SP_OK)
        rc = sp_dist_mpi_check(MPI_Exscan(hist, before, CLASSES, MPI_INT64_T, MPI_SUM, D->comm),
                               "interleave: MPI_Exscan");
    if (rc < 0) return rc;
    if (D->rank == 0) memset(before, 0, sizeof before); /* Exscan leaves rank 0's undefined */
    for (int c = 0; c < CLASSES; c++) {
        at[c] = offset + before[c];
        offset += total[c];
    }
    for (int i = 0; i < D->n_local; i++) {
        int64_t p = at[length_class(D->rowptr[i + 1] - D->rowptr[i])]++;
        label[i] = nstart[p % D->nranks] + (int)(p / D->nranks);
    }
    return SP_OK;
}

/* Every rank's labels, so each can relabel the columns it stores. */
static int all_labels(const sp_dist_csr *D, const int *label, int *full)
{
    int *counts = sp_malloc(2 * (size_t)D->nranks * sizeof(int));
    if (!counts) return SP_ENOMEM;
    for (int q = 0; q < D->nranks; q++)
        counts[q] = D->starts[q + 1] - D->starts[q], counts[D->nranks + q] = D->starts[q];
    int rc = sp_dist_mpi_check(MPI_Allgatherv(label, D->n_local, MPI_INT, full, counts, counts + D->nranks,
                                              MPI_INT, D->comm), "interleave: MPI_Allgatherv");
    free(counts);
    return rc;
}

/* This rank's entries with new row and column labels. */
static int relabelled_triplets(const sp_dist_csr *D, const int *full, sp_dist_triplets *t)
{
    int64_t m = D->nnz_local;
    t->n = 0, t->cap = m > 0 ? m : 1;
    t->ri = sp_malloc((size_t)t->cap * sizeof(int));
    t->ci = sp_malloc((size_t)t->cap * sizeof(int));
    t->v = sp_malloc((size_t)t->cap * sizeof(double));
    if (!t->ri || !t->ci || !t->v) return SP_ENOMEM;
    for (int i = 0; i < D->n_local; i++)
        for (int64_t k = D->rowptr[i]; k < D->rowptr[i + 1]; k++) {
            t->ri[t->n] = full[D->row0 + i];
            t->ci[t->n] = full[sp_dist_csr_global_col(D, D->col[k])];
            t->v[t->n++] = D->val[k];
        }
    return SP_OK;
}

/* orig_row of the new local rows [r0, r1), from the full label map. */
static int *inverse_labels(const int *full, int n, int r0, int r1)
{
    int *orig = sp_malloc((size_t)(r1 > r0 ? r1 - r0 : 1) * sizeof(int));
    if (!orig) return NULL;
    for (int old = 0; old < n; old++)
        if (full[old] >= r0 && full[old] < r1) orig[full[old] - r0] = old;
    return orig;
}

int sp_dist_csr_interleave(sp_dist_csr *D)
{
    int P = D->nranks, r = D->rank, n = D->n;
    int *nstart = sp_malloc(((size_t)P + 1) * sizeof(int));
    int *label = sp_malloc((size_t)(D->n_local > 0 ? D->n_local : 1) * sizeof(int));
    int *full = sp_malloc((size_t)(n > 0 ? n : 1) * sizeof(int)), *orig = NULL;
    sp_dist_triplets t = {0, 0, NULL, NULL, NULL};
    int rc = nstart && label && full ? SP_OK : SP_ENOMEM;
    if (rc == SP_OK && D->orig_row) rc = sp_error(SP_EINVAL, "interleave: the matrix is already relabelled");
    if ((rc = sp_dist_agree(D->comm, rc)) == SP_OK) {
        nstart[0] = 0; /* rank q gets the positions p = q mod P: ceil((n - q) / P) of them */
        for (int q = 0; q < P; q++) nstart[q + 1] = nstart[q] + (q < n ? (n - q + P - 1) / P : 0);
        rc = new_labels(D, nstart, label);
    }
    if (rc == SP_OK) rc = all_labels(D, label, full);
    if (rc == SP_OK) rc = sp_dist_agree(D->comm, relabelled_triplets(D, full, &t));
    if (rc == SP_OK && !(orig = inverse_labels(full, n, nstart[r], nstart[r + 1]))) rc = SP_ENOMEM;
    free(full), free(label);
    MPI_Comm parent = MPI_COMM_NULL;
    if ((rc = sp_dist_agree(D->comm, rc)) == SP_OK)
        rc = sp_dist_agree(D->comm, sp_dist_mpi_check(MPI_Comm_dup(D->comm, &parent), "interleave: MPI_Comm_dup"));
    if (rc < 0) {
        sp_dist_triplets_uninit(&t);
        free(nstart), free(orig);
        return rc;
    }
    sp_dist_exchange mode = D->exchange;
    sp_dist_csr_uninit(D); /* the triplets hold every entry */
    sp_csr A = {0, 0, 0, NULL, NULL, NULL};
    rc = sp_dist_triplets_exchange(parent, nstart, &t);
    if (rc == SP_OK) rc = sp_dist_agree(parent, sp_dist_triplets_to_rows(&t, nstart[r], nstart[r + 1] - nstart[r], n, &A));
    if (rc == SP_OK) rc = sp_dist_csr_from_rows(parent, n, nstart, &A, D);
    if (rc == SP_OK && mode != D->exchange) rc = sp_dist_csr_set_exchange(D, mode);
    if (rc == SP_OK) D->orig_row = orig, orig = NULL;
    sp_dist_triplets_uninit(&t);
    sp_csr_uninit(&A);
    MPI_Comm_free(&parent);
    free(nstart), free(orig);
    return rc;
}

/* 1 on every rank when the nnz-balanced contiguous split is row-skewed. */
static int row_skewed(sp_dist_csr *D, int *skewed)
{
    int *starts = sp_malloc(((size_t)D->nranks + 1) * sizeof(int));
    int rc = sp_dist_agree(D->comm, starts ? SP_OK : SP_ENOMEM);
    if (rc == SP_OK) rc = sp_dist_partition_by_nnz(D->comm, D->n, D->row0, D->n_local, D->rowptr, starts);
    int widest = 0;
    for (int q = 0; rc == SP_OK && q < D->nranks; q++)
        widest = starts[q + 1] - starts[q] > widest ? starts[q + 1] - starts[q] : widest;
    *skewed = rc == SP_OK && (double)widest > SKEW_LIMIT * (double)D->n / D->nranks;
    free(starts);
    return rc;
}

int sp_dist_csr_balance_auto(sp_dist_csr *D, int ncv, sp_dist_balance_info *info)
{
    double t0 = sp_time_now();
    if (info) memset(info, 0, sizeof *info);
    if (D->nranks <= 1 || D->orig_row) return SP_OK; /* nothing to balance / already dealt */
    int skewed = 0, rc = row_skewed(D, &skewed);
    if (rc < 0) return rc;
    if (!skewed) return sp_dist_csr_balance_measured(D, ncv, info);
    rc = sp_dist_csr_interleave(D);
    if (info) info->interleaved = 1, info->seconds = sp_time_now() - t0;
    return rc;
}
