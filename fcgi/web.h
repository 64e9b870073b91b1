/* Process-wide state of voxline-web, set up in main before the request
 * threads start and read-only (or atomic) afterwards. */
#ifndef VOXLINE_WEB_H
#define VOXLINE_WEB_H
#include <stdatomic.h>
#include <time.h>

#define WEB_MAX_THREADS 256

struct web_state {
	time_t started;
	int nthreads;
	/* Latest migration version found in sql/ at start-up. */
	char expected_migration[16];
	/* Per request thread: 1 while its database connection is up. */
	atomic_int db_up[WEB_MAX_THREADS];
	atomic_int busy;
};

extern struct web_state web;

#endif
