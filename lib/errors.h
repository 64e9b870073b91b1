/* Error catalog (errors.def) and error occurrences.  An occurrence id
 * ERR_YYYYMMDD_XXXXXX is handed to the client and logged, so a user's
 * report leads straight to the log line and the system_errors row. */
#ifndef VOXLINE_ERRORS_H
#define VOXLINE_ERRORS_H
#include <stdio.h>

struct db;

enum err_code {
	ERR_none,       /* 0: no error, so codes can be tested for truth */
#define ERR(code, cat, sev, status, msg) ERR_##code,
#include "errors.def"
#undef ERR
	ERR__COUNT
};

struct err_def {
	const char *code;
	const char *category;
	const char *severity;
	int status;
	const char *message;
};

#define ERR_ID_LEN 20   /* "ERR_20261121_AB12CD" + NUL */

const struct err_def *err_get(enum err_code code);
/* Looks a code up by name; -1 if unknown. */
int err_find(const char *code);
void err_new_id(char id[ERR_ID_LEN]);
/* True for severities recorded in system_errors. */
int err_is_recorded(enum err_code code);
/* Records an occurrence (grouped by code in system_errors) in its own
 * statement: 0 stored, -1 failed (logged; most callers go on regardless).
 * call_id / tenant_id / detail may be NULL. */
int err_record(struct db *db, enum err_code code, const char *id,
    const char *correlation_id, const char *call_id, const char *tenant_id,
    const char *detail);
void err_write_doc(FILE *out);

#endif
