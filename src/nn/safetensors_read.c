/* safetensors_read.c: the safetensors reader: a strict little JSON parser for
 * the header (objects, strings, integer arrays) and checks that every
 * tensor's byte range lies inside the data buffer and matches its shape.
 * Guarantees a malformed file gives SP_EFORMAT naming the file and what is
 * wrong, never a crash; reads the whole file into memory (no mmap). */
#include "spartan/train.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ST_MAX_HEADER (100u << 20)

typedef struct st_parser {
    const char *p, *end;
    const char *path;
} st_parser;

static int perr(const st_parser *ps, const char *what)
{
    return sp_error(SP_EFORMAT, "%s: not a safetensors file: %s", ps->path, what);
}

static void skip_ws(st_parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

static int expect(st_parser *ps, char c)
{
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != c) {
        char msg[48];
        snprintf(msg, sizeof msg, "header: expected '%c'", c);
        return perr(ps, msg);
    }
    ps->p++;
    return SP_OK;
}

static int peek(st_parser *ps, char c)
{
    skip_ws(ps);
    return ps->p < ps->end && *ps->p == c;
}

static int hex4(const char *p, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
        if (d > 15) return -1;
        *v = *v * 16 + d;
    }
    return 0;
}

/* Append code point u (< 0x10000) as UTF-8. */
static size_t put_utf8(char *o, unsigned u)
{
    if (u < 0x80) { o[0] = (char)u; return 1; }
    if (u < 0x800) { o[0] = (char)(0xC0 | u >> 6); o[1] = (char)(0x80 | (u & 63)); return 2; }
    o[0] = (char)(0xE0 | u >> 12);
    o[1] = (char)(0x80 | ((u >> 6) & 63));
    o[2] = (char)(0x80 | (u & 63));
    return 3;
}

/* A JSON string into a new malloc'ed buffer. */
static int parse_string(st_parser *ps, char **out)
{
    int rc = expect(ps, '"');
    if (rc < 0) return rc;
    char *s = sp_malloc((size_t)(ps->end - ps->p) + 1); /* escapes only shrink */
    if (!s) return SP_ENOMEM;
    size_t n = 0;
    while (ps->p < ps->end && *ps->p != '"') {
        char c = *ps->p++;
        if (c != '\\') { s[n++] = c; continue; }
        if (ps->p >= ps->end) break;
        char e = *ps->p++;
        const char *map = "\"\"\\\\//b\bf\fn\nr\rt\t";
        const char *hit = NULL;
        for (const char *m = map; *m; m += 2)
            if (*m == e) hit = m;
        unsigned u;
        if (hit) s[n++] = hit[1];
        else if (e == 'u' && ps->end - ps->p >= 4 && hex4(ps->p, &u) == 0) {
            n += put_utf8(s + n, u);
            ps->p += 4;
        } else {
            free(s);
            return perr(ps, "header: bad escape in a string");
        }
    }
    if (ps->p >= ps->end) {
        free(s);
        return perr(ps, "header: unterminated string");
    }
    ps->p++;
    s[n] = '\0';
    *out = s;
    return SP_OK;
}

static int parse_int(st_parser *ps, int64_t *v)
{
    skip_ws(ps);
    const char *q = ps->p;
    if (q >= ps->end || *q < '0' || *q > '9') return perr(ps, "header: expected an integer >= 0");
    int64_t x = 0;
    while (q < ps->end && *q >= '0' && *q <= '9') {
        if (x > (INT64_MAX - 9) / 10) return perr(ps, "header: integer too large");
        x = x * 10 + (*q++ - '0');
    }
    ps->p = q;
    *v = x;
    return SP_OK;
}

/* [int, ...] with at most cap entries. */
static int parse_int_array(st_parser *ps, int64_t *v, int cap, int *n)
{
    int rc = expect(ps, '[');
    *n = 0;
    if (rc < 0) return rc;
    if (peek(ps, ']')) return expect(ps, ']');
    do {
        if (*n >= cap) return perr(ps, "header: array too long");
        if ((rc = parse_int(ps, &v[(*n)++])) < 0) return rc;
        if (!peek(ps, ',')) break;
        ps->p++;
    } while (1);
    return expect(ps, ']');
}

static int dtype_parse(const char *name, sp_st_dtype *d)
{
    for (int i = 0; i < SP_ST_DTYPE_COUNT; i++)
        if (!strcmp(name, sp_st_dtype_name((sp_st_dtype)i))) {
            *d = (sp_st_dtype)i;
            return 0;
        }
    return -1;
}

/* {"dtype": .., "shape": [..], "data_offsets": [b, e]} into t (offsets in t->shape spare). */
static int parse_tensor(st_parser *ps, sp_st_tensor *t, int64_t off[2])
{
    int rc = expect(ps, '{'), seen = 0;
    while (rc == SP_OK && !peek(ps, '}')) {
        char *key = NULL, *val = NULL;
        int n = 0;
        if ((rc = parse_string(ps, &key)) < 0 || (rc = expect(ps, ':')) < 0) {
            free(key);
            return rc;
        }
        if (!strcmp(key, "dtype")) {
            if ((rc = parse_string(ps, &val)) == SP_OK && dtype_parse(val, &t->dtype) < 0)
                rc = sp_error(SP_EFORMAT, "%s: tensor '%s': unsupported dtype '%s' (F32, F64, I32, I64, U8)",
                              ps->path, t->name, val);
            seen |= 1;
        } else if (!strcmp(key, "shape")) {
            rc = parse_int_array(ps, t->shape, SP_ST_MAXDIM, &t->ndim);
            seen |= 2;
        } else if (!strcmp(key, "data_offsets")) {
            rc = parse_int_array(ps, off, 2, &n);
            if (rc == SP_OK && n != 2) rc = perr(ps, "header: data_offsets needs 2 numbers");
            seen |= 4;
        } else {
            rc = perr(ps, "header: unknown key in a tensor entry");
        }
        free(key);
        free(val);
        if (rc == SP_OK && peek(ps, ',')) ps->p++;
    }
    if (rc == SP_OK && seen != 7) rc = perr(ps, "header: tensor entry lacks dtype, shape or data_offsets");
    return rc < 0 ? rc : expect(ps, '}');
}

