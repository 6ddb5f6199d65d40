/* mpi_gen_rows.c: under mpirun at 1-4 ranks, each rank generates only its own
 * rows (the collective power-law path keeps only pairs touching them) and
 * sp_dist_csr_from_blocks moves them to the nnz-balanced partition. Reference:
 * the whole matrix generated on every rank and distributed with
 * sp_dist_csr_from_full: the same partition and the same bits. Blocks are
 * even splits and lopsided ones (rank 0 owning most rows, empty blocks).
 * Then sp_dist_csr_rebalance (nnz + w rows) on both: the same bits again, and
 * the partition sp_rows_partition_by_nnz gives on the serial cost prefix;
 * sp_dist_csr_rebalance_cost with a per-row cost known to every rank: the
 * serial partition of that cost; sp_dist_csr_balance_measured (timings, so
 * no fixed partition): blocks tile [0, n) and the matvec keeps its bits.
 * sp_dist_csr_interleave: orig_row is a permutation, each rank's rows are
 * dealt by length (lengths never increase within a class order), and the
 * relabelled product equals the serial one permuted (to rounding: the sums
 * run in the new column order); sp_dist_csr_balance_auto relabels the
 * power-law matrices (P > 1) and leaves the Laplacians contiguous. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mpi_test_util.h"
#include "spartan/dist.h"
#include "spartan/generate.h"



static int world_sum(void *ctx, double *buf, int count)
{
    (void)ctx;
    return MPI_Allreduce(MPI_IN_PLACE, buf, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD) == MPI_SUCCESS ? SP_OK : SP_EMPI;
}

/* Same rows, compact columns and values in both distributed matrices. */
static int same_dist(const sp_dist_csr *X, const sp_dist_csr *Y)
{
    if (X->n != Y->n || X->row0 != Y->row0 || X->n_local != Y->n_local || X->nnz_local != Y->nnz_local ||
        X->nnz != Y->nnz || X->plan.n_ghost != Y->plan.n_ghost)
        return 0;
    if (memcmp(X->starts, Y->starts, (size_t)(X->nranks + 1) * sizeof(int))) return 0;
    if (memcmp(X->rowptr, Y->rowptr, (size_t)(X->n_local + 1) * sizeof(int64_t))) return 0;
    for (int64_t k = 0; k < X->nnz_local; k++)
        if (sp_dist_csr_global_col(X, X->col[k]) != sp_dist_csr_global_col(Y, Y->col[k]) || X->val[k] != Y->val[k])
            return 0;
    return 1;
}

/* Block boundaries: even (lopsided = 0) or rank 0 taking 90% and the last
 * rank nothing (lopsided = 1). */
static void block_of(int n, int lopsided, int *r0, int *r1)
{
    if (!lopsided) {
        *r0 = (int)((int64_t)n * rank_ / nranks_), *r1 = (int)((int64_t)n * (rank_ + 1) / nranks_);
        return;
    }
    int head = nranks_ == 1 ? n : (int)(0.9 * n), rest = n - head, others = nranks_ > 2 ? nranks_ - 2 : 1;
    if (rank_ == 0) *r0 = 0, *r1 = head;
    else if (rank_ == nranks_ - 1 && nranks_ > 2) *r0 = *r1 = n;
    else *r0 = head + rest * (rank_ - 1) / others, *r1 = head + rest * rank_ / others;
}

/* The serial partition of nnz + w rows of the whole matrix A. */
static int cost_starts_match(const sp_csr *A, int64_t w, const int *starts)
{
    int64_t *cost = malloc(((size_t)A->rows + 1) * sizeof *cost);
    int *want = malloc(((size_t)nranks_ + 1) * sizeof *want), same = cost && want;
    for (int i = 0; same && i <= A->rows; i++) cost[i] = A->rowptr[i] + w * i;
    if (same) same = sp_rows_partition_by_nnz(A->rows, cost, nranks_, want) == SP_OK &&
                     !memcmp(want, starts, ((size_t)nranks_ + 1) * sizeof *want);
    free(cost);
    free(want);
    return same;
}

