/* checkpoint.c: Wide & Deep and MLP classifier checkpoints as safetensors:
 * parameters under their names, optimizer state, the vocabulary as a U8
 * tensor, configuration / step / seed / history in __metadata__. Guarantees
 * a reload continues training bit-identically (--resume) and a checkpoint of
 * another shape is refused with a message naming the difference. */
#include "train_internal.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CKPT_VERSION "1"

/* ---- shared pieces ------------------------------------------------------ */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int meta_printf(sp_safetensors *s, const char *key, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return sp_safetensors_set_meta(s, key, buf);
}

static int add_params(sp_safetensors *s, const sp_params *P)
{
    for (int i = 0; i < P->count; i++) {
        const sp_param_info *p = &P->info[i];
        int64_t shape[2] = {p->rows, p->cols};
        int rc = sp_safetensors_add(s, p->name, SP_ST_F32, 2, shape, P->values + p->offset);
        if (rc < 0) return rc;
    }
    return SP_OK;
}

static int add_optim(sp_safetensors *s, const char *name, const sp_optim *o)
{
    if (o->nstate == 0) return SP_OK;
    int64_t shape[2] = {o->nstate, (int64_t)o->n};
    return sp_safetensors_add(s, name, SP_ST_F32, 2, shape, o->state);
}

/* Tensor `name` must be F32 with `count` elements; copied to dst. */
static int load_f32(const sp_safetensors *s, const char *path, const char *name, size_t count,
                    float *dst)
{
    const sp_st_tensor *t = sp_safetensors_find(s, name);
    if (!t) return sp_error(SP_EFORMAT, "%s: checkpoint lacks tensor '%s'", path, name);
    if (t->dtype != SP_ST_F32 || t->nbytes != count * sizeof(float))
        return sp_error(SP_EINVAL, "%s: tensor '%s' is %s with %zu bytes, the model needs F32 x %zu "
                        "(a checkpoint of another model shape?)",
                        path, name, sp_st_dtype_name(t->dtype), t->nbytes, count);
    memcpy(dst, t->data, t->nbytes);
    return SP_OK;
}

static int load_params(const sp_safetensors *s, const char *path, sp_params *P)
{
    for (int i = 0; i < P->count; i++) {
        const sp_param_info *p = &P->info[i];
        const sp_st_tensor *t = sp_safetensors_find(s, p->name);
        if (t && (t->ndim != 2 || t->shape[0] != p->rows || t->shape[1] != p->cols))
            return sp_error(SP_EINVAL, "%s: tensor '%s' has shape (%lld, %lld), the model (%d, %d)",
                            path, p->name, (long long)t->shape[0],
                            (long long)(t->ndim > 1 ? t->shape[1] : 0), p->rows, p->cols);
        int rc = load_f32(s, path, p->name, (size_t)p->rows * (size_t)p->cols,
                          P->values + p->offset);
        if (rc < 0) return rc;
    }
    return SP_OK;
}

static int load_optim(const sp_safetensors *s, const char *path, const char *name, sp_optim *o)
{
    char key[64];
    snprintf(key, sizeof key, "%s.t", name);
    const char *t = sp_safetensors_meta(s, key);
    o->t = t ? strtoll(t, NULL, 10) : 0;
    if (o->nstate == 0) return SP_OK;
    return load_f32(s, path, name, (size_t)o->nstate * o->n, o->state);
}

static int meta_common(sp_safetensors *s, const char *kind, uint64_t seed, int64_t step,
                       int epochs_done, const sp_train_history *h)
{
    int rc = sp_safetensors_set_meta(s, "spartan.model", kind);
    if (rc == SP_OK) rc = sp_safetensors_set_meta(s, "spartan.version", CKPT_VERSION);
    if (rc == SP_OK) rc = meta_printf(s, "seed", "%llu", (unsigned long long)seed);
    if (rc == SP_OK) rc = meta_printf(s, "step", "%lld", (long long)step);
    if (rc == SP_OK) rc = meta_printf(s, "epochs_done", "%d", epochs_done);
    if (rc == SP_OK && h && h->n) {
        char *text = NULL;
        if ((rc = sp_history_to_text(h, &text)) == SP_OK)
            rc = sp_safetensors_set_meta(s, "history", text);
        free(text);
    }
    return rc;
}

/* Open `path` and check it holds a `kind` checkpoint. */
static int read_kind(sp_safetensors *s, const char *path, const char *kind)
{
    int rc = sp_safetensors_read(s, path);
    if (rc < 0) return rc;
    const char *k = sp_safetensors_meta(s, "spartan.model");
    const char *v = sp_safetensors_meta(s, "spartan.version");
    if (!k || strcmp(k, kind))
        rc = sp_error(SP_EFORMAT, "%s: not a spartan %s checkpoint (model '%s')", path, kind,
                      k ? k : "none");
    else if (!v || strcmp(v, CKPT_VERSION))
        rc = sp_error(SP_EFORMAT, "%s: checkpoint version '%s', this spartan reads version %s "
                      "(retrain or use the spartan that wrote it)", path, v ? v : "none",
                      CKPT_VERSION);
    if (rc < 0) sp_safetensors_uninit(s); /* after the message: k and v live in s */
    return rc;
}

