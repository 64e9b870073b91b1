/* The Intelligence charts: bars proportional to the values, every label
 * escaped, a readable empty state, and bounded output. */
#include "tap.h"
#include "fcgi/admin/svg_chart.h"

static int
count(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

int
main(void)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	struct svg_bar bars[] = {
		{ "answered", 30, "30" }, { "<script>alert(1)</script>", 15, "15" }, { "missed", 0, "0" },
	};
	is_int(svg_bar_chart(&b, "Outcomes & more", bars, 3), 0, "chart rendered");
	ok(strncmp(b.data, "<svg ", 5) == 0 && strstr(b.data, "</svg>"), "one svg element");
	is_int(count(b.data, "<rect"), 3, "one bar per value");
	ok(strstr(b.data, "width=\"320\" height") != NULL, "the largest value fills the bar area");
	ok(strstr(b.data, "width=\"160\" height") != NULL, "half the value, half the bar");
	ok(strstr(b.data, "width=\"0\" height") != NULL, "zero draws no bar");
	ok(strstr(b.data, "<script>") == NULL && strstr(b.data, "&lt;script&gt;") != NULL,
	    "labels are escaped");
	ok(strstr(b.data, "<title>Outcomes &amp; more</title>") != NULL, "accessible title, escaped");

	buf_reset(&b);
	is_int(svg_bar_chart(&b, "Empty", NULL, 0), 0, "no data still renders");
	ok(strstr(b.data, "No data") != NULL && count(b.data, "<rect") == 0, "and says so");

	struct buf small;
	buf_init(&small, 64);
	buf_puts(&small, "before");
	is_int(svg_bar_chart(&small, "Too big", bars, 3), -1, "full buffer: error");
	is(small.data, "before", "and the buffer is left as it was");
	buf_free(&small);
	buf_free(&b);
	return done_testing();
}