static void check_rebalance(const char *spec, const sp_csr *A, sp_dist_csr *X, sp_dist_csr *Y)
{
    const int64_t w = 7;
    int rx = sp_dist_csr_rebalance(X, w), ry = sp_dist_csr_rebalance(Y, w);
    CHECK(rx == SP_OK && ry == SP_OK, "%s: rebalance: %s", spec, sp_errmsg());
    if (rx != SP_OK || ry != SP_OK) return;
    CHECK(same_dist(X, Y), "%s: rebalanced matrices differ on rank %d", spec, rank_);
    CHECK(cost_starts_match(A, w, X->starts), "%s: rebalanced partition is not the serial nnz + %lld rows one",
          spec, (long long)w);
    double *xf = malloc(((size_t)A->rows + 1) * sizeof *xf), *yf = malloc(((size_t)A->rows + 1) * sizeof *yf);
    double *yv = malloc(((size_t)X->n_local + 1) * sizeof *yv);
    for (int i = 0; i < A->rows; i++) xf[i] = 1.0 + 1e-3 * i;
    sp_csr_matvec(A, xf, yf);
    CHECK(sp_dist_csr_matvec(X, xf + X->row0, yv) == SP_OK, "%s: matvec after rebalance: %s", spec, sp_errmsg());
    CHECK(!memcmp(yv, yf + X->row0, (size_t)X->n_local * sizeof *yv), "%s: rebalanced matvec differs from serial", spec);
    free(xf);
    free(yf);
    free(yv);
}

/* Cost of global row i: lopsided on purpose (the last tenth costs 50x). */
static int64_t row_cost_of(int n, int i) { return i >= n - n / 10 ? 50 : 1; }

/* y = A x after a partition change: the serial bits on this rank's rows. */
static int matvec_matches(const sp_csr *A, sp_dist_csr *X)
{
    double *xf = malloc(((size_t)A->rows + 1) * sizeof *xf), *yf = malloc(((size_t)A->rows + 1) * sizeof *yf);
    double *yv = malloc(((size_t)X->n_local + 1) * sizeof *yv);
    for (int i = 0; i < A->rows; i++) xf[i] = 1.0 - 1e-3 * i;
    sp_csr_matvec(A, xf, yf);
    int ok = sp_dist_csr_matvec(X, xf + X->row0, yv) == SP_OK &&
             !memcmp(yv, yf + X->row0, (size_t)X->n_local * sizeof *yv);
    free(xf), free(yf), free(yv);
    return ok;
}

