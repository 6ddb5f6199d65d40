/* dist_csr.c: a square CSR matrix distributed by row blocks, and its product.
 * Guarantees: each rank stores only its rows; the matvec overlaps the ghost
 * exchange with the rows that need no ghost and sums every y_i in stored
 * (ascending global column) order, so y is bit-identical to sp_csr_matvec for
 * any number of ranks and any exchange mode. Does not read files (see
 * dist_mmread.c, dist_binary.c) nor check symmetry (dist_symmetry.c). */
#include <stdlib.h>
#include <string.h>
#include "dist/dist_internal.h"


static const char *const exchange_names[SP_DIST_EXCHANGE_COUNT] = {"p2p", "neighbor", "allgather"};
_Static_assert(sizeof exchange_names / sizeof exchange_names[0] == SP_DIST_EXCHANGE_COUNT,
               "exchange_names and sp_dist_exchange disagree");

const char *sp_dist_exchange_name(sp_dist_exchange mode)
{
    return (unsigned)mode < SP_DIST_EXCHANGE_COUNT ? exchange_names[mode] : "?";
}

int sp_dist_exchange_parse(const char *name, sp_dist_exchange *mode)
{
    for (int k = 0; name && k < SP_DIST_EXCHANGE_COUNT; k++)
        if (!strcmp(name, exchange_names[k])) {
            *mode = (sp_dist_exchange)k;
            return SP_OK;
        }
    return sp_error(SP_EINVAL, "unknown exchange mode '%s' (p2p, neighbor or allgather)",
                    name ? name : "(null)");
}

void sp_dist_csr_uninit(sp_dist_csr *D)
{
    if (!D) return;
    sp_dist_plan_uninit(&D->plan);
    if (D->comm != MPI_COMM_NULL && D->comm != 0) MPI_Comm_free(&D->comm);
    free(D->starts);
    free(D->rowptr);
    free(D->col);
    free(D->val);
    free(D->interior);
    free(D->boundary);
    free(D->xbuf);
    free(D->xfull);
    free(D->gather_counts);
    free(D->orig_row);
    memset(D, 0, sizeof *D);
    D->comm = MPI_COMM_NULL;
    D->plan.graph = MPI_COMM_NULL;
}

int sp_dist_csr_global_col(const sp_dist_csr *D, int c)
{
    return c < D->n_local ? D->row0 + c : D->plan.ghost_cols[c - D->n_local];
}

void sp_dist_stats_reset(sp_dist_csr *D) { memset(&D->stats, 0, sizeof D->stats); }

static int compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Distinct columns of rows outside [row0, row1), ascending (*ghost owned). */
static int collect_ghosts(const sp_csr *rows, int row0, int row1, int **ghost, int *n_ghost)
{
    int64_t count = 0;
    for (int64_t k = 0; k < rows->nnz; k++) count += rows->colind[k] < row0 || rows->colind[k] >= row1;
    *ghost = sp_malloc((size_t)(count > 0 ? count : 1) * sizeof(int));
    if (!*ghost) return SP_ENOMEM;
    int64_t m = 0;
    for (int64_t k = 0; k < rows->nnz; k++)
        if (rows->colind[k] < row0 || rows->colind[k] >= row1) (*ghost)[m++] = rows->colind[k];
    qsort(*ghost, (size_t)m, sizeof(int), compare_int);
    int64_t u = 0;
    for (int64_t k = 0; k < m; k++)
        if (u == 0 || (*ghost)[k] != (*ghost)[u - 1]) (*ghost)[u++] = (*ghost)[k];
    *n_ghost = (int)u;
    return SP_OK;
}

