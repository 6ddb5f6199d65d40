/* status.c: status names and the thread-local error message.
 * Guarantees: sp_error() never allocates and never fails; messages longer than
 * the buffer are truncated. Does not print anything. */
#include <stdarg.h>
#include <string.h>
#include "spartan/core.h"

#define SP_ERRMSG_SIZE 1024
static _Thread_local char errmsg[SP_ERRMSG_SIZE];

static const char *const status_names[SP_STATUS_COUNT] = {
    "ok", "bad argument", "out of memory", "input/output error", "malformed input",
    "LAPACK failure", "not converged", "MPI failure", "internal error",
};

const char *sp_status_name(int status)
{
    int idx = -status;
    if (idx < 0 || idx >= SP_STATUS_COUNT) return "unknown status";
    return status_names[idx];
}

int sp_error(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    return status;
}

int sp_error_prefix(int status, const char *fmt, ...)
{
    char old[SP_ERRMSG_SIZE];
    memcpy(old, errmsg, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    if (len >= 0 && (size_t)len < sizeof errmsg)
        snprintf(errmsg + len, sizeof errmsg - (size_t)len, "%s", old);
    return status;
}

const char *sp_errmsg(void) { return errmsg; }

void sp_error_clear(void) { errmsg[0] = '\0'; }
