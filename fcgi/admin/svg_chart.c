#include "svg_chart.h"
#include "../tpl.h"
#include <string.h>

#define SVG_WIDTH 640
#define SVG_ROW 28
#define SVG_LABEL_W 200
#define SVG_BAR_W 320
#define SVG_TOP 8

static int
text(struct buf *out, const char *s)
{
	return tpl_escape_html(out, s ? s : "", s ? strlen(s) : 0);
}

int
svg_bar_chart(struct buf *out, const char *title, const struct svg_bar *bars, int n)
{
	size_t mark = out->len;
	int rows = n > 0 ? n : 1;
	int height = SVG_TOP * 2 + rows * SVG_ROW;
	double max = 0;
	for (int i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	int rc = buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
	    SVG_WIDTH, height, SVG_WIDTH, height);
	rc |= text(out, title);
	rc |= buf_puts(out, "\"><title>");
	rc |= text(out, title);
	rc |= buf_puts(out, "</title>");
	if (n == 0)
		rc |= buf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"chart-empty\">No data</text>",
		    SVG_LABEL_W, SVG_TOP + SVG_ROW / 2 + 5);
	for (int i = 0; i < n && rc == 0; i++) {
		int y = SVG_TOP + i * SVG_ROW;
		double v = bars[i].value > 0 ? bars[i].value : 0;
		int w = max > 0 ? (int)(v / max * SVG_BAR_W + 0.5) : 0;
		if (v > 0 && w < 1)
			w = 1;
		rc |= buf_printf(out, "<g class=\"chart-row\"><text x=\"%d\" y=\"%d\" "
		    "text-anchor=\"end\" class=\"chart-label\">", SVG_LABEL_W - 8, y + SVG_ROW / 2 + 5);
		rc |= text(out, bars[i].label);
		rc |= buf_printf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		    "class=\"chart-bar\"></rect><text x=\"%d\" y=\"%d\" class=\"chart-value\">",
		    SVG_LABEL_W, y + 4, w, SVG_ROW - 8, SVG_LABEL_W + w + 6, y + SVG_ROW / 2 + 5);
		rc |= text(out, bars[i].shown);
		rc |= buf_puts(out, "</text></g>");
	}
	rc |= buf_puts(out, "</svg>");
	if (rc != 0) {
		out->len = mark;
		out->data[mark] = '\0';
		return -1;
	}
	return 0;
}
