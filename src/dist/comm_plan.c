/* comm_plan.c: the communication plan of the distributed matvec: which x
 * entries (ghosts) this rank receives from which rank, and what it sends.
 * Guarantees: built once with one MPI_Alltoall of counts plus point-to-point
 * index lists; the exchange moves only the ghosts (no allgather of x).
 * Does not multiply anything (see dist_csr.c). */
#include <stdlib.h>
#include <string.h>
#include "dist/dist_internal.h"

void sp_dist_plan_uninit(sp_dist_plan *plan)
{
    if (!plan) return;
    if (plan->graph != MPI_COMM_NULL && plan->graph != 0) MPI_Comm_free(&plan->graph);
    free(plan->ghost_cols);
    free(plan->recv_rank);
    free(plan->recv_start);
    free(plan->send_rank);
    free(plan->send_start);
    free(plan->send_idx);
    free(plan->send_buf);
    free(plan->requests);
    free(plan->graph_counts);
    memset(plan, 0, sizeof *plan);
    plan->graph = MPI_COMM_NULL;
}

static int check_ghosts(const int *starts, int nranks, int rank, const int *ghost, int n_ghost)
{
    for (int g = 0; g < n_ghost; g++) {
        int c = ghost[g];
        if (c < 0 || c >= starts[nranks] || (g > 0 && c <= ghost[g - 1]))
            return sp_error(SP_EINVAL, "plan: ghost %d = %d is out of range [0, %d) or not ascending",
                            g, c, starts[nranks]);
        if (c >= starts[rank] && c < starts[rank + 1])
            return sp_error(SP_EINVAL, "plan: ghost column %d is owned by this rank (%d)", c, rank);
    }
    return SP_OK;
}

/* Group the ghosts by owner: recv_rank/recv_start; need[q] = ghosts from q. */
static int group_by_owner(sp_dist_plan *plan, const int *starts, int nranks, int *need)
{
    memset(need, 0, (size_t)nranks * sizeof *need);
    for (int g = 0; g < plan->n_ghost; g++) need[sp_dist_owner(starts, nranks, plan->ghost_cols[g])]++;
    int n_recv = 0;
    for (int q = 0; q < nranks; q++) n_recv += need[q] > 0;
    plan->recv_rank = sp_malloc((size_t)(n_recv > 0 ? n_recv : 1) * sizeof(int));
    plan->recv_start = sp_malloc((size_t)(n_recv + 1) * sizeof(int));
    if (!plan->recv_rank || !plan->recv_start) return SP_ENOMEM;
    plan->n_recv = 0;
    plan->recv_start[0] = 0;
    for (int q = 0; q < nranks; q++)
        if (need[q] > 0) {
            plan->recv_rank[plan->n_recv] = q;
            plan->recv_start[plan->n_recv + 1] = plan->recv_start[plan->n_recv] + need[q];
            plan->n_recv++;
        }
    return SP_OK;
}

/* Allocate the send side from give[q] = entries rank q needs from this rank. */
static int alloc_send_side(sp_dist_plan *plan, int nranks, const int *give)
{
    int n_send = 0;
    int64_t total = 0;
    for (int q = 0; q < nranks; q++) n_send += give[q] > 0, total += give[q];
    plan->send_rank = sp_malloc((size_t)(n_send > 0 ? n_send : 1) * sizeof(int));
    plan->send_start = sp_malloc((size_t)(n_send + 1) * sizeof(int));
    plan->send_idx = sp_malloc((size_t)(total > 0 ? total : 1) * sizeof(int));
    plan->send_buf = sp_malloc((size_t)(total > 0 ? total : 1) * sizeof(double));
    plan->requests = sp_malloc((size_t)(n_send + plan->n_recv + 1) * sizeof(MPI_Request));
    if (!plan->send_rank || !plan->send_start || !plan->send_idx || !plan->send_buf || !plan->requests)
        return SP_ENOMEM;
    plan->n_send = 0;
    plan->send_start[0] = 0;
    for (int q = 0; q < nranks; q++)
        if (give[q] > 0) {
            plan->send_rank[plan->n_send] = q;
            plan->send_start[plan->n_send + 1] = plan->send_start[plan->n_send] + give[q];
            plan->n_send++;
        }
    return SP_OK;
}

