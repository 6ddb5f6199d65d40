/* mmio_scan.c: buffered line reading through zlib (plain files pass through
 * gzread unchanged) in 4 MiB chunks, and strict hand-written field scanners.
 * Guarantees: never reads past the buffer, whatever the bytes (NUL, binary,
 * endless lines); a truncated or corrupt .gz is an error, not a short file.
 * Does not interpret the Matrix Market structure (see mmio_read.c). */
#include "mmio_scan.h"
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sp_mm_fail(const sp_mm_scanner *s, int line_offset, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return sp_error(SP_EFORMAT, "%s:%lld: %s", s->path, (long long)(s->line + line_offset), what);
}

int sp_mm_scanner_open(sp_mm_scanner *s, const char *path)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->gz = gzopen(path, "rb");
    if (!s->gz)
        return sp_error(SP_EIO, "%s: cannot open: %s", path,
                        errno ? strerror(errno) : "zlib error");
    gzbuffer(s->gz, SP_MM_BUFFER_BYTES);
    s->buf = sp_malloc(SP_MM_BUFFER_BYTES + 1);
    if (!s->buf) {
        gzclose(s->gz);
        s->gz = NULL;
        return SP_ENOMEM;
    }
    return SP_OK;
}

void sp_mm_scanner_close(sp_mm_scanner *s)
{
    if (s->gz) gzclose(s->gz);
    free(s->buf);
    s->gz = NULL;
    s->buf = NULL;
}

/* Move unread bytes to the front and read more; sets eof at the end. */
static int scanner_refill(sp_mm_scanner *s)
{
    size_t keep = s->end - s->pos;
    if (keep >= SP_MM_MAX_LINE)
        return sp_mm_fail(s, 1, "line longer than %u bytes (not a Matrix Market text file?)",
                          SP_MM_MAX_LINE);
    memmove(s->buf, s->buf + s->pos, keep);
    s->pos = 0;
    s->end = keep;
    int n = gzread(s->gz, s->buf + keep, (unsigned)(SP_MM_BUFFER_BYTES - keep));
    int err = Z_OK;
    const char *msg = gzerror(s->gz, &err);
    if (n < 0 || (err != Z_OK && err != Z_STREAM_END)) {
        if (err == Z_ERRNO) return sp_error(SP_EIO, "%s: read error: %s", s->path, strerror(errno));
        size_t plen = strlen(s->path); /* zlib prefixes its message with the path */
        if (!strncmp(msg, s->path, plen) && !strncmp(msg + plen, ": ", 2)) msg += plen + 2;
        return sp_mm_fail(s, 1, "corrupt or truncated compressed data (zlib: %s)", msg);
    }
    if (n == 0) s->eof = 1;
    s->end += (size_t)n;
    return SP_OK;
}

int sp_mm_scanner_next(sp_mm_scanner *s, char **line)
{
    for (;;) {
        char *start = s->buf + s->pos;
        char *nl = memchr(start, '\n', s->end - s->pos);
        size_t next = nl ? (size_t)(nl - s->buf) + 1 : s->end;
        if (!nl && s->eof && s->pos < s->end) nl = s->buf + s->end; /* last line, no newline */
        if (nl) {
            if (memchr(start, '\0', (size_t)(nl - start)))
                return sp_mm_fail(s, 1, "NUL byte in a text line (binary file?)");
            *nl = '\0'; /* buf has one spare byte past SP_MM_BUFFER_BYTES for this */
            if (nl > start && nl[-1] == '\r') nl[-1] = '\0';
            s->pos = next;
            s->line++;
            *line = start;
            return SP_OK;
        }
        if (s->eof) {
            *line = NULL;
            return SP_OK;
        }
        int rc = scanner_refill(s);
        if (rc < 0) return rc;
    }
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}
static int is_field_end(char c)
{
    return c == '\0' || is_blank(c);
}
static const char *skip_blanks(const char *p)
{
    while (is_blank(*p))
        p++;
    return p;
}

int sp_mm_line_blank(const char *line)
{
    return *skip_blanks(line) == '\0';
}

/* Length of the field at p (up to a blank or the end), for messages. */
static int field_len(const char *p)
{
    int n = 0;
    while (!is_field_end(p[n]) && n < 40)
        n++;
    return n;
}

static int missing_field(const sp_mm_scanner *s, const char *what)
{
    return sp_mm_fail(s, 0, "missing %s", what);
}

int sp_mm_scan_int(const sp_mm_scanner *s, const char **pp, const char *what, int64_t lo,
                   int64_t hi, int64_t *out)
{
    const char *p = skip_blanks(*pp), *start = p;
    if (!*p) return missing_field(s, what);
    int64_t v = 0;
    int overflow = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        int digit = *p - '0';
        if (v > (INT64_MAX - digit) / 10)
            overflow = 1;
        else
            v = v * 10 + digit;
    }
    if (p == start || !is_field_end(*p))
        return sp_mm_fail(s, 0, "%s: '%.*s' is not a %s integer", what, field_len(start), start,
                          lo >= 1 ? "positive" : "non-negative");
    if (overflow || v < lo || v > hi)
        return sp_mm_fail(s, 0, "%s %.*s out of range [%lld, %lld]", what, field_len(start), start,
                          (long long)lo, (long long)hi);
    *out = v;
    *pp = p;
    return SP_OK;
}

