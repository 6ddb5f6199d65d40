/* svg_plot.c: line plots as standalone SVG files (see svg_plot.h). Pure
 * output: computes the data range, nice ticks (1-2-5 steps or decades), and
 * draws polylines (with point markers on short series) and a legend in the
 * emptiest corner; text is XML-escaped. It does not read anything. */
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

/* Text as XML character data: & < > ' " escaped. */
static void put_text(FILE *o, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '&') fputs("&amp;", o);
        else if (*s == '<') fputs("&lt;", o);
        else if (*s == '>') fputs("&gt;", o);
        else if (*s == '\'') fputs("&apos;", o);
        else if (*s == '"') fputs("&quot;", o);
        else fputc(*s, o);
    }
}

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
    if (!f->log_y) { /* 4% margins: lines never run along the frame */
        double pad = 0.04 * (f->y1 - f->y0);
        f->y0 -= pad, f->y1 += pad;
    }
}

/* 1 when every finite x of every series is a whole number (epochs, sizes). */
static int integer_x(const sp_plot *p)
{
    for (int s = 0; s < p->n_series; s++)
        for (int i = 0; i < p->series[s].count; i++)
            if (isfinite(p->series[s].x[i]) && p->series[s].x[i] != floor(p->series[s].x[i])) return 0;
    return 1;
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
    if (integer_x(p) && sx < 1.0) sx = 1.0;
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
    put_text(o, p->xlabel);
    fprintf(o, "</text>\n<text transform='translate(16,%.1f) rotate(-90)' text-anchor='middle'>",
            (f->top + f->bottom) / 2);
    put_text(o, p->ylabel);
    fprintf(o, "</text>\n<text x='%.1f' y='20' text-anchor='middle' font-weight='bold'>",
            (f->left + f->right) / 2);
    put_text(o, p->title);
    fputs("</text>\n", o);
}

static void draw_series(FILE *o, const sp_plot_series *s, const frame *f, const char *color)
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
    for (int i = 0; s->count <= 60 && i < s->count; i++) /* markers on short series */
        if (usable(f, s->y[i]) && isfinite(s->x[i]))
            fprintf(o, "<circle cx='%.1f' cy='%.1f' r='2.5' fill='%s'/>", px(f, s->x[i]),
                    py(f, s->y[i]), color);
    fputc('\n', o);
}

/* Points of all series inside the pixel box [x0, x0+w] x [y0, y0+h]. */
static int points_in_box(const sp_plot *p, const frame *f, double x0, double y0, double w, double h)
{
    int n = 0;
    for (int s = 0; s < p->n_series; s++)
        for (int i = 0; i < p->series[s].count; i++) {
            const sp_plot_series *ser = &p->series[s];
            if (!usable(f, ser->y[i]) || !isfinite(ser->x[i])) continue;
            double x = px(f, ser->x[i]), y = py(f, ser->y[i]);
            n += x >= x0 - 4 && x <= x0 + w + 4 && y >= y0 - 4 && y <= y0 + h + 4;
        }
    return n;
}

/* Legend on a white box, in the corner (top right, bottom right, top left,
 * bottom left, middle right) covering the fewest data points. */
static void draw_legend(FILE *o, const sp_plot *p, const frame *f)
{
    if (p->n_series < 1) return;
    double w = 156, h = 16 * p->n_series + 4, best_x = 0, best_y = 0;
    double xs[5] = {f->right - w - 6, f->right - w - 6, f->left + 6, f->left + 6, f->right - w - 6};
    double ys[5] = {f->top + 4, f->bottom - h - 4, f->top + 4, f->bottom - h - 4,
                    (f->top + f->bottom - h) / 2};
    int best = -1;
    for (int c = 0; c < 5; c++) {
        int n = points_in_box(p, f, xs[c], ys[c], w, h);
        if (best < 0 || n < best) best = n, best_x = xs[c], best_y = ys[c];
    }
    fprintf(o, "<rect x='%.1f' y='%.1f' width='%.0f' height='%.0f' fill='white' fill-opacity='0.85' "
               "stroke='#ccc'/>\n", best_x, best_y, w, h);
    for (int s = 0; s < p->n_series; s++) {
        double ly = best_y + 10 + 16 * s;
        fprintf(o, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='%s' stroke-width='2'/>"
                   "<text x='%.1f' y='%.1f'>", best_x + 6, ly, best_x + 26, ly, palette[s % 10],
                best_x + 31, ly + 4);
        put_text(o, p->series[s].name);
        fputs("</text>\n", o);
    }
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
    for (int s = 0; s < p->n_series; s++) draw_series(o, &p->series[s], &f, palette[s % 10]);
    draw_legend(o, p, &f);
    fprintf(o, "</svg>\n");
    if (ferror(o)) {
        sp_atomic_abort(&af);
        return sp_error(SP_EIO, "%s: write failed", path);
    }
    return sp_atomic_commit(&af);
}
