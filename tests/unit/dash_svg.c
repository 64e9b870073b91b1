/* Server-rendered charts: accessible names, every value in text, labels
 * escaped, and bar heights proportional to the values. */
#include "tap.h"
#include "fcgi/dashboard/dash.h"

static int
count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

int
main(void)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	struct dash_bar days[] = { { "Mon 02 Nov", 4 }, { "Tue 03 Nov", 0 }, { "Wed 04 Nov", 10 } };
	is_int(dash_svg_columns(&b, "Calls per day", days, 3), 0, "columns chart rendered");
	like(b.data, "role=\"img\"", "announced as an image");
	like(b.data, "<title id=", "has a title");
	like(b.data, "Calls per day", "title text present");
	like(b.data, "<desc id=", "has a description");
	is_int(count(b.data, "<rect class=\"bar\""), 3, "one bar per day");
	like(b.data, "Wed 04 Nov: 10</title>", "each bar carries its value as text");
	like(b.data, ">10</text>", "axis top is a round number at or above the maximum");
	like(b.data, "height=\"0\"", "a zero day has a zero-height bar");
	like(b.data, "height=\"172\"", "the highest bar fills the plot");

	buf_reset(&b);
	struct dash_bar outcomes[] = { { "Message <taken>", 6 }, { "Answered & done", 3 } };
	is_int(dash_svg_rows(&b, "Calls by \"outcome\"", outcomes, 2), 0, "rows chart rendered");
	like(b.data, "Message &lt;taken&gt;", "labels escaped");
	unlike(b.data, "<taken>", "no raw markup from labels");
	like(b.data, "Calls by &quot;outcome&quot;", "title escaped");
	like(b.data, ">6</text>", "counts written beside the bars");
	like(b.data, "width=\"430\"", "the largest bar spans the plot");
	like(b.data, "width=\"215\"", "half the count, half the length");

	buf_reset(&b);
	is_int(dash_svg_columns(&b, "Empty", NULL, 0), 0, "an empty chart still renders");
	like(b.data, "</svg>", "and is well closed");

	struct buf tiny;
	buf_init(&tiny, 64);
	is_int(dash_svg_columns(&tiny, "Calls", days, 3), -1, "a chart that does not fit fails");
	is_int((long long)tiny.len, 0, "without leaving half an SVG");
	buf_free(&tiny);
	buf_free(&b);
	return done_testing();
}
