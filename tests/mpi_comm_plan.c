/* mpi_comm_plan.c: the distributed CSR matrix and its communication plan,
 * run under mpirun at 1-4 ranks. References are brute force: every rank
 * builds the whole matrix, lists by hand the columns each rank needs, and
 * multiplies serially with x gathered by MPI_Allgatherv. Covers empty rows,
 * ranks that own no rows (n < P), every exchange mode, the distributed nnz
 * partition, the symmetry check and errors agreed across ranks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mpi_test_util.h"
#include "spartan/dist.h"



/* n x n random pattern: row i has about density * n entries, rows listed in
 * empty_every are empty; symmetric = 1 mirrors it. Same on every rank. */
static void random_matrix(int n, double density, int empty_every, int symmetric, uint64_t seed,
                          sp_csr *A)
{
    sp_rng rng;
    sp_rng_seed(&rng, seed);
    int64_t cap = 2 * (int64_t)n * n + 1, m = 0;
    int *ri = malloc((size_t)cap * sizeof(int)), *ci = malloc((size_t)cap * sizeof(int));
    double *v = malloc((size_t)cap * sizeof(double));
    for (int i = 0; i < n; i++)
        for (int j = symmetric ? 0 : 0; j < (symmetric ? i + 1 : n); j++) {
            if (empty_every && (i % empty_every == 0 || j % empty_every == 0)) continue;
            if (sp_rng_uniform(&rng) >= density) continue;
            double x = sp_rng_normal(&rng);
            ri[m] = i, ci[m] = j, v[m++] = x;
            if (symmetric && i != j) ri[m] = j, ci[m] = i, v[m++] = x;
        }
    if (sp_csr_from_triplets(n, n, m, ri, ci, v, A) < 0) {
        fprintf(stderr, "random_matrix: %s\n", sp_errmsg());
        MPI_Abort(MPI_COMM_WORLD, 3);
    }
    free(ri);
    free(ci);
    free(v);
}

/* Ascending distinct columns outside [r0, r1) of rows [r0, r1): brute force
 * with a marker array over all n columns. */
static int needed_columns(const sp_csr *A, int r0, int r1, int *out)
{
    char *mark = calloc((size_t)A->cols + 1, 1);
    for (int i = r0; i < r1; i++)
        for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++)
            if (A->colind[k] < r0 || A->colind[k] >= r1) mark[A->colind[k]] = 1;
    int m = 0;
    for (int c = 0; c < A->cols; c++)
        if (mark[c]) out[m++] = c;
    free(mark);
    return m;
}

static void check_plan(const sp_csr *A, const sp_dist_csr *D)
{
    const sp_dist_plan *p = &D->plan;
    const int *s = D->starts;
    int *need = malloc((size_t)(A->cols + 1) * sizeof(int));
    int m = needed_columns(A, s[rank_], s[rank_ + 1], need);
    CHECK(m == p->n_ghost, "ghosts %d, brute force %d", p->n_ghost, m);
    for (int g = 0; g < m && m == p->n_ghost; g++)
        CHECK(need[g] == p->ghost_cols[g], "ghost %d: %d vs %d", g, p->ghost_cols[g], need[g]);
    for (int q = 0; q < p->n_recv; q++)
        for (int g = p->recv_start[q]; g < p->recv_start[q + 1]; g++)
            CHECK(p->ghost_cols[g] >= s[p->recv_rank[q]] && p->ghost_cols[g] < s[p->recv_rank[q] + 1],
                  "ghost %d not owned by rank %d", p->ghost_cols[g], p->recv_rank[q]);
    CHECK(p->n_recv == 0 || p->recv_start[p->n_recv] == m, "recv ranges cover %d of %d",
          p->recv_start[p->n_recv], m);
    /* send side: for every other rank q, what q needs from this block */
    int sq = 0;
    for (int q = 0; q < nranks_; q++) {
        if (q == rank_) continue;
        int mq = needed_columns(A, s[q], s[q + 1], need), k = 0;
        int *mine = malloc((size_t)(mq + 1) * sizeof(int));
        for (int g = 0; g < mq; g++)
            if (need[g] >= s[rank_] && need[g] < s[rank_ + 1]) mine[k++] = need[g];
        if (k == 0) {
            CHECK(sq >= p->n_send || p->send_rank[sq] != q, "sends to rank %d, which needs nothing", q);
        } else if (sq < p->n_send && p->send_rank[sq] == q) {
            int len = p->send_start[sq + 1] - p->send_start[sq];
            CHECK(len == k, "send to %d: %d entries, brute force %d", q, len, k);
            for (int t = 0; t < k && len == k; t++)
                CHECK(p->send_idx[p->send_start[sq] + t] + s[rank_] == mine[t], "send to %d, entry %d", q, t);
            sq++;
        } else {
            CHECK(0, "rank %d needs %d entries from here but is not in the send list", q, k);
        }
        free(mine);
    }
    CHECK(sq == p->n_send, "%d send ranks matched of %d", sq, p->n_send);
    free(need);
}

