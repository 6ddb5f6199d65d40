/* svg_plot.h: a small SVG line-plot writer for the commands: several named
 * series of (x, y) points, optional log-scale y, axes with ticks, a legend.
 * Written through sp_atomic_open/commit (temp file + rename). Points with a
 * non-finite y (or y <= 0 on a log axis) break the line instead of drawing. */
#ifndef SPARTAN_SVG_PLOT_H
#define SPARTAN_SVG_PLOT_H

typedef struct sp_plot_series {
    const char *name;   /* legend label */
    const double *x, *y; /* count points */
    int count;
} sp_plot_series;

typedef struct sp_plot {
    const char *title, *xlabel, *ylabel;
    int log_y;          /* 1: logarithmic y axis */
    int width, height;  /* pixels; 0 = 720 x 440 */
    const sp_plot_series *series;
    int n_series;
} sp_plot;

/* Write the plot to path; SP_OK or a negative status with a message. */
int sp_plot_write_svg(const sp_plot *plot, const char *path);

#endif
