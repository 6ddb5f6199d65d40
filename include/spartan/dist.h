/* spartan/dist.h: the MPI layer. A square sparse matrix distributed by
 * contiguous row blocks balanced by nonzeros, its matrix-vector product with a
 * communication plan built once, and the sp_operator that lets the Krylov
 * solvers of eigen.h run on it unchanged. The only public header that
 * includes mpi.h; available when spartan was built with MPI
 * (SPARTAN_HAVE_MPI).
 *
 * Example (every rank runs the same code):
 *   MPI_Init(&argc, &argv);
 *   sp_dist_csr A;  sp_mm_info info;
 *   if (sp_dist_mm_read(MPI_COMM_WORLD, "big.mtx", &A, &info) < 0) {
 *       if (rank == 0) fprintf(stderr, "%s\n", sp_errmsg());  // same message on every rank
 *       MPI_Finalize(); return 2;
 *   }
 *   sp_operator op;  sp_dist_operator(&A, &op);   // collective: checks symmetry
 *   sp_eigs_options opt = sp_eigs_options_default();  opt.nev = 10;
 *   sp_eigs_result res;  sp_eigs(&op, &opt, &res);  // res.vectors: this rank's rows
 *   printf("%lld allreduces\n", (long long)A.stats.allreduces);
 *   sp_eigs_result_uninit(&res);  sp_dist_csr_uninit(&A);  sp_mm_info_uninit(&info);
 *   MPI_Finalize();
 *
 * Layout: rank r owns global rows [starts[r], starts[r+1]) (starts has P + 1
 * entries, identical on every rank; blocks may be empty). A vector x is
 * distributed the same way: this rank passes x[0 .. n_local) = global
 * x[row0 .. row0 + n_local).
 *
 * Collective calls: functions marked (collective) must be called by every
 * rank of the communicator, in the same order. They return the same status
 * on every rank: when any rank fails (bad file, out of memory), every rank
 * gets the status and message (sp_errmsg) of the lowest failing rank, and
 * none hangs. The library never prints, never calls MPI_Abort or exit; MPI
 * errors on spartan's own communicators are returned as SP_EMPI.
 *
 * Determinism: the distributed matvec sums every y_i in the order of the
 * stored columns, exactly like sp_csr_matvec, so y is bit-identical to the
 * serial product for any number of ranks. Global sums (allreduce_sum) depend
 * on P, so Krylov results agree across P to rounding, not to the bit.
 */
#ifndef SPARTAN_DIST_H
#define SPARTAN_DIST_H

#include <mpi.h>
#include <stdint.h>
#include "spartan/core.h"
#include "spartan/eigen.h"
#include "spartan/linalg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== errors agreed across ranks ========================================= */

/* (collective) SP_OK when status >= 0 on every rank; otherwise every rank
 * returns the status of the lowest failing rank, whose message becomes every
 * rank's sp_errmsg(). */
int sp_dist_agree(MPI_Comm comm, int status);

/* ==== row partition ======================================================= */

/* (collective) nnz-balanced row partition of a matrix whose rows are spread
 * over the ranks in contiguous blocks in rank order: this rank holds rows
 * [row0, row0 + nrows) and rowptr (nrows + 1, any base). starts (P + 1)
 * receives, on every rank, exactly what sp_rows_partition_by_nnz gives on the
 * whole matrix, without any rank holding the whole row pointer. */
int sp_dist_partition_by_nnz(MPI_Comm comm, int n, int row0, int nrows, const int64_t *rowptr,
                             int *starts);
/* Rank owning global row `row` (0 <= row < starts[nranks]); skips empty blocks. */
int sp_dist_owner(const int *starts, int nranks, int row);

/* ==== communication plan ================================================== */

/* Which entries of x this rank needs from which rank (ghosts), and which of
 * its own entries it sends to whom. Built once, used by every matvec.
 *   ghost g (0 <= g < n_ghost) is global index ghost_cols[g] (ascending);
 *   ghosts of rank recv_rank[q] are [recv_start[q], recv_start[q+1]);
 *   to send_rank[q] go x_local[send_idx[k]], k in [send_start[q], send_start[q+1]),
 *   in the order that rank stores them as ghosts. */
