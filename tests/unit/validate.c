/* Declared input: every field type's accepted and rejected values, the
 * exact messages a user sees, required/optional, blank form strings,
 * unknown fields, csrf_token, FIELD_MULTI, INT bounds. */
#include "tap.h"
#include "buf.h"
#include "fcgi/validate.h"
#include "fcgi/web.h"



static char out[1 << 16];

/* Validates the JSON text input: "OK <values>" or "ERR <field messages>". */
static const char *
v(const struct field *spec, const char *input)
{
	json_error_t je;
	json_t *in = json_loads(input, 0, &je), *vals = NULL;
	if (in == NULL) {
		snprintf(out, sizeof out, "BAD TEST INPUT: %s", je.text);
		return out;
	}
	json_t *errors = validate(spec, in, &vals);
	json_t *shown = errors ? errors : vals;
	char *s = json_dumps(shown, JSON_COMPACT | JSON_SORT_KEYS);
	snprintf(out, sizeof out, "%s %s", errors ? "ERR" : "OK", s ? s : "(null)");
	if ((errors == NULL) == (vals == NULL))
		snprintf(out, sizeof out, "BROKEN CONTRACT");
	free(s);
	json_decref(errors);
	json_decref(vals);
	json_decref(in);
	return out;
}

/* {"f":"<s>"} for one string value (s must need no JSON escaping). */
static const char *
one(const struct field *spec, const char *s)
{
	char in[2048];
	snprintf(in, sizeof in, "{\"f\":\"%s\"}", s);
	return v(spec, in);
}

/* The message for field f, or "" when s is accepted. */
static const char *
msg(const struct field *spec, const char *s)
{
	const char *r = one(spec, s);
	static char m[512];
	m[0] = '\0';
	if (strncmp(r, "ERR {\"f\":\"", 10) == 0) {
		snprintf(m, sizeof m, "%s", r + 10);
		m[strlen(m) - 2] = '\0';
	} else if (strncmp(r, "OK ", 3) != 0)
		snprintf(m, sizeof m, "UNEXPECTED %s", r);
	return m;
}

/* {"f":["5","5",...]} with n values. */
static char *
ints_input(int n)
{
	struct buf b;
	buf_init(&b, (size_t)n * 4 + 16);
	buf_puts(&b, "{\"f\":[");
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%s\"5\"", i ? "," : "");
	buf_puts(&b, "]}");
	return buf_steal(&b);
}

#define ACCEPT(spec, s, name) is(msg((spec), (s)), "", name)
#define REJECT(spec, s, want, name) is(msg((spec), (s)), (want), name)

static const struct field str_spec[] = { { "f", FT_STRING, 0, 2, 5, NULL }, { 0 } };
static const struct field str_req[] = { { "f", FT_STRING, FIELD_REQUIRED, 2, 5, NULL }, { 0 } };
static const struct field str_nomax[] = { { "f", FT_STRING, 0, 3, 0, NULL }, { 0 } };
static const struct field text_spec[] = { { "f", FT_TEXT, 0, 0, 10, NULL }, { 0 } };
static const struct field int_spec[] = { { "f", FT_INT, 0, 1, 10, NULL }, { 0 } };
static const struct field int_neg[] = { { "f", FT_INT, 0, -5, 5, NULL }, { 0 } };
static const struct field bool_spec[] = { { "f", FT_BOOL, 0, 0, 0, NULL }, { 0 } };
static const struct field enum_spec[] = { { "f", FT_ENUM, 0, 0, 0, "owner|admin|viewer" }, { 0 } };
static const struct field email_spec[] = { { "f", FT_EMAIL, 0, 0, 0, NULL }, { 0 } };
static const struct field uuid_spec[] = { { "f", FT_UUID, 0, 0, 0, NULL }, { 0 } };
static const struct field e164_spec[] = { { "f", FT_E164, 0, 0, 0, NULL }, { 0 } };
static const struct field date_spec[] = { { "f", FT_DATE, 0, 0, 0, NULL }, { 0 } };
static const struct field ts_spec[] = { { "f", FT_TIMESTAMP, 0, 0, 0, NULL }, { 0 } };
static const struct field json_spec[] = { { "f", FT_JSON, 0, 0, 0, NULL }, { 0 } };
static const struct field multi_uuid[] = { { "f", FT_UUID, FIELD_MULTI, 0, 0, NULL }, { 0 } };
static const struct field multi_str[] = { { "f", FT_STRING, FIELD_MULTI, 0, 10, NULL }, { 0 } };
static const struct field multi_int[] = { { "f", FT_INT, FIELD_MULTI | FIELD_REQUIRED, 1, 100, NULL }, { 0 } };
static const struct field form_spec[] = {
	{ "name", FT_STRING, FIELD_REQUIRED, 1, 100, NULL },
	{ "email", FT_EMAIL, FIELD_REQUIRED, 0, 0, NULL },
	{ "note", FT_TEXT, 0, 0, 1000, NULL },
	{ "age", FT_INT, 0, 0, 150, NULL },
	{ "active", FT_BOOL, 0, 0, 0, NULL },
	{ "role", FT_ENUM, 0, 0, 0, "admin|viewer" },
	{ 0 }
};

