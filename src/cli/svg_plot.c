/* svg_plot.c: line plots as standalone SVG files (see svg_plot.h). Pure
 * output: computes the data range, nice ticks (1-2-5 steps or decades), and
 * draws polylines with a legend. It does not read anything. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include "cli/svg_plot.h"
#include "spartan/core.h"

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

typedef struct {
    double x0, x1, y0, y1; /* data range (y in log10 when log_y) */
    double left, right, top, bottom;
    int log_y;
} frame;

static int usable(const frame *f, double y) { return isfinite(y) && (!f->log_y || y > 0.0); }
static double ty(const frame *f, double y) { return f->log_y ? log10(y) : y; }
static double px(const frame *f, double x) { return f->left + (x - f->x0) / (f->x1 - f->x0) * (f->right - f->left); }
static double py(const frame *f, double y) { return f->bottom - (ty(f, y) - f->y0) / (f->y1 - f->y0) * (f->bottom - f->top); }

static void data_range(const sp_plot *p, frame *f)
{
    f->x0 = f->y0 = INFINITY;
    f->x1 = f->y1 = -INFINITY;
    for (int s = 0; s < p->n_series; s++)
        for (int i = 0; i < p->series[s].count; i++) {
            double x = p->series[s].x[i], y = p->series[s].y[i];
            if (!usable(f, y) || !isfinite(x)) continue;
            f->x0 = fmin(f->x0, x), f->x1 = fmax(f->x1, x);
            f->y0 = fmin(f->y0, ty(f, y)), f->y1 = fmax(f->y1, ty(f, y));
        }
    if (!(f->x0 <= f->x1)) f->x0 = 0, f->x1 = 1;
    if (!(f->y0 <= f->y1)) f->y0 = 0, f->y1 = 1;
    if (f->x1 - f->x0 < 1e-300) f->x0 -= 0.5, f->x1 += 0.5;
    if (f->log_y) f->y0 = floor(f->y0), f->y1 = ceil(f->y1);
    if (f->y1 - f->y0 < 1e-300) f->y0 -= 1, f->y1 += 1;
}

/* A 1-2-5 step giving about `want` intervals over span. */
static double nice_step(double span, int want)
{
    double raw = span / want, mag = pow(10.0, floor(log10(raw))), r = raw / mag;
    return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

static void draw_axes(FILE *o, const sp_plot *p, const frame *f)
{
    fprintf(o, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='none' stroke='#333'/>\n",
            f->left, f->top, f->right - f->left, f->bottom - f->top);
    double sx = nice_step(f->x1 - f->x0, 8);
    for (double x = ceil(f->x0 / sx) * sx; x <= f->x1 + 1e-9 * sx; x += sx)
        fprintf(o, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#333'/><text x='%.1f' y='%.1f' "
                   "text-anchor='middle'>%g</text>\n", px(f, x), f->bottom, px(f, x), f->bottom + 5,
                px(f, x), f->bottom + 18, x);
    double sy = f->log_y ? fmax(1.0, ceil((f->y1 - f->y0) / 8)) : nice_step(f->y1 - f->y0, 6);
    for (double y = ceil(f->y0 / sy) * sy; y <= f->y1 + 1e-9 * sy; y += sy) {
        double yy = f->bottom - (y - f->y0) / (f->y1 - f->y0) * (f->bottom - f->top);
        fprintf(o, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#ddd'/>", f->left, yy, f->right, yy);
        if (f->log_y) fprintf(o, "<text x='%.1f' y='%.1f' text-anchor='end'>1e%g</text>\n", f->left - 6, yy + 4, y);
        else fprintf(o, "<text x='%.1f' y='%.1f' text-anchor='end'>%g</text>\n", f->left - 6, yy + 4, y);
    }
    fprintf(o, "<text x='%.1f' y='%.1f' text-anchor='middle'>", (f->left + f->right) / 2, f->bottom + 36);
    fprintf(o, "%s</text>\n", p->xlabel ? p->xlabel : "");
    fprintf(o, "<text transform='translate(16,%.1f) rotate(-90)' text-anchor='middle'>%s</text>\n",
            (f->top + f->bottom) / 2, p->ylabel ? p->ylabel : "");
    fprintf(o, "<text x='%.1f' y='20' text-anchor='middle' font-weight='bold'>%s</text>\n",
            (f->left + f->right) / 2, p->title ? p->title : "");
}

static void draw_series(FILE *o, const sp_plot_series *s, const frame *f, const char *color, int index)
{
    int open = 0;
    for (int i = 0; i < s->count; i++) {
        if (!usable(f, s->y[i]) || !isfinite(s->x[i])) {
            if (open) fprintf(o, "'/>\n");
            open = 0;
            continue;
        }
        if (!open) fprintf(o, "<polyline fill='none' stroke='%s' stroke-width='1.5' points='", color);
        fprintf(o, "%.1f,%.1f ", px(f, s->x[i]), py(f, s->y[i]));
        open = 1;
    }
    if (open) fprintf(o, "'/>\n");
    double ly = f->top + 14 + 16 * index;
    fprintf(o, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='%s' stroke-width='2'/>"
               "<text x='%.1f' y='%.1f'>%s</text>\n", f->right - 120, ly, f->right - 100, ly, color,
            f->right - 95, ly + 4, s->name ? s->name : "");
}

int sp_plot_write_svg(const sp_plot *p, const char *path)
{
    sp_atomic_file af;
    int rc = sp_atomic_open(&af, path);
    if (rc < 0) return rc;
    int w = p->width > 0 ? p->width : 720, h = p->height > 0 ? p->height : 440;
    frame f = {0, 0, 0, 0, 70, w - 20.0, 32, h - 50.0, p->log_y};
    data_range(p, &f);
    FILE *o = af.fp;
    fprintf(o, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' "
               "font-size='12'>\n<rect width='100%%' height='100%%' fill='white'/>\n", w, h);
    draw_axes(o, p, &f);
    for (int s = 0; s < p->n_series; s++) draw_series(o, &p->series[s], &f, palette[s % 10], s);
    fprintf(o, "</svg>\n");
    if (ferror(o)) {
        sp_atomic_abort(&af);
        return sp_error(SP_EIO, "%s: write failed", path);
    }
    return sp_atomic_commit(&af);
}
