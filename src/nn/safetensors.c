/* safetensors.c: writer and reader of the safetensors format (8-byte
 * little-endian header length, JSON header with dtype/shape/data_offsets per
 * tensor and a string-to-string __metadata__, then the raw little-endian
 * data). Guarantees: writes go to a temp file renamed into place; the reader
 * validates every offset and size before use. Little-endian hosts only. */
#include "spartan/train.h"
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    size_t size;
} st_dtypes[] = {
    [SP_ST_F32] = {"F32", 4}, [SP_ST_F64] = {"F64", 8}, [SP_ST_I32] = {"I32", 4},
    [SP_ST_I64] = {"I64", 8}, [SP_ST_U8] = {"U8", 1},
};
_Static_assert(sizeof st_dtypes / sizeof st_dtypes[0] == SP_ST_DTYPE_COUNT,
               "one row per sp_st_dtype");

const char *sp_st_dtype_name(sp_st_dtype d)
{
    return (int)d >= 0 && d < SP_ST_DTYPE_COUNT ? st_dtypes[d].name : NULL;
}

void sp_safetensors_init(sp_safetensors *s)
{
    memset(s, 0, sizeof *s);
}

void sp_safetensors_uninit(sp_safetensors *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->t[i].name);
    for (int i = 0; i < s->n_meta; i++) {
        free(s->keys[i]);
        free(s->vals[i]);
    }
    free(s->t);
    free(s->keys);
    free(s->vals);
    free(s->buffer);
    memset(s, 0, sizeof *s);
}

static char *st_strdup(const char *x)
{
    size_t len = strlen(x);
    char *c = sp_malloc(len + 1);
    if (c) memcpy(c, x, len + 1);
    return c;
}

int sp_safetensors_add(sp_safetensors *s, const char *name, sp_st_dtype dtype, int ndim,
                       const int64_t *shape, const void *data)
{
    if (!name || !name[0] || !sp_st_dtype_name(dtype) || ndim < 0 || ndim > SP_ST_MAXDIM)
        return sp_error(SP_EINVAL, "safetensors: bad tensor '%s' (dtype %d, ndim %d)",
                        name ? name : "", (int)dtype, ndim);
    if (sp_safetensors_find(s, name) || !strcmp(name, "__metadata__"))
        return sp_error(SP_EINVAL, "safetensors: duplicate tensor name '%s'", name);
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 16;
        sp_st_tensor *t = sp_realloc(s->t, (size_t)cap * sizeof *t);
        if (!t) return SP_ENOMEM;
        s->t = t;
        s->cap = cap;
    }
    sp_st_tensor *t = &s->t[s->n];
    memset(t, 0, sizeof *t);
    size_t count = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0) return sp_error(SP_EINVAL, "safetensors: '%s' has a negative dim", name);
        t->shape[d] = shape[d];
        count *= (size_t)shape[d];
    }
    if (!(t->name = st_strdup(name))) return SP_ENOMEM;
    t->dtype = dtype;
    t->ndim = ndim;
    t->nbytes = count * st_dtypes[dtype].size;
    t->data = data;
    s->n++;
    return SP_OK;
}

int sp_safetensors_set_meta(sp_safetensors *s, const char *key, const char *value)
{
    for (int i = 0; i < s->n_meta; i++)
        if (!strcmp(s->keys[i], key)) {
            char *v = st_strdup(value);
            if (!v) return SP_ENOMEM;
            free(s->vals[i]);
            s->vals[i] = v;
            return SP_OK;
        }
    if (s->n_meta == s->meta_cap) {
        int cap = s->meta_cap ? 2 * s->meta_cap : 16;
        char **k = sp_realloc(s->keys, (size_t)cap * sizeof *k);
        if (!k) return SP_ENOMEM;
        s->keys = k;
        char **v = sp_realloc(s->vals, (size_t)cap * sizeof *v);
        if (!v) return SP_ENOMEM;
        s->vals = v;
        s->meta_cap = cap;
    }
    s->keys[s->n_meta] = st_strdup(key);
    s->vals[s->n_meta] = st_strdup(value);
    if (!s->keys[s->n_meta] || !s->vals[s->n_meta]) {
        free(s->keys[s->n_meta]);
        free(s->vals[s->n_meta]);
        return SP_ENOMEM;
    }
    s->n_meta++;
    return SP_OK;
}

