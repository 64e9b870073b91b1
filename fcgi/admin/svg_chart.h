/* Server-rendered SVG charts for the Intelligence page: no script, no
 * external assets; every label is escaped here. */
#ifndef VOXLINE_SVG_CHART_H
#define VOXLINE_SVG_CHART_H
#include "buf.h"

struct svg_bar {
	const char *label;
	double value;        /* bars are scaled to the largest value */
	const char *shown;   /* the value as printed beside the bar */
};

/* A horizontal bar chart; with no bars, a chart that says "No data".
 * 0, or -1 when out is full (out is left as it was). */
int svg_bar_chart(struct buf *out, const char *title, const struct svg_bar *bars, int n);

#endif