/* y = A x distributed (every mode) against serial y on x gathered by hand. */
static void check_matvec(const sp_csr *A, sp_dist_csr *D, uint64_t seed)
{
    int n = A->rows, nl = D->n_local;
    sp_rng rng;
    sp_rng_seed_stream(&rng, seed, (uint64_t)rank_);
    double *xl = malloc((size_t)(nl + 1) * sizeof(double)), *yl = malloc((size_t)(nl + 1) * sizeof(double));
    double *x = malloc((size_t)(n + 1) * sizeof(double)), *y = malloc((size_t)(n + 1) * sizeof(double));
    int *counts = malloc(2 * (size_t)nranks_ * sizeof(int));
    for (int i = 0; i < nl; i++) xl[i] = sp_rng_normal(&rng);
    for (int q = 0; q < nranks_; q++) counts[q] = D->starts[q + 1] - D->starts[q], counts[nranks_ + q] = D->starts[q];
    MPI_Allgatherv(xl, nl, MPI_DOUBLE, x, counts, counts + nranks_, MPI_DOUBLE, MPI_COMM_WORLD);
    sp_csr_matvec(A, x, y);
    for (int mode = 0; mode < SP_DIST_EXCHANGE_COUNT; mode++) {
        CHECK(sp_dist_csr_set_exchange(D, (sp_dist_exchange)mode) == SP_OK, "%s", sp_errmsg());
        for (int rep = 0; rep < 2; rep++) {
            for (int i = 0; i < nl; i++) yl[i] = NAN;
            for (int i = 0; i < nl + D->plan.n_ghost; i++) D->xbuf[i] = NAN; /* no stale ghosts */
            CHECK(sp_dist_csr_matvec(D, xl, yl) == SP_OK, "%s", sp_errmsg());
            double worst = 0.0;
            int same = 1;
            for (int i = 0; i < nl; i++) {
                same &= memcmp(&yl[i], &y[D->row0 + i], sizeof(double)) == 0;
                double d = fabs(yl[i] - y[D->row0 + i]);
                if (!(d <= worst)) worst = d; /* NaN propagates */
            }
            CHECK(same, "n = %d, mode %s: max |y - y_serial| = %.3g (tolerance 0: bit-identical)", n,
                  sp_dist_exchange_name((sp_dist_exchange)mode), worst);
        }
    }
    sp_dist_csr_set_exchange(D, SP_DIST_EXCHANGE_P2P);
    free(xl), free(yl), free(x), free(y), free(counts);
}

/* Y = A X for k = 11 vectors (a full chunk of 8 and a partial one) against
 * the serial matvec of each gathered column: bit-identical, ld > n_local. */
