/* embedding.c: lookup of (id, weight) pairs per field scaled by the weight,
 * concatenated or summed over fields, and its sparse gradient. Guarantees:
 * backward touches only the rows named in the batch (cost O(B F dim), never
 * O(table)) and sums every gradient row in batch order, so results are the
 * same at any thread count. Does not update the table (optimizers do). */
#include "nn_internal.h"
#include "spartan/nn.h"
#include <stdlib.h>
#include <string.h>

static int embedding_check_ids(const char *fn, int B, int F, int V, const int *ids)
{
    if (B < 1 || F < 1 || V < 1)
        return sp_error(SP_EINVAL, "%s: batch %d, fields %d, rows %d must be >= 1", fn, B, F, V);
    size_t L = (size_t)B * (size_t)F;
    for (size_t p = 0; p < L; p++)
        if (ids[p] < 0 || ids[p] >= V)
            return sp_error(SP_EINVAL, "%s: id %d of sample %zu, field %zu outside [0, %d)", fn,
                            ids[p], p / (size_t)F, p % (size_t)F, V);
    return SP_OK;
}

/* ids, w (B, F); table (V, dim) -> out (B, F*dim) concat or (B, dim) sum. */
int sp_embedding_forward(int B, int F, int V, int dim, const int *ids, const float *w,
                         const float *table, sp_emb_pool pool, float *out)
{
    int rc = embedding_check_ids("sp_embedding_forward", B, F, V, ids);
    if (rc < 0) return rc;
    if (dim < 1 || (int)pool < 0 || pool >= SP_EMB_POOL_COUNT)
        return sp_error(SP_EINVAL, "sp_embedding_forward: dim %d, pool %d", dim, (int)pool);
    size_t L = (size_t)B * (size_t)F, D = (size_t)dim;
    if (pool == SP_EMB_CONCAT) {
        SP_NN_OMP_FOR(L * D >= SP_NN_PAR_MIN)
        for (size_t p = 0; p < L; p++) {
            const float *row = table + (size_t)ids[p] * D;
            float s = w[p], *dst = out + p * D;
            for (size_t d = 0; d < D; d++)
                dst[d] = s * row[d];
        }
        return SP_OK;
    }
    SP_NN_OMP_FOR(L * D >= SP_NN_PAR_MIN)
    for (int b = 0; b < B; b++) {
        float *dst = out + (size_t)b * D;
        for (size_t d = 0; d < D; d++)
            dst[d] = 0.0f;
        for (int f = 0; f < F; f++) {
            size_t p = (size_t)b * F + f;
            const float *row = table + (size_t)ids[p] * D;
            for (size_t d = 0; d < D; d++)
                dst[d] += w[p] * row[d];
        }
    }
    return SP_OK;
}

/* Room for up to `need` slots (rows, start) and L lookup positions. */
static int sparse_grad_reserve(sp_sparse_grad *g, int need, size_t L)
{
    if (need > g->cap) {
        int *rows = sp_realloc(g->rows, (size_t)need * sizeof(int));
        if (!rows) return SP_ENOMEM;
        g->rows = rows;
        int *start = sp_realloc(g->start, ((size_t)need + 1) * sizeof(int));
        if (!start) return SP_ENOMEM;
        g->start = start;
        g->cap = need;
    }
    if (L > g->pos_cap) {
        int *pos = sp_realloc(g->pos, L * sizeof(int));
        if (!pos) return SP_ENOMEM;
        g->pos = pos;
        g->pos_cap = L;
    }
    return SP_OK;
}

static int sparse_grad_reserve_vals(sp_sparse_grad *g)
{
    if (g->n <= g->vals_cap) return SP_OK;
    int cap = g->vals_cap ? g->vals_cap : 64;
    while (cap < g->n)
        cap = cap > g->table_rows / 2 ? g->table_rows : 2 * cap;
    float *vals = sp_realloc(g->vals, (size_t)cap * (size_t)g->dim * sizeof(float));
    if (!vals) return SP_ENOMEM;
    g->vals = vals;
    g->vals_cap = cap;
    return SP_OK;
}

/* Assign slots to new rows, then bucket the L lookups by slot (counting
 * sort, stable): lookups of slot u are pos[start[u] .. start[u+1]). */
