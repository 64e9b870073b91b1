/* libFuzzer: req_decode_path on an arbitrary REQUEST_URI path.  A decoded
 * path starts with '/', is valid UTF-8, and has no empty, "." or ".."
 * segment: nothing a handler or nginx could resolve to another place. */
#include "fcgi/request.h"
#include "fcgi/web.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *raw = malloc(size + 1);
	memcpy(raw, data, size);
	raw[size] = '\0';
	char *p = req_decode_path(raw);
	if (p != NULL) {
		size_t n = strlen(p);
		if (p[0] != '/' || n > strlen(raw))
			abort();
		if (strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../"))
			abort();
		if ((n >= 2 && strcmp(p + n - 2, "/.") == 0) || (n >= 3 && strcmp(p + n - 3, "/..") == 0))
			abort();
		json_t *s = json_string(p);
		if (s == NULL)
			abort();    /* not valid UTF-8 */
		json_decref(s);
		/* Decoding is idempotent on its own output only when it has no '%'. */
		if (strchr(p, '%') == NULL) {
			char *again = req_decode_path(p);
			if (again == NULL || strcmp(again, p) != 0)
				abort();
			free(again);
		}
		free(p);
	}
	free(raw);
	return 0;
}