typedef struct sp_dist_plan {
    MPI_Comm comm;          /* not owned (the matrix's duplicate) */
    int n_local, n_ghost;
    int *ghost_cols;        /* n_ghost, ascending global indices */
    int n_recv;             /* ranks this rank receives from */
    int *recv_rank, *recv_start; /* n_recv, n_recv + 1 */
    int n_send;             /* ranks this rank sends to */
    int *send_rank, *send_start, *send_idx; /* n_send, n_send + 1, send_start[n_send] */
    double *send_buf;       /* send_start[n_send] */
    MPI_Request *requests;  /* n_recv + n_send */
    int pending;            /* requests posted by begin, completed by end */
    MPI_Comm graph;         /* neighbourhood communicator, MPI_COMM_NULL until needed */
    int *graph_counts;      /* scounts, sdispls, rcounts, rdispls (4 x max(n_send, n_recv)) */
} sp_dist_plan;

/* (collective) Build the plan for this rank's ghost columns (n_ghost distinct
 * global indices, ascending, none owned by this rank; copied) under the
 * partition starts. Caller-owned struct: free with sp_dist_plan_uninit. */
int sp_dist_plan_init(sp_dist_plan *plan, MPI_Comm comm, const int *starts, const int *ghost_cols,
                      int n_ghost);
void sp_dist_plan_uninit(sp_dist_plan *plan);
/* (collective) Start the exchange: post receives into ghost (n_ghost), pack
 * x_local into send_buf, post sends. neighbour = 1 uses one
 * MPI_Ineighbor_alltoallv instead of point-to-point messages. */
int sp_dist_plan_begin(sp_dist_plan *plan, const double *x_local, double *ghost, int neighbour);
/* (collective) As sp_dist_plan_begin (point-to-point) for kc <= width vectors
 * X(:, 0:kc-1) (ld ldx) at once: each index's width values travel together
 * (zero padded), packed into send (send_start[n_send] x width), received
 * into ghost (n_ghost x width, row-major). */
int sp_dist_plan_begin_block(sp_dist_plan *plan, const double *X, int ldx, int kc, int width, double *send,
                             double *ghost);
/* Wait for the exchange started by sp_dist_plan_begin(_block); ghost is then filled. */
int sp_dist_plan_end(sp_dist_plan *plan);

/* ==== distributed CSR matrix ============================================= */

typedef enum sp_dist_exchange {
    SP_DIST_EXCHANGE_P2P,       /* MPI_Isend / MPI_Irecv of the ghosts, overlapped (default) */
    SP_DIST_EXCHANGE_NEIGHBOR,  /* MPI_Ineighbor_alltoallv of the ghosts, overlapped */
    SP_DIST_EXCHANGE_ALLGATHER, /* MPI_Allgatherv of all of x (fallback, to measure against) */
    SP_DIST_EXCHANGE_COUNT
} sp_dist_exchange;

const char *sp_dist_exchange_name(sp_dist_exchange mode); /* "p2p", "neighbor", "allgather" */
int sp_dist_exchange_parse(const char *name, sp_dist_exchange *mode);

/* Counters of this rank (reset with sp_dist_stats_reset). */
typedef struct sp_dist_stats {
    int64_t matvecs;        /* distributed products */
    int64_t allreduces;     /* allreduce_sum calls through the operator */
    int64_t allreduce_doubles; /* doubles summed by them */
    int64_t doubles_received; /* x entries received by the matvec exchange */
    double seconds_compute; /* local multiply */
    double seconds_comm;    /* pack, post and wait not hidden behind the multiply */
    double seconds_allreduce;
} sp_dist_stats;

/* This rank's share of an n x n matrix: rows [row0, row0 + n_local), all their
 * entries, in "compact" columns: c < n_local is global column row0 + c,
 * c >= n_local is global column plan.ghost_cols[c - n_local]. Entries of each
 * row keep ascending global column order (so products sum as the serial
 * code does). interior rows touch no ghost; boundary rows do. */
typedef struct sp_dist_csr {
    MPI_Comm comm;          /* owned duplicate of the caller's communicator */
    int rank, nranks;
    int n;                  /* global rows = columns */
    int row0, n_local;
    int *starts;            /* nranks + 1 */
    int64_t nnz_local, nnz; /* this rank's entries, all entries */
    int64_t *rowptr;        /* n_local + 1, from 0 */
    int *col;               /* nnz_local compact columns */
    double *val;            /* nnz_local */
    int n_interior, n_boundary;
    int *interior, *boundary; /* local row indices */
    sp_dist_plan plan;
    sp_dist_exchange exchange;
    double *xbuf;           /* n_local + n_ghost: x_local then the ghosts */
    double *xfull;          /* n, allgather mode only */
    int *gather_counts;     /* 2 nranks (counts, displacements), allgather mode only */
    int symmetric;          /* 1 / 0 once checked, -1 unknown */
    int *orig_row;          /* NULL, or (after sp_dist_csr_interleave) the caller's
                             * global index of each local row (n_local): D holds
                             * P A P^T and vectors are in its labels */
    sp_dist_stats stats;
} sp_dist_csr;

