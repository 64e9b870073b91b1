/* The circuit breakers of this daemon: one per provider per worker,
 * shared by every call of that worker.  Called from engine threads.
 * Transitions go to the log, /metrics and provider_health. */
#ifndef MEDIA_BREAKERS_H
#define MEDIA_BREAKERS_H
#include "breaker.h"

void breakers_init(void);         /* registers the metrics */
int breakers_allow(int worker, const char *provider);
/* ok: the request succeeded; error: why not (for logs and provider_health). */
void breakers_record(int worker, const char *provider, int ok, const char *error);
void breakers_release(int worker, const char *provider);
enum breaker_state breakers_state(int worker, const char *provider);

#endif
