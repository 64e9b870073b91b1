/* Declared input: each route lists the fields it accepts, with type and
 * bounds.  validate() turns raw input (form strings or JSON values) into
 * typed values, or into field-level error messages.  Unknown fields are
 * errors too: a handler never sees input it did not declare. */
#ifndef VOXLINE_VALIDATE_H
#define VOXLINE_VALIDATE_H
#include <jansson.h>

enum field_type {
	FT_STRING,      /* single line; min/max = length in characters */
	FT_TEXT,        /* multi-line text; min/max = length */
	FT_INT,         /* min/max = value */
	FT_BOOL,        /* true/false, on/1/0 from forms */
	FT_ENUM,        /* one of choices "a|b|c" */
	FT_EMAIL,
	FT_UUID,
	FT_E164,        /* +15551234567 */
	FT_DATE,        /* YYYY-MM-DD */
	FT_TIMESTAMP,   /* ISO 8601 with offset or Z */
	FT_JSON,        /* any JSON object or array (JSON bodies only) */
};

#define FIELD_REQUIRED 1u
#define FIELD_MULTI    2u   /* array of values (repeated form names) */

struct field {
	const char *name;
	enum field_type type;
	unsigned flags;
	long min, max;
	const char *choices;
};

/* Fields every browser form may carry, consumed by middleware. */
#define FIELD_IS_IMPLICIT(n) (strcmp((n), "csrf_token") == 0)

/* Validates input against spec (NULL-name terminated; spec NULL means no
 * fields).  On success returns NULL and sets *out to a new object of
 * typed values; on failure returns a new object field -> message. */
json_t *validate(const struct field *spec, json_t *input, json_t **out);
/* One value (used for path arguments); 0 when valid. */
int validate_value(enum field_type type, const char *s);

#endif
