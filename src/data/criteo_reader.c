/* criteo_reader.c: streaming parser for Criteo click logs (Kaggle/Terabyte
 * TSV with or without label, DeepCTR CSV with header), plain or gzip.
 * Guarantees: every malformed line is reported with PATH:LINE and field, or
 * skipped and counted; fields are scanned by hand (no sscanf, no per-line allocation). */
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "data/data_internal.h"

struct sp_criteo_reader {
    sp_line_source src;
    sp_criteo_options opt;
    int has_label;
    char sep;
    int64_t rows, bad;
    char first_bad[512];
};

static const char *const field_names[1 + SP_CRITEO_FIELDS] = {
    "label", "I1",  "I2",  "I3",  "I4",  "I5",  "I6",  "I7",  "I8",  "I9",
    "I10",   "I11", "I12", "I13", "C1",  "C2",  "C3",  "C4",  "C5",  "C6",
    "C7",    "C8",  "C9",  "C10", "C11", "C12", "C13", "C14", "C15", "C16",
    "C17",   "C18", "C19", "C20", "C21", "C22", "C23", "C24", "C25", "C26"};

const char *sp_criteo_field_name(int field)
{
    return (field >= 0 && field <= SP_CRITEO_FIELDS) ? field_names[field] : "?";
}

void sp_criteo_options_default(sp_criteo_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->format = SP_CRITEO_TSV;
}

/* 1 + value of a hex digit; 0 for any other byte. */
static const unsigned char hex_plus1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,
    ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
    ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
    ['F'] = 16};

static inline int hex_digit(unsigned char c) { return (int)hex_plus1[c] - 1; }

/* Exactly 8 hex digits at p (p[0..7] readable), the first most significant.
 * x86-64 checks and converts all 8 bytes in SSE2 registers; other
 * little-endian hosts in one 64-bit word (SWAR). 0 or -1. */
static inline int hex8(const char *p, uint32_t *out)
{
#if defined(__SSE2__)
    __m128i x = _mm_loadl_epi64((const __m128i *)(const void *)p);
    __m128i lo = _mm_or_si128(x, _mm_set1_epi8(0x20)); /* letters to lower case */
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lo, _mm_set1_epi8('a' - 1)),
                                   _mm_cmplt_epi8(lo, _mm_set1_epi8('f' + 1)));
    if ((_mm_movemask_epi8(_mm_or_si128(digit, letter)) & 0xff) != 0xff) return -1;
    __m128i nib = _mm_add_epi8(_mm_and_si128(x, _mm_set1_epi8(0x0f)),
                               _mm_and_si128(letter, _mm_set1_epi8(9))); /* a nibble per byte */
    __m128i pairs = _mm_or_si128(_mm_and_si128(_mm_slli_epi16(nib, 4), _mm_set1_epi16(0xf0)),
                                 _mm_srli_epi16(nib, 8)); /* 16-bit lanes: first * 16 + second */
    uint32_t v = (uint32_t)_mm_cvtsi128_si32(_mm_packus_epi16(pairs, pairs));
    *out = __builtin_bswap32(v);
    return 0;
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t x;
    memcpy(&x, p, 8);
    if (x & high) return -1;
    uint64_t lo = x | (0x20 * ones);                   /* letters to lower case */
    uint64_t digit = (x + 0x50 * ones) & ~(x + 0x46 * ones) & high;    /* 0x30..0x39 */
    uint64_t letter = (lo + 0x1f * ones) & ~(lo + 0x19 * ones) & high; /* a-f, A-F */
    if ((digit | letter) != high) return -1;
    uint64_t v = (lo & (0x0f * ones)) + 9 * (letter >> 7); /* nibble per byte */
    v = ((v & 0x00ff00ff00ff00ffULL) << 4) | ((v >> 8) & 0x00ff00ff00ff00ffULL);
    v = (v | (v >> 8)) & 0x0000ffff0000ffffULL;
    v = (v | (v >> 16)) & 0xffffffffULL;
    *out = __builtin_bswap32((uint32_t)v);
    return 0;