static int64_t meta_int(const sp_safetensors *s, const char *key, int64_t fallback)
{
    const char *v = sp_safetensors_meta(s, key);
    return v ? strtoll(v, NULL, 10) : fallback;
}

static int read_common(const sp_safetensors *s, uint64_t *seed, int64_t *step, int *epochs,
                       sp_train_history *h)
{
    const char *sd = sp_safetensors_meta(s, "seed");
    *seed = sd ? strtoull(sd, NULL, 10) : SP_DEFAULT_SEED;
    *step = meta_int(s, "step", 0);
    *epochs = (int)meta_int(s, "epochs_done", 0);
    if (!h) return SP_OK;
    return sp_history_from_text(sp_safetensors_meta(s, "history"), h);
}

int sp_checkpoint_kind(const char *path, char *kind, size_t cap)
{
    sp_safetensors s;
    int rc = sp_safetensors_read(&s, path);
    if (rc < 0) return rc;
    const char *k = sp_safetensors_meta(&s, "spartan.model");
    if (!k) rc = sp_error(SP_EFORMAT, "%s: a safetensors file but not a spartan checkpoint", path);
    else snprintf(kind, cap, "%s", k);
    sp_safetensors_uninit(&s);
    return rc;
}

/* ---- Wide & Deep -------------------------------------------------------- */

static int wd_meta(sp_safetensors *s, const sp_widedeep_config *c)
{
    char deep[256] = "", opt[256];
    size_t len = 0;
    for (int l = 0; l < c->n_deep; l++)
        len += (size_t)snprintf(deep + len, sizeof deep - len, "%s%d", l ? "," : "", c->deep[l]);
    int rc = meta_printf(s, "fields", "%d", c->fields);
    if (rc == SP_OK) rc = meta_printf(s, "n_ids", "%d", c->n_ids);
    if (rc == SP_OK) rc = meta_printf(s, "emb_dim", "%d", c->emb_dim);
    if (rc == SP_OK) rc = sp_safetensors_set_meta(s, "deep", deep);
    if (rc == SP_OK) rc = sp_safetensors_set_meta(s, "act", sp_act_name(c->act));
    if (rc == SP_OK) rc = meta_printf(s, "init_scale", "%.9g", (double)c->init_scale);
    if (rc == SP_OK) rc = meta_printf(s, "l2_emb", "%.9g", (double)c->l2_emb);
    if (rc == SP_OK) rc = meta_printf(s, "dropout", "%.9g", (double)c->dropout);
    if (rc == SP_OK) rc = meta_printf(s, "max_batch", "%d", c->max_batch);
    sp_optim_config_to_text(&c->wide_opt, opt, sizeof opt);
    if (rc == SP_OK) rc = sp_safetensors_set_meta(s, "wide_optimizer", opt);
    sp_optim_config_to_text(&c->deep_opt, opt, sizeof opt);
    if (rc == SP_OK) rc = sp_safetensors_set_meta(s, "deep_optimizer", opt);
    return rc;
}

int sp_widedeep_save(const sp_widedeep *m, const sp_vocab *v, const sp_train_history *h,
                     const char *path)
{
    sp_safetensors s;
    sp_safetensors_init(&s);
    uint8_t *vbytes = NULL;
    size_t vlen = 0;
    int rc = add_params(&s, &m->P);
    if (rc == SP_OK) rc = add_optim(&s, "optim.wide", &m->opt_wide);
    if (rc == SP_OK) rc = add_optim(&s, "optim.deep", &m->opt_deep);
    if (rc == SP_OK && v && (rc = sp_vocab_to_bytes(v, &vbytes, &vlen)) == SP_OK) {
        int64_t shape[1] = {(int64_t)vlen};
        rc = sp_safetensors_add(&s, "vocab", SP_ST_U8, 1, shape, vbytes);
    }
    if (rc == SP_OK) rc = meta_common(&s, "widedeep", m->seed, m->step, m->epochs_done, h);
    if (rc == SP_OK) rc = wd_meta(&s, &m->cfg);
    if (rc == SP_OK) rc = meta_printf(&s, "optim.wide.t", "%lld", (long long)m->opt_wide.t);
    if (rc == SP_OK) rc = meta_printf(&s, "optim.deep.t", "%lld", (long long)m->opt_deep.t);
    if (rc == SP_OK) rc = sp_safetensors_write(&s, path);
    free(vbytes);
    sp_safetensors_uninit(&s);
    return rc;
}