static int parse_metadata(st_parser *ps, sp_safetensors *s)
{
    int rc = expect(ps, '{');
    while (rc == SP_OK && !peek(ps, '}')) {
        char *key = NULL, *val = NULL;
        if ((rc = parse_string(ps, &key)) == SP_OK && (rc = expect(ps, ':')) == SP_OK &&
            (rc = parse_string(ps, &val)) == SP_OK)
            rc = sp_safetensors_set_meta(s, key, val);
        free(key);
        free(val);
        if (rc == SP_OK && peek(ps, ',')) ps->p++;
    }
    return rc < 0 ? rc : expect(ps, '}');
}

/* Check t's range [off0, off1) against the buffer and its shape, then point into it. */
static int place_tensor(const st_parser *ps, sp_safetensors *s, sp_st_tensor *t, const int64_t *off,
                        size_t buf_len)
{
    static const size_t size[SP_ST_DTYPE_COUNT] = {4, 8, 4, 8, 1};
    size_t count = 1;
    for (int d = 0; d < t->ndim; d++) {
        if (t->shape[d] > 0 && count > SIZE_MAX / 16 / (size_t)t->shape[d])
            return perr(ps, "header: tensor too large");
        count *= (size_t)t->shape[d];
    }
    if (off[0] > off[1] || (uint64_t)off[1] > buf_len ||
        (size_t)(off[1] - off[0]) != count * size[t->dtype])
        return sp_error(SP_EFORMAT, "%s: tensor '%s': data_offsets [%lld, %lld] do not fit its shape "
                        "or the %zu-byte data buffer (truncated file?)",
                        ps->path, t->name, (long long)off[0], (long long)off[1], buf_len);
    t->nbytes = count * size[t->dtype];
    t->data = s->buffer + off[0];
    return SP_OK;
}

static int parse_header(st_parser *ps, sp_safetensors *s, size_t buf_len)
{
    int rc = expect(ps, '{');
    while (rc == SP_OK && !peek(ps, '}')) {
        char *name = NULL;
        if ((rc = parse_string(ps, &name)) == SP_OK) rc = expect(ps, ':');
        if (rc == SP_OK && !strcmp(name, "__metadata__")) {
            free(name);
            rc = parse_metadata(ps, s);
        } else if (rc == SP_OK) {
            int64_t off[2] = {0, 0}, shape0[1] = {0};
            if ((rc = sp_safetensors_add(s, name, SP_ST_U8, 1, shape0, NULL)) < 0)
                rc = sp_error(SP_EFORMAT, "%s: %s", ps->path, sp_errmsg());
            free(name);
            if (rc == SP_OK) rc = parse_tensor(ps, &s->t[s->n - 1], off);
            if (rc == SP_OK) rc = place_tensor(ps, s, &s->t[s->n - 1], off, buf_len);
        } else {
            free(name);
        }
        if (rc == SP_OK && peek(ps, ',')) ps->p++;
    }
    return rc < 0 ? rc : expect(ps, '}');
}

/* Whole file into memory: *data (malloc'ed), *len. */
static int read_file(const char *path, unsigned char **data, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return sp_error(SP_EIO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = sp_malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, fp);
        if (n < cap) break;
        unsigned char *b2 = sp_realloc(buf, cap * 2);
        if (!b2) { free(buf); buf = NULL; break; }
        buf = b2;
        cap *= 2;
    }
    int err = ferror(fp);
    fclose(fp);
    if (!buf) return SP_ENOMEM;
    if (err) {
        free(buf);
        return sp_error(SP_EIO, "%s: read error", path);
    }
    *data = buf;
    *len = n;
    return SP_OK;
}

int sp_safetensors_read(sp_safetensors *s, const char *path)
{
    sp_safetensors_init(s);
    unsigned char *file = NULL;
    size_t len = 0;
    int rc = read_file(path, &file, &len);
    if (rc < 0) return rc;
    uint64_t hlen = 0;
    for (int i = 0; i < 8 && len >= 8; i++)
        hlen |= (uint64_t)file[i] << (8 * i);
    if (len < 8 || hlen > ST_MAX_HEADER || hlen > len - 8) {
        free(file);
        return sp_error(SP_EFORMAT, "%s: not a safetensors file (header length %llu, file %zu bytes)",
                        path, (unsigned long long)hlen, len);
    }
    size_t buf_len = len - 8 - (size_t)hlen;
    s->buffer = sp_malloc(buf_len ? buf_len : 1);
    if (!s->buffer) {
        free(file);
        return SP_ENOMEM;
    }
    memcpy(s->buffer, file + 8 + hlen, buf_len);
    st_parser ps = {(const char *)file + 8, (const char *)file + 8 + hlen, path};
    rc = parse_header(&ps, s, buf_len);
    free(file);
    if (rc < 0) sp_safetensors_uninit(s);
    return rc;
}