#else
    uint32_t v = 0, zero = 0;
    for (int i = 0; i < 8; i++) {
        unsigned h = hex_plus1[(unsigned char)p[i]];
        zero |= (h == 0);
        v = (v << 4) | ((h - 1) & 15u);
    }
    *out = v;
    return zero ? -1 : 0;
#endif
}

/* Integer field [p, p+n): optional sign, 1..18 digits; with allow_frac a
 * zero fraction ("260.0") is accepted. Returns 0 or -1. */
static int parse_int(const char *p, size_t n, int allow_frac, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (n > 0 && (p[0] == '-' || p[0] == '+')) neg = (p[i++] == '-');
    size_t d0 = i;
    int64_t v = 0;
    for (; i < n && (unsigned)(p[i] - '0') < 10u; i++) {
        if (i - d0 >= 18) return -1;
        v = v * 10 + (p[i] - '0');
    }
    if (i == d0) return -1;
    if (i < n && allow_frac && p[i] == '.') {
        for (i++; i < n && p[i] == '0'; i++) {
        }
    }
    if (i != n) return -1;
    *out = neg ? -v : v;
    return 0;
}

/* Categorical field: exactly 8 hex digits. Returns 0 or -1. */
static int parse_hex8(const char *p, size_t n, uint32_t *out)
{
    if (n != 8) return -1;
    uint32_t v = 0;
    int bad = 0;
    for (int i = 0; i < 8; i++) {
        int h = hex_digit((unsigned char)p[i]);
        bad |= h;
        v = (v << 4) | (uint32_t)(h & 15);
    }
    if (bad < 0) return -1;
    *out = v;
    return 0;
}

static int count_fields(const char *p, size_t n, char sep)
{
    int k = 1;
    for (size_t i = 0; i < n; i++) k += (p[i] == sep);
    return k;
}

/* A malformed line: fatal (SP_EFORMAT with msg) or skipped and counted (0). */
static int reject_line(sp_criteo_reader *r, const char *msg)
{
    if (!r->opt.skip_bad) return sp_error(SP_EFORMAT, "%s", msg);
    if (r->bad++ == 0) snprintf(r->first_bad, sizeof r->first_bad, "%s", msg);
    return 0;
}

static int bad_field_count(sp_criteo_reader *r, int found)
{
    char msg[512];
    snprintf(msg, sizeof msg,
             "%s:%lld: found %d fields, expected %d (%s13 integer, 26 categorical) separated by %s",
             r->src.path, (long long)r->src.line_no, found, SP_CRITEO_FIELDS + r->has_label,
             r->has_label ? "label, " : "", r->sep == '\t' ? "tabs" : "commas");
    return reject_line(r, msg);
}

/* Field `f` (0 = label, 1..13 = I, 14..39 = C) holds [p, p+n) which is not `what`;
 * a wrong field count takes precedence, since it shifts every field. */
static int bad_value(sp_criteo_reader *r, const char *line, size_t len, int f, const char *p,
                     size_t n, const char *what)
{
    int found = count_fields(line, len, r->sep);
    if (found != SP_CRITEO_FIELDS + r->has_label) return bad_field_count(r, found);
    char q[48], msg[512];
    sp_quote_field(p, n, q);
    snprintf(msg, sizeof msg, "%s:%lld: field %d (%s): '%s' is not %s", r->src.path,
             (long long)r->src.line_no, f + r->has_label, sp_criteo_field_name(f), q, what);
    return reject_line(r, msg);
}

/* Parse field f of [p, p+n) into row; 0 ok, -1 bad. */
static int parse_field(const sp_criteo_reader *r, int f, const char *p, size_t n,
                       sp_criteo_row *row)
{
    if (f == 0) {
        if (n != 1 || (p[0] != '0' && p[0] != '1')) return -1;
        row->label = p[0] - '0';
    } else if (f <= SP_CRITEO_INT_FIELDS) {
        if (n == 0) return 0;
        if (parse_int(p, n, r->sep == ',', &row->ints[f - 1]) < 0) return -1;
        row->int_present |= 1u << (f - 1);
    } else {
        if (n == 0) return 0;
        if (parse_hex8(p, n, &row->cats[f - 1 - SP_CRITEO_INT_FIELDS]) < 0) return -1;
        row->cat_present |= 1u << (f - 1 - SP_CRITEO_INT_FIELDS);
    }
    return 0;
}

