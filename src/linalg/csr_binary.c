/* csr_binary.c: the binary CSR format of csr_binary.h: write (temp file +
 * rename), read whole or by row ranges, CRC-32 checksums that combine across
 * row ranges. Guarantees: every malformed, truncated or corrupted file gives
 * SP_EFORMAT "PATH: what" (never a crash, never an allocation larger than the
 * file justifies). Does not convert byte order (such files are refused). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include "spartan/csr_binary.h"

static const unsigned char csr_magic[8] = {0x89, 'S', 'P', 'C', 'S', 'R', '\r', '\n'};
#define BYTE_ORDER_MARK 0x01020304u
#define VALUE_KIND_IEEE_DOUBLE 1

static uint32_t crc_bytes(uint32_t crc, const void *p, size_t len)
{
    return (uint32_t)crc32_z(crc, (const Bytef *)p, len);
}

static int64_t expected_bytes(int64_t rows, int64_t nnz)
{
    return SP_CSR_BINARY_HEADER_BYTES + 8 * (rows + 1) + 12 * nnz;
}

static void encode_header(const sp_csr *A, int symmetric, const uint32_t crc[3], unsigned char *h)
{
    uint32_t version = SP_CSR_BINARY_VERSION, bom = BYTE_ORDER_MARK, flags = symmetric ? 1u : 0u;
    int64_t dims[3] = {A->rows, A->cols, A->nnz};
    unsigned char types[4] = {8, 4, 8, VALUE_KIND_IEEE_DOUBLE};
    memset(h, 0, SP_CSR_BINARY_HEADER_BYTES);
    memcpy(h, csr_magic, 8);
    memcpy(h + 8, &version, 4);
    memcpy(h + 12, &bom, 4);
    memcpy(h + 16, dims, 24);
    memcpy(h + 40, types, 4);
    memcpy(h + 44, &flags, 4);
    memcpy(h + 48, crc, 12);
    uint32_t hcrc = crc_bytes(0, h, 60);
    memcpy(h + 60, &hcrc, 4);
}

static int write_all(FILE *fp, const void *p, size_t bytes)
{
    return bytes == 0 || fwrite(p, 1, bytes, fp) == bytes ? SP_OK : SP_EIO;
}

int sp_csr_binary_write(const char *path, const sp_csr *A, int symmetric)
{
    if (!path || !A || A->rows < 0 || A->cols < 0 || A->nnz < 0 || !A->rowptr)
        return sp_error(SP_EINVAL, "csr_binary_write: NULL or invalid argument");
    size_t nnz = (size_t)A->nnz;
    uint32_t crc[3] = {crc_bytes(0, A->rowptr, ((size_t)A->rows + 1) * 8),
                       crc_bytes(0, A->colind, nnz * 4), crc_bytes(0, A->val, nnz * 8)};
    unsigned char h[SP_CSR_BINARY_HEADER_BYTES];
    encode_header(A, symmetric, crc, h);
    sp_atomic_file f;
    int rc = sp_atomic_open(&f, path);
    if (rc < 0) return rc;
    rc = write_all(f.fp, h, sizeof h);
    if (rc == SP_OK) rc = write_all(f.fp, A->rowptr, ((size_t)A->rows + 1) * 8);
    if (rc == SP_OK) rc = write_all(f.fp, A->colind, nnz * 4);
    if (rc == SP_OK) rc = write_all(f.fp, A->val, nnz * 8);
    if (rc < 0) {
        int err = errno;
        sp_atomic_abort(&f);
        return sp_error(SP_EIO, "%s: write failed: %s", path, strerror(err));
    }
    return sp_atomic_commit(&f);
}

/* ---- header ---------------------------------------------------------------- */

