/* CSV cells (RFC 4180) that are safe to open in a spreadsheet: a cell
 * that a spreadsheet would run as a formula (starting with = + - @, tab or
 * carriage return) is prefixed with an apostrophe, unless the whole cell
 * is a plain number such as +15551234567 or -3. */
#include "dash.h"
#include <string.h>

static int
plain_number(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	size_t d = strspn(s, "0123456789");
	if (d == 0)
		return 0;
	s += d;
	if (*s == '.') {
		size_t f = strspn(s + 1, "0123456789");
		if (f == 0)
			return 0;
		s += 1 + f;
	}
	return *s == '\0';
}

int
dash_csv_cell(struct buf *out, const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	int formula = strchr("=+-@\t\r", *s) != NULL && !plain_number(s);
	int quote = formula || strpbrk(s, ",\"\r\n") != NULL || *s == ' ' || s[strlen(s) - 1] == ' ';
	int rc = 0;
	if (quote)
		rc |= buf_putc(out, '"');
	if (formula)
		rc |= buf_putc(out, '\'');
	for (const char *p = s; *p && rc == 0; p++)
		rc |= *p == '"' ? buf_puts(out, "\"\"") : buf_putc(out, *p);
	if (quote)
		rc |= buf_putc(out, '"');
	return rc ? -1 : 0;
}

int
dash_csv_record(struct buf *out, const char *const *cells, size_t n)
{
	size_t start = out->len;
	for (size_t i = 0; i < n; i++)
		if ((i && buf_putc(out, ',') < 0) || dash_csv_cell(out, cells[i]) < 0)
			goto full;
	if (buf_puts(out, "\r\n") == 0)
		return 0;
full:
	out->len = start;
	return -1;
}