static void check_matmat(const sp_csr *A, sp_dist_csr *D, uint64_t seed)
{
    int n = A->rows, nl = D->n_local, k = 11, ld = nl + 3;
    sp_rng rng;
    sp_rng_seed_stream(&rng, seed, (uint64_t)rank_);
    double *X = malloc((size_t)ld * k * sizeof(double)), *Y = malloc((size_t)ld * k * sizeof(double));
    double *x = malloc((size_t)(n + 1) * sizeof(double)), *y = malloc((size_t)(n + 1) * sizeof(double));
    int *counts = malloc(2 * (size_t)nranks_ * sizeof(int));
    for (int q = 0; q < nranks_; q++) counts[q] = D->starts[q + 1] - D->starts[q], counts[nranks_ + q] = D->starts[q];
    for (size_t i = 0; i < (size_t)ld * k; i++) X[i] = sp_rng_normal(&rng), Y[i] = NAN;
    int64_t before = D->stats.matvecs;
    CHECK(sp_dist_csr_matmat(D, X, ld, Y, ld, k) == SP_OK, "%s", sp_errmsg());
    CHECK(D->stats.matvecs - before == k, "matmat counted %lld matvecs for %d vectors",
          (long long)(D->stats.matvecs - before), k);
    for (int j = 0; j < k; j++) {
        MPI_Allgatherv(X + (size_t)j * ld, nl, MPI_DOUBLE, x, counts, counts + nranks_, MPI_DOUBLE, MPI_COMM_WORLD);
        sp_csr_matvec(A, x, y);
        int same = 1;
        for (int i = 0; i < nl; i++) same &= memcmp(&Y[i + (size_t)j * ld], &y[D->row0 + i], sizeof(double)) == 0;
        CHECK(same, "n = %d, matmat column %d differs from the serial matvec (tolerance 0)", n, j);
    }
    CHECK(sp_dist_csr_matmat(D, X, ld, Y, ld, 0) == SP_OK, "k = 0: %s", sp_errmsg());
    free(X), free(Y), free(x), free(y), free(counts);
}

/* The distributed partition from an even row split equals the serial one. */
static void check_partition(const sp_csr *A)
{
    int n = A->rows;
    int r0 = (int)((int64_t)n * rank_ / nranks_), r1 = (int)((int64_t)n * (rank_ + 1) / nranks_);
    int *got = malloc((size_t)(nranks_ + 1) * sizeof(int)), *want = malloc((size_t)(nranks_ + 1) * sizeof(int));
    sp_rows_partition_by_nnz(n, A->rowptr, nranks_, want);
    CHECK(sp_dist_partition_by_nnz(MPI_COMM_WORLD, n, r0, r1 - r0, A->rowptr + r0, got) == SP_OK, "%s",
          sp_errmsg());
    for (int q = 0; q <= nranks_; q++) CHECK(got[q] == want[q], "starts[%d] = %d, serial %d", q, got[q], want[q]);
    free(got);
    free(want);
}

static void check_symmetry(sp_dist_csr *D, const sp_csr *A)
{
    int sym = -1;
    CHECK(sp_dist_csr_check_symmetric(D, &sym) == SP_OK, "%s", sp_errmsg());
    CHECK(sym == (sp_csr_asymmetry(A) == 0.0), "symmetric %d, serial asymmetry %g", sym, sp_csr_asymmetry(A));
}

static void run_case(int n, double density, int empty_every, int symmetric, uint64_t seed)
{
    sp_csr A;
    sp_dist_csr D;
    random_matrix(n, density, empty_every, symmetric, seed, &A);
    int rc = sp_dist_csr_from_full(MPI_COMM_WORLD, &A, &D);
    CHECK(rc == SP_OK, "from_full n = %d: %s", n, sp_errmsg());
    if (rc == SP_OK) {
        CHECK(D.nnz == A.nnz, "nnz %lld vs %lld", (long long)D.nnz, (long long)A.nnz);
        check_plan(&A, &D);
        check_matvec(&A, &D, seed + 1);
        check_matmat(&A, &D, seed + 2);
        check_symmetry(&D, &A);
    }
    check_partition(&A);
    sp_dist_csr_uninit(&D);
    sp_csr_uninit(&A);
}