static int wd_read_config(const sp_safetensors *s, const char *path, sp_widedeep_config *c)
{
    sp_widedeep_config_default(c);
    c->fields = (int)meta_int(s, "fields", -1);
    c->n_ids = (int)meta_int(s, "n_ids", -1);
    c->emb_dim = (int)meta_int(s, "emb_dim", -1);
    c->max_batch = (int)meta_int(s, "max_batch", 16000);
    const char *deep = sp_safetensors_meta(s, "deep"), *act = sp_safetensors_meta(s, "act");
    c->n_deep = 0;
    for (const char *p = deep; p && *p && c->n_deep < SP_WD_MAX_DEEP;) {
        char *end;
        c->deep[c->n_deep++] = (int)strtol(p, &end, 10);
        p = *end == ',' ? end + 1 : end;
        if (end == p && *p) break;
    }
    const char *f;
    if ((f = sp_safetensors_meta(s, "init_scale"))) c->init_scale = strtof(f, NULL);
    if ((f = sp_safetensors_meta(s, "l2_emb"))) c->l2_emb = strtof(f, NULL);
    if ((f = sp_safetensors_meta(s, "dropout"))) c->dropout = strtof(f, NULL);
    if (!deep || !act || sp_act_parse(act, &c->act) < 0 ||
        sp_optim_config_from_text(sp_safetensors_meta(s, "wide_optimizer"), &c->wide_opt) < 0 ||
        sp_optim_config_from_text(sp_safetensors_meta(s, "deep_optimizer"), &c->deep_opt) < 0)
        return sp_error_prefix(SP_EFORMAT, "%s: bad Wide & Deep configuration in metadata: ", path);
    int rc = sp_widedeep_config_check(c);
    return rc < 0 ? sp_error_prefix(SP_EFORMAT, "%s: ", path) : SP_OK;
}

/* The file's shapes must equal expect's. */
static int wd_compare(const char *path, const sp_widedeep_config *f, const sp_widedeep_config *e)
{
    const char *what = f->fields != e->fields ? "fields" : f->n_ids != e->n_ids ? "n_ids (vocabulary size)"
                       : f->emb_dim != e->emb_dim ? "emb_dim" : f->n_deep != e->n_deep ? "deep layers" : NULL;
    for (int l = 0; !what && l < f->n_deep; l++)
        if (f->deep[l] != e->deep[l]) what = "deep layer sizes";
    if (!what) return SP_OK;
    return sp_error(SP_EINVAL,
                    "%s: checkpoint of another model shape: mismatch in %s (checkpoint: fields %d, "
                    "n_ids %d, emb_dim %d, %d deep layers, first %d; expected: %d, %d, %d, %d, "
                    "first %d)",
                    path, what, f->fields, f->n_ids, f->emb_dim, f->n_deep, f->n_deep ? f->deep[0] : 0,
                    e->fields, e->n_ids, e->emb_dim, e->n_deep, e->n_deep ? e->deep[0] : 0);
}

static int wd_load_vocab(const sp_safetensors *s, const char *path, const sp_widedeep *m,
                         sp_vocab **v)
{
    *v = NULL;
    const sp_st_tensor *t = sp_safetensors_find(s, "vocab");
    if (!t) return SP_OK;
    if (t->dtype != SP_ST_U8) return sp_error(SP_EFORMAT, "%s: tensor 'vocab' is not U8", path);
    int rc = sp_vocab_from_bytes(t->data, t->nbytes, "checkpoint", v);
    if (rc < 0) return sp_error_prefix(rc, "%s: ", path);
    if (sp_vocab_n_ids(*v) != m->cfg.n_ids) {
        rc = sp_error(SP_EFORMAT, "%s: vocabulary has %d ids but the tables %d rows", path,
                      sp_vocab_n_ids(*v), m->cfg.n_ids);
        sp_vocab_free(*v);
        *v = NULL;
    }
    return rc;
}

static int wd_load_state(const sp_safetensors *s, const char *path, sp_widedeep *m, sp_vocab **v,
                         sp_train_history *h)
{
    int rc = load_params(s, path, &m->P);
    if (rc == SP_OK) rc = load_optim(s, path, "optim.wide", &m->opt_wide);
    if (rc == SP_OK) rc = load_optim(s, path, "optim.deep", &m->opt_deep);
    if (rc == SP_OK) rc = read_common(s, &m->seed, &m->step, &m->epochs_done, h);
    if (rc == SP_OK && v) rc = wd_load_vocab(s, path, m, v);
    if (rc < 0 && h) sp_train_history_uninit(h);
    return rc;
}

