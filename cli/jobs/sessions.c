/* Periodic clean-up of expired sign-in state. */
#include "../jobs.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include <stdio.h>
#include <stdlib.h>

/* Sessions past their absolute expiry, idle for longer than the idle
 * timeout, or revoked more than a day ago; spent or expired reset links;
 * throttle entries whose window and lock are over. */
int
task_purge_sessions(struct db *db)
{
	char idle[16], window[16];
	snprintf(idle, sizeof idle, "%ld", cfg_int(CFG_session_idle_timeout));
	snprintf(window, sizeof window, "%ld", cfg_int(CFG_auth_throttle_window));
	const char *p[1] = { idle };
	PGresult *r = db_exec(db, "DELETE FROM sessions WHERE expires_at <= now()"
	    " OR last_seen_at <= now() - make_interval(secs => $1::int)"
	    " OR revoked_at <= now() - interval '1 day'", 1, p);
	if (r == NULL)
		return -1;
	int n = atoi(PQcmdTuples(r));
	PQclear(r);
	if (db_run(db, "DELETE FROM password_resets WHERE expires_at <= now() - interval '1 day'", 0, NULL) < 0)
		return -1;
	const char *q[1] = { window };
	if (db_run(db, "DELETE FROM login_throttle WHERE last_failure_at <= now() - make_interval(secs => $1::int)"
	    " AND (locked_until IS NULL OR locked_until <= now())", 1, q) < 0)
		return -1;
	if (n > 0)
		log_info("sessions_purged", "{s:i}", "count", n);
	return 0;
}
