/* optim.c: the optimizer object: configuration, one state array with named
 * views, dense updates split among threads and lazy updates of the touched
 * rows of a table. Guarantees every coordinate's update is independent of
 * the thread count; does not compute gradients or clip them. */
#include "nn_internal.h"
#include "spartan/nn.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Update of one segment: w, g (n) and state views st[k] at the segment. */
typedef void (*optim_segment_fn)(const sp_optim *o, size_t n, float *w, const float *g,
                                 float *const *st);

static void sgd_segment(const sp_optim *o, size_t n, float *w, const float *g, float *const *st)
{
    (void)st;
    sp_sgd_kernel(n, w, g, o->cfg.lr);
}

static void momentum_segment(const sp_optim *o, size_t n, float *w, const float *g,
                             float *const *st)
{
    sp_momentum_kernel(n, w, g, st[0], o->cfg.lr, o->cfg.momentum, o->cfg.nesterov);
}

static void adam_segment(const sp_optim *o, size_t n, float *w, const float *g, float *const *st)
{
    sp_adam_kernel(n, w, g, st[0], st[1], o->cfg.lr, o->cfg.beta1, o->cfg.beta2, o->cfg.eps, o->t);
}

static void ftrl_segment(const sp_optim *o, size_t n, float *w, const float *g, float *const *st)
{
    sp_ftrl_kernel(n, w, g, st[0], st[1], o->cfg.lr, o->cfg.beta, o->cfg.l1, o->cfg.l2);
}

typedef struct optim_entry {
    const char *name;
    int nstate;
    optim_segment_fn segment;
} optim_entry;

static const optim_entry optim_table[] = {
    [SP_OPT_SGD] = {"sgd", 0, sgd_segment},
    [SP_OPT_MOMENTUM] = {"momentum", 1, momentum_segment},
    [SP_OPT_ADAM] = {"adam", 2, adam_segment},
    [SP_OPT_FTRL] = {"ftrl", 2, ftrl_segment},
};
static_assert(sizeof optim_table / sizeof optim_table[0] == SP_OPT_COUNT,
              "optim_table must have one row per sp_opt_kind");

static int kind_valid(sp_opt_kind k)
{
    return (int)k >= 0 && k < SP_OPT_COUNT;
}

const char *sp_opt_name(sp_opt_kind kind)
{
    return kind_valid(kind) ? optim_table[kind].name : NULL;
}

int sp_opt_parse(const char *name, sp_opt_kind *kind)
{
    for (int i = 0; i < SP_OPT_COUNT; i++)
        if (name && strcmp(name, optim_table[i].name) == 0) {
            *kind = (sp_opt_kind)i;
            return SP_OK;
        }
    return sp_error(SP_EINVAL, "unknown optimizer '%s' (sgd, momentum, adam, ftrl)",
                    name ? name : "(null)");
}

sp_optim_config sp_optim_defaults(sp_opt_kind kind)
{
    sp_optim_config c;
    memset(&c, 0, sizeof c);
    c.kind = kind;
    c.lr = kind == SP_OPT_FTRL ? 0.05f : 0.01f;
    c.momentum = 0.9f;
    c.beta1 = 0.9;
    c.beta2 = 0.999;
    c.eps = 1e-8;
    c.initial_accumulator = 1.0f;
    return c;
}

static int optim_check_config(const sp_optim_config *c)
{
    if (!kind_valid(c->kind)) return sp_error(SP_EINVAL, "sp_optim_init: unknown kind %d", c->kind);
    if (!(c->lr > 0.0f))
        return sp_error(SP_EINVAL, "%s: lr = %g must be > 0", optim_table[c->kind].name,
                        (double)c->lr);
    if (c->kind == SP_OPT_ADAM &&
        !(c->beta1 >= 0.0 && c->beta1 < 1.0 && c->beta2 >= 0.0 && c->beta2 < 1.0 && c->eps >= 0.0))
        return sp_error(SP_EINVAL, "adam: need 0 <= beta1, beta2 < 1 and eps >= 0 (got %g, %g, %g)",
                        c->beta1, c->beta2, c->eps);
    if (c->kind == SP_OPT_FTRL &&
        !(c->beta >= 0.0f && c->l1 >= 0.0f && c->l2 >= 0.0f && c->initial_accumulator >= 0.0f))
        return sp_error(SP_EINVAL, "ftrl: beta, l1, l2 and initial accumulator must be >= 0");
    return SP_OK;
}

