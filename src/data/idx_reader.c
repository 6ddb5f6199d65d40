/* idx_reader.c: IDX files (the MNIST format), plain or gzip through zlib:
 * read (all or the first items), header only, probe, write (temp + rename).
 * Guarantees: every malformed file gives SP_EFORMAT naming the file, the byte
 * offset and what was expected; sizes are checked before allocating. Reads
 * unsigned-byte data only (type 0x08), not the short/int/float types. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "spartan/data.h"

#define IDX_MAX_BYTES ((int64_t)1 << 36) /* refuse headers promising more than 64 GiB */

static const char *idx_type_name(int type)
{
    switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "short";
    case 0x0C: return "int";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default: return "unknown";
    }
}

/* Read exactly n bytes; returns bytes read (< n at end of file) or < 0 with a message. */
static int64_t idx_gzread_full(gzFile gz, const char *path, void *buf, int64_t n)
{
    int64_t done = 0;
    while (done < n) {
        int64_t want = n - done > (1 << 30) ? (1 << 30) : n - done;
        int got = gzread(gz, (uint8_t *)buf + done, (unsigned)want);
        int err = Z_OK;
        const char *msg = gzerror(gz, &err);
        if (got > 0) done += got;
        if (err == Z_BUF_ERROR) break; /* gzip stream cut short: a truncated file */
        if (got < 0 || err != Z_OK)
            return sp_error(SP_EFORMAT, "%s: read error after %lld bytes: %s", path,
                            (long long)done, msg);
        if (got == 0) break;
    }
    return done;
}

static gzFile idx_open(const char *path)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz) sp_error(SP_EIO, "%s: cannot open: %s", path, strerror(errno ? errno : ENOENT));
    return gz;
}

/* Magic at byte 0: 00 00 TYPE NDIM with TYPE 0x08 and 1 <= NDIM <= 4. */
static int idx_check_magic(const char *path, const uint8_t m[4], int64_t got)
{
    uint32_t magic = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
    if (got < 4)
        return sp_error(SP_EFORMAT, "%s: truncated IDX header: the file has %lld bytes, the "
                        "magic number alone needs 4", path, (long long)got);
    if (m[0] != 0 || m[1] != 0)
        return sp_error(SP_EFORMAT, "%s: not an IDX file: magic 0x%08x at byte 0 (expected "
                        "00 00 08 NDIM: 0x00000801 for labels, 0x00000803 for images)",
                        path, (unsigned)magic);
    if (m[2] != SP_IDX_UBYTE)
        return sp_error(SP_EFORMAT, "%s: IDX data type 0x%02x (%s) at byte 2: only unsigned "
                        "bytes (0x08) are read", path, m[2], idx_type_name(m[2]));
    if (m[3] < 1 || m[3] > SP_IDX_MAXDIM)
        return sp_error(SP_EFORMAT, "%s: IDX magic 0x%08x: %d dimensions at byte 3 (1 to %d "
                        "are read)", path, (unsigned)magic, m[3], SP_IDX_MAXDIM);
    return SP_OK;
}

