/* progress.c: a single progress line on stderr, redrawn in place, shown only
 * when stderr is a terminal (unless forced). Rate-limited by min_interval. */
#include <unistd.h>
#include "spartan/core.h"

void sp_progress_init(sp_progress *p, const char *label, double total)
{
    p->label = label ? label : "";
    p->total = total;
    p->start = sp_time_now();
    p->last_draw = -1e300;
    p->min_interval = 0.1;
    p->enabled = isatty(STDERR_FILENO);
    p->drawn = 0;
    p->out = stderr;
}

void sp_progress_force(sp_progress *p, FILE *out)
{
    p->enabled = 1;
    p->out = out ? out : stderr;
    p->min_interval = 0.0;
}

void sp_progress_update(sp_progress *p, double done, const char *detail)
{
    if (!p->enabled) return;
    double now = sp_time_now();
    if (now - p->last_draw < p->min_interval) return;
    p->last_draw = now;
    if (p->total > 0)
        fprintf(p->out, "\r%s %5.1f%% (%.1fs) %s\033[K", p->label, 100.0 * done / p->total,
                now - p->start, detail ? detail : "");
    else
        fprintf(p->out, "\r%s %.0f (%.1fs) %s\033[K", p->label, done, now - p->start,
                detail ? detail : "");
    fflush(p->out);
    p->drawn = 1;
}

void sp_progress_finish(sp_progress *p)
{
    if (p->enabled && p->drawn) {
        fprintf(p->out, "\r\033[K");
        fflush(p->out);
    }
    p->drawn = 0;
}