/* (collective) Distribute a matrix that every rank holds in full (the same A
 * everywhere, square): partition by nnz, keep this rank's rows, build the
 * plan. A is not changed and may be freed afterwards. */
int sp_dist_csr_from_full(MPI_Comm comm, const sp_csr *A, sp_dist_csr *D);
/* (collective) From this rank's rows only: rows (n_local x n, global column
 * indices, sorted) holds global rows [starts[rank], starts[rank+1]). rows is
 * taken over (emptied) whatever the outcome. */
int sp_dist_csr_from_rows(MPI_Comm comm, int n, const int *starts, sp_csr *rows, sp_dist_csr *D);
/* (collective) From contiguous row blocks in any split: this rank holds
 * global rows [row0, row0 + rows->rows) (rows->cols = n, global column
 * indices, sorted), the blocks tiling [0, n) in rank order (e.g. each rank
 * generated its own rows). Rows are moved to the nnz-balanced partition
 * (sp_dist_partition_by_nnz) in one exchange, then as sp_dist_csr_from_rows.
 * rows is taken over (emptied) whatever the outcome. */
int sp_dist_csr_from_blocks(MPI_Comm comm, int n, int row0, sp_csr *rows, sp_dist_csr *D);
/* (collective) Move D's rows to the contiguous partition that balances
 * nnz + row_weight x rows (0: nnz only, as every constructor does). The
 * Krylov vectors cost O(ncv) per row and step, so with a heavy-tailed row
 * length (power-law matrices: the nnz-balanced partition can leave 99% of
 * the rows on one rank) row_weight ~ ncv balances time and memory. No-op
 * when the partition does not change; D keeps its exchange mode. On error D
 * is empty. */
int sp_dist_csr_rebalance(sp_dist_csr *D, int64_t row_weight);
/* (collective) As sp_dist_csr_rebalance, balancing the sum of row_cost
 * (n_local entries >= 0, any unit, e.g. measured picoseconds) per rank. */
int sp_dist_csr_rebalance_cost(sp_dist_csr *D, const int64_t *row_cost);
/* (collective) Balance the measured time of a Krylov step instead of a model:
 * each rank times its local product on segments of its rows (a nonzero's
 * cost varies several-fold with how scattered its column is) and a Gram-
 * Schmidt sweep over ncv vectors, and rows move to the partition that
 * equalises (segment time per nonzero) x nnz + (sweep time per row) per rank.
 * Costs about two local products and one 8 x ncv MiB sweep per rank. No-op
 * at P = 1 and when the partition does not change. */
/* (collective) Relabel rows and columns (D becomes P A P^T, same spectrum)
 * so that every rank's block holds an equal share of every row-length class:
 * rows ordered by length class (quarter octaves of nnz, longest first, then
 * by index), dealt round-robin to the ranks, each rank keeping that order
 * (its longest rows first, so the hub part of x stays compact). Equal rows
 * and about equal nonzeros of each kind per rank: both the product and the
 * vector work balance, which no contiguous split of a matrix whose long rows
 * are clustered can do. D->orig_row maps local rows back to the caller's
 * labels (vectors in and out must be permuted). Memory: one int per global
 * row on every rank, and the entries as triplets while they move. */
int sp_dist_csr_interleave(sp_dist_csr *D);
typedef struct sp_dist_balance_info {
    double ns_per_nnz;  /* this rank's measured local product per nonzero (before moving) */
    double ns_per_row;  /* this rank's measured vector work per row and Arnoldi step */
    double seconds;     /* measuring and moving */
    int interleaved;    /* 1 when sp_dist_csr_balance_auto relabelled instead */
} sp_dist_balance_info;
int sp_dist_csr_balance_measured(sp_dist_csr *D, int ncv, sp_dist_balance_info *info);
/* (collective) The partition spartan eigs / embdim use under mpirun: when the
 * nnz-balanced contiguous split leaves a rank more than 1.5x its share of
 * rows (long rows clustered in index: power-law matrices with frequent ids
 * first), sp_dist_csr_interleave; otherwise sp_dist_csr_balance_measured.
 * info->interleaved says which (info may be NULL). */