#define UUID1 "123e4567-e89b-12d3-a456-426614174000"
#define UUID2 "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"

int
main(void)
{
	/* STRING. */
	is(one(str_spec, "abc"), "OK {\"f\":\"abc\"}", "STRING: a value within bounds");
	ACCEPT(str_spec, "ab", "STRING: exactly min characters");
	ACCEPT(str_spec, "abcde", "STRING: exactly max characters");
	REJECT(str_spec, "a", "Must be 2 to 5 characters.", "STRING: below min");
	REJECT(str_spec, "abcdef", "Must be 2 to 5 characters.", "STRING: above max");
	ACCEPT(str_spec, "h\xc3\xa9llo", "STRING: length counts characters, not bytes");
	REJECT(str_spec, "a\\nb", "Must be a single line.", "STRING: a newline is rejected");
	REJECT(str_spec, "ab\\rc", "Must be a single line.", "STRING: a carriage return is rejected");
	is(v(str_spec, "{\"f\":12}"), "ERR {\"f\":\"Must be a text value.\"}", "STRING: a number is not text");
	is(v(str_spec, "{\"f\":true}"), "ERR {\"f\":\"Must be a text value.\"}", "STRING: a boolean is not text");
	is(v(str_spec, "{\"f\":{}}"), "ERR {\"f\":\"Must be a text value.\"}", "STRING: an object is not text");
	char longs[1100];
	memset(longs, 'x', 1000);
	longs[1000] = '\0';
	ACCEPT(str_nomax, longs, "STRING: max 0 means no upper bound");
	if (!unlike(msg(str_nomax, "ab"), "to 0 characters",
	    "STRING with min 3 and no max: the message does not say '3 to 0 characters'"))
		diag(msg(str_nomax, "ab"));

	/* TEXT. */
	is(one(text_spec, "a\\nb\\r\\nc"), "OK {\"f\":\"a\\nb\\nc\"}", "TEXT: newlines are fine, a browser's CRLF kept as LF");
	is(one(text_spec, "a\\rb\\r\\n\\r\\nc"), "OK {\"f\":\"a\\nb\\n\\nc\"}", "TEXT: a lone CR is a line break too; blank lines survive");
	is(one(text_spec, "abcd\\r\\nefghi"), "OK {\"f\":\"abcd\\nefghi\"}", "TEXT: the length counts a line break once");
	REJECT(text_spec, "abcd\\r\\nefghij", "Must be at most 10 characters.", "TEXT: above max after the line breaks are counted");
	REJECT(text_spec, "12345678901", "Must be at most 10 characters.", "TEXT: above max");
	is(v(text_spec, "{\"f\":[\"a\"]}"), "ERR {\"f\":\"Give this field only once.\"}", "TEXT: an array for a single field");

	/* INT. */
	is(one(int_spec, "7"), "OK {\"f\":7}", "INT from a string becomes a JSON integer");
	is(v(int_spec, "{\"f\":7}"), "OK {\"f\":7}", "INT from a JSON integer");
	ACCEPT(int_spec, "1", "INT: min from a string");
	ACCEPT(int_spec, "10", "INT: max from a string");
	REJECT(int_spec, "0", "Must be a whole number between 1 and 10.", "INT string below min");
	REJECT(int_spec, "11", "Must be a whole number between 1 and 10.", "INT string above max");
	REJECT(int_spec, "5x", "Must be a whole number between 1 and 10.", "INT string with trailing garbage");
	REJECT(int_spec, "five", "Must be a whole number between 1 and 10.", "INT string not a number");
	REJECT(int_spec, "2.5", "Must be a whole number between 1 and 10.", "INT string with a fraction");
	REJECT(int_spec, "99999999999999999999", "Must be a whole number between 1 and 10.", "INT string overflow");
	is(v(int_spec, "{\"f\":1}"), "OK {\"f\":1}", "INT JSON at min");
	is(v(int_spec, "{\"f\":10}"), "OK {\"f\":10}", "INT JSON at max");
	is(v(int_spec, "{\"f\":0}"), "ERR {\"f\":\"Must be between 1 and 10.\"}", "INT JSON below min");
	is(v(int_spec, "{\"f\":11}"), "ERR {\"f\":\"Must be between 1 and 10.\"}", "INT JSON above max");
	is(v(int_spec, "{\"f\":-9223372036854775807}"), "ERR {\"f\":\"Must be between 1 and 10.\"}",
	    "INT JSON far below min");
	is(v(int_spec, "{\"f\":5.0}"), "ERR {\"f\":\"Must be a whole number.\"}", "INT: a JSON real is not whole");
	is(v(int_spec, "{\"f\":true}"), "ERR {\"f\":\"Must be a whole number.\"}", "INT: a boolean is not a number");
	is(one(int_neg, "-5"), "OK {\"f\":-5}", "INT: negative bound from a string");
	is(v(int_neg, "{\"f\":-6}"), "ERR {\"f\":\"Must be between -5 and 5.\"}", "INT: below a negative min");

	/* BOOL. */
	is(one(bool_spec, "true"), "OK {\"f\":true}", "BOOL: \"true\"");
	is(one(bool_spec, "on"), "OK {\"f\":true}", "BOOL: \"on\" (checkbox)");
	is(one(bool_spec, "1"), "OK {\"f\":true}", "BOOL: \"1\"");
	is(one(bool_spec, "false"), "OK {\"f\":false}", "BOOL: \"false\"");
	is(one(bool_spec, "off"), "OK {\"f\":false}", "BOOL: \"off\"");
	is(one(bool_spec, "0"), "OK {\"f\":false}", "BOOL: \"0\"");
	is(v(bool_spec, "{\"f\":true}"), "OK {\"f\":true}", "BOOL: JSON true");
	is(v(bool_spec, "{\"f\":false}"), "OK {\"f\":false}", "BOOL: JSON false");
	REJECT(bool_spec, "yes", "Must be true or false.", "BOOL: \"yes\" is rejected");
	REJECT(bool_spec, "TRUE", "Must be true or false.", "BOOL: upper case is rejected");
	is(v(bool_spec, "{\"f\":1}"), "ERR {\"f\":\"Must be a true or false value.\"}", "BOOL: a JSON number");

	/* ENUM. */
	is(one(enum_spec, "admin"), "OK {\"f\":\"admin\"}", "ENUM: a choice");
	ACCEPT(enum_spec, "owner", "ENUM: the first choice");
	ACCEPT(enum_spec, "viewer", "ENUM: the last choice");
	REJECT(enum_spec, "root", "Must be one of: owner,admin,viewer.", "ENUM: the message lists the choices");
	REJECT(enum_spec, "adm", "Must be one of: owner,admin,viewer.", "ENUM: a prefix is not a choice");
	REJECT(enum_spec, "admins", "Must be one of: owner,admin,viewer.", "ENUM: a longer word is not a choice");
	REJECT(enum_spec, "Admin", "Must be one of: owner,admin,viewer.", "ENUM: choices are case-sensitive");
	REJECT(enum_spec, "owner|admin", "Must be one of: owner,admin,viewer.", "ENUM: the separator is not a choice");
	is(v(enum_spec, "{\"f\":3}"), "ERR {\"f\":\"Must be a text value.\"}", "ENUM: a number");

	/* EMAIL. */
	const char *email_msg = "Enter an email address like name@example.com.";
	is(one(email_spec, "ann@example.com"), "OK {\"f\":\"ann@example.com\"}", "EMAIL: a plain address");
	ACCEPT(email_spec, "ann.lee+tag@mail.example.co.uk", "EMAIL: dots and plus");
	REJECT(email_spec, "ann", email_msg, "EMAIL: no @");
	REJECT(email_spec, "@example.com", email_msg, "EMAIL: nothing before @");
	REJECT(email_spec, "ann@", email_msg, "EMAIL: nothing after @");
	REJECT(email_spec, "ann@example", email_msg, "EMAIL: no dot in the domain");
	REJECT(email_spec, "ann@.com", email_msg, "EMAIL: domain starts with the dot");
	REJECT(email_spec, "ann@example.", email_msg, "EMAIL: domain ends with the dot");
	REJECT(email_spec, "a@b@example.com", email_msg, "EMAIL: two @");
	REJECT(email_spec, "ann lee@example.com", email_msg, "EMAIL: a space");
	REJECT(email_spec, "<ann>@example.com", email_msg, "EMAIL: angle brackets");
	REJECT(email_spec, "ann@example.com,bob@example.com", email_msg, "EMAIL: a list");
	char longe[300];
	memset(longe, 'a', 250);
	snprintf(longe + 250, sizeof longe - 250, "%s", "@x.io");
	REJECT(email_spec, longe, email_msg, "EMAIL: longer than 254 characters");

	/* UUID. */
	const char *uuid_msg = "Must be an identifier (UUID).";
	is(one(uuid_spec, UUID1), "OK {\"f\":\"" UUID1 "\"}", "UUID: lower case");
	ACCEPT(uuid_spec, UUID2, "UUID: upper case");
	REJECT(uuid_spec, "123e4567e89b12d3a456426614174000", uuid_msg, "UUID: without dashes");
	REJECT(uuid_spec, "123e4567-e89b-12d3-a456-42661417400", uuid_msg, "UUID: one digit short");
	REJECT(uuid_spec, "123e4567-e89b-12d3-a456-4266141740000", uuid_msg, "UUID: one digit long");
	REJECT(uuid_spec, "123e4567-e89b-12d3-a456-42661417400g", uuid_msg, "UUID: a non-hex digit");
	REJECT(uuid_spec, "123e4567+e89b-12d3-a456-426614174000", uuid_msg, "UUID: wrong separator");
	is_int(validate_value(FT_UUID, UUID1), 0, "validate_value accepts a UUID");
	is_int(validate_value(FT_UUID, "x"), -1, "validate_value rejects a non-UUID");
	is_int(validate_value(FT_STRING, "anything"), 0, "validate_value accepts any STRING");

	/* E164. */
	const char *e164_msg = "Enter a phone number in international format, like +15551234567.";
	is(one(e164_spec, "+15551234567"), "OK {\"f\":\"+15551234567\"}", "E164: a US number");
	ACCEPT(e164_spec, "+4930123", "E164: 7 digits is the minimum");
	ACCEPT(e164_spec, "+123456789012345", "E164: 15 digits is the maximum");
	REJECT(e164_spec, "+123456", e164_msg, "E164: 6 digits is too short");
	REJECT(e164_spec, "+1234567890123456", e164_msg, "E164: 16 digits is too long");
	REJECT(e164_spec, "15551234567", e164_msg, "E164: no +");
	REJECT(e164_spec, "+05551234567", e164_msg, "E164: country code cannot start with 0");
	REJECT(e164_spec, "+1 555 123 4567", e164_msg, "E164: spaces");
	REJECT(e164_spec, "+1555-123-4567", e164_msg, "E164: dashes");
	REJECT(e164_spec, "+", e164_msg, "E164: only +");

	/* DATE. */
	const char *date_msg = "Enter a date as YYYY-MM-DD.";
	is(one(date_spec, "2024-05-01"), "OK {\"f\":\"2024-05-01\"}", "DATE: a date");
	ACCEPT(date_spec, "2024-02-29", "DATE: 29 February of a leap year");
	ACCEPT(date_spec, "2024-12-31", "DATE: the last day of the year");
	REJECT(date_spec, "2024-13-01", date_msg, "DATE: month 13");
	REJECT(date_spec, "2024-00-10", date_msg, "DATE: month 0");
	REJECT(date_spec, "2024-01-32", date_msg, "DATE: day 32");
	REJECT(date_spec, "2024-01-00", date_msg, "DATE: day 0");
	REJECT(date_spec, "2024-1-01", date_msg, "DATE: one-digit month");
	REJECT(date_spec, "20240101", date_msg, "DATE: no dashes");
	REJECT(date_spec, "2024/01/01", date_msg, "DATE: slashes");
	REJECT(date_spec, "2024-01-01T00:00Z", date_msg, "DATE: a timestamp is not a date");
	REJECT(date_spec, "2024-02-30", date_msg, "DATE: 30 February does not exist");
	REJECT(date_spec, "2023-02-29", date_msg, "DATE: 29 February of a common year does not exist");
	REJECT(date_spec, "2024-04-31", date_msg, "DATE: 31 April does not exist");

	/* TIMESTAMP. */
	const char *ts_msg = "Enter a time as YYYY-MM-DDTHH:MM:SSZ.";
	is(one(ts_spec, "2024-05-01T10:20:30Z"), "OK {\"f\":\"2024-05-01T10:20:30Z\"}", "TIMESTAMP: UTC");
	ACCEPT(ts_spec, "2024-05-01T10:20Z", "TIMESTAMP: without seconds");
	ACCEPT(ts_spec, "2024-05-01T10:20:30.123+02:00", "TIMESTAMP: fraction and positive offset");
	ACCEPT(ts_spec, "2024-05-01 10:20:30-05:00", "TIMESTAMP: space separator and negative offset");
	REJECT(ts_spec, "2024-05-01", ts_msg, "TIMESTAMP: a date alone");
	REJECT(ts_spec, "2024-05-01T10:20:30", ts_msg, "TIMESTAMP: no zone");
	REJECT(ts_spec, "2024-05-01T10:20:30.Z", ts_msg, "TIMESTAMP: a dot without digits");
	REJECT(ts_spec, "2024-05-01T10:20:30+0200", ts_msg, "TIMESTAMP: offset without colon");
	REJECT(ts_spec, "2024-05-01X10:20Z", ts_msg, "TIMESTAMP: wrong separator");
	REJECT(ts_spec, "2024-13-01T10:20Z", ts_msg, "TIMESTAMP: invalid month");
	REJECT(ts_spec, "2024-05-01T10:20:30Zjunk", ts_msg, "TIMESTAMP: trailing text");
	REJECT(ts_spec, "2024-05-01T25:00:00Z", ts_msg, "TIMESTAMP: hour 25 does not exist");
	REJECT(ts_spec, "2024-05-01T10:75:00Z", ts_msg, "TIMESTAMP: minute 75 does not exist");

	/* JSON. */
	is(v(json_spec, "{\"f\":{\"a\":[1,2]}}"), "OK {\"f\":{\"a\":[1,2]}}", "JSON: an object");
	is(v(json_spec, "{\"f\":[1,\"x\"]}"), "OK {\"f\":[1,\"x\"]}", "JSON: an array (not 'only once')");
	is(v(json_spec, "{\"f\":\"x\"}"), "ERR {\"f\":\"Must be a JSON object or array.\"}", "JSON: a string");
	is(v(json_spec, "{\"f\":3}"), "ERR {\"f\":\"Must be a JSON object or array.\"}", "JSON: a number");

	/* Required versus optional, blanks, null. */
	is(v(str_req, "{}"), "ERR {\"f\":\"This field is required.\"}", "a missing required field");
	is(v(str_req, "{\"f\":\"\"}"), "ERR {\"f\":\"This field is required.\"}", "a blank required field");
	is(v(str_req, "{\"f\":null}"), "ERR {\"f\":\"This field is required.\"}", "a null required field");
	is(v(str_spec, "{}"), "OK {}", "a missing optional field is absent from the values");
	is(v(str_spec, "{\"f\":null}"), "OK {}", "a null optional field is absent");
	is(v(str_spec, "{\"f\":\"\"}"), "OK {\"f\":\"\"}", "a blank optional STRING is the empty string");
	is(v(text_spec, "{\"f\":\"\"}"), "OK {\"f\":\"\"}", "a blank optional TEXT is the empty string");
	is(v(int_spec, "{\"f\":\"\"}"), "OK {}", "a blank optional INT is not given");
	is(v(date_spec, "{\"f\":\"\"}"), "OK {}", "a blank optional DATE is not given");
	is(v(enum_spec, "{\"f\":\"\"}"), "OK {}", "a blank optional ENUM is not given");
	is(v(bool_spec, "{\"f\":\"\"}"), "OK {}", "a blank optional BOOL is not given");

	/* Unknown fields and csrf_token. */
	is(v(str_spec, "{\"f\":\"abc\",\"admin\":\"1\"}"), "ERR {\"admin\":\"Unknown field.\"}",
	    "an undeclared field is an error");
	is(v(NULL, "{}"), "OK {}", "no spec and no input");
	is(v(NULL, "{\"x\":\"1\"}"), "ERR {\"x\":\"Unknown field.\"}", "no spec: any field is unknown");
	is(v(str_spec, "{\"f\":\"abc\",\"csrf_token\":\"t0k3n\"}"), "OK {\"f\":\"abc\"}",
	    "csrf_token is accepted implicitly and not passed to the handler");
	is(v(NULL, "{\"csrf_token\":\"t0k3n\"}"), "OK {}", "csrf_token is accepted even with no spec");
	is(v(form_spec, "{\"name\":\"\",\"email\":\"bad\",\"age\":\"200\",\"role\":\"root\",\"x\":\"1\"}"),
	    "ERR {\"age\":\"Must be a whole number between 0 and 150.\",\"email\":\"Enter an email address like name@example.com.\","
	    "\"name\":\"This field is required.\",\"role\":\"Must be one of: admin,viewer.\",\"x\":\"Unknown field.\"}",
	    "every bad field gets its own message at once");
	is(v(form_spec, "{\"name\":\"Ann\",\"email\":\"ann@example.com\",\"note\":\"\",\"age\":\"42\","
	    "\"active\":\"on\",\"role\":\"admin\",\"csrf_token\":\"t\"}"),
	    "OK {\"active\":true,\"age\":42,\"email\":\"ann@example.com\",\"name\":\"Ann\",\"note\":\"\",\"role\":\"admin\"}",
	    "a whole form becomes typed values");

	/* FIELD_MULTI. */
	is(v(multi_uuid, "{\"f\":[\"" UUID1 "\",\"" UUID2 "\"]}"), "OK {\"f\":[\"" UUID1 "\",\"" UUID2 "\"]}",
	    "MULTI: an array of valid values");
	is(v(multi_uuid, "{\"f\":\"" UUID1 "\"}"), "OK {\"f\":[\"" UUID1 "\"]}", "MULTI: a single value becomes an array");
	is(v(multi_uuid, "{\"f\":[\"" UUID1 "\",\"nope\"]}"), "ERR {\"f\":\"Must be an identifier (UUID).\"}",
	    "MULTI: one bad element rejects the field");
	is(v(multi_uuid, "{\"f\":[]}"), "OK {\"f\":[]}", "MULTI: an empty array is an empty list");
	is(v(multi_str, "{\"f\":[\"a\",\"\"]}"), "OK {\"f\":[\"a\",\"\"]}", "MULTI STRING: blank elements stay in the list");
	like(v(multi_str, "{\"f\":\"\"}"), "OK {\"f\":[",
	    "MULTI STRING: a single blank form value (tags=) still gives an array");
	is(v(multi_int, "{\"f\":[\"1\",\"20\",30]}"), "OK {\"f\":[1,20,30]}", "MULTI INT: strings and integers become integers");
	is(v(multi_int, "{\"f\":[\"1\",\"200\"]}"), "ERR {\"f\":\"Must be a whole number between 1 and 100.\"}",
	    "MULTI INT: bounds apply to each element");
	is(v(multi_int, "{}"), "ERR {\"f\":\"This field is required.\"}", "MULTI required: missing");
	is(v(uuid_spec, "{\"f\":[\"" UUID1 "\"]}"), "ERR {\"f\":\"Give this field only once.\"}",
	    "an array for a single-valued field");
	char *big = ints_input(1001);
	is(v(multi_int, big), "ERR {\"f\":\"Too many values.\"}", "MULTI: more than 1000 values is too many");
	free(big);
	big = ints_input(1000);
	ok(strncmp(v(multi_int, big), "OK {\"f\":[5,5,", 12) == 0, "MULTI: 1000 values are fine");
	free(big);

	return done_testing();
}