static const char *field_kind(int f)
{
    if (f == 0) return "0 or 1";
    return f <= SP_CRITEO_INT_FIELDS ? "an integer" : "an 8-digit hex hash";
}

/* How many of the 8 bytes at p (all readable) lead with decimal digits;
 * when fewer than 8, *v gets their value. SWAR on a little-endian word: the
 * digit test and the conversion see no carry from a byte before the first
 * non-digit. */
static inline int digits8(const char *p, int64_t *v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t x;
    memcpy(&x, p, 8);
    uint64_t digit = (x + 0x50 * ones) & ~(x + 0x46 * ones) & high; /* 0x30..0x39 */
    uint64_t stop = ~digit & high;
    int n = stop ? __builtin_ctzll(stop) >> 3 : 8;
    if (n == 0 || n == 8) return n;
    /* the digits into the top n bytes, the first most significant */
    uint64_t d = (x - 0x30 * ones) << (8 * (8 - n));
    d = (d * 10 + (d >> 8)) & 0x00ff00ff00ff00ffULL;
    d = (d * 100 + (d >> 16)) & 0x0000ffff0000ffffULL;
    d = (d * 10000 + (d >> 32)) & 0xffffffffULL;
    *v = (int64_t)d;
    return n;
#else
    (void)p;
    (void)v;
    return 8; /* the byte loop */
#endif
}

static int scan_int(const char **pp, const char *end, int allow_frac, int64_t *out)
{
    const char *p = *pp;
    int neg = (*p == '-');
    p += (*p == '-' || *p == '+');
    const char *d0 = p;
    int64_t v = 0;
    int n = end - p >= 8 ? digits8(p, &v) : 8;
    if (n < 8) {
        p += n;
    } else {
        while ((unsigned)(*p - '0') < 10u && p - d0 < 18) v = v * 10 + (*p++ - '0');
    }
    if (p == d0 || (unsigned)(*p - '0') < 10u) return 0;
    if (allow_frac && *p == '.')
        while (*++p == '0') {
        }
    *out = neg ? -v : v;
    *pp = p;
    return 1;
}

/* Fast path: one left-to-right scan relying on the line's sentinel byte
 * ('\n' or '\r', never a digit, hex digit or separator). Returns 1 when the
 * whole line is well formed, 0 otherwise (the checked parser then explains). */
static int parse_line_fast(const sp_criteo_reader *r, const char *line, size_t len,
                           sp_criteo_row *row)
{
    const char *p = line, *end = line + len;
    const char sep = r->sep;
    uint32_t ip = 0, cp = 0;
    row->label = -1;
    if (r->has_label) {
        if ((*p != '0' && *p != '1') || p[1] != sep) return 0;
        row->label = *p - '0';
        p += 2;
    }
    for (int f = 0; f < SP_CRITEO_INT_FIELDS; f++) {
        row->ints[f] = 0;
        if (*p != sep) {
            if (!scan_int(&p, end, sep == ',', &row->ints[f]) || *p != sep) return 0;
            ip |= 1u << f;
        }
        p++;
    }
    for (int f = 0; f < SP_CRITEO_CAT_FIELDS; f++) {
        uint32_t v = 0;
        if (p < end && *p != sep) {
            if (hex8(p, &v) < 0) return 0;
            p += 8;
            cp |= 1u << f;
        }
        row->cats[f] = v;
        if (f < SP_CRITEO_CAT_FIELDS - 1) {
            if (p >= end || *p != sep) return 0;
            p++;
        }
    }
    if (p != end) return 0;
    row->int_present = ip;
    row->cat_present = cp;
    row->line = r->src.line_no;
    return 1;
}

