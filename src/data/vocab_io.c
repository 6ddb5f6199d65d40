/* vocab_io.c: the vocabulary's binary form, little-endian on every platform:
 *   "SPVOCAB\0" | u32 version | u32 dense mode | i64 min_count, vocab_size,
 *   hash_buckets, rows | f64 int_max[13] | i64 n | n x (u64 key, i64 count) | u32 crc32
 * Guarantees: bad magic, other versions, truncation and corruption are
 * detected and the message says what to do. Files are written atomically. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "data/data_internal.h"

#define VOCAB_MAGIC "SPVOCAB"
#define VOCAB_VERSION 1u
#define VOCAB_HEADER (8 + 4 + 4 + 4 * 8 + SP_CRITEO_INT_FIELDS * 8 + 8)

static void put_u64(uint8_t **p, uint64_t x)
{
    for (int i = 0; i < 8; i++) (*p)[i] = (uint8_t)(x >> (8 * i));
    *p += 8;
}

static void put_u32(uint8_t **p, uint32_t x)
{
    for (int i = 0; i < 4; i++) (*p)[i] = (uint8_t)(x >> (8 * i));
    *p += 4;
}

static uint64_t get_u64(const uint8_t **p)
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++) x |= (uint64_t)(*p)[i] << (8 * i);
    *p += 8;
    return x;
}

static uint32_t get_u32(const uint8_t **p)
{
    uint32_t x = 0;
    for (int i = 0; i < 4; i++) x |= (uint32_t)(*p)[i] << (8 * i);
    *p += 4;
    return x;
}

static uint64_t f64_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static double bits_f64(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}

int sp_vocab_to_bytes(const sp_vocab *v, uint8_t **buf, size_t *len)
{
    size_t n = (size_t)v->n, total = VOCAB_HEADER + 16 * n + 4;
    uint8_t *b = sp_malloc(total), *p = b;
    if (!b) return SP_ENOMEM;
    memcpy(p, VOCAB_MAGIC, 8);
    p += 8;
    put_u32(&p, VOCAB_VERSION);
    put_u32(&p, (uint32_t)v->opt.dense);
    put_u64(&p, (uint64_t)v->opt.min_count);
    put_u64(&p, (uint64_t)v->opt.vocab_size);
    put_u64(&p, (uint64_t)v->opt.hash_buckets);
    put_u64(&p, (uint64_t)v->rows);
    for (int f = 0; f < SP_CRITEO_INT_FIELDS; f++) put_u64(&p, f64_bits(v->int_max[f]));
    put_u64(&p, (uint64_t)n);
    for (size_t i = 0; i < n; i++) {
        put_u64(&p, v->keys[i]);
        put_u64(&p, (uint64_t)v->counts[i]);
    }
    put_u32(&p, (uint32_t)crc32(0L, b, (uInt)(total - 4)));
    *buf = b;
    *len = total;
    return SP_OK;
}

/* Magic, version, length and checksum; *n = entries. */
static int check_header(const uint8_t *buf, size_t len, const char *name, uint64_t *n)
{
    if (len < 12 || memcmp(buf, VOCAB_MAGIC, 8) != 0)
        return sp_error(SP_EFORMAT, "%s: not a spartan vocabulary (bad magic number); build one "
                        "with sp_vocab_save / --vocab-out from the training data", name);
    const uint8_t *p = buf + 8;
    uint32_t version = get_u32(&p);
    if (version != VOCAB_VERSION)
        return sp_error(SP_EFORMAT, "%s: vocabulary format version %u, this spartan reads "
                        "version %u; rebuild the vocabulary with this spartan (--vocab-out)",
                        name, version, VOCAB_VERSION);
    if (len < VOCAB_HEADER + 4)
        return sp_error(SP_EFORMAT, "%s: truncated vocabulary (%zu bytes); rebuild it", name, len);
    p = buf + VOCAB_HEADER - 8;
    *n = get_u64(&p);
    if (*n > (len - VOCAB_HEADER - 4) / 16 || len != VOCAB_HEADER + 16 * *n + 4)
        return sp_error(SP_EFORMAT, "%s: truncated or oversized vocabulary (%zu bytes for %llu "
                        "entries); rebuild it", name, len, (unsigned long long)*n);
    p = buf + len - 4;
    if (get_u32(&p) != (uint32_t)crc32(0L, buf, (uInt)(len - 4)))
        return sp_error(SP_EFORMAT, "%s: vocabulary checksum mismatch (file corrupted); rebuild "
                        "it", name);
    return SP_OK;
}

