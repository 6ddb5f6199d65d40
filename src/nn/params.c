/* params.c: the flat parameter store: every parameter of a model in one
 * float array and every dense gradient in another, with named views.
 * Guarantees fixed offsets after sp_params_alloc and initialisation in
 * declaration order from one seeded rng; does no optimisation itself. */
#include "spartan/nn.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void sp_params_init(sp_params *P)
{
    memset(P, 0, sizeof *P);
}

void sp_params_uninit(sp_params *P)
{
    free(P->info);
    free(P->values);
    free(P->grads);
    memset(P, 0, sizeof *P);
}

int sp_params_find(const sp_params *P, const char *name)
{
    for (int i = 0; i < P->count; i++)
        if (strcmp(P->info[i].name, name) == 0) return i;
    return -1;
}

static int params_check_new(const sp_params *P, const char *name, int rows, int cols,
                            sp_init_kind init)
{
    if (P->values)
        return sp_error(SP_EINVAL, "sp_params_add(%s): parameters already allocated", name);
    if (!name || !name[0] || strlen(name) >= SP_PARAM_NAME_MAX)
        return sp_error(SP_EINVAL, "sp_params_add: name must have 1 to %d characters",
                        SP_PARAM_NAME_MAX - 1);
    if (rows < 1 || cols < 1)
        return sp_error(SP_EINVAL, "sp_params_add(%s): shape (%d, %d) must be positive", name, rows,
                        cols);
    if ((int)init < 0 || init >= SP_INIT_COUNT)
        return sp_error(SP_EINVAL, "sp_params_add(%s): unknown init %d", name, (int)init);
    if (sp_params_find(P, name) >= 0)
        return sp_error(SP_EINVAL, "sp_params_add: duplicate parameter name '%s'", name);
    return SP_OK;
}

int sp_params_add(sp_params *P, const char *name, int rows, int cols, sp_init_kind init,
                  float scale, int flags)
{
    int rc = params_check_new(P, name, rows, cols, init);
    if (rc < 0) return rc;
    if (P->count == P->cap) {
        int cap = P->cap ? 2 * P->cap : 16;
        sp_param_info *info = sp_realloc(P->info, (size_t)cap * sizeof *info);
        if (!info) return SP_ENOMEM;
        P->info = info;
        P->cap = cap;
    }
    sp_param_info *p = &P->info[P->count];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->rows = rows;
    p->cols = cols;
    p->init = init;
    p->scale = scale;
    p->flags = flags;
    size_t size = (size_t)rows * (size_t)cols;
    p->offset = P->n_values;
    P->n_values += size;
    if (flags & SP_PARAM_SPARSE_GRAD) {
        p->grad_offset = SIZE_MAX;
    } else {
        p->grad_offset = P->n_grads;
        P->n_grads += size;
    }
    return P->count++;
}

static void params_fill(const sp_param_info *p, float *v, sp_rng *rng)
{
    size_t size = (size_t)p->rows * (size_t)p->cols;
    for (size_t i = 0; i < size; i++) {
        switch (p->init) {
        case SP_INIT_CONSTANT:
            v[i] = p->scale;
            break;
        case SP_INIT_UNIFORM:
            v[i] = (float)((2.0 * sp_rng_uniform(rng) - 1.0) * p->scale);
            break;
        case SP_INIT_NORMAL:
            v[i] = (float)(sp_rng_normal(rng) * p->scale);
            break;
        default:
            v[i] = 0.0f;
            break;
        }
    }
}

int sp_params_alloc(sp_params *P, sp_rng *rng)
{
    if (P->values) return sp_error(SP_EINVAL, "sp_params_alloc: already allocated");
    if (P->count == 0) return sp_error(SP_EINVAL, "sp_params_alloc: no parameters declared");
    for (int i = 0; i < P->count; i++)
        if (!rng && (P->info[i].init == SP_INIT_UNIFORM || P->info[i].init == SP_INIT_NORMAL))
            return sp_error(SP_EINVAL, "sp_params_alloc: parameter '%s' needs an rng",
                            P->info[i].name);
    P->values = sp_malloc(P->n_values * sizeof(float));
    P->grads = sp_calloc(P->n_grads ? P->n_grads : 1, sizeof(float));
    if (!P->values || !P->grads) {
        free(P->values);
        free(P->grads);
        P->values = P->grads = NULL;
        return SP_ENOMEM;
    }
    for (int i = 0; i < P->count; i++)
        params_fill(&P->info[i], P->values + P->info[i].offset, rng);
    return SP_OK;
}

float *sp_params_value(const sp_params *P, int index)
{
    if (!P->values || index < 0 || index >= P->count) return NULL;
    return P->values + P->info[index].offset;
}

float *sp_params_grad(const sp_params *P, int index)
{
    if (!P->grads || index < 0 || index >= P->count) return NULL;
    if (P->info[index].grad_offset == SIZE_MAX) return NULL;
    return P->grads + P->info[index].grad_offset;
}

sp_tensor sp_params_tensor(const sp_params *P, int index)
{
    float *v = sp_params_value(P, index);
    if (!v) return sp_tensor_view2(NULL, 0, 0);
    return sp_tensor_view2(v, P->info[index].rows, P->info[index].cols);
}

void sp_params_zero_grads(sp_params *P)
{
    if (P->grads) memset(P->grads, 0, P->n_grads * sizeof(float));
}

int sp_params_check_finite(const sp_params *P, int which)
{
    for (int i = 0; i < P->count; i++) {
        const sp_param_info *p = &P->info[i];
        const float *x = which ? sp_params_grad(P, i) : sp_params_value(P, i);
        if (!x) continue;
        ptrdiff_t bad = sp_first_nonfinite((size_t)p->rows * (size_t)p->cols, x);
        if (bad >= 0)
            return sp_error(SP_EINVAL, "%s of parameter '%s' is %g at (%td, %td)",
                            which ? "gradient" : "value", p->name, (double)x[bad], bad / p->cols,
                            bad % p->cols);
    }
    return SP_OK;
}