static int open_sized(const char *path, FILE **fp, int64_t *size)
{
    *fp = fopen(path, "rb");
    if (!*fp) return sp_error(SP_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(*fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(*fp);
        *fp = NULL;
        return sp_error(SP_EIO, "%s: not a regular file", path);
    }
    *size = (int64_t)st.st_size;
    return SP_OK;
}

static int check_magic(const char *path, const unsigned char *h, int64_t size)
{
    if (size >= 14 && !memcmp(h, "%%MatrixMarket", 14))
        return sp_error(SP_EFORMAT, "%s: this is a Matrix Market text file, not binary CSR: read it "
                        "as .mtx, or convert it with `spartan convert in.mtx out.csr`", path);
    if (size < 8 || memcmp(h, csr_magic, 8))
        return sp_error(SP_EFORMAT, "%s: not a spartan binary CSR file (bad magic number); make one "
                        "with `spartan convert in.mtx out.csr`", path);
    if (size < SP_CSR_BINARY_HEADER_BYTES)
        return sp_error(SP_EFORMAT, "%s: truncated: %lld bytes, shorter than the %d-byte header", path,
                        (long long)size, SP_CSR_BINARY_HEADER_BYTES);
    return SP_OK;
}

static int check_version(const char *path, const unsigned char *h)
{
    uint32_t version, bom, stored, hcrc = crc_bytes(0, h, 60);
    memcpy(&version, h + 8, 4);
    memcpy(&bom, h + 12, 4);
    memcpy(&stored, h + 60, 4);
    if (bom != BYTE_ORDER_MARK && version != SP_CSR_BINARY_VERSION)
        return sp_error(SP_EFORMAT, "%s: written on a machine with the other byte order (or corrupted "
                        "header); convert the Matrix Market file again on this machine", path);
    if (version != SP_CSR_BINARY_VERSION)
        return sp_error(SP_EFORMAT, "%s: binary CSR version %u is not supported (this spartan reads "
                        "version %d): convert the Matrix Market file again with this spartan",
                        path, version, SP_CSR_BINARY_VERSION);
    if (stored != hcrc)
        return sp_error(SP_EFORMAT, "%s: header checksum mismatch (stored %08x, computed %08x): the "
                        "file is corrupted", path, stored, hcrc);
    return SP_OK;
}

static int decode_header(const char *path, const unsigned char *h, int64_t size, sp_csr_binary_info *info)
{
    int64_t dims[3];
    uint32_t flags;
    memcpy(dims, h + 16, 24);
    memcpy(&flags, h + 44, 4);
    if (h[40] != 8 || h[41] != 4 || h[42] != 8 || h[43] != VALUE_KIND_IEEE_DOUBLE)
        return sp_error(SP_EFORMAT, "%s: unsupported types (row pointer %d, index %d, value %d bytes, "
                        "kind %d; this spartan reads 8, 4, 8, IEEE double)", path, h[40], h[41], h[42], h[43]);
    if (dims[0] < 0 || dims[0] > INT32_MAX - 1 || dims[1] < 0 || dims[1] > INT32_MAX || dims[2] < 0 ||
        dims[2] > (INT64_MAX - 64) / 32)
        return sp_error(SP_EFORMAT, "%s: bad size %lld x %lld with %lld entries", path,
                        (long long)dims[0], (long long)dims[1], (long long)dims[2]);
    int64_t want = expected_bytes(dims[0], dims[2]);
    if (size != want)
        return sp_error(SP_EFORMAT, "%s: %s: the header announces %lld x %lld with %lld entries, "
                        "%lld bytes, but the file has %lld", path, size < want ? "truncated" : "extra bytes",
                        (long long)dims[0], (long long)dims[1], (long long)dims[2], (long long)want,
                        (long long)size);
    info->version = SP_CSR_BINARY_VERSION;
    info->rows = (int)dims[0], info->cols = (int)dims[1], info->nnz = dims[2];
    info->symmetric = (int)(flags & 1u);
    memcpy(info->crc, h + 48, 12);
    info->file_bytes = size;
    return SP_OK;
}

int sp_csr_binary_read_info(const char *path, sp_csr_binary_info *info)
{
    memset(info, 0, sizeof *info);
    FILE *fp;
    int64_t size;
    unsigned char h[SP_CSR_BINARY_HEADER_BYTES];
    int rc = path ? open_sized(path, &fp, &size) : sp_error(SP_EINVAL, "csr_binary_read: NULL path");
    if (rc < 0) return rc;
    size_t got = fread(h, 1, sizeof h, fp);
    fclose(fp);
    if ((int64_t)got != (size < 64 ? size : 64)) return sp_error(SP_EIO, "%s: read error", path);
    if ((rc = check_magic(path, h, size)) == SP_OK && (rc = check_version(path, h)) == SP_OK)
        rc = decode_header(path, h, size, info);
    return rc;
}

/* ---- arrays ------------------------------------------------------------------ */

static int read_at(const char *path, FILE *fp, int64_t offset, void *buf, size_t bytes)
{
    if (bytes == 0) return SP_OK;
    if (fseeko(fp, (off_t)offset, SEEK_SET) != 0 || fread(buf, 1, bytes, fp) != bytes)
        return sp_error(SP_EIO, "%s: read error at byte %lld", path, (long long)offset);
    return SP_OK;
}

static int check_rowptr(const char *path, const sp_csr_binary_info *info, int row0, int row1,
                        const int64_t *rp)
{
    for (int i = 0; i <= row1 - row0; i++) {
        int bad = rp[i] < 0 || rp[i] > info->nnz || (i > 0 && rp[i] < rp[i - 1]);
        bad |= (row0 + i == 0 && rp[i] != 0) || (row0 + i == info->rows && rp[i] != info->nnz);
        if (bad)
            return sp_error(SP_EFORMAT, "%s: row pointer entry %d = %lld is out of order or out of "
                            "[0, %lld] (corrupted file)", path, row0 + i, (long long)rp[i], (long long)info->nnz);
    }
    return SP_OK;
}

int sp_csr_binary_read_rowptr(const char *path, const sp_csr_binary_info *info, int row0, int row1,
                              int64_t *rowptr)
{
    if (row0 < 0 || row1 < row0 || row1 > info->rows)
        return sp_error(SP_EINVAL, "csr_binary: rows [%d, %d) out of [0, %d]", row0, row1, info->rows);
    FILE *fp;
    int64_t size;
    int rc = open_sized(path, &fp, &size);
    if (rc < 0) return rc;
    rc = read_at(path, fp, SP_CSR_BINARY_HEADER_BYTES + 8 * (int64_t)row0, rowptr,
                 (size_t)(row1 - row0 + 1) * 8);
    fclose(fp);
    return rc < 0 ? rc : check_rowptr(path, info, row0, row1, rowptr);
}

/* CRCs of the raw bytes of rows [row0, row1); rp is the raw row pointer. */
static void part_crcs(const sp_csr_binary_info *info, int row0, int row1, const int64_t *rp,
                      const sp_csr *A, sp_csr_binary_part *part)
{
    size_t nrp = (size_t)(row1 - row0) + (row1 == info->rows ? 1 : 0);
    part->bytes[0] = (int64_t)nrp * 8;
    part->bytes[1] = A->nnz * 4;
    part->bytes[2] = A->nnz * 8;
    part->crc[0] = crc_bytes(0, rp, nrp * 8);
    part->crc[1] = crc_bytes(0, A->colind, (size_t)A->nnz * 4);
    part->crc[2] = crc_bytes(0, A->val, (size_t)A->nnz * 8);
}

static int alloc_rows(sp_csr *A, int rows, int cols, int64_t nnz)
{
    memset(A, 0, sizeof *A);
    A->rowptr = sp_malloc(((size_t)rows + 1) * sizeof(int64_t));
    A->colind = sp_malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof(int));
    A->val = sp_malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof(double));
    if (!A->rowptr || !A->colind || !A->val) {
        sp_csr_uninit(A);
        return SP_ENOMEM;
    }
    A->rows = rows, A->cols = cols, A->nnz = nnz;
    return SP_OK;
}

