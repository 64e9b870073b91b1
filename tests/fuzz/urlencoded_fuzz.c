/* libFuzzer: req_parse_urlencoded on arbitrary bytes (query strings and
 * form bodies come straight from the network).  Besides memory safety it
 * checks what handlers rely on: on success every name is non-empty, every
 * value a string or an array of strings, at most REQ_MAX_FIELDS names, and
 * the object serialises (valid UTF-8, no NUL). */
#include "fcgi/request.h"
#include "fcgi/web.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


static void
check_string(json_t *s)
{
	if (!json_is_string(s) || strlen(json_string_value(s)) != json_string_length(s))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *o = json_object();
	if (req_parse_urlencoded((const char *)data, size, o) == 0) {
		const char *k;
		json_t *v;
		if (json_object_size(o) > REQ_MAX_FIELDS)
			abort();
		json_object_foreach(o, k, v) {
			if (*k == '\0')
				abort();
			if (json_is_array(v)) {
				size_t i;
				json_t *item;
				if (json_array_size(v) < 2)
					abort();
				json_array_foreach(v, i, item)
					check_string(item);
			} else
				check_string(v);
		}
		char *text = json_dumps(o, JSON_COMPACT);
		if (text == NULL)
			abort();
		free(text);
	}
	json_decref(o);
	return 0;
}