/* Tell every owner which of its entries this rank needs (global indices),
 * receive the same from the others into send_idx, then make them local. */
static int exchange_index_lists(sp_dist_plan *plan, int row0)
{
    MPI_Request *req = plan->requests;
    int nreq = 0, rc = MPI_SUCCESS;
    for (int q = 0; q < plan->n_send && rc == MPI_SUCCESS; q++)
        rc = MPI_Irecv(plan->send_idx + plan->send_start[q], plan->send_start[q + 1] - plan->send_start[q],
                       MPI_INT, plan->send_rank[q], SP_DIST_TAG_PLAN, plan->comm, &req[nreq++]);
    for (int q = 0; q < plan->n_recv && rc == MPI_SUCCESS; q++)
        rc = MPI_Isend(plan->ghost_cols + plan->recv_start[q], plan->recv_start[q + 1] - plan->recv_start[q],
                       MPI_INT, plan->recv_rank[q], SP_DIST_TAG_PLAN, plan->comm, &req[nreq++]);
    if (rc == MPI_SUCCESS) rc = MPI_Waitall(nreq, req, MPI_STATUSES_IGNORE);
    if (rc != MPI_SUCCESS) return sp_dist_mpi_check(rc, "plan: index lists");
    for (int k = 0; k < plan->send_start[plan->n_send]; k++) {
        plan->send_idx[k] -= row0;
        if (plan->send_idx[k] < 0 || plan->send_idx[k] >= plan->n_local)
            return sp_error(SP_EINTERNAL, "plan: rank asked for index %d, not owned here",
                            plan->send_idx[k] + row0);
    }
    return SP_OK;
}

int sp_dist_plan_init(sp_dist_plan *plan, MPI_Comm comm, const int *starts, const int *ghost_cols,
                      int n_ghost)
{
    int rank, nranks;
    memset(plan, 0, sizeof *plan);
    plan->graph = MPI_COMM_NULL;
    plan->comm = comm;
    sp_dist_comm_info(comm, &rank, &nranks);
    plan->n_local = starts[rank + 1] - starts[rank];
    plan->n_ghost = n_ghost;
    int rc = check_ghosts(starts, nranks, rank, ghost_cols, n_ghost);
    int *need = sp_malloc(2 * (size_t)nranks * sizeof *need), *give = need ? need + nranks : NULL;
    plan->ghost_cols = sp_malloc((size_t)(n_ghost > 0 ? n_ghost : 1) * sizeof(int));
    if (rc == SP_OK && (!need || !plan->ghost_cols)) rc = SP_ENOMEM;
    if (rc == SP_OK) {
        memcpy(plan->ghost_cols, ghost_cols, (size_t)n_ghost * sizeof(int));
        rc = group_by_owner(plan, starts, nranks, need);
    }
    if ((rc = sp_dist_agree(comm, rc)) == SP_OK)
        rc = sp_dist_mpi_check(MPI_Alltoall(need, 1, MPI_INT, give, 1, MPI_INT, comm), "plan: MPI_Alltoall");
    if (rc == SP_OK) rc = sp_dist_agree(comm, alloc_send_side(plan, nranks, give));
    if (rc == SP_OK) rc = sp_dist_agree(comm, exchange_index_lists(plan, starts[rank]));
    free(need);
    if (rc < 0) sp_dist_plan_uninit(plan);
    return rc;
}

/* The neighbourhood communicator and its count/displacement arrays. */
static int plan_make_graph(sp_dist_plan *plan)
{
    int m = plan->n_send > plan->n_recv ? plan->n_send : plan->n_recv;
    plan->graph_counts = sp_malloc((size_t)(4 * (m > 0 ? m : 1)) * sizeof(int));
    int rc = plan->graph_counts ? SP_OK : SP_ENOMEM;
    if ((rc = sp_dist_agree(plan->comm, rc)) < 0) return rc;
    int *sc = plan->graph_counts, *sd = sc + m, *rcn = sd + m, *rd = rcn + m;
    for (int q = 0; q < plan->n_send; q++)
        sc[q] = plan->send_start[q + 1] - plan->send_start[q], sd[q] = plan->send_start[q];
    for (int q = 0; q < plan->n_recv; q++)
        rcn[q] = plan->recv_start[q + 1] - plan->recv_start[q], rd[q] = plan->recv_start[q];
    /* weights = message lengths (a hint; also avoids MPI_UNWEIGHTED's sentinel pointer) */
    return sp_dist_mpi_check(MPI_Dist_graph_create_adjacent(plan->comm, plan->n_recv, plan->recv_rank,
                             rcn, plan->n_send, plan->send_rank, sc, MPI_INFO_NULL, 0, &plan->graph),
                             "plan: MPI_Dist_graph_create_adjacent");
}