/* A bad argument on one rank only: every rank fails with that rank's message. */
static void check_agreed_error(void)
{
    sp_csr A;
    random_matrix(10, 0.3, 0, 0, 5, &A);
    int *starts = malloc((size_t)(nranks_ + 1) * sizeof(int));
    sp_rows_partition_by_nnz(A.rows, A.rowptr, nranks_, starts);
    sp_csr mine;
    sp_csr_clone(&A, &mine); /* wrong on purpose: the whole matrix, not this rank's rows */
    sp_dist_csr D;
    int bad_rank = nranks_ - 1;
    if (rank_ != bad_rank) { /* the other ranks pass correct rows */
        sp_csr_uninit(&mine);
        int r0 = starts[rank_], r1 = starts[rank_ + 1];
        int64_t k0 = A.rowptr[r0], k1 = A.rowptr[r1];
        int *ri = malloc((size_t)(k1 - k0 + 1) * sizeof(int));
        for (int i = r0; i < r1; i++)
            for (int64_t k = A.rowptr[i]; k < A.rowptr[i + 1]; k++) ri[k - k0] = i - r0;
        sp_csr_from_triplets(r1 - r0, A.cols, k1 - k0, ri, A.colind + k0, A.val + k0, &mine);
        free(ri);
    } else if (starts[rank_ + 1] - starts[rank_] == A.rows) {
        mine.rows = 0; /* P = 1: still make it wrong */
    }
    int rc = sp_dist_csr_from_rows(MPI_COMM_WORLD, A.rows, starts, &mine, &D);
    CHECK(rc == SP_EINVAL, "status %d (%s)", rc, sp_errmsg());
    char msg[1024], first[1024];
    snprintf(msg, sizeof msg, "%s", sp_errmsg());
    memcpy(first, msg, sizeof msg);
    MPI_Bcast(first, sizeof first, MPI_CHAR, 0, MPI_COMM_WORLD);
    CHECK(!strcmp(msg, first), "message '%s' differs from rank 0's '%s'", msg, first);
    char want[64];
    snprintf(want, sizeof want, "rank %d holds", bad_rank);
    CHECK(strstr(msg, want) != NULL, "message '%s' does not name %s", msg, want);
    free(starts);
    sp_csr_uninit(&A);
}

/* Allreduces through the operator are counted; results equal on every rank. */
static void check_operator(void)
{
    sp_csr A;
    sp_dist_csr D;
    random_matrix(40, 0.2, 0, 1, 9, &A);
    sp_operator op;
    int rc = sp_dist_csr_from_full(MPI_COMM_WORLD, &A, &D);
    if (rc == SP_OK) rc = sp_dist_operator(&D, &op);
    CHECK(rc == SP_OK, "%s", sp_errmsg());
    if (rc == SP_OK) {
        CHECK(op.symmetric == 1 && op.n_global == 40 && op.n_local == D.n_local, "operator fields");
        sp_dist_stats_reset(&D);
        double buf[3] = {rank_ + 1.0, 1.0, -1.0};
        for (int k = 0; k < 3; k++) op.allreduce_sum(op.ctx, buf, 3);
        double p = nranks_;
        CHECK(buf[1] == p * p * p, "sum %g, want %g", buf[1], p * p * p);
        CHECK(D.stats.allreduces == 3 && D.stats.allreduce_doubles == 9, "counted %lld allreduces",
              (long long)D.stats.allreduces);
    }
    sp_dist_csr_uninit(&D);
    sp_csr_uninit(&A);
}

int main(int argc, char **argv)
{
    mpi_test_init(&argc, &argv);
    run_case(3, 0.7, 0, 0, 11);   /* fewer rows than 4 ranks */
    run_case(1, 1.0, 0, 0, 12);   /* one row */
    run_case(2, 0.0, 0, 0, 13);   /* no entries at all */
    run_case(30, 0.15, 4, 0, 14); /* empty rows and columns */
    run_case(57, 0.1, 0, 0, 15);
    run_case(57, 0.1, 5, 1, 16);  /* symmetric with empty rows */
    run_case(200, 0.03, 7, 0, 17);
    run_case(9, 1.0, 0, 1, 18);   /* dense symmetric */
    for (uint64_t seed = 100; seed < 110; seed++) run_case(5 + (int)(seed % 23), 0.2, (int)(seed % 3), (int)(seed % 2), seed);
    check_agreed_error();
    check_operator();
    return mpi_test_finish("mpi_comm_plan");
}
