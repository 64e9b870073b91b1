/* libFuzzer: req_parse_cookies on an arbitrary Cookie header.  On success
 * every cookie name is non-empty and has no ';' or leading space, every
 * value is a valid UTF-8 string without NUL, and there are at most
 * REQ_MAX_FIELDS cookies. */
#include "fcgi/request.h"
#include "fcgi/web.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* FastCGI parameters are NUL-terminated strings. */
	char *header = malloc(size + 1);
	memcpy(header, data, size);
	header[size] = '\0';
	json_t *o = json_object();
	if (req_parse_cookies(header, o) == 0) {
		const char *k;
		json_t *v;
		if (json_object_size(o) > REQ_MAX_FIELDS)
			abort();
		json_object_foreach(o, k, v) {
			if (*k == '\0' || *k == ' ' || strchr(k, ';') || strchr(k, '='))
				abort();
			if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
				abort();
		}
		char *text = json_dumps(o, JSON_COMPACT);
		if (text == NULL)
			abort();
		free(text);
	}
	json_decref(o);
	free(header);
	return 0;
}
