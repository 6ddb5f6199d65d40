/* spartan/csr_binary.h: a binary file format for CSR matrices that reads
 * far faster than Matrix Market for repeated runs, whole or by row ranges
 * (the MPI layer reads each rank's rows in parallel). Part of linalg; no MPI.
 *
 * Example:
 *   sp_csr A;  sp_mm_read("big.mtx", &A, NULL);
 *   if (sp_csr_binary_write("big.csr", &A, 1) < 0) puts(sp_errmsg());   // 1: A is symmetric
 *   sp_csr B;  sp_csr_binary_info info;
 *   if (sp_csr_binary_read("big.csr", &B, &info) < 0) puts(sp_errmsg()); // B == A, bit for bit
 *
 * File layout (version 1), all in the writing machine's byte order, which
 * the header records (a file from the other byte order is refused):
 *   bytes  0..7   magic "\x89SPCSR\r\n" (catches text-mode and 7-bit mangling)
 *          8..11  uint32 version (1)
 *         12..15  uint32 byte-order mark 0x01020304
 *         16..39  int64 rows, int64 cols, int64 nnz
 *         40..43  uint8 sizes: row pointer 8, column index 4, value 8; uint8 value kind 1 (IEEE double)
 *         44..47  uint32 flags (bit 0: the writer asserted A is symmetric)
 *         48..59  uint32 CRC-32 (zlib) of the row pointer, column index and value arrays
 *         60..63  uint32 CRC-32 of bytes 0..59
 *   then int64 rowptr[rows + 1], int32 colind[nnz], double val[nnz].
 * The file size must be exactly 64 + 8 (rows + 1) + 12 nnz bytes.
 *
 * Reading checks everything (magic, version, byte order, header checksum,
 * size, array checksums, row pointer monotone from 0 to nnz, columns in range
 * and strictly ascending in every row) and returns SP_EFORMAT with
 * "PATH: what" (and what to do about it), SP_EIO when the file cannot be
 * opened or read. Never a crash, whatever the bytes. Writing goes to a
 * temporary file renamed into place (sp_atomic_open).
 */
#ifndef SPARTAN_CSR_BINARY_H
#define SPARTAN_CSR_BINARY_H

#include <stdint.h>
#include "spartan/linalg.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SP_CSR_BINARY_VERSION 1
#define SP_CSR_BINARY_HEADER_BYTES 64

typedef struct sp_csr_binary_info {
    uint32_t version;
    int rows, cols;
    int64_t nnz;
    int symmetric;               /* the writer's flag (not checked on read) */
    uint32_t crc[3];             /* stored CRC-32 of rowptr, colind, val */
    int64_t file_bytes;
} sp_csr_binary_info;

/* CRC-32 of the bytes of rows [row0, row1) of each array (rowptr entries
 * row0..row1-1, plus entry rows when row1 == rows; colind and val entries
 * rowptr[row0]..rowptr[row1]-1) and their lengths: parts of consecutive row
 * ranges combine (in row order) into the whole file's checksums. */
typedef struct sp_csr_binary_part {
    uint32_t crc[3];
    int64_t bytes[3];
} sp_csr_binary_part;

/* Write A (any shape; columns sorted, as every sp_csr). symmetric: 1 records
 * that A is symmetric (the caller asserts it), 0 otherwise. */
int sp_csr_binary_write(const char *path, const sp_csr *A, int symmetric);
/* Read a whole file into A (newly allocated); info may be NULL. A is empty on error. */
int sp_csr_binary_read(const char *path, sp_csr *A, sp_csr_binary_info *info);
/* Header only, with the header checksum and the file size checked. */
int sp_csr_binary_read_info(const char *path, sp_csr_binary_info *info);
/* Row pointer entries row0..row1 (row1 - row0 + 1 values) as stored in the
 * file, checked to be non-decreasing within [0, nnz]. 0 <= row0 <= row1 <= rows. */
int sp_csr_binary_read_rowptr(const char *path, const sp_csr_binary_info *info, int row0, int row1,
                              int64_t *rowptr);
/* Rows [row0, row1) as a (row1 - row0) x cols CSR (rowptr from 0, newly
 * allocated); part (may be NULL) gets the CRCs of the bytes read. Only the
 * row pointer is checked here: then compare checksums with
 * sp_csr_binary_check_parts and columns with sp_csr_binary_check_rows (so
 * a corrupted file is reported as a checksum mismatch first). */
int sp_csr_binary_read_rows(const char *path, const sp_csr_binary_info *info, int row0, int row1,
                            sp_csr *A, sp_csr_binary_part *part);
/* Combine parts of consecutive row ranges covering all rows (in row order)
 * and compare with info's checksums: SP_OK or SP_EFORMAT naming the array. */
int sp_csr_binary_check_parts(const char *path, const sp_csr_binary_info *info,
                              const sp_csr_binary_part *parts, int count);
/* Columns of A (rows read from global row row0) in [0, cols), strictly
 * ascending in every row: SP_OK or SP_EFORMAT naming the global row. */
int sp_csr_binary_check_rows(const char *path, const sp_csr *A, int row0);

#ifdef __cplusplus
}
#endif
#endif
