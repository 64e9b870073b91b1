#include "log.h"
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const level_names[] = { "debug", "info", "warn", "error" };
static enum log_level min_level = LOG_INFO;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local char correlation_id[80];
static _Thread_local char call_id[80];

int
log_set_level(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)(min_level = (enum log_level)i);
	return -1;
}

static void
set_ctx(char *dst, size_t n, const char *id)
{
	size_t len = id ? strnlen(id, n - 1) : 0;
	memcpy(dst, id ? id : "", len);
	dst[len] = '\0';
}

void log_set_correlation_id(const char *id) { set_ctx(correlation_id, sizeof correlation_id, id); }
void log_set_call_id(const char *id) { set_ctx(call_id, sizeof call_id, id); }
const char *log_correlation_id(void) { return correlation_id; }

void
log_event(enum log_level level, const char *event, const char *fields_fmt, ...)
{
	if (level < min_level)
		return;
	json_t *line = NULL;
	if (fields_fmt != NULL) {
		va_list ap;
		va_start(ap, fields_fmt);
		json_error_t jerr;
		line = json_vpack_ex(&jerr, 0, fields_fmt, ap);
		va_end(ap);
	}
	if (line == NULL || !json_is_object(line)) {
		json_decref(line);
		line = json_object();
	}

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[40];
	size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + n, sizeof when - n, ".%03ldZ", ts.tv_nsec / 1000000);

	/* Context first so a field cannot masquerade as it. */
	json_t *out = json_pack("{s:s,s:s,s:s}", "ts", when, "level", level_names[level],
	    "event", event);
	if (correlation_id[0])
		json_object_set_new(out, "correlation_id", json_string(correlation_id));
	if (call_id[0])
		json_object_set_new(out, "call_id", json_string(call_id));
	const char *key;
	json_t *val;
	json_object_foreach(line, key, val)
		if (json_object_get(out, key) == NULL)
			json_object_set(out, key, val);
	json_decref(line);

	char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	json_decref(out);
	if (text == NULL)
		return;
	pthread_mutex_lock(&out_lock);
	fprintf(stderr, "%s\n", text);
	fflush(stderr);
	pthread_mutex_unlock(&out_lock);
	free(text);
}
