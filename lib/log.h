/* JSON-lines logging to stderr.  Each line: ts, level, event, and the
 * calling thread's correlation_id / call_id when set, then the fields
 * given as a jansson pack format.  Secrets are never passed here. */
#ifndef VOXLINE_LOG_H
#define VOXLINE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* "debug", "info", "warn", "error"; -1 on anything else. */
int log_set_level(const char *name);
/* Per-thread context copied into every line; NULL clears. */
void log_set_correlation_id(const char *id);
void log_set_call_id(const char *id);
const char *log_correlation_id(void);
/* fields_fmt is a json_pack object format such as "{s:s,s:i}", or NULL. */
void log_event(enum log_level level, const char *event, const char *fields_fmt, ...);

#define log_info(ev, ...) log_event(LOG_INFO, ev, __VA_ARGS__)
#define log_warn(ev, ...) log_event(LOG_WARN, ev, __VA_ARGS__)
#define log_error(ev, ...) log_event(LOG_ERROR, ev, __VA_ARGS__)
#define log_debug(ev, ...) log_event(LOG_DEBUG, ev, __VA_ARGS__)

#endif