/* One line into row: 1 parsed, 0 skipped (skip_bad), < 0 fatal. */
static int parse_line(sp_criteo_reader *r, const char *line, size_t len, sp_criteo_row *row)
{
    const char *p = line, *end = line + len;
    row->line = r->src.line_no;
    row->label = -1;
    row->int_present = row->cat_present = 0;
    memset(row->ints, 0, sizeof row->ints);
    memset(row->cats, 0, sizeof row->cats);
    for (int f = r->has_label ? 0 : 1; f <= SP_CRITEO_FIELDS; f++) {
        const char *q = memchr(p, r->sep, (size_t)(end - p));
        if (!q && f < SP_CRITEO_FIELDS)
            return bad_field_count(r, count_fields(line, len, r->sep));
        if (q && f == SP_CRITEO_FIELDS)
            return bad_field_count(r, count_fields(line, len, r->sep));
        if (!q) q = end;
        if (parse_field(r, f, p, (size_t)(q - p), row) < 0)
            return bad_value(r, line, len, f, p, (size_t)(q - p), field_kind(f));
        p = q + 1;
    }
    return 1;
}

int sp_criteo_reader_open(sp_criteo_reader **out, const char *path, const sp_criteo_options *opt)
{
    *out = NULL;
    sp_criteo_options def;
    sp_criteo_options_default(&def);
    if (!opt) opt = &def;
    if ((unsigned)opt->format >= SP_CRITEO_FORMAT_COUNT)
        return sp_error(SP_EINVAL, "unknown Criteo format %d", (int)opt->format);
    sp_criteo_reader *r = sp_calloc(1, sizeof *r);
    if (!r) return SP_ENOMEM;
    r->opt = *opt;
    r->has_label = opt->format != SP_CRITEO_TSV_NOLABEL;
    r->sep = opt->format == SP_CRITEO_CSV_HEADER ? ',' : '\t';
    int rc = sp_line_source_open(&r->src, path, opt->chunk_bytes);
    if (rc < 0) {
        free(r);
        return rc;
    }
    *out = r;
    return SP_OK;
}

/* The CSV variant starts with a "label,I1,..." header line. */
static int skip_header(sp_criteo_reader *r, const char *line, size_t len)
{
    if (len >= 6 && memcmp(line, "label,", 6) == 0) return 0;
    char q[48];
    sp_quote_field(line, len, q);
    return sp_error(SP_EFORMAT, "%s:1: expected a header line \"label,I1,...,C26\", found '%s'",
                    r->src.path, q);
}

int sp_criteo_reader_next(sp_criteo_reader *r, sp_criteo_row *row)
{
    const char *line;
    size_t len;
    int rc;
    while ((rc = sp_line_source_next(&r->src, &line, &len)) == 1) {
        if (r->sep == ',' && r->src.line_no == 1) {
            if ((rc = skip_header(r, line, len)) < 0) return rc;
            continue;
        }
        if (parse_line_fast(r, line, len, row)) {
            rc = 1;
            break;
        }
        rc = parse_line(r, line, len, row);
        if (rc != 0) break;
    }
    if (rc == 1) r->rows++;
    return rc;
}

int sp_criteo_reader_read(sp_criteo_reader *r, sp_criteo_row *rows, int cap, int *n)
{
    *n = 0;
    while (*n < cap) {
        int rc = sp_criteo_reader_next(r, &rows[*n]);
        if (rc < 0) return rc;
        if (rc == 0) break;
        (*n)++;
    }
    return SP_OK;
}

int sp_criteo_reader_rewind(sp_criteo_reader *r)
{
    r->rows = r->bad = 0;
    r->first_bad[0] = '\0';
    return sp_line_source_rewind(&r->src);
}

int64_t sp_criteo_reader_rows(const sp_criteo_reader *r) { return r->rows; }
int64_t sp_criteo_reader_bad_lines(const sp_criteo_reader *r) { return r->bad; }
int64_t sp_criteo_reader_offset(const sp_criteo_reader *r)
{
    return sp_line_source_offset(&r->src);
}
const char *sp_criteo_reader_first_bad(const sp_criteo_reader *r) { return r->first_bad; }

void sp_criteo_reader_close(sp_criteo_reader *r)
{
    if (!r) return;
    sp_line_source_close(&r->src);
    free(r);
}