int sp_csr_binary_read_rows(const char *path, const sp_csr_binary_info *info, int row0, int row1,
                            sp_csr *A, sp_csr_binary_part *part)
{
    memset(A, 0, sizeof *A);
    int64_t *rp = sp_malloc(((size_t)(row1 > row0 ? row1 - row0 : 0) + 1) * sizeof(int64_t));
    if (!rp) return SP_ENOMEM;
    int rc = sp_csr_binary_read_rowptr(path, info, row0, row1, rp);
    int64_t k0 = rp[0], k1 = rp[row1 - row0], base = SP_CSR_BINARY_HEADER_BYTES + 8 * ((int64_t)info->rows + 1);
    FILE *fp = NULL;
    int64_t size;
    if (rc == SP_OK) rc = alloc_rows(A, row1 - row0, info->cols, k1 - k0);
    if (rc == SP_OK) rc = open_sized(path, &fp, &size);
    if (rc == SP_OK) rc = read_at(path, fp, base + 4 * k0, A->colind, (size_t)(k1 - k0) * 4);
    if (rc == SP_OK) rc = read_at(path, fp, base + 4 * info->nnz + 8 * k0, A->val, (size_t)(k1 - k0) * 8);
    if (fp) fclose(fp);
    if (rc == SP_OK && part) part_crcs(info, row0, row1, rp, A, part);
    for (int i = 0; rc == SP_OK && i <= row1 - row0; i++) A->rowptr[i] = rp[i] - k0;
    free(rp);
    if (rc < 0) sp_csr_uninit(A);
    return rc;
}