/* Exact powers of ten for the fast paths (exact in double up to 1e22, in an
 * x87 / quad long double up to 1e27). */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A plain decimal [sign] digits [. digits] [e [sign] digits] with at most 19
 * significant digits: value = (neg ? -1 : 1) * m * 10^exp10. Returns 0 for
 * anything else (more digits, inf, nan, hex: left to strtod). */
typedef struct decimal {
    uint64_t m;
    int exp10, digits, neg;
} decimal;

static int parse_decimal(const char *p, decimal *d, const char **endp)
{
    int any = 0;
    d->m = 0, d->exp10 = 0, d->digits = 0, d->neg = (*p == '-');
    if (*p == '-' || *p == '+') p++;
    for (; *p >= '0' && *p <= '9'; p++, any = 1) {
        if (d->m == 0 && *p == '0') continue; /* leading zeros */
        if (++d->digits > 19) return 0;
        d->m = d->m * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, any = 1) {
            d->exp10--;
            if (d->m == 0 && *p == '0') continue;
            if (++d->digits > 19) return 0;
            d->m = d->m * 10 + (uint64_t)(*p - '0');
        }
    if (!any) return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        int eneg = (*p == '-'), e = 0, edigits = 0;
        if (*p == '-' || *p == '+') p++;
        for (; *p >= '0' && *p <= '9'; p++, edigits++)
            if (e < 10000) e = e * 10 + (*p - '0');
        if (!edigits) return 0;
        d->exp10 += eneg ? -e : e;
    }
    if (d->m == 0) d->exp10 = 0;
    *endp = p;
    return 1;
}

#if LDBL_MANT_DIG >= 64
static const long double pow10_exact_ld[28] = {1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,
                                               1e7L,  1e8L,  1e9L,  1e10L, 1e11L, 1e12L, 1e13L,
                                               1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L,
                                               1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};

/* m * 10^e in long double is one rounding (m < 2^64 and 10^|e| exact), then
 * (double) rounds again. The double result is the correctly rounded one unless
 * the long double lies within its own rounding error of a midpoint between two
 * doubles: then return 0 and let strtod decide. */
static int long_double_path(const decimal *d, double *out)
{
    if (d->exp10 < -27 || d->exp10 > 27) return 0;
    long double x = (long double)d->m;
    x = d->exp10 < 0 ? x / pow10_exact_ld[-d->exp10] : x * pow10_exact_ld[d->exp10];
    double v = (double)x;
    long double r = x - (long double)v; /* exact: x and v are close */
    if (r != 0.0L) {
        double toward = nextafter(v, r > 0 ? INFINITY : -INFINITY);
        long double half = fabsl(((long double)toward - (long double)v) / 2);
        if (fabsl(fabsl(r) - half) <= fabsl(x) * LDBL_EPSILON) return 0;
    }
    *out = v;
    return 1;
}
#else
static int long_double_path(const decimal *d, double *out)
{
    (void)d, (void)out;
    return 0;
}
#endif

/* Correctly rounded conversion for common decimals, 0 when strtod is needed.
 * Clinger's exact path: <= 15 digits and |exponent| <= 22 is one IEEE
 * operation on exact operands; then the guarded long double path. */
static int fast_decimal(const char *p, double *out, const char **endp)
{
    decimal d;
    if (!parse_decimal(p, &d, endp)) return 0;
    double v;
    if (d.digits <= 15 && d.exp10 >= -22 && d.exp10 <= 22) {
        v = (double)d.m;
        v = d.exp10 < 0 ? v / pow10_exact[-d.exp10] : v * pow10_exact[d.exp10];
    } else if (!long_double_path(&d, &v)) {
        return 0;
    }
    *out = d.neg ? -v : v;
    return 1;
}

int sp_mm_scan_real(const sp_mm_scanner *s, const char **pp, const char *what, double *out)
{
    const char *p = skip_blanks(*pp), *end = NULL;
    if (!*p) return missing_field(s, what);
    if (!fast_decimal(p, out, &end) || !is_field_end(*end)) {
        char *e = NULL;
        *out = strtod(p, &e);
        end = e;
    }
    if (end == p || !is_field_end(*end))
        return sp_mm_fail(s, 0, "%s: '%.*s' is not a number", what, field_len(p), p);
    *pp = end;
    return SP_OK;
}

int sp_mm_scan_integer_value(const sp_mm_scanner *s, const char **pp, const char *what, double *out)
{
    const char *p = skip_blanks(*pp);
    if (!*p) return missing_field(s, what);
    char *end = NULL;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    if (end == p || !is_field_end(*end))
        return sp_mm_fail(s, 0, "%s: '%.*s' is not an integer", what, field_len(p), p);
    if (errno == ERANGE)
        return sp_mm_fail(s, 0, "%s: '%.*s' is out of the 64-bit integer range", what, field_len(p),
                          p);
    *out = (double)v;
    *pp = end;
    return SP_OK;
}

int sp_mm_scan_end(const sp_mm_scanner *s, const char *p)
{
    p = skip_blanks(p);
    if (*p) return sp_mm_fail(s, 0, "unexpected extra field '%.*s'", field_len(p), p);
    return SP_OK;
}
