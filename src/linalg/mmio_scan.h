/* mmio_scan.h (private to linalg/): a buffered line scanner over plain or
 * gzip files (zlib reads both) and strict field parsers for the Matrix Market
 * reader. Every error is SP_EFORMAT (or SP_EIO / SP_ENOMEM) with a message
 * "PATH:LINE: what". Not a general tokenizer: fields are blank-separated. */
#ifndef SPARTAN_MMIO_SCAN_H
#define SPARTAN_MMIO_SCAN_H

#include "spartan/core.h"
#include <stdint.h>
#include <zlib.h>

#define SP_MM_BUFFER_BYTES (4u << 20) /* read chunk; also the zlib buffer */
#define SP_MM_MAX_LINE (1u << 20)     /* longer lines are malformed */

typedef struct sp_mm_scanner {
    gzFile gz;
    const char *path;
    char *buf;       /* SP_MM_BUFFER_BYTES + 1 (room for a final NUL) */
    size_t pos, end; /* unread bytes are buf[pos, end) */
    int eof;
    int64_t line; /* 1-based number of the line last returned */
} sp_mm_scanner;

int sp_mm_scanner_open(sp_mm_scanner *s, const char *path);
void sp_mm_scanner_close(sp_mm_scanner *s);
/* Next line, NUL-terminated, without its "\n" or "\r\n"; *line = NULL at end
 * of file. The pointer is valid until the next call. */
int sp_mm_scanner_next(sp_mm_scanner *s, char **line);
/* Record "PATH:LINE: message" (LINE = s->line + line_offset) and return SP_EFORMAT. */
int sp_mm_fail(const sp_mm_scanner *s, int line_offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Field parsers: *p points into a line, is advanced past the field. `what`
 * names the field in messages ("row index", "value", ...). */
/* An integer in [lo, hi] (digits only). */
int sp_mm_scan_int(const sp_mm_scanner *s, const char **p, const char *what, int64_t lo, int64_t hi,
                   int64_t *out);
/* A real number (decimal, exponent, inf and nan accepted). */
int sp_mm_scan_real(const sp_mm_scanner *s, const char **p, const char *what, double *out);
/* A signed integer value, returned as a double. */
int sp_mm_scan_integer_value(const sp_mm_scanner *s, const char **p, const char *what, double *out);
/* SP_OK when only blanks remain, else an "unexpected extra field" error. */
int sp_mm_scan_end(const sp_mm_scanner *s, const char *p);
/* 1 when the line has only blanks. */
int sp_mm_line_blank(const char *line);

#endif