/* Position of c in the ascending ghost list (present by construction). */
static int ghost_index(const int *ghost, int n_ghost, int c)
{
    int lo = 0, hi = n_ghost - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (ghost[mid] < c) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Compact columns, interior / boundary row lists. */
static int build_local_block(sp_dist_csr *D)
{
    const int *ghost = D->plan.ghost_cols;
    int ng = D->plan.n_ghost, nl = D->n_local;
    D->interior = sp_malloc((size_t)(nl > 0 ? nl : 1) * sizeof(int));
    D->boundary = sp_malloc((size_t)(nl > 0 ? nl : 1) * sizeof(int));
    D->xbuf = sp_malloc((size_t)(nl + ng > 0 ? nl + ng : 1) * sizeof(double));
    if (!D->interior || !D->boundary || !D->xbuf) return SP_ENOMEM;
    D->n_interior = D->n_boundary = 0;
    for (int i = 0; i < nl; i++) {
        int touches_ghost = 0;
        for (int64_t k = D->rowptr[i]; k < D->rowptr[i + 1]; k++) {
            int c = D->col[k];
            if (c >= D->row0 && c < D->row0 + nl) {
                D->col[k] = c - D->row0;
            } else {
                D->col[k] = nl + ghost_index(ghost, ng, c);
                touches_ghost = 1;
            }
        }
        if (touches_ghost) D->boundary[D->n_boundary++] = i;
        else D->interior[D->n_interior++] = i;
    }
    return SP_OK;
}

/* Duplicate comm with errors returned (not fatal); rank, size, starts copy. */
static int setup_comm(MPI_Comm comm, int n, const int *starts, sp_dist_csr *D)
{
    int rc = sp_dist_mpi_check(MPI_Comm_dup(comm, &D->comm), "MPI_Comm_dup");
    if (rc < 0) {
        D->comm = MPI_COMM_NULL;
        return rc;
    }
    MPI_Comm_set_errhandler(D->comm, MPI_ERRORS_RETURN);
    sp_dist_comm_info(D->comm, &D->rank, &D->nranks);
    D->n = n;
    D->symmetric = -1;
    D->starts = sp_malloc((size_t)(D->nranks + 1) * sizeof(int));
    if (!D->starts) return SP_ENOMEM;
    memcpy(D->starts, starts, (size_t)(D->nranks + 1) * sizeof(int));
    D->row0 = starts[D->rank];
    D->n_local = starts[D->rank + 1] - starts[D->rank];
    return SP_OK;
}

static int check_rows(const sp_dist_csr *D, const sp_csr *rows)
{
    if (rows->rows != D->n_local || rows->cols != D->n)
        return sp_error(SP_EINVAL, "dist_csr_from_rows: rank %d holds %d x %d rows, the partition "
                        "gives it %d rows of an n = %d matrix", D->rank, rows->rows, rows->cols,
                        D->n_local, D->n);
    return SP_OK;
}

int sp_dist_csr_from_rows(MPI_Comm comm, int n, const int *starts, sp_csr *rows, sp_dist_csr *D)
{
    memset(D, 0, sizeof *D);
    D->comm = MPI_COMM_NULL;
    D->plan.graph = MPI_COMM_NULL;
    int rc = setup_comm(comm, n, starts, D), n_ghost = 0, *ghost = NULL;
    if (rc == SP_OK) rc = check_rows(D, rows);
    if (rc == SP_OK) { /* take the arrays over */
        D->rowptr = rows->rowptr, D->col = rows->colind, D->val = rows->val;
        D->nnz_local = rows->nnz;
        memset(rows, 0, sizeof *rows);
        rc = collect_ghosts(&(sp_csr){D->n_local, n, D->nnz_local, D->rowptr, D->col, D->val},
                            D->row0, D->row0 + D->n_local, &ghost, &n_ghost);
    }
    sp_csr_uninit(rows);
    if (D->comm == MPI_COMM_NULL) return rc; /* cannot even agree: MPI is broken */
    if ((rc = sp_dist_agree(D->comm, rc)) == SP_OK)
        rc = sp_dist_plan_init(&D->plan, D->comm, D->starts, ghost, n_ghost);
    free(ghost);
    if (rc == SP_OK) rc = sp_dist_agree(D->comm, build_local_block(D));
    if (rc == SP_OK)
        rc = sp_dist_mpi_check(MPI_Allreduce(&D->nnz_local, &D->nnz, 1, MPI_INT64_T, MPI_SUM, D->comm),
                               "dist_csr: MPI_Allreduce");
    if (rc < 0) sp_dist_csr_uninit(D);
    return rc;
}

/* Copy rows [r0, r1) of A (global columns) into a new CSR. */
static int extract_rows(const sp_csr *A, int r0, int r1, sp_csr *B)
{
    int64_t k0 = A->rowptr[r0], k1 = A->rowptr[r1];
    memset(B, 0, sizeof *B);
    B->rowptr = sp_malloc((size_t)(r1 - r0 + 1) * sizeof(int64_t));
    B->colind = sp_malloc((size_t)(k1 > k0 ? k1 - k0 : 1) * sizeof(int));
    B->val = sp_malloc((size_t)(k1 > k0 ? k1 - k0 : 1) * sizeof(double));
    if (!B->rowptr || !B->colind || !B->val) {
        sp_csr_uninit(B);
        return SP_ENOMEM;
    }
    B->rows = r1 - r0, B->cols = A->cols, B->nnz = k1 - k0;
    for (int i = r0; i <= r1; i++) B->rowptr[i - r0] = A->rowptr[i] - k0;
    memcpy(B->colind, A->colind + k0, (size_t)(k1 - k0) * sizeof(int));
    memcpy(B->val, A->val + k0, (size_t)(k1 - k0) * sizeof(double));
    return SP_OK;
}

int sp_dist_csr_from_full(MPI_Comm comm, const sp_csr *A, sp_dist_csr *D)
{
    int rank, nranks;
    memset(D, 0, sizeof *D);
    D->comm = MPI_COMM_NULL;
    D->plan.graph = MPI_COMM_NULL;
    sp_dist_comm_info(comm, &rank, &nranks);
    int rc = SP_OK, *starts = sp_malloc((size_t)(nranks + 1) * sizeof(int));
    sp_csr mine = {0, 0, 0, NULL, NULL, NULL};
    if (!A || A->rows != A->cols)
        rc = sp_error(SP_EINVAL, "dist_csr_from_full: the matrix must be square (%d x %d)",
                      A ? A->rows : -1, A ? A->cols : -1);
    else if (!starts) rc = SP_ENOMEM;
    if (rc == SP_OK) rc = sp_rows_partition_by_nnz(A->rows, A->rowptr, nranks, starts);
    if (rc == SP_OK) rc = extract_rows(A, starts[rank], starts[rank + 1], &mine);
    if ((rc = sp_dist_agree(comm, rc)) == SP_OK) rc = sp_dist_csr_from_rows(comm, A->rows, starts, &mine, D);
    sp_csr_uninit(&mine);
    free(starts);
    return rc;
}