int sp_dist_csr_balance_auto(sp_dist_csr *D, int ncv, sp_dist_balance_info *info);
/* Frees everything (not collective except for the communicator free); safe
 * on a zeroed struct and twice. */
void sp_dist_csr_uninit(sp_dist_csr *D);
/* (collective) Choose how x is exchanged; every rank passes the same mode. */
int sp_dist_csr_set_exchange(sp_dist_csr *D, sp_dist_exchange mode);
/* (collective) y = A x on this rank's rows: x_local, y_local (n_local). */
int sp_dist_csr_matvec(sp_dist_csr *D, const double *x_local, double *y_local);
/* (collective) Y = A X for k vectors (X: n_local x k, column-major, ld ldx;
 * Y likewise): 4 vectors per sweep and per ghost message (one row-major copy
 * of x for 4 vectors: 32 bytes per local row and ghost). Column j is bit-identical to
 * sp_dist_csr_matvec of X(:, j); counted as k matvecs. */
int sp_dist_csr_matmat(sp_dist_csr *D, const double *X, int ldx, double *Y, int ldy, int k);
/* Global column of compact column c. */
int sp_dist_csr_global_col(const sp_dist_csr *D, int c);
/* (collective) 1 when A is exactly symmetric (every stored a_ij equals a_ji,
 * a missing entry counting 0: the test sp_csr_asymmetry(A) == 0 makes),
 * else 0. Cached in D->symmetric. One exchange of the transposed entries. */
int sp_dist_csr_check_symmetric(sp_dist_csr *D, int *symmetric);
/* (collective) x_full (n) = the whole distributed vector, on every rank. */
int sp_dist_csr_gather(sp_dist_csr *D, const double *x_local, double *x_full);
void sp_dist_stats_reset(sp_dist_csr *D);

/* ==== the operator for eigen.h =========================================== */

/* (collective) op views D (D must outlive op and not move): apply = the
 * distributed matvec, allreduce_sum = MPI_Allreduce(MPI_IN_PLACE, SUM) on
 * D's communicator, both counted in D->stats. Sets op->symmetric from
 * sp_dist_csr_check_symmetric. Every call of op's functions is collective. */
int sp_dist_operator(sp_dist_csr *D, sp_operator *op);

/* ==== coordinate triplets ================================================= */

/* A growable list of (row, column, value) entries, caller-owned. */
typedef struct sp_dist_triplets {
    int64_t n, cap;
    int *ri, *ci;
    double *v;
} sp_dist_triplets;

int sp_dist_triplets_push(sp_dist_triplets *t, int i, int j, double v);
void sp_dist_triplets_uninit(sp_dist_triplets *t);
/* (collective) Send every entry to the owner of its row under starts; on
 * return t holds the entries this rank owns: those from rank 0 first, then
 * rank 1, ..., each in its sender's order (so a file's input order is kept). */
int sp_dist_triplets_exchange(MPI_Comm comm, const int *starts, sp_dist_triplets *t);

/* ==== input ================================================================ */

/* (collective) Parallel Matrix Market read: every rank reads a byte range of
 * the entry lines (split at line boundaries), entries go to the ranks owning
 * their rows, and rows are then rebalanced by nonzeros; no rank holds the
 * whole matrix. The result equals sp_mm_read's matrix (same values, same
 * summation of duplicates) distributed as sp_dist_csr_from_full would. A
 * malformed file gives SP_EFORMAT with "PATH:LINE: what" on every rank.
 * gzip and array files are read by rank 0 (sp_mm_read) and then distributed.
 * info (may be NULL) is filled identically on every rank. The matrix must be
 * square. */
int sp_dist_mm_read(MPI_Comm comm, const char *path, sp_dist_csr *D, sp_mm_info *info);

/* (collective) Parallel read of a binary CSR file (csr_binary.h): each rank
 * reads only its rows; checksums of all parts are combined and checked on
 * every rank; a corrupt or truncated file gives the same SP_EFORMAT message
 * everywhere. *symmetric (may be NULL) gets the writer's symmetry flag. */
int sp_dist_csr_binary_read(MPI_Comm comm, const char *path, sp_dist_csr *D, int *symmetric);

#ifdef __cplusplus
}
#endif
#endif
