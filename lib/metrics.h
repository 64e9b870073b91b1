/* Prometheus text-format metrics: counters, gauges and histograms with
 * labels.  Metrics are declared once (static storage) and updated from
 * any thread; metrics_render writes the exposition format. */
#ifndef VOXLINE_METRICS_H
#define VOXLINE_METRICS_H
#include "buf.h"
#include <pthread.h>

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

#define METRIC_MAX_SERIES 512
#define METRIC_MAX_BUCKETS 16

struct metric_series {
	char *labels;                 /* rendered: method="GET",status="200" */
	double value;                 /* counter/gauge value, histogram sum */
	unsigned long long count;     /* histogram observations */
	unsigned long long buckets[METRIC_MAX_BUCKETS];
};

struct metric {
	const char *name;
	const char *help;
	enum metric_type type;
	const double *bounds;         /* histogram upper bounds, ascending */
	int nbounds;
	pthread_mutex_t lock;
	int nseries;
	struct metric_series series[METRIC_MAX_SERIES];
	struct metric *next;
};

#define METRIC_INIT(n, h, t) { .name = (n), .help = (h), .type = (t), \
	.lock = PTHREAD_MUTEX_INITIALIZER }
#define METRIC_HISTOGRAM_INIT(n, h, b) { .name = (n), .help = (h), \
	.type = METRIC_HISTOGRAM, .bounds = (b), \
	.nbounds = (int)(sizeof(b) / sizeof((b)[0])), .lock = PTHREAD_MUTEX_INITIALIZER }

/* Adds the metric to the exposition (once, at start-up). */
void metrics_register(struct metric *m);
/* labels: NULL or alternating name, value ... NULL.  Values are escaped.
 * Past METRIC_MAX_SERIES label sets, new sets are dropped (bounded). */
void metrics_add(struct metric *m, double v, ...);
void metrics_set(struct metric *m, double v, ...);
void metrics_observe(struct metric *m, double v, ...);
int metrics_render(struct buf *out);

#endif