int sp_csr_binary_check_parts(const char *path, const sp_csr_binary_info *info,
                              const sp_csr_binary_part *parts, int count)
{
    static const char *const names[3] = {"row pointer", "column index", "value"};
    int64_t want[3] = {8 * ((int64_t)info->rows + 1), 4 * info->nnz, 8 * info->nnz};
    for (int a = 0; a < 3; a++) {
        uint32_t crc = 0;
        int64_t bytes = 0;
        for (int p = 0; p < count; p++) {
            crc = (uint32_t)crc32_combine(crc, parts[p].crc[a], (z_off_t)parts[p].bytes[a]);
            bytes += parts[p].bytes[a];
        }
        if (bytes != want[a])
            return sp_error(SP_EINTERNAL, "%s: parts cover %lld of the %lld bytes of the %s array", path,
                            (long long)bytes, (long long)want[a], names[a]);
        if (crc != info->crc[a])
            return sp_error(SP_EFORMAT, "%s: checksum mismatch in the %s array (stored %08x, computed "
                            "%08x): the file is corrupted", path, names[a], info->crc[a], crc);
    }
    return SP_OK;
}

int sp_csr_binary_check_rows(const char *path, const sp_csr *A, int row0)
{
    for (int i = 0; i < A->rows; i++)
        for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++) {
            int c = A->colind[k];
            if (c < 0 || c >= A->cols || (k > A->rowptr[i] && c <= A->colind[k - 1]))
                return sp_error(SP_EFORMAT, "%s: row %d: column index %d out of range [0, %d) or not "
                                "ascending (corrupted file)", path, row0 + i, c, A->cols);
        }
    return SP_OK;
}

int sp_csr_binary_read(const char *path, sp_csr *A, sp_csr_binary_info *info)
{
    sp_csr_binary_info local;
    sp_csr_binary_part part;
    if (!info) info = &local;
    memset(A, 0, sizeof *A);
    int rc = sp_csr_binary_read_info(path, info);
    if (rc == SP_OK) rc = sp_csr_binary_read_rows(path, info, 0, info->rows, A, &part);
    if (rc == SP_OK) rc = sp_csr_binary_check_parts(path, info, &part, 1);
    if (rc == SP_OK) rc = sp_csr_binary_check_rows(path, A, 0);
    if (rc < 0) sp_csr_uninit(A);
    return rc;
}
