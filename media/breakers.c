/* Breaker registry.  One mutex for all: it is held for a few
 * instructions per provider request.  The database write of a
 * transition happens after the lock is released, on the engine thread
 * that caused it. */
#include "breakers.h"
#include "media.h"
#include "cfg.h"
#include "log.h"
#include "metrics.h"
#include "writer.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SLOTS 256                  /* workers x providers */

struct slot {
	int worker;
	char provider[32];
	struct breaker b;
	char last_error[200];
	double health_at;             /* last provider_health write (monotonic ms) */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[SLOTS];
static int nslots;

struct metric media_provider_breaker_state = METRIC_INIT("voxline_media_provider_breaker_state",
    "Circuit breaker of each provider (0 closed, 1 half-open, 2 open), worst over the workers.", METRIC_GAUGE);
struct metric media_provider_transitions = METRIC_INIT("voxline_media_provider_transitions_total",
    "Circuit breaker state changes by provider and new state.", METRIC_COUNTER);
struct metric media_provider_requests = METRIC_INIT("voxline_media_provider_requests_total",
    "Requests to providers by result (ok, error, skipped when the breaker is open).", METRIC_COUNTER);

void
breakers_init(void)
{
	metrics_register(&media_provider_breaker_state);
	metrics_register(&media_provider_transitions);
	metrics_register(&media_provider_requests);
}

static struct breaker_config
config(void)
{
	return (struct breaker_config){
		.failure_threshold = (int)cfg_int(CFG_provider_failure_threshold),
		.success_threshold = (int)cfg_int(CFG_provider_success_threshold),
		.half_open_probes = (int)cfg_int(CFG_provider_half_open_probes),
		.open_ms = (double)cfg_int(CFG_provider_open_ms),
	};
}

/* Called with the lock held. */
static struct slot *
find(int worker, const char *provider)
{
	for (int i = 0; i < nslots; i++)
		if (slots[i].worker == worker && strcmp(slots[i].provider, provider) == 0)
			return &slots[i];
	if (nslots == SLOTS || strlen(provider) >= sizeof slots[0].provider)
		return NULL;
	struct slot *s = &slots[nslots++];
	s->worker = worker;
	snprintf(s->provider, sizeof s->provider, "%s", provider);
	return s;
}

/* Worst state over the workers, for the gauge.  Lock held. */
static enum breaker_state
worst(const char *provider)
{
	enum breaker_state w = BREAKER_CLOSED;
	for (int i = 0; i < nslots; i++)
		if (strcmp(slots[i].provider, provider) == 0 && slots[i].b.state > w)
			w = slots[i].b.state;
	return w;
}

struct health {
	char provider[32], instance[160], state[16], error[200];
	int failures, transition;
	enum breaker_state from;
};

/* Fills h when a database write is due (transition or refresh).  Lock held. */
static int
due(struct slot *s, int transition, enum breaker_state from, struct health *h)
{
	double now = media_now_ms();
	if (!transition && now - s->health_at < (double)cfg_int(CFG_provider_health_refresh_seconds) * 1000.0)
		return 0;
	s->health_at = now;
	char host[64];
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "media");
	host[sizeof host - 1] = 0;
	snprintf(h->provider, sizeof h->provider, "%s", s->provider);
	snprintf(h->instance, sizeof h->instance, "%s:%d:%d", host, (int)getpid(), s->worker);
	snprintf(h->state, sizeof h->state, "%s", breaker_state_name(s->b.state));
	snprintf(h->error, sizeof h->error, "%s", s->last_error);
	h->failures = s->b.failures;
	h->transition = transition;
	h->from = from;
	return 1;
}

static void
announce(const struct health *h, double gauge)
{
	metrics_set(&media_provider_breaker_state, gauge, "provider", h->provider, NULL);
	if (h->transition) {
		metrics_add(&media_provider_transitions, 1, "provider", h->provider, "to", h->state, NULL);
		log_warn("media_provider_breaker", "{s:s,s:s,s:s,s:s,s:s}", "provider", h->provider, "instance",
		    h->instance, "from", breaker_state_name(h->from), "to", h->state, "reason", h->error);
	}
	writer_provider_health(h->provider, h->instance, h->state, h->failures, h->error, h->transition);
}

int
breakers_allow(int worker, const char *provider)
{
	struct breaker_config c = config();
	struct health h;
	int allowed, changed = 0, write = 0;
	double gauge = 0;
	pthread_mutex_lock(&lock);
	struct slot *s = find(worker, provider);
	if (s == NULL) {
		pthread_mutex_unlock(&lock);
		return 1;
	}
	enum breaker_state from = s->b.state;
	allowed = breaker_allow(&s->b, &c, media_now_ms(), &changed);
	if (changed) {
		snprintf(s->last_error, sizeof s->last_error, "open time over: probing");
		write = due(s, 1, from, &h);
		gauge = worst(provider);
	}
	pthread_mutex_unlock(&lock);
	if (write)
		announce(&h, gauge);
	if (!allowed)
		metrics_add(&media_provider_requests, 1, "provider", provider, "result", "skipped", NULL);
	return allowed;
}

void
breakers_record(int worker, const char *provider, int ok, const char *error)
{
	struct breaker_config c = config();
	struct health h;
	int write = 0;
	double gauge = 0;
	metrics_add(&media_provider_requests, 1, "provider", provider, "result", ok ? "ok" : "error", NULL);
	pthread_mutex_lock(&lock);
	struct slot *s = find(worker, provider);
	if (s) {
		enum breaker_state from = s->b.state;
		if (!ok && error)
			snprintf(s->last_error, sizeof s->last_error, "%s", error);
		int changed = breaker_record(&s->b, &c, ok, media_now_ms());
		if (changed && ok)
			snprintf(s->last_error, sizeof s->last_error, "probes succeeded");
		write = due(s, changed, from, &h);
		gauge = worst(provider);
	}
	pthread_mutex_unlock(&lock);
	if (write)
		announce(&h, gauge);
}

void
breakers_release(int worker, const char *provider)
{
	pthread_mutex_lock(&lock);
	struct slot *s = find(worker, provider);
	if (s)
		breaker_release(&s->b);
	pthread_mutex_unlock(&lock);
}

enum breaker_state
breakers_state(int worker, const char *provider)
{
	pthread_mutex_lock(&lock);
	struct slot *s = find(worker, provider);
	enum breaker_state st = s ? s->b.state : BREAKER_CLOSED;
	pthread_mutex_unlock(&lock);
	return st;
}
