#include "targets_csv.h"
#include "../validate.h"
#include "buf.h"
#include <string.h>

/* Reads one record starting at *pos into fields (array of strings).
 * Returns 1 with a record, 0 at the end, -1 on malformed quoting. */
static int
read_record(const char *s, size_t len, size_t *pos, json_t *fields, size_t *line)
{
	if (*pos >= len)
		return 0;
	json_array_clear(fields);
	struct buf f;
	buf_init(&f, 4096);
	size_t i = *pos;
	int rc = 1;
	for (;;) {
		buf_reset(&f);
		if (i < len && s[i] == '"') {
			for (i++;; i++) {
				if (i >= len) { rc = -1; goto out; }
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') { i++; }
					else { i++; break; }
				}
				if (s[i] == '\n')
					(*line)++;
				if (buf_putc(&f, s[i]) < 0) { rc = -1; goto out; }
			}
			if (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r') { rc = -1; goto out; }
		} else {
			while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
				if (s[i] == '"' || buf_putc(&f, s[i]) < 0) { rc = -1; goto out; }
				i++;
			}
		}
		json_t *v = json_stringn(f.data ? f.data : "", f.len);
		if (v == NULL || json_array_size(fields) >= TARGETS_MAX_COLUMNS) {
			json_decref(v);
			rc = -1;
			goto out;
		}
		json_array_append_new(fields, v);
		if (i < len && s[i] == ',') {
			i++;
			continue;
		}
		break;
	}
	if (i < len && s[i] == '\r')
		i++;
	if (i < len && s[i] == '\n')
		i++;
out:
	if (rc < 0) {
		/* Skip to the next line so one bad row does not stop the rest. */
		while (i < len && s[i] != '\n')
			i++;
		if (i < len)
			i++;
	}
	*pos = i;
	buf_free(&f);
	return rc;
}

static void
reject(json_t *rejected, size_t line, const char *reason)
{
	json_array_append_new(rejected, json_pack("{s:I,s:s}", "line", (json_int_t)line, "reason", reason));
}

int
targets_csv_parse(const char *text, size_t len, json_t **targets, json_t **rejected,
    const char **error)
{
	*targets = json_array();
	*rejected = json_array();
	json_t *header = json_array(), *row = json_array(), *seen = json_object();
	size_t pos = 0, line = 1;
	int phone_col = -1, rc = -1;
	if (read_record(text, len, &pos, header, &line) != 1) {
		*error = "The file is empty or its header row is malformed.";
		goto out;
	}
	for (size_t c = 0; c < json_array_size(header); c++)
		if (strcmp(json_string_value(json_array_get(header, c)), "phone") == 0)
			phone_col = (int)c;
	if (phone_col < 0) {
		*error = "The header row has no \"phone\" column.";
		goto out;
	}
	size_t rows = 0;
	for (;;) {
		size_t start_line = ++line;
		int r = read_record(text, len, &pos, row, &line);
		if (r == 0)
			break;
		if (++rows > TARGETS_MAX_ROWS) {
			*error = "Too many rows (at most 100000).";
			goto out;
		}
		if (r < 0) {
			reject(*rejected, start_line, "Malformed CSV (quotes or too many columns).");
			continue;
		}
		if (json_array_size(row) == 1 && *json_string_value(json_array_get(row, 0)) == '\0')
			continue;     /* blank line */
		if (json_array_size(row) != json_array_size(header)) {
			reject(*rejected, start_line, "Wrong number of columns.");
			continue;
		}
		const char *phone = json_string_value(json_array_get(row, (size_t)phone_col));
		if (validate_value(FT_E164, phone) != 0) {
			reject(*rejected, start_line, "phone is not an E.164 number (+15551234567).");
			continue;
		}
		if (json_object_get(seen, phone)) {
			reject(*rejected, start_line, "Duplicate phone number.");
			continue;
		}
		json_object_set_new(seen, phone, json_true());
		json_t *vars = json_object();
		for (size_t c = 0; c < json_array_size(header); c++)
			if ((int)c != phone_col && *json_string_value(json_array_get(header, c)))
				json_object_set(vars, json_string_value(json_array_get(header, c)),
				    json_array_get(row, c));
		json_array_append_new(*targets, json_pack("{s:s,s:o}", "phone", phone, "variables", vars));
	}
	rc = 0;
out:
	json_decref(header);
	json_decref(row);
	json_decref(seen);
	return rc;
}
