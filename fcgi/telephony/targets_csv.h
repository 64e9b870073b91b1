/* Campaign target lists as CSV (RFC 4180: quoted fields, doubled quotes,
 * CRLF or LF).  The header row names the columns; "phone" is required and
 * must be E.164; every other column becomes a prompt variable.  Bad rows
 * are reported by line, never fatal for the others. */
#ifndef VOXLINE_TARGETS_CSV_H
#define VOXLINE_TARGETS_CSV_H
#include <jansson.h>
#include <stddef.h>

#define TARGETS_MAX_ROWS 100000
#define TARGETS_MAX_COLUMNS 32

/* Parses text: *targets gets [{phone, variables}], *rejected gets
 * [{line, reason}].  Duplicate phones are rejected after the first.
 * Returns -1 (and *error set) when the file as a whole is unusable. */
int targets_csv_parse(const char *text, size_t len, json_t **targets, json_t **rejected,
    const char **error);

#endif
