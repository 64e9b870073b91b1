#include "metrics.h"
#include "xalloc.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct metric *registry;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

void
metrics_register(struct metric *m)
{
	pthread_mutex_lock(&registry_lock);
	struct metric **tail = &registry;
	while (*tail && *tail != m)
		tail = &(*tail)->next;
	if (*tail == NULL)
		*tail = m;
	pthread_mutex_unlock(&registry_lock);
}

#define METRIC_MAX_LABELS_LEN 2048

/* name="value",... with \\, \" and \n escaped as the format requires.
 * -1 when the set does not fit: the update is dropped rather than
 * rendered as a truncated, unparseable sample. */
static int
render_labels(struct buf *out, va_list ap)
{
	const char *name;
	int rc = 0;
	while (rc == 0 && (name = va_arg(ap, const char *)) != NULL) {
		const char *val = va_arg(ap, const char *);
		rc = buf_printf(out, "%s%s=\"", out->len ? "," : "", name);
		for (const char *p = val ? val : ""; rc == 0 && *p; p++)
			rc = *p == '\\' || *p == '"' ? buf_printf(out, "\\%c", *p) :
			    *p == '\n' ? buf_puts(out, "\\n") : buf_putc(out, *p);
		if (rc == 0)
			rc = buf_putc(out, '"');
	}
	return rc;
}

static struct metric_series *
series_for(struct metric *m, const char *labels)
{
	for (int i = 0; i < m->nseries; i++)
		if (strcmp(m->series[i].labels, labels) == 0)
			return &m->series[i];
	if (m->nseries == METRIC_MAX_SERIES)
		return NULL;
	struct metric_series *s = &m->series[m->nseries++];
	memset(s, 0, sizeof *s);
	s->labels = xstrdup(labels);
	return s;
}

enum op { OP_ADD, OP_SET, OP_OBSERVE };

static void
update(struct metric *m, enum op op, double v, va_list ap)
{
	struct buf labels;
	buf_init(&labels, METRIC_MAX_LABELS_LEN);
	if (render_labels(&labels, ap) < 0) {
		buf_free(&labels);
		return;
	}
	pthread_mutex_lock(&m->lock);
	struct metric_series *s = series_for(m, labels.data ? labels.data : "");
	if (s != NULL) {
		if (op == OP_ADD)
			s->value += v;
		else if (op == OP_SET)
			s->value = v;
		else {
			s->value += v;
			s->count++;
			for (int i = 0; i < m->nbounds; i++)
				if (v <= m->bounds[i])
					s->buckets[i]++;
		}
	}
	pthread_mutex_unlock(&m->lock);
	buf_free(&labels);
}

#define UPDATE_FN(fn, op) \
	void fn(struct metric *m, double v, ...) \
	{ va_list ap; va_start(ap, v); update(m, op, v, ap); va_end(ap); }
UPDATE_FN(metrics_add, OP_ADD)
UPDATE_FN(metrics_set, OP_SET)
UPDATE_FN(metrics_observe, OP_OBSERVE)

static int
render_one(struct buf *out, struct metric *m)
{
	static const char *const types[] = { "counter", "gauge", "histogram" };
	int rc = buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help,
	    m->name, types[m->type]);
	pthread_mutex_lock(&m->lock);
	for (int i = 0; rc == 0 && i < m->nseries; i++) {
		struct metric_series *s = &m->series[i];
		const char *l = s->labels, *sep = *l ? "," : "";
		if (m->type != METRIC_HISTOGRAM) {
			rc = buf_printf(out, "%s%s%s%s %.17g\n", m->name, *l ? "{" : "", l,
			    *l ? "}" : "", s->value);
			continue;
		}
		for (int b = 0; rc == 0 && b < m->nbounds; b++)
			rc = buf_printf(out, "%s_bucket{%s%sle=\"%g\"} %llu\n", m->name, l, sep,
			    m->bounds[b], s->buckets[b]);
		if (rc == 0)
			rc = buf_printf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n"
			    "%s_sum%s%s%s %.17g\n%s_count%s%s%s %llu\n",
			    m->name, l, sep, s->count,
			    m->name, *l ? "{" : "", l, *l ? "}" : "", s->value,
			    m->name, *l ? "{" : "", l, *l ? "}" : "", s->count);
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int
metrics_render(struct buf *out)
{
	int rc = 0;
	pthread_mutex_lock(&registry_lock);
	for (struct metric *m = registry; rc == 0 && m; m = m->next)
		rc = render_one(out, m);
	pthread_mutex_unlock(&registry_lock);
	return rc;
}
