#include "validate.h"
#include "xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define VALIDATE_MAX_VALUES 1000

static size_t
utf8_length(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
is_uuid(const char *s)
{
	if (strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

static int
is_email(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);
	if (at == NULL || at == s || strchr(at + 1, '@') || n > 254)
		return 0;
	const char *dot = strrchr(at, '.');
	if (dot == NULL || dot == at + 1 || dot[1] == '\0')
		return 0;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == ',' || *p == ';')
			return 0;
	return 1;
}

static int
is_date(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !all_digits(s, 4) ||
	    !all_digits(s + 5, 2) || !all_digits(s + 8, 2))
		return 0;
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (m < 1 || m > 12 || d < 1)
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= days[m - 1] + (m == 2 && leap);
}

static int
is_timestamp(const char *s)
{
	/* YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|-HH:MM) */
	if (strlen(s) < 17 || !is_date((char[11]){ s[0], s[1], s[2], s[3], s[4], s[5],
	    s[6], s[7], s[8], s[9], 0 }) || (s[10] != 'T' && s[10] != ' ') ||
	    !all_digits(s + 11, 2) || s[13] != ':' || !all_digits(s + 14, 2))
		return 0;
	if (atoi(s + 11) > 23 || atoi(s + 14) > 59)
		return 0;
	const char *p = s + 16;
	if (*p == ':') {
		if (!all_digits(p + 1, 2) || atoi(p + 1) > 60)   /* 60: leap second */
			return 0;
		p += 3;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return 0;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (strcmp(p, "Z") == 0)
		return 1;
	return (p[0] == '+' || p[0] == '-') && strlen(p) == 6 && all_digits(p + 1, 2) &&
	    p[3] == ':' && all_digits(p + 4, 2);
}

static int
in_choices(const char *choices, const char *s)
{
	size_t n = strlen(s);
	for (const char *c = choices; c && *c; ) {
		const char *bar = strchr(c, '|');
		size_t len = bar ? (size_t)(bar - c) : strlen(c);
		if (len == n && strncmp(c, s, n) == 0)
			return 1;
		c = bar ? bar + 1 : NULL;
	}
	return 0;
}

int
validate_value(enum field_type type, const char *s)
{
	switch (type) {
	case FT_UUID: return is_uuid(s) ? 0 : -1;
	case FT_EMAIL: return is_email(s) ? 0 : -1;
	case FT_E164: return s[0] == '+' && s[1] >= '1' && s[1] <= '9' &&
	    strlen(s) >= 8 && strlen(s) <= 16 && all_digits(s + 1, strlen(s) - 1) ? 0 : -1;
	case FT_DATE: return is_date(s) ? 0 : -1;
	case FT_TIMESTAMP: return is_timestamp(s) ? 0 : -1;
	default: return 0;
	}
}

static const char *const type_messages[] = {
	[FT_EMAIL] = "Enter an email address like name@example.com.",
	[FT_UUID] = "Must be an identifier (UUID).",
	[FT_E164] = "Enter a phone number in international format, like +15551234567.",
	[FT_DATE] = "Enter a date as YYYY-MM-DD.",
	[FT_TIMESTAMP] = "Enter a time as YYYY-MM-DDTHH:MM:SSZ.",
};

/* One value; returns the typed value or NULL with *msg set. */
static json_t *check_one(const struct field *f, json_t *v, char *msg, size_t msglen);

/* Browsers send a textarea's line breaks as CRLF; multi-line text is
 * kept with LF only, so that whatever reads it later (passages split at
 * blank lines, hours one per line) sees what the person typed. */
static json_t *
text_lf(const struct field *f, const char *s, char *msg, size_t msglen)
{
	size_t n = strlen(s), k = 0;
	char *lf = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\r')
			lf[k++] = s[i];
		else if (s[i + 1] != '\n')
			lf[k++] = '\n';
	lf[k] = 0;
	json_t *v = json_string(lf);
	free(lf);
	json_t *out = check_one(f, v, msg, msglen);
	json_decref(v);
	return out;
}

static json_t *
check_one(const struct field *f, json_t *v, char *msg, size_t msglen)
{
	if (f->type == FT_JSON) {
		if (json_is_object(v) || json_is_array(v))
			return json_incref(v);
		snprintf(msg, msglen, "Must be a JSON object or array.");
		return NULL;
	}
	if (f->type == FT_BOOL && json_is_boolean(v))
		return json_incref(v);
	if (f->type == FT_INT && json_is_integer(v)) {
		json_int_t n = json_integer_value(v);
		if (n < f->min || n > f->max) {
			snprintf(msg, msglen, "Must be between %ld and %ld.", f->min, f->max);
			return NULL;
		}
		return json_incref(v);
	}
	const char *s = json_string_value(v);
	if (s == NULL) {
		snprintf(msg, msglen, "Must be a %s.", f->type == FT_INT ? "whole number" :
		    f->type == FT_BOOL ? "true or false value" : "text value");
		return NULL;
	}
	switch (f->type) {
	case FT_STRING:
	case FT_TEXT: {
		if (f->type == FT_TEXT && strchr(s, '\r'))
			return text_lf(f, s, msg, msglen);
		size_t n = utf8_length(s);
		if (f->type == FT_STRING && strpbrk(s, "\r\n")) {
			snprintf(msg, msglen, "Must be a single line.");
			return NULL;
		}
		if ((f->max && (long)n > f->max) || (long)n < f->min) {
			if (f->min > 0 && f->max)
				snprintf(msg, msglen, "Must be %ld to %ld characters.", f->min, f->max);
			else if (f->max)
				snprintf(msg, msglen, "Must be at most %ld characters.", f->max);
			else
				snprintf(msg, msglen, "Must be at least %ld characters.", f->min);
			return NULL;
		}
		return json_string(s);
	}
	case FT_INT: {
		char *end;
		errno = 0;
		long long n = strtoll(s, &end, 10);
		if (errno || end == s || *end || n < f->min || n > f->max) {
			snprintf(msg, msglen, "Must be a whole number between %ld and %ld.", f->min, f->max);
			return NULL;
		}
		return json_integer(n);
	}
	case FT_BOOL:
		if (strcmp(s, "true") == 0 || strcmp(s, "on") == 0 || strcmp(s, "1") == 0)
			return json_true();
		if (strcmp(s, "false") == 0 || strcmp(s, "off") == 0 || strcmp(s, "0") == 0)
			return json_false();
		snprintf(msg, msglen, "Must be true or false.");
		return NULL;
	case FT_ENUM:
		if (in_choices(f->choices, s))
			return json_string(s);
		snprintf(msg, msglen, "Must be one of: %s.", f->choices);
		for (char *c = msg; *c; c++)
			if (*c == '|')
				*c = ',';
		return NULL;
	default:
		if (validate_value(f->type, s) == 0)
			return json_string(s);
		snprintf(msg, msglen, "%s", type_messages[f->type]);
		return NULL;
	}
}

static const struct field *
find_field(const struct field *spec, const char *name)
{
	for (; spec && spec->name; spec++)
		if (strcmp(spec->name, name) == 0)
			return spec;
	return NULL;
}

json_t *
validate(const struct field *spec, json_t *input, json_t **out)
{
	json_t *errors = json_object(), *vals = json_object();
	char msg[256];
	const char *key;
	json_t *v;

	json_object_foreach(input, key, v)
		if (find_field(spec, key) == NULL && !FIELD_IS_IMPLICIT(key))
			json_object_set_new(errors, key, json_string("Unknown field."));

	for (const struct field *f = spec; f && f->name; f++) {
		v = json_object_get(input, f->name);
		/* Forms send empty strings for untouched inputs: for text fields
		 * that means "empty", for every other type "not given". */
		int blank = json_is_string(v) && json_string_length(v) == 0;
		if (v == NULL || json_is_null(v) || blank) {
			if (f->flags & FIELD_REQUIRED)
				json_object_set_new(errors, f->name, json_string("This field is required."));
			else if (blank && (f->flags & FIELD_MULTI))
				json_object_set_new(vals, f->name, json_array());
			else if (blank && (f->type == FT_STRING || f->type == FT_TEXT))
				json_object_set_new(vals, f->name, json_string(""));
			continue;
		}
		if (json_is_array(v) && !(f->flags & FIELD_MULTI) && f->type != FT_JSON) {
			json_object_set_new(errors, f->name, json_string("Give this field only once."));
			continue;
		}
		if (f->flags & FIELD_MULTI) {
			json_t *arr = json_array(), *items = json_is_array(v) ? v : json_pack("[O]", v);
			size_t i;
			json_t *item;
			json_array_foreach(items, i, item) {
				json_t *t = check_one(f, item, msg, sizeof msg);
				if (t == NULL) {
					json_object_set_new(errors, f->name, json_string(msg));
					break;
				}
				json_array_append_new(arr, t);
			}
			if (items != v)
				json_decref(items);
			if (json_array_size(arr) > VALIDATE_MAX_VALUES)
				json_object_set_new(errors, f->name, json_string("Too many values."));
			json_object_set_new(vals, f->name, arr);
			continue;
		}
		json_t *t = check_one(f, v, msg, sizeof msg);
		if (t == NULL)
			json_object_set_new(errors, f->name, json_string(msg));
		else
			json_object_set_new(vals, f->name, t);
	}
	if (json_object_size(errors) == 0) {
		json_decref(errors);
		*out = vals;
		return NULL;
	}
	json_decref(vals);
	*out = NULL;
	return errors;
}
