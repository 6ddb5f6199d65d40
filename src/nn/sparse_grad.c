/* sparse_grad.c: the sparse gradient of an embedding table: the touched rows
 * and one gradient row each. Guarantees clearing costs O(touched rows), not
 * O(table); does not compute gradients (embedding.c does). */
#include "spartan/nn.h"
#include <stdlib.h>
#include <string.h>

int sp_sparse_grad_init(sp_sparse_grad *g, int table_rows, int dim)
{
    memset(g, 0, sizeof *g);
    if (table_rows < 1 || dim < 1)
        return sp_error(SP_EINVAL, "sp_sparse_grad_init: table (%d, %d) must be positive",
                        table_rows, dim);
    g->slot = sp_malloc((size_t)table_rows * sizeof(int));
    if (!g->slot) return SP_ENOMEM;
    for (int r = 0; r < table_rows; r++)
        g->slot[r] = -1;
    g->table_rows = table_rows;
    g->dim = dim;
    return SP_OK;
}

void sp_sparse_grad_uninit(sp_sparse_grad *g)
{
    free(g->rows);
    free(g->vals);
    free(g->slot);
    free(g->start);
    free(g->pos);
    memset(g, 0, sizeof *g);
}

void sp_sparse_grad_clear(sp_sparse_grad *g)
{
    for (int u = 0; u < g->n; u++)
        g->slot[g->rows[u]] = -1;
    g->n = 0;
}