int sp_widedeep_load(const char *path, const sp_widedeep_config *expect, int max_batch,
                     sp_widedeep *m, sp_vocab **v, sp_train_history *h)
{
    memset(m, 0, sizeof *m);
    if (v) *v = NULL;
    if (h) sp_train_history_init(h);
    sp_safetensors s;
    int rc = read_kind(&s, path, "widedeep");
    if (rc < 0) return rc;
    sp_widedeep_config c;
    rc = wd_read_config(&s, path, &c);
    if (rc == SP_OK && expect) rc = wd_compare(path, &c, expect);
    if (max_batch > 0) c.max_batch = max_batch;
    uint64_t seed = (uint64_t)meta_int(&s, "seed", SP_DEFAULT_SEED);
    if (rc == SP_OK) rc = sp_widedeep_init(m, &c, seed);
    if (rc == SP_OK && (rc = wd_load_state(&s, path, m, v, h)) < 0) sp_widedeep_uninit(m);
    sp_safetensors_uninit(&s);
    return rc;
}

/* ---- MLP classifier ----------------------------------------------------- */

int sp_mlp_classifier_save(const sp_mlp_classifier *c, const sp_train_history *h,
                           const char *path)
{
    sp_safetensors s;
    sp_safetensors_init(&s);
    int64_t fshape[1] = {c->features};
    char sizes[512] = "", opt[256];
    size_t len = 0;
    for (int l = 0; l <= c->mlp.nlayers; l++)
        len += (size_t)snprintf(sizes + len, sizeof sizes - len, "%s%d", l ? "," : "", c->mlp.sizes[l]);
    sp_optim_config_to_text(&c->opt.cfg, opt, sizeof opt);
    int rc = add_params(&s, &c->P);
    if (rc == SP_OK) rc = add_optim(&s, "optim", &c->opt);
    if (rc == SP_OK) rc = sp_safetensors_add(&s, "scaler.mean", SP_ST_F32, 1, fshape, c->mean);
    if (rc == SP_OK) rc = sp_safetensors_add(&s, "scaler.inv_std", SP_ST_F32, 1, fshape, c->inv_std);
    if (rc == SP_OK) rc = meta_common(&s, "mlp", c->seed, c->step, c->epochs_done, h);
    if (rc == SP_OK) rc = sp_safetensors_set_meta(&s, "sizes", sizes);
    if (rc == SP_OK) rc = sp_safetensors_set_meta(&s, "act", sp_act_name(c->mlp.act));
    if (rc == SP_OK) rc = sp_safetensors_set_meta(&s, "optimizer", opt);
    if (rc == SP_OK) rc = meta_printf(&s, "optim.t", "%lld", (long long)c->opt.t);
    if (rc == SP_OK) rc = sp_safetensors_write(&s, path);
    sp_safetensors_uninit(&s);
    return rc;
}

static int mc_read_sizes(const sp_safetensors *s, int *sizes, int cap)
{
    int n = 0;
    for (const char *p = sp_safetensors_meta(s, "sizes"); p && *p && n < cap;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p) return -1;
        sizes[n++] = (int)v;
        p = *end == ',' ? end + 1 : end;
    }
    return n;
}

int sp_mlp_classifier_load(const char *path, int max_batch, sp_mlp_classifier *c,
                           sp_train_history *h)
{
    memset(c, 0, sizeof *c);
    if (h) sp_train_history_init(h);
    sp_safetensors s;
    int rc = read_kind(&s, path, "mlp");
    if (rc < 0) return rc;
    int sizes[64], ns = mc_read_sizes(&s, sizes, 64);
    sp_act act;
    sp_optim_config oc;
    if (ns < 2 || sp_act_parse(sp_safetensors_meta(&s, "act"), &act) < 0 ||
        sp_optim_config_from_text(sp_safetensors_meta(&s, "optimizer"), &oc) < 0)
        rc = sp_error(SP_EFORMAT, "%s: bad MLP configuration in metadata", path);
    if (rc == SP_OK) rc = sp_mlp_classifier_init(c, ns, sizes, act, &oc, max_batch > 0 ? max_batch : 1024, 0);
    if (rc == SP_OK) {
        rc = load_params(&s, path, &c->P);
        if (rc == SP_OK) rc = load_optim(&s, path, "optim", &c->opt);
        if (rc == SP_OK) rc = load_f32(&s, path, "scaler.mean", (size_t)c->features, c->mean);
        if (rc == SP_OK) rc = load_f32(&s, path, "scaler.inv_std", (size_t)c->features, c->inv_std);
        if (rc == SP_OK) rc = read_common(&s, &c->seed, &c->step, &c->epochs_done, h);
        if (rc < 0) sp_mlp_classifier_uninit(c);
    }
    sp_safetensors_uninit(&s);
    return rc;
}