/* Magic and dimensions from an open stream into x (data untouched). */
static int idx_read_header_gz(gzFile gz, const char *path, sp_idx *x)
{
    uint8_t h[4 + 4 * SP_IDX_MAXDIM];
    int64_t got = idx_gzread_full(gz, path, h, 4);
    if (got < 0) return (int)got;
    int rc = idx_check_magic(path, h, got);
    if (rc < 0) return rc;
    int nd = h[3], need = 4 * nd;
    if ((got = idx_gzread_full(gz, path, h + 4, need)) < 0) return (int)got;
    if (got < need)
        return sp_error(SP_EFORMAT, "%s: truncated IDX header: the file ends at byte %lld, "
                        "the header needs %d bytes (magic + %d dimensions)", path,
                        (long long)(4 + got), 4 + need, nd);
    x->ndim = nd;
    int64_t total = 1;
    for (int d = 0; d < nd; d++) {
        const uint8_t *p = h + 4 + 4 * d;
        x->dims[d] = (int64_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
        if (x->dims[d] < 1)
            return sp_error(SP_EFORMAT, "%s: IDX dimension %d (bytes %d-%d) is 0", path, d + 1,
                            4 + 4 * d, 7 + 4 * d);
        if (total > IDX_MAX_BYTES / x->dims[d])
            return sp_error(SP_EFORMAT, "%s: IDX dimensions declare more than %lld bytes",
                            path, (long long)IDX_MAX_BYTES);
        total *= x->dims[d];
    }
    x->file_items = x->dims[0];
    return SP_OK;
}

int64_t sp_idx_item_size(const sp_idx *x)
{
    int64_t s = 1;
    for (int d = 1; d < x->ndim; d++)
        s *= x->dims[d];
    return s;
}

void sp_idx_uninit(sp_idx *x)
{
    if (!x) return;
    free(x->data);
    memset(x, 0, sizeof *x);
}

int sp_idx_read_header(const char *path, sp_idx *x)
{
    memset(x, 0, sizeof *x);
    gzFile gz = idx_open(path);
    if (!gz) return SP_EIO;
    int rc = idx_read_header_gz(gz, path, x);
    gzclose(gz);
    if (rc < 0) memset(x, 0, sizeof *x);
    return rc;
}

/* The file must end here: SP_EFORMAT naming the extra bytes otherwise. */
static int idx_check_end(gzFile gz, const char *path, const sp_idx *x, int64_t end)
{
    uint8_t extra[4096];
    int64_t n = idx_gzread_full(gz, path, extra, sizeof extra);
    if (n < 0) return (int)n;
    if (n == 0) return SP_OK;
    return sp_error(SP_EFORMAT, "%s: %s%lld bytes after the data, which ends at byte %lld "
                    "(%lld items of %lld bytes): not an IDX file of this shape", path,
                    n == (int64_t)sizeof extra ? "at least " : "", (long long)n, (long long)end,
                    (long long)x->dims[0], (long long)sp_idx_item_size(x));
}

/* The data of the first x->dims[0] items into x->data (allocated here). */
static int idx_read_data(gzFile gz, const char *path, sp_idx *x, int whole)
{
    int64_t item = sp_idx_item_size(x), header = 4 + 4 * (int64_t)x->ndim;
    x->count = x->dims[0] * item;
    x->data = sp_malloc((size_t)(x->count > 0 ? x->count : 1));
    if (!x->data) return SP_ENOMEM;
    int64_t got = idx_gzread_full(gz, path, x->data, x->count);
    if (got < 0) return (int)got;
    if (got < x->count) {
        char shape[96];
        int len = snprintf(shape, sizeof shape, "%lld", (long long)x->file_items);
        for (int d = 1; d < x->ndim && len < (int)sizeof shape - 24; d++)
            len += snprintf(shape + len, sizeof shape - (size_t)len, " x %lld", (long long)x->dims[d]);
        return sp_error(SP_EFORMAT, "%s: truncated IDX data: the header says %s (%lld data bytes "
                        "from byte %lld), the file ends at byte %lld, inside item %lld", path,
                        shape, (long long)(x->file_items * item), (long long)header,
                        (long long)(header + got), (long long)(got / item));
    }
    return whole ? idx_check_end(gz, path, x, header + got) : SP_OK;
}

int sp_idx_read(const char *path, int64_t max_items, sp_idx *x)
{
    memset(x, 0, sizeof *x);
    gzFile gz = idx_open(path);
    if (!gz) return SP_EIO;
    int rc = idx_read_header_gz(gz, path, x);
    int whole = max_items <= 0 || max_items >= x->file_items;
    if (rc == SP_OK && !whole) x->dims[0] = max_items;
    if (rc == SP_OK) rc = idx_read_data(gz, path, x, whole);
    gzclose(gz);
    if (rc < 0) sp_idx_uninit(x);
    return rc;
}

int sp_idx_probe(const char *path)
{
    gzFile gz = idx_open(path);
    if (!gz) return SP_EIO;
    uint8_t m[4];
    int64_t got = idx_gzread_full(gz, path, m, 4);
    gzclose(gz);
    if (got < 0) return (int)got;
    return got == 4 && m[0] == 0 && m[1] == 0 && m[2] == SP_IDX_UBYTE && m[3] >= 1 &&
           m[3] <= SP_IDX_MAXDIM;
}

/* Header and data of x as bytes to gz. */
static int idx_write_gz(gzFile gz, const char *path, const sp_idx *x)
{
    uint8_t h[4 + 4 * SP_IDX_MAXDIM] = {0, 0, SP_IDX_UBYTE, (uint8_t)x->ndim};
    for (int d = 0; d < x->ndim; d++)
        for (int k = 0; k < 4; k++)
            h[4 + 4 * d + k] = (uint8_t)((uint64_t)x->dims[d] >> (24 - 8 * k));
    int hl = 4 + 4 * x->ndim;
    if (gzwrite(gz, h, (unsigned)hl) != hl) return sp_error(SP_EIO, "%s: write failed", path);
    for (int64_t off = 0; off < x->count; off += 1 << 30) {
        unsigned n = (unsigned)(x->count - off < (1 << 30) ? x->count - off : (1 << 30));
        if (gzwrite(gz, x->data + off, n) != (int)n) return sp_error(SP_EIO, "%s: write failed", path);
    }
    return SP_OK;
}

int sp_idx_write(const char *path, const sp_idx *x, int gzip)
{
    if (x->ndim < 1 || x->ndim > SP_IDX_MAXDIM || !x->data)
        return sp_error(SP_EINVAL, "idx write %s: ndim %d (1 to %d) and data needed", path,
                        x->ndim, SP_IDX_MAXDIM);
    int64_t count = 1;
    for (int d = 0; d < x->ndim; d++) {
        if (x->dims[d] < 1 || x->dims[d] > 0xFFFFFFFFll)
            return sp_error(SP_EINVAL, "idx write %s: dimension %d = %lld", path, d + 1,
                            (long long)x->dims[d]);
        count *= x->dims[d];
    }
    if (count != x->count)
        return sp_error(SP_EINVAL, "idx write %s: count %lld is not the product of the dims %lld",
                        path, (long long)x->count, (long long)count);
    sp_atomic_file f;
    int rc = sp_atomic_open(&f, path);
    if (rc < 0) return rc;
    fflush(f.fp);
    gzFile gz = gzdopen(dup(fileno(f.fp)), gzip ? "wb9" : "wbT");
    if (!gz) rc = sp_error(SP_EIO, "%s: cannot open a compressed stream", path);
    if (rc == SP_OK) rc = idx_write_gz(gz, path, x);
    if (gz && gzclose(gz) != Z_OK && rc == SP_OK) rc = sp_error(SP_EIO, "%s: write failed", path);
    if (rc == SP_OK) return sp_atomic_commit(&f);
    sp_atomic_abort(&f);
    return rc;
}