static void plan_pack(sp_dist_plan *plan, const double *x_local)
{
    int total = plan->send_start[plan->n_send];
    for (int k = 0; k < total; k++) plan->send_buf[k] = x_local[plan->send_idx[k]];
}

static int plan_begin_neighbour(sp_dist_plan *plan, const double *x_local, double *ghost)
{
    int rc = SP_OK;
    if (plan->graph == MPI_COMM_NULL && (rc = plan_make_graph(plan)) < 0) return rc;
    int m = plan->n_send > plan->n_recv ? plan->n_send : plan->n_recv;
    int *sc = plan->graph_counts, *sd = sc + m, *rcn = sd + m, *rd = rcn + m;
    plan_pack(plan, x_local);
    plan->pending = 1;
    return sp_dist_mpi_check(MPI_Ineighbor_alltoallv(plan->send_buf, sc, sd, MPI_DOUBLE, ghost, rcn, rd,
                                                     MPI_DOUBLE, plan->graph, &plan->requests[0]),
                             "matvec: MPI_Ineighbor_alltoallv");
}

/* Point-to-point exchange of width values per index: receives into ghost,
 * send[k * width + j] = X[send_idx[k] + j ldx] for j < kc (zero up to width). */
static int plan_post(sp_dist_plan *plan, const double *X, int ldx, int kc, int width, double *send,
                     double *ghost)
{
    int rc = MPI_SUCCESS, nreq = 0;
    for (int q = 0; q < plan->n_recv && rc == MPI_SUCCESS; q++)
        rc = MPI_Irecv(ghost + (size_t)plan->recv_start[q] * width,
                       (plan->recv_start[q + 1] - plan->recv_start[q]) * width, MPI_DOUBLE,
                       plan->recv_rank[q], SP_DIST_TAG_X, plan->comm, &plan->requests[nreq++]);
    if (width == 1) {
        plan_pack(plan, X);
    } else {
        int total = plan->send_start[plan->n_send];
        for (int k = 0; k < total; k++) {
            double *s = send + (size_t)k * width;
            for (int j = 0; j < width; j++) s[j] = j < kc ? X[plan->send_idx[k] + (size_t)j * ldx] : 0.0;
        }
    }
    for (int q = 0; q < plan->n_send && rc == MPI_SUCCESS; q++)
        rc = MPI_Isend(send + (size_t)plan->send_start[q] * width,
                       (plan->send_start[q + 1] - plan->send_start[q]) * width, MPI_DOUBLE,
                       plan->send_rank[q], SP_DIST_TAG_X, plan->comm, &plan->requests[nreq++]);
    plan->pending = nreq;
    return sp_dist_mpi_check(rc, "posting the ghost exchange");
}

int sp_dist_plan_begin(sp_dist_plan *plan, const double *x_local, double *ghost, int neighbour)
{
    if (neighbour) return plan_begin_neighbour(plan, x_local, ghost);
    return plan_post(plan, x_local, 0, 1, 1, plan->send_buf, ghost);
}

int sp_dist_plan_begin_block(sp_dist_plan *plan, const double *X, int ldx, int kc, int width, double *send,
                             double *ghost)
{
    return plan_post(plan, X, ldx, kc, width, send, ghost);
}

int sp_dist_plan_end(sp_dist_plan *plan)
{
    int nreq = plan->pending;
    plan->pending = 0;
    return sp_dist_mpi_check(MPI_Waitall(nreq, plan->requests, MPI_STATUSES_IGNORE),
                             "matvec: waiting for the ghost exchange");
}
