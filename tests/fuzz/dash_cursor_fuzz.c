/* libFuzzer: dash_cursor_decode on arbitrary ?cursor= text.  A cursor that
 * decodes names a known sort, carries a key of that sort's exact shape and
 * a UUID, and encodes back to a cursor that decodes to the same values;
 * anything else is refused with nothing half-filled. */
#include "fcgi/dashboard/dash.h"
#include "fcgi/validate.h"
#include "fcgi/web.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	struct dash_cursor c, again;
	if (dash_cursor_decode(s, &c) == 0) {
		const struct dash_sort *sort = dash_sort_find(c.sort);
		if (sort == NULL || validate_value(FT_UUID, c.id) != 0 || c.key[0] == '\0')
			abort();
		if (strspn(c.key, sort->key == DASH_KEY_TIME ? "0123456789-T:.Z" : "-0123456789") != strlen(c.key))
			abort();
		char *enc = dash_cursor_encode(&c);
		if (enc == NULL || dash_cursor_decode(enc, &again) != 0 || memcmp(&c, &again, sizeof c) != 0)
			abort();
		free(enc);
	} else if (c.sort[0] || c.key[0] || c.id[0]) {
		abort();
	}
	free(s);
	return 0;
}
