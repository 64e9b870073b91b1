/* CSV export cells: RFC 4180 quoting, and spreadsheet formulas defused
 * while plain numbers (phone numbers, negative values) stay numbers. */
#include "tap.h"
#include "fcgi/dashboard/dash.h"

static struct buf b;

static const char *
cell(const char *s)
{
	buf_reset(&b);
	dash_csv_cell(&b, s);
	return b.data ? b.data : "";
}

int
main(void)
{
	buf_init(&b, 1 << 16);
	is(cell("hello"), "hello", "plain text as is");
	is(cell(NULL), "", "NULL is an empty cell");
	is(cell("a,b"), "\"a,b\"", "comma quoted");
	is(cell("say \"hi\""), "\"say \"\"hi\"\"\"", "quotes doubled");
	is(cell("line1\nline2"), "\"line1\nline2\"", "newline quoted");
	is(cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"", "= formula defused");
	is(cell("+cmd|' /C calc'!A0"), "\"'+cmd|' /C calc'!A0\"", "+ formula defused");
	is(cell("-2+3"), "\"'-2+3\"", "- formula defused");
	is(cell("@SUM(A1)"), "\"'@SUM(A1)\"", "@ formula defused");
	is(cell("\tx"), "\"'\tx\"", "leading tab defused");
	is(cell("\r=1"), "\"'\r=1\"", "leading carriage return defused");
	is(cell("+15551234567"), "+15551234567", "a phone number stays a number");
	is(cell("-3"), "-3", "a negative number stays a number");
	is(cell("-3.25"), "-3.25", "a negative decimal stays a number");
	is(cell("-3."), "\"'-3.\"", "not quite a number is defused");
	is(cell(" padded "), "\" padded \"", "surrounding spaces kept by quoting");
	is(cell("a=b"), "a=b", "= inside a cell is harmless");

	buf_reset(&b);
	const char *row[] = { "x", NULL, "=1", "y,z" };
	is_int(dash_csv_record(&b, row, 4), 0, "record written");
	is(b.data, "x,,\"'=1\",\"y,z\"\r\n", "record: cells joined by commas, CRLF ended");

	struct buf small;
	buf_init(&small, 8);
	const char *big[] = { "0123456789abcdef" };
	is_int(dash_csv_record(&small, big, 1), -1, "a record that does not fit fails");
	is_int((long long)small.len, 0, "and leaves nothing half-written");
	buf_free(&small);
	buf_free(&b);
	return done_testing();
}