static int read_body(sp_vocab *v, const uint8_t *buf, const char *name)
{
    const uint8_t *p = buf + 12;
    v->opt.dense = (sp_dense_mode)get_u32(&p);
    v->opt.min_count = (int64_t)get_u64(&p);
    v->opt.vocab_size = (int64_t)get_u64(&p);
    v->opt.hash_buckets = (int64_t)get_u64(&p);
    v->rows = (int64_t)get_u64(&p);
    for (int f = 0; f < SP_CRITEO_INT_FIELDS; f++) v->int_max[f] = bits_f64(get_u64(&p));
    v->n = (int64_t)get_u64(&p);
    if (sp_vocab_options_check(&v->opt) < 0)
        return sp_error_prefix(SP_EFORMAT, "%s: invalid vocabulary header: ", name);
    if (v->n > INT32_MAX - SP_VOCAB_FIRST_ID || (v->opt.hash_buckets > 0 && v->n > 0))
        return sp_error(SP_EFORMAT, "%s: invalid vocabulary size %lld", name, (long long)v->n);
    v->keys = sp_malloc(((size_t)v->n + 1) * sizeof *v->keys);
    v->counts = sp_malloc(((size_t)v->n + 1) * sizeof *v->counts);
    if (!v->keys || !v->counts) return SP_ENOMEM;
    for (int64_t i = 0; i < v->n; i++) {
        v->keys[i] = get_u64(&p);
        v->counts[i] = (int64_t)get_u64(&p);
        uint64_t k = v->keys[i];
        if ((k >> 33) >= SP_CRITEO_CAT_FIELDS || ((k >> 32 & 1u) && (uint32_t)k != 0))
            return sp_error(SP_EFORMAT, "%s: invalid vocabulary entry %lld", name, (long long)i);
    }
    return sp_vocab_index(v);
}

int sp_vocab_from_bytes(const uint8_t *buf, size_t len, const char *name, sp_vocab **out)
{
    *out = NULL;
    uint64_t n;
    int rc = check_header(buf, len, name, &n);
    if (rc < 0) return rc;
    sp_vocab *v = sp_calloc(1, sizeof *v);
    if (!v) return SP_ENOMEM;
    rc = read_body(v, buf, name);
    if (rc < 0) {
        sp_vocab_free(v);
        return rc;
    }
    *out = v;
    return SP_OK;
}

int sp_vocab_save(const sp_vocab *v, const char *path)
{
    uint8_t *buf;
    size_t len;
    int rc = sp_vocab_to_bytes(v, &buf, &len);
    if (rc < 0) return rc;
    sp_atomic_file f;
    rc = sp_atomic_open(&f, path);
    if (rc == SP_OK) {
        if (fwrite(buf, 1, len, f.fp) != len) {
            sp_atomic_abort(&f);
            rc = sp_error(SP_EIO, "%s: write failed", path);
        } else {
            rc = sp_atomic_commit(&f);
        }
    }
    free(buf);
    return rc;
}

int sp_vocab_load(const char *path, sp_vocab **v)
{
    *v = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return sp_error(SP_EIO, "%s: cannot open vocabulary", path);
    size_t cap = 1 << 16, len = 0, got;
    uint8_t *buf = sp_malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *nb = sp_realloc(buf, cap *= 2);
            if (!nb) free(buf);
            buf = nb;
        }
    }
    int err = ferror(fp);
    fclose(fp);
    if (!buf) return SP_ENOMEM;
    int rc = err ? sp_error(SP_EIO, "%s: read error", path)
                 : sp_vocab_from_bytes(buf, len, path, v);
    free(buf);
    return rc;
}
