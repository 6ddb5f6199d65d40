/* cli_util.c: strict argument parsing and JSON helpers for the commands. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "spartan/core.h"

int sp_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "spartan %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'spartan %s --help')\n", cmd);
    return SP_EXIT_USAGE;
}

int sp_cli_report(const char *cmd, int status)
{
    fprintf(stderr, "spartan %s: %s: %s\n", cmd, sp_status_name(status), sp_errmsg());
    return status == SP_ENOCONV ? SP_EXIT_NOTCONV : SP_EXIT_USAGE;
}

int sp_cli_parse_int(const char *cmd, const char *opt, const char *text, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = text ? strtol(text, &end, 10) : 0;
    if (!text || end == text || *end != '\0' || errno == ERANGE) {
        sp_cli_usage_error(cmd, "%s: '%s' is not an integer", opt, text ? text : "");
        return -1;
    }
    if (v < lo || v > hi) {
        sp_cli_usage_error(cmd, "%s: %ld is out of range [%ld, %ld]", opt, v, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int sp_cli_parse_double(const char *cmd, const char *opt, const char *text, double lo, double hi,
                        double *out)
{
    char *end = NULL;
    errno = 0;
    double v = text ? strtod(text, &end) : 0.0;
    if (!text || end == text || *end != '\0' || !isfinite(v)) {
        sp_cli_usage_error(cmd, "%s: '%s' is not a finite number", opt, text ? text : "");
        return -1;
    }
    if (v < lo || v > hi) {
        sp_cli_usage_error(cmd, "%s: %g is out of range [%g, %g]", opt, v, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int sp_cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    if (!text || text[0] == '-') {
        sp_cli_usage_error(cmd, "%s: '%s' is not a non-negative integer", opt, text ? text : "");
        return -1;
    }
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE) {
        sp_cli_usage_error(cmd, "%s: '%s' is not a non-negative integer", opt, text);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

int sp_cli_parse_int_list(const char *cmd, const char *opt, const char *text, long lo, long hi,
                          int *out, int cap)
{
    int count = 0;
    const char *p = text;
    if (!p || !*p) {
        sp_cli_usage_error(cmd, "%s: empty list", opt);
        return -1;
    }
    while (*p) {
        char item[32];
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof item) {
            sp_cli_usage_error(cmd, "%s: bad list '%s'", opt, text);
            return -1;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        long v;
        if (sp_cli_parse_int(cmd, opt, item, lo, hi, &v) < 0) return -1;
        if (count >= cap) {
            sp_cli_usage_error(cmd, "%s: more than %d values", opt, cap);
            return -1;
        }
        out[count++] = (int)v;
        p += len;
        if (*p == ',') p++;
    }
    return count;
}

void sp_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *c = (const unsigned char *)s; c && *c; c++) {
        if (*c == '"' || *c == '\\') fprintf(out, "\\%c", *c);
        else if (*c == '\n') fputs("\\n", out);
        else if (*c == '\t') fputs("\\t", out);
        else if (*c < 0x20) fprintf(out, "\\u%04x", *c);
        else fputc(*c, out);
    }
    fputc('"', out);
}

void sp_json_number(FILE *out, double v)
{
    if (isfinite(v)) fprintf(out, "%.17g", v);
    else fputs("null", out);
}
