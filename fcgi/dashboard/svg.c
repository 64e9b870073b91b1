/* Charts as inline SVG built by the server: they need no script, scale
 * with the page (viewBox), take their colours from the stylesheet, and
 * carry a title and description for assistive technology.  Every number
 * is also written as text, so nothing is told by colour or length alone. */
#include "dash.h"
#include "../tpl.h"
#include <string.h>

#define COL_W 720
#define COL_H 220
#define PAD_L 40
#define PAD_B 36
#define PAD_T 12

static void
text(struct buf *out, const char *s)
{
	tpl_escape_html(out, s, strlen(s));
}

static long
max_value(const struct dash_bar *bars, size_t n)
{
	long m = 0;
	for (size_t i = 0; i < n; i++)
		if (bars[i].value > m)
			m = bars[i].value;
	return m;
}

/* A round axis maximum at or above m: 1, 2, 5 x 10^k. */
static long
nice_max(long m)
{
	long step = 1;
	for (;;) {
		if (m <= step) return step;
		if (m <= 2 * step) return 2 * step;
		if (m <= 5 * step) return 5 * step;
		step *= 10;
	}
}

static void
open_svg(struct buf *out, const char *cls, int w, int h, const char *title, const char *desc)
{
	static unsigned long serial;
	unsigned long id = __atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED);
	buf_printf(out, "<svg class=\"chart %s\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-labelledby=\"chart-%lu-t chart-%lu-d\" xmlns=\"http://www.w3.org/2000/svg\">"
	    "<title id=\"chart-%lu-t\">", cls, w, h, id, id, id);
	text(out, title);
	buf_printf(out, "</title><desc id=\"chart-%lu-d\">", id);
	text(out, desc);
	buf_puts(out, "</desc>");
}

int
dash_svg_columns(struct buf *out, const char *title, const struct dash_bar *bars, size_t n)
{
	size_t start = out->len;
	long top = nice_max(max_value(bars, n));
	char desc[256];
	snprintf(desc, sizeof desc, "%zu bars from %s to %s; the highest is %ld.", n,
	    n ? bars[0].label : "", n ? bars[n - 1].label : "", max_value(bars, n));
	open_svg(out, "chart-columns", COL_W, COL_H, title, desc);
	int plot_w = COL_W - PAD_L - 8, plot_h = COL_H - PAD_B - PAD_T;
	/* Grid and axis labels at 0, half and the top. */
	for (int g = 0; g <= 2; g++) {
		long v = top * g / 2;
		int y = PAD_T + plot_h - (int)(plot_h * g / 2);
		buf_printf(out, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
		    "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%ld</text>",
		    PAD_L, y, COL_W - 8, y, PAD_L - 6, y + 4, v);
	}
	double slot = n ? (double)plot_w / (double)n : 0;
	size_t every = n > 14 ? (n + 6) / 7 : 1;   /* at most about 7 x labels */
	for (size_t i = 0; i < n; i++) {
		int h = top ? (int)((double)plot_h * (double)bars[i].value / (double)top) : 0;
		double x = PAD_L + slot * (double)i + slot * 0.15;
		buf_printf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>",
		    x, PAD_T + plot_h - h, slot * 0.7, h);
		text(out, bars[i].label);
		buf_printf(out, ": %ld</title></rect>", bars[i].value);
		if (i % every == 0 || i + 1 == n) {
			buf_printf(out, "<text class=\"axis\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
			    x + slot * 0.35, COL_H - PAD_B + 18);
			text(out, bars[i].label);
			buf_puts(out, "</text>");
		}
	}
	if (buf_puts(out, "</svg>") < 0) {
		out->len = start;
		return -1;
	}
	return 0;
}

#define ROW_W 720
#define ROW_H 30
#define LABEL_W 220

int
dash_svg_rows(struct buf *out, const char *title, const struct dash_bar *bars, size_t n)
{
	size_t start = out->len;
	long top = max_value(bars, n);
	char desc[128];
	snprintf(desc, sizeof desc, "%zu categories; each bar is labelled with its count.", n);
	int h = (int)n * ROW_H + 8;
	open_svg(out, "chart-rows", ROW_W, h, title, desc);
	int plot_w = ROW_W - LABEL_W - 70;
	for (size_t i = 0; i < n; i++) {
		int y = 4 + (int)i * ROW_H, w = top ? (int)((double)plot_w * (double)bars[i].value / (double)top) : 0;
		buf_printf(out, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    LABEL_W - 8, y + 19);
		text(out, bars[i].label);
		buf_printf(out, "</text><rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>"
		    "<text class=\"value\" x=\"%d\" y=\"%d\">%ld</text>",
		    LABEL_W, y + 4, w > 0 ? w : 1, ROW_H - 10, LABEL_W + (w > 0 ? w : 1) + 6, y + 19,
		    bars[i].value);
	}
	if (buf_puts(out, "</svg>") < 0) {
		out->len = start;
		return -1;
	}
	return 0;
}