const sp_st_tensor *sp_safetensors_find(const sp_safetensors *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->t[i].name, name)) return &s->t[i];
    return NULL;
}

const char *sp_safetensors_meta(const sp_safetensors *s, const char *key)
{
    for (int i = 0; i < s->n_meta; i++)
        if (!strcmp(s->keys[i], key)) return s->vals[i];
    return NULL;
}

/* ---- writer ------------------------------------------------------------- */

typedef struct st_buf {
    char *p;
    size_t len, cap;
    int failed;
} st_buf;

static void buf_put(st_buf *b, const char *x, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *p = sp_realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, x, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_str(st_buf *b, const char *x)
{
    buf_put(b, x, strlen(x));
}

static void buf_json_string(st_buf *b, const char *s)
{
    buf_put(b, "\"", 1);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        char esc[8];
        if (*c == '"' || *c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*c;
            buf_put(b, esc, 2);
        } else if (*c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", *c);
            buf_str(b, esc);
        } else {
            buf_put(b, (const char *)c, 1);
        }
    }
    buf_put(b, "\"", 1);
}

static void header_tensor(st_buf *b, const sp_st_tensor *t, size_t begin)
{
    char num[64];
    buf_json_string(b, t->name);
    buf_str(b, ":{\"dtype\":\"");
    buf_str(b, st_dtypes[t->dtype].name);
    buf_str(b, "\",\"shape\":[");
    for (int d = 0; d < t->ndim; d++) {
        snprintf(num, sizeof num, "%s%lld", d ? "," : "", (long long)t->shape[d]);
        buf_str(b, num);
    }
    snprintf(num, sizeof num, "],\"data_offsets\":[%zu,%zu]}", begin, begin + t->nbytes);
    buf_str(b, num);
}

/* The JSON header padded with spaces to a multiple of 8. */
static int build_header(const sp_safetensors *s, st_buf *b)
{
    buf_str(b, "{");
    size_t off = 0;
    for (int i = 0; i < s->n; i++) {
        if (i) buf_str(b, ",");
        header_tensor(b, &s->t[i], off);
        off += s->t[i].nbytes;
    }
    if (s->n_meta) {
        buf_str(b, s->n ? ",\"__metadata__\":{" : "\"__metadata__\":{");
        for (int i = 0; i < s->n_meta; i++) {
            if (i) buf_str(b, ",");
            buf_json_string(b, s->keys[i]);
            buf_str(b, ":");
            buf_json_string(b, s->vals[i]);
        }
        buf_str(b, "}");
    }
    buf_str(b, "}");
    while (!b->failed && b->len % 8)
        buf_str(b, " ");
    return b->failed ? SP_ENOMEM : SP_OK;
}

int sp_safetensors_write(const sp_safetensors *s, const char *path)
{
    st_buf b = {0};
    int rc = build_header(s, &b);
    if (rc < 0) {
        free(b.p);
        return rc;
    }
    sp_atomic_file f;
    if ((rc = sp_atomic_open(&f, path)) < 0) {
        free(b.p);
        return rc;
    }
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)((uint64_t)b.len >> (8 * i));
    fwrite(len8, 1, 8, f.fp);
    fwrite(b.p, 1, b.len, f.fp);
    for (int i = 0; i < s->n; i++)
        if (s->t[i].nbytes) fwrite(s->t[i].data, 1, s->t[i].nbytes, f.fp);
    free(b.p);
    return sp_atomic_commit(&f);
}