static void sparse_grad_bucket(sp_sparse_grad *g, size_t L, const int *ids)
{
    memset(g->start, 0, ((size_t)g->cap + 1) * sizeof(int));
    for (size_t p = 0; p < L; p++) {
        int r = ids[p];
        if (g->slot[r] < 0) {
            g->slot[r] = g->n;
            g->rows[g->n++] = r;
        }
        g->start[g->slot[r] + 1]++;
    }
    for (int u = 0; u < g->n; u++)
        g->start[u + 1] += g->start[u];
    for (size_t p = 0; p < L; p++)
        g->pos[g->start[g->slot[ids[p]]]++] = (int)p;
    for (int u = g->n; u > 0; u--)
        g->start[u] = g->start[u - 1]; /* undo the shift */
    g->start[0] = 0;
}

/* ids, w (B, F); dout (B, F*dim) concat or (B, dim) sum -> g rows += sum over
 * lookups of that row of w * (matching dim-slice of dout). */
int sp_embedding_backward(int B, int F, const int *ids, const float *w, sp_emb_pool pool,
                          const float *dout, sp_sparse_grad *g)
{
    int rc = embedding_check_ids("sp_embedding_backward", B, F, g->table_rows, ids);
    if (rc < 0) return rc;
    if ((int)pool < 0 || pool >= SP_EMB_POOL_COUNT)
        return sp_error(SP_EINVAL, "sp_embedding_backward: pool %d", (int)pool);
    size_t L = (size_t)B * (size_t)F, D = (size_t)g->dim;
    size_t need = (size_t)g->n + L;
    if (need > (size_t)g->table_rows) need = (size_t)g->table_rows;
    if ((rc = sparse_grad_reserve(g, (int)need, L)) < 0) return rc;
    int n_old = g->n;
    sparse_grad_bucket(g, L, ids);
    if ((rc = sparse_grad_reserve_vals(g)) < 0) return rc;
    SP_NN_OMP_FOR(L * D >= SP_NN_PAR_MIN)
    for (int u = 0; u < g->n; u++) {
        float *acc = g->vals + (size_t)u * D;
        if (u >= n_old) memset(acc, 0, D * sizeof(float));
        for (int k = g->start[u]; k < g->start[u + 1]; k++) {
            size_t p = (size_t)g->pos[k];
            const float *src = dout + (pool == SP_EMB_CONCAT ? p : p / (size_t)F) * D;
            for (size_t d = 0; d < D; d++)
                acc[d] += w[p] * src[d];
        }
    }
    return SP_OK;
}

/* rows (n) in [0, table_rows), vals (n, dim) -> g row rows[u] += vals(u, :),
 * u in order (a row named twice adds twice, first its earlier entry). */
int sp_sparse_grad_add_rows(sp_sparse_grad *g, int n, const int *rows, const float *vals)
{
    for (int u = 0; u < n; u++)
        if (rows[u] < 0 || rows[u] >= g->table_rows)
            return sp_error(SP_EINVAL, "sp_sparse_grad_add_rows: row %d of entry %d outside [0, %d)",
                            rows[u], u, g->table_rows);
    size_t need = (size_t)g->n + (size_t)n;
    if (need > (size_t)g->table_rows) need = (size_t)g->table_rows;
    int rc = sparse_grad_reserve(g, (int)need, 0), n_old = g->n;
    if (rc < 0) return rc;
    for (int u = 0; u < n; u++)
        if (g->slot[rows[u]] < 0) {
            g->slot[rows[u]] = g->n;
            g->rows[g->n++] = rows[u];
        }
    if ((rc = sparse_grad_reserve_vals(g)) < 0) return rc;
    size_t D = (size_t)g->dim;
    memset(g->vals + (size_t)n_old * D, 0, (size_t)(g->n - n_old) * D * sizeof(float));
    for (int u = 0; u < n; u++) {
        float *acc = g->vals + (size_t)g->slot[rows[u]] * D;
        const float *src = vals + (size_t)u * D;
        for (size_t d = 0; d < D; d++)
            acc[d] += src[d];
    }
    return SP_OK;
}
