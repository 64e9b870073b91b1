/* libFuzzer: validate() against a spec with every field type.  The input
 * is a JSON object, or (first byte 'F') a urlencoded form as a browser
 * would send it.  Checks the contract handlers rely on: exactly one of
 * errors / values; errors are non-empty field -> message strings; values
 * hold only declared fields, each of its declared type and within its
 * bounds, and pass validate_value for the typed string formats. */
#include "fcgi/request.h"
#include "fcgi/validate.h"
#include "fcgi/web.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


static const struct field spec[] = {
	{ "name", FT_STRING, FIELD_REQUIRED, 1, 20, NULL },
	{ "note", FT_TEXT, 0, 0, 200, NULL },
	{ "free", FT_STRING, 0, 2, 0, NULL },
	{ "age", FT_INT, 0, -5, 150, NULL },
	{ "on", FT_BOOL, 0, 0, 0, NULL },
	{ "role", FT_ENUM, 0, 0, 0, "owner|admin|viewer" },
	{ "email", FT_EMAIL, 0, 0, 0, NULL },
	{ "id", FT_UUID, 0, 0, 0, NULL },
	{ "phone", FT_E164, 0, 0, 0, NULL },
	{ "day", FT_DATE, 0, 0, 0, NULL },
	{ "at", FT_TIMESTAMP, 0, 0, 0, NULL },
	{ "meta", FT_JSON, 0, 0, 0, NULL },
	{ "ids", FT_UUID, FIELD_MULTI, 0, 0, NULL },
	{ "nums", FT_INT, FIELD_MULTI, 0, 9, NULL },
	{ "tags", FT_STRING, FIELD_MULTI, 1, 10, NULL },
	{ 0 }
};

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void
check_value(const struct field *f, json_t *v)
{
	switch (f->type) {
	case FT_STRING:
	case FT_TEXT: {
		if (!json_is_string(v))
			abort();
		const char *s = json_string_value(v);
		size_t n = utf8_chars(s);
		if (f->type == FT_STRING && strpbrk(s, "\r\n"))
			abort();
		if (n > 0 && ((long)n < f->min || (f->max && (long)n > f->max)))
			abort();
		break;
	}
	case FT_INT:
		if (!json_is_integer(v) || json_integer_value(v) < f->min ||
		    json_integer_value(v) > f->max)
			abort();
		break;
	case FT_BOOL:
		if (!json_is_boolean(v))
			abort();
		break;
	case FT_ENUM: {
		const char *s = json_string_value(v);
		if (s == NULL || (strcmp(s, "owner") && strcmp(s, "admin") && strcmp(s, "viewer")))
			abort();
		break;
	}
	case FT_JSON:
		if (!json_is_object(v) && !json_is_array(v))
			abort();
		break;
	default:
		if (!json_is_string(v) || validate_value(f->type, json_string_value(v)) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in;
	if (size > 0 && data[0] == 'F') {
		in = json_object();
		if (req_parse_urlencoded((const char *)data + 1, size - 1, in) < 0) {
			json_decref(in);
			return 0;
		}
	} else {
		in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
		if (in == NULL || !json_is_object(in)) {
			json_decref(in);
			return 0;
		}
	}
	json_t *vals = (json_t *)1;
	json_t *errors = validate(spec, in, &vals);
	if (errors) {
		const char *k;
		json_t *m;
		if (vals != NULL || json_object_size(errors) == 0)
			abort();
		json_object_foreach(errors, k, m)
			if (!json_is_string(m) || json_string_length(m) == 0)
				abort();
		json_decref(errors);
	} else {
		const char *k;
		json_t *v;
		if (vals == NULL || !json_is_object(vals))
			abort();
		json_object_foreach(vals, k, v) {
			const struct field *f = spec;
			while (f->name && strcmp(f->name, k) != 0)
				f++;
			if (f->name == NULL)
				abort();    /* an undeclared field reached the handler */
			if (f->flags & FIELD_MULTI) {
				size_t i;
				json_t *item;
				/* FIELD_MULTI promises the handler an array. */
				if (!json_is_array(v) || json_array_size(v) > 1000)
					abort();
				json_array_foreach(v, i, item)
					check_value(f, item);
			} else
				check_value(f, v);
		}
		if (json_object_get(vals, "name") == NULL)
			abort();    /* required */
		json_decref(vals);
	}
	json_decref(in);
	return 0;
}