static void check_cost_and_measured(const char *spec, const sp_csr *A, sp_dist_csr *X)
{
    int n = A->rows;
    int64_t *cost = malloc(((size_t)X->n_local + 1) * sizeof *cost), *prefix = malloc(((size_t)n + 1) * sizeof *prefix);
    int *want = malloc(((size_t)nranks_ + 1) * sizeof *want);
    for (int i = 0; i < X->n_local; i++) cost[i] = row_cost_of(n, X->row0 + i);
    prefix[0] = 0;
    for (int i = 0; i < n; i++) prefix[i + 1] = prefix[i] + row_cost_of(n, i);
    CHECK(sp_dist_csr_rebalance_cost(X, cost) == SP_OK, "%s: rebalance_cost: %s", spec, sp_errmsg());
    CHECK(sp_rows_partition_by_nnz(n, prefix, nranks_, want) == SP_OK &&
          !memcmp(want, X->starts, ((size_t)nranks_ + 1) * sizeof *want),
          "%s: rebalance_cost partition is not the serial partition of the cost", spec);
    CHECK(matvec_matches(A, X), "%s: matvec after rebalance_cost differs from serial", spec);
    if (X->n_local > 0) cost[0] = -1;
    int bad = sp_dist_csr_rebalance_cost(X, cost);
    CHECK(bad == SP_EINVAL, "%s: a negative cost on some rank gave %d, want SP_EINVAL on every rank", spec, bad);
    CHECK(sp_dist_csr_balance_measured(X, 21, NULL) == SP_OK, "%s: balance_measured: %s", spec, sp_errmsg());
    CHECK(X->starts[0] == 0 && X->starts[nranks_] == n && X->n_local == X->starts[rank_ + 1] - X->starts[rank_],
          "%s: measured partition does not tile [0, %d)", spec, n);
    int64_t nnz = X->nnz_local, total = 0;
    MPI_Allreduce(&nnz, &total, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    CHECK(total == A->nnz, "%s: %lld nonzeros after balance_measured, want %lld", spec, (long long)total,
          (long long)A->nnz);
    CHECK(matvec_matches(A, X), "%s: matvec after balance_measured differs from serial", spec);
    free(cost), free(prefix), free(want);
}

/* y = A x in the new labels against the serial y, permuted: within 1e-13 of
 * sum |a_ij x_j| (only the order of the sums differs). */
static int relabelled_matvec_matches(const sp_csr *A, sp_dist_csr *X)
{
    int n = A->rows, nl = X->n_local, ok = 1;
    double *xf = malloc(((size_t)n + 1) * sizeof *xf), *yf = malloc(((size_t)n + 1) * sizeof *yf);
    double *xl = malloc(((size_t)nl + 1) * sizeof *xl), *yl = malloc(((size_t)nl + 1) * sizeof *yl);
    for (int i = 0; i < n; i++) xf[i] = 1.0 - 1e-3 * i;
    sp_csr_matvec(A, xf, yf);
    for (int i = 0; i < nl; i++) xl[i] = xf[X->orig_row[i]];
    ok = sp_dist_csr_matvec(X, xl, yl) == SP_OK;
    for (int i = 0; ok && i < nl; i++) {
        int o = X->orig_row[i];
        double scale = 0.0;
        for (int64_t k = A->rowptr[o]; k < A->rowptr[o + 1]; k++) scale += fabs(A->val[k] * xf[A->colind[k]]);
        ok = fabs(yl[i] - yf[o]) <= 1e-13 * scale;
    }
    free(xf), free(yf), free(xl), free(yl);
    return ok;
}

static void check_interleave(const char *spec, const sp_csr *A)
{
    int n = A->rows;
    sp_dist_csr X;
    CHECK(sp_dist_csr_from_full(MPI_COMM_WORLD, A, &X) == SP_OK, "%s: %s", spec, sp_errmsg());
    CHECK(sp_dist_csr_interleave(&X) == SP_OK, "%s: interleave: %s", spec, sp_errmsg());
    if (!X.orig_row && X.n_local > 0) {
        CHECK(0, "%s: interleave left no orig_row", spec);
        return;
    }
    int *all = malloc(((size_t)n + 1) * sizeof *all), *counts = malloc(2 * (size_t)nranks_ * sizeof *counts);
    for (int q = 0; q < nranks_; q++) counts[q] = X.starts[q + 1] - X.starts[q], counts[nranks_ + q] = X.starts[q];
    MPI_Allgatherv(X.orig_row, X.n_local, MPI_INT, all, counts, counts + nranks_, MPI_INT, MPI_COMM_WORLD);
    char *seen = calloc((size_t)n + 1, 1);
    int perm = 1;
    for (int i = 0; i < n; i++) perm &= all[i] >= 0 && all[i] < n && !seen[all[i]]++;
    CHECK(perm, "%s: orig_row is not a permutation of [0, %d)", spec, n);
    int dealt = rank_ < n ? (n - rank_ + nranks_ - 1) / nranks_ : 0; /* positions rank_ mod P */
    CHECK(X.n_local == dealt, "%s: rank %d holds %d rows after interleave, want %d of %d", spec, rank_,
          X.n_local, dealt, n);
    int64_t nnz = X.nnz_local, total = 0;
    MPI_Allreduce(&nnz, &total, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    CHECK(total == A->nnz, "%s: %lld nonzeros after interleave, want %lld", spec, (long long)total, (long long)A->nnz);
    int longest_first = 1;
    for (int i = 1; i < X.n_local; i++)
        longest_first &= X.rowptr[i + 1] - X.rowptr[i] <= 2 * (X.rowptr[i] - X.rowptr[i - 1]) + 1;
    CHECK(longest_first, "%s: rank %d's rows are not ordered longest class first", spec, rank_);
    CHECK(relabelled_matvec_matches(A, &X), "%s: relabelled product differs from the serial one", spec);
    CHECK(sp_dist_csr_rebalance(&X, 1) == SP_EINVAL, "%s: rebalance of a relabelled matrix must be refused", spec);
    sp_dist_csr_uninit(&X);
    free(all), free(counts), free(seen);
    sp_dist_balance_info info;
    CHECK(sp_dist_csr_from_full(MPI_COMM_WORLD, A, &X) == SP_OK, "%s: %s", spec, sp_errmsg());
    CHECK(sp_dist_csr_balance_auto(&X, 21, &info) == SP_OK, "%s: balance_auto: %s", spec, sp_errmsg());
    int want = nranks_ > 1 && !strncmp(spec, "powerlaw:4000", 13), is_laplace = !strncmp(spec, "laplace", 7);
    CHECK(!want || info.interleaved, "%s: balance_auto did not relabel a power-law matrix at P = %d", spec, nranks_);
    CHECK(!is_laplace || !info.interleaved, "%s: balance_auto relabelled a Laplacian", spec);
    CHECK(info.interleaved ? relabelled_matvec_matches(A, &X) : matvec_matches(A, &X),
          "%s: product after balance_auto differs from serial", spec);
    sp_dist_csr_uninit(&X);
}

static void run_case(const char *spec, int lopsided)
{
    int n = 0, r0, r1;
    sp_csr A, B = {0, 0, 0, NULL, NULL, NULL};
    sp_dist_csr X, Y;
    CHECK(sp_gen_spec_size(spec, &n, NULL) == SP_OK, "%s: %s", spec, sp_errmsg());
    block_of(n, lopsided, &r0, &r1);
    int rc = sp_dist_agree(MPI_COMM_WORLD, sp_gen_spec_rows(spec, r0, r1, world_sum, NULL, &B));
    CHECK(rc == SP_OK, "%s rows [%d, %d): %s", spec, r0, r1, sp_errmsg());
    if (rc == SP_OK) rc = sp_dist_csr_from_blocks(MPI_COMM_WORLD, n, r0, &B, &X);
    CHECK(rc == SP_OK, "%s: from_blocks: %s", spec, sp_errmsg());
    CHECK(sp_gen_spec(spec, &A, NULL) == SP_OK, "%s: %s", spec, sp_errmsg());
    int rf = sp_dist_csr_from_full(MPI_COMM_WORLD, &A, &Y);
    CHECK(rf == SP_OK, "%s: from_full: %s", spec, sp_errmsg());
    if (rc == SP_OK && rf == SP_OK)
        CHECK(same_dist(&X, &Y), "%s (%s blocks): rank %d's rows differ from the whole matrix's", spec,
              lopsided ? "lopsided" : "even", rank_);
    if (rc == SP_OK && rf == SP_OK) check_rebalance(spec, &A, &X, &Y);
    if (rc == SP_OK && rf == SP_OK) check_cost_and_measured(spec, &A, &X);
    if (rc == SP_OK && rf == SP_OK && !lopsided) check_interleave(spec, &A);
    if (rank_ == 0) printf("  %-26s %-8s blocks: n %d, nnz %lld\n", spec, lopsided ? "lopsided" : "even", n, (long long)A.nnz);
    sp_dist_csr_uninit(&X);
    sp_dist_csr_uninit(&Y);
    sp_csr_uninit(&A);
}

int main(int argc, char **argv)
{
    mpi_test_init(&argc, &argv);
    const char *specs[] = {"laplace2d:23", "laplace3d:7", "random-sparse:700:6:9", "powerlaw:4000:9",
                           "powerlaw:1500:5:1.5:3", "powerlaw:3:1"};
    if (rank_ == 0) printf("mpi_gen_rows (%d ranks): generated row blocks vs the whole matrix\n", nranks_);
    for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++)
        for (int lopsided = 0; lopsided < 2; lopsided++) run_case(specs[s], lopsided);
    return mpi_test_finish("mpi_gen_rows");
}
