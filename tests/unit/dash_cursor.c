/* Keyset cursors: what encodes comes back intact, and anything a client
 * could forge (other sorts, bad keys, bad ids, garbage) is refused. */
#include "tap.h"
#include "crypto.h"
#include "fcgi/dashboard/dash.h"
#include <stdlib.h>

static char *
raw(const char *text)
{
	return crypto_base64url(text, strlen(text));
}

static int
decodes(const char *text)
{
	struct dash_cursor c;
	char *s = raw(text);
	int rc = dash_cursor_decode(s, &c);
	free(s);
	return rc == 0;
}

int
main(void)
{
	struct dash_cursor in = { "newest", "2026-11-21T15:19:18.123456Z", "0b0e8a3c-1f6e-4a31-9d3c-0f1e2d3c4b5a" }, out;
	char *s = dash_cursor_encode(&in);
	ok(s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(s),
	    "a cursor is URL-safe text");
	is_int(dash_cursor_decode(s, &out), 0, "it decodes");
	is(out.sort, "newest", "sort survives");
	is(out.key, in.key, "key survives to the microsecond");
	is(out.id, in.id, "id survives");
	free(s);

	struct dash_cursor d = { "longest", "754", "0b0e8a3c-1f6e-4a31-9d3c-0f1e2d3c4b5a" };
	s = dash_cursor_encode(&d);
	ok(dash_cursor_decode(s, &out) == 0 && strcmp(out.key, "754") == 0, "integer keys for duration sorts");
	free(s);

	ok(decodes("oldest|2026-01-01T00:00:00.000000Z|0b0e8a3c-1f6e-4a31-9d3c-0f1e2d3c4b5a"), "oldest accepted");
	ok(!decodes("newest|754|0b0e8a3c-1f6e-4a31-9d3c-0f1e2d3c4b5a"), "a time sort with an integer key is refused");
	ok(!decodes("longest|2026-01-01T00:00:00.000000Z|0b0e8a3c-1f6e-4a31-9d3c-0f1e2d3c4b5a"), "a duration sort with a time key is refused");
	ok(!decodes("random|1|0b0e8a3c-1f6e-4a31-9d3c-0f1e2d3c4b5a"), "unknown sort refused");
	ok(!decodes("newest|2026-01-01T00:00:00.000000Z'--|0b0e8a3c-1f6e-4a31-9d3c-0f1e2d3c4b5a"), "SQL in the key refused");
	ok(!decodes("newest|2026-01-01 00:00:00|0b0e8a3c-1f6e-4a31-9d3c-0f1e2d3c4b5a"), "other timestamp shapes refused");
	ok(!decodes("newest|2026-01-01T00:00:00.000000Z|not-a-uuid"), "bad id refused");
	ok(!decodes("newest|2026-01-01T00:00:00.000000Z"), "missing id refused");
	ok(!decodes("longest|12345678901|0b0e8a3c-1f6e-4a31-9d3c-0f1e2d3c4b5a"), "out-of-range integer refused");
	ok(!decodes(""), "empty refused");
	struct dash_cursor c;
	ok(dash_cursor_decode("!!!", &c) < 0, "non-base64 refused");
	ok(dash_cursor_decode(NULL, &c) < 0, "absent refused");
	char nul[] = "newest|2026-01-01T00:00:00.000000Z|0b0e8a3c-1f6e-4a31-9d3c-0f1e2d3c4b5a";
	nul[6] = '\0';
	char *enc = crypto_base64url(nul, sizeof nul - 1);
	ok(dash_cursor_decode(enc, &c) < 0 && c.sort[0] == '\0', "embedded NUL refused and nothing half-filled");
	free(enc);
	return done_testing();
}