int sp_optim_init(sp_optim *o, const sp_optim_config *cfg, size_t n)
{
    memset(o, 0, sizeof *o);
    int rc = optim_check_config(cfg);
    if (rc < 0) return rc;
    o->cfg = *cfg;
    o->n = n;
    o->nstate = optim_table[cfg->kind].nstate;
    if (o->nstate > 0) {
        o->state = sp_calloc((size_t)o->nstate * (n ? n : 1), sizeof(float));
        if (!o->state) return SP_ENOMEM;
    }
    if (cfg->kind == SP_OPT_FTRL)
        for (size_t i = 0; i < n; i++)
            o->state[n + i] = cfg->initial_accumulator;
    return SP_OK;
}

void sp_optim_uninit(sp_optim *o)
{
    free(o->state);
    memset(o, 0, sizeof *o);
}

float *sp_optim_state(const sp_optim *o, int k)
{
    if (k < 0 || k >= o->nstate) return NULL;
    return o->state + (size_t)k * o->n;
}

void sp_optim_tick(sp_optim *o)
{
    o->t++;
}

/* State views of entry `off`, in st[0 .. nstate). */
static void optim_views(const sp_optim *o, size_t off, float **st)
{
    for (int k = 0; k < o->nstate; k++)
        st[k] = o->state + (size_t)k * o->n + off;
}

int sp_optim_update(sp_optim *o, size_t off, size_t n, float *w, const float *g)
{
    if (off > o->n || n > o->n - off)
        return sp_error(SP_EINVAL, "sp_optim_update: entries [%zu, %zu) outside the %zu covered",
                        off, off + n, o->n);
    if (o->t < 1) o->t = 1;
    enum { CHUNK = 8192 };
    size_t nchunks = (n + CHUNK - 1) / CHUNK;
    optim_segment_fn segment = optim_table[o->cfg.kind].segment;
    SP_NN_OMP_FOR(n >= SP_NN_PAR_MIN)
    for (size_t c = 0; c < nchunks; c++) {
        size_t i0 = c * CHUNK, len = n - i0 < CHUNK ? n - i0 : CHUNK;
        float *st[2];
        optim_views(o, off + i0, st);
        segment(o, len, w + i0, g + i0, st);
    }
    return SP_OK;
}

int sp_optim_update_rows(sp_optim *o, size_t off, float *table, const sp_sparse_grad *g)
{
    size_t D = (size_t)g->dim, span = (size_t)g->table_rows * D;
    if (off > o->n || span > o->n - off)
        return sp_error(SP_EINVAL,
                        "sp_optim_update_rows: table of %zu entries at %zu outside the "
                        "%zu covered",
                        span, off, o->n);
    if (o->t < 1) o->t = 1;
    optim_segment_fn segment = optim_table[o->cfg.kind].segment;
    SP_NN_OMP_FOR((size_t)g->n * D >= SP_NN_PAR_MIN)
    for (int u = 0; u < g->n; u++) {
        size_t r = (size_t)g->rows[u] * D;
        float *st[2];
        optim_views(o, off + r, st);
        segment(o, D, table + r, g->vals + (size_t)u * D, st);
    }
    return SP_OK;
}

/* Values of parameters [first, first + count) span [base, end). */
static int params_span(const sp_params *P, int first, int count, size_t *base, size_t *end)
{
    if (!P->values || first < 0 || count < 1 || first > P->count - count)
        return sp_error(SP_EINVAL,
                        "sp_optim_update_params: parameters [%d, %d) of %d (allocated: %s)", first,
                        first + count, P->count, P->values ? "yes" : "no");
    const sp_param_info *last = &P->info[first + count - 1];
    *base = P->info[first].offset;
    *end = last->offset + (size_t)last->rows * (size_t)last->cols;
    return SP_OK;
}

int sp_optim_update_params(sp_optim *o, sp_params *P, int first, int count)
{
    size_t base = 0, end = 0;
    int rc = params_span(P, first, count, &base, &end);
    if (rc < 0) return rc;
    if (o->n != end - base)
        return sp_error(SP_EINVAL,
                        "sp_optim_update_params: optimizer covers %zu entries, the "
                        "parameters %zu",
                        o->n, end - base);
    for (int i = first; i < first + count; i++) {
        const sp_param_info *p = &P->info[i];
        if (p->flags & SP_PARAM_SPARSE_GRAD) continue;
        size_t size = (size_t)p->rows * (size_t)p->cols;
        rc = sp_optim_update(o, p->offset - base, size, P->values + p->offset,
                             P->grads + p->grad_offset);
        if (rc < 0) return sp_error_prefix(rc, "parameter '%s': ", p->name);
    }
    return SP_OK;
}
