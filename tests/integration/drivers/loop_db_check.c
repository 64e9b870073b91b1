/* Drives media/loop_db.c against the stack's PostgreSQL
 * (VOXLINE_DATABASE_URL) and prints what it saw, one "name value" line
 * each, for tests/integration/media_db_down.t:
 *   pipelined    queries queued at once before the first answer
 *   tenants_ok   of them, those that saw their own tenant setting
 *   utc_ok       those that ran with TimeZone UTC
 *   error_alone  a failing query between two others: 1 when only it failed
 *   after_error  a query after the failure works (no transaction left open)
 *   rls_other    agents seen under an unknown tenant (row-level security)
 *   rls_platform agents seen in platform scope
 *   killed       the query whose backend was terminated failed (1)
 *   reconnected  a query after that works again, without a new loop_db */
#include "../../../media/loop_db.h"
#include "../../../media/media.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 40

struct answer {
	int done;
	int ok;
	char v1[64], v2[64];
};

static uv_loop_t loop;

static void
on_done(PGresult *res, void *arg)
{
	struct answer *a = arg;
	a->done = 1;
	a->ok = res != NULL;
	if (res && PQntuples(res) == 1) {
		snprintf(a->v1, sizeof a->v1, "%s", PQgetvalue(res, 0, 0));
		if (PQnfields(res) > 1)
			snprintf(a->v2, sizeof a->v2, "%s", PQgetvalue(res, 0, 1));
	}
	PQclear(res);
}

static void
wait_for(const int *flag, double ms)
{
	double until = media_now_ms() + ms;
	while (!*flag && media_now_ms() < until) {
		uv_run(&loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
}

static struct answer
ask(struct loop_db *ldb, const char *tenant, const char *name, const char *sql)
{
	struct answer a = { 0 };
	loop_db_query(ldb, tenant, name, sql, 0, NULL, on_done, &a);
	wait_for(&a.done, 20000);
	return a;
}

int
main(void)
{
	const char *url = getenv("VOXLINE_DATABASE_URL");
	if (url == NULL) {
		fprintf(stderr, "loop_db_check: VOXLINE_DATABASE_URL not set\n");
		return 2;
	}
	uv_loop_init(&loop);
	struct loop_db *ldb = loop_db_new(&loop, url, 0);
	double until = media_now_ms() + 10000;
	while ((!loop_db_connected(ldb) || loop_db_depth(ldb) > 0) && media_now_ms() < until) {   /* and set up */
		uv_run(&loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
	printf("connected %d\n", loop_db_connected(ldb));

	static struct answer batch[BATCH];
	char tenant[BATCH][32];
	for (int i = 0; i < BATCH; i++) {
		snprintf(tenant[i], sizeof tenant[i], "tenant-%d", i);
		loop_db_query(ldb, tenant[i], "check_tenant",
		    "SELECT current_setting('voxline.tenant_id'), current_setting('TimeZone')", 0, NULL, on_done, &batch[i]);
	}
	printf("pipelined %d\n", loop_db_depth(ldb));
	wait_for(&batch[BATCH - 1].done, 20000);
	int tenants_ok = 0, utc_ok = 0;
	for (int i = 0; i < BATCH; i++) {
		tenants_ok += batch[i].ok && strcmp(batch[i].v1, tenant[i]) == 0;
		utc_ok += batch[i].ok && strcmp(batch[i].v2, "UTC") == 0;
	}
	printf("tenants_ok %d\nutc_ok %d\n", tenants_ok, utc_ok);

	struct answer e[3] = { { 0 } };
	loop_db_query(ldb, "a", NULL, "SELECT 1", 0, NULL, on_done, &e[0]);
	loop_db_query(ldb, "b", NULL, "SELECT 1/0", 0, NULL, on_done, &e[1]);
	loop_db_query(ldb, "c", NULL, "SELECT 3", 0, NULL, on_done, &e[2]);
	wait_for(&e[2].done, 20000);
	printf("error_alone %d\n", e[0].ok && !e[1].ok && e[1].done && e[2].ok && strcmp(e[2].v1, "3") == 0);
	struct answer after = ask(ldb, "after", NULL, "SELECT current_setting('voxline.tenant_id')");
	printf("after_error %d\n", after.ok && strcmp(after.v1, "after") == 0);

	struct answer other = ask(ldb, "00000000-0000-0000-0000-000000000000", "check_agents", "SELECT count(*) FROM agents");
	struct answer all = ask(ldb, NULL, "check_agents", "SELECT count(*) FROM agents");
	printf("rls_other %s\nrls_platform %s\n", other.ok ? other.v1 : "error", all.ok ? all.v1 : "error");

	struct answer kill = ask(ldb, NULL, NULL, "SELECT pg_terminate_backend(pg_backend_pid())");
	printf("killed %d\n", kill.done && !kill.ok);
	struct answer again = { 0 };
	until = media_now_ms() + 10000;
	while (!again.ok && media_now_ms() < until) {
		double t = media_now_ms() + 100;
		int never = 0;
		wait_for(&never, t - media_now_ms());
		again = ask(ldb, NULL, "check_agents", "SELECT count(*) FROM agents");
	}
	printf("reconnected %d\n", again.ok && strcmp(again.v1, all.v1) == 0);

	loop_db_close(ldb);
	while (uv_run(&loop, UV_RUN_NOWAIT))
		;
	printf("closed %d\n", uv_loop_close(&loop) == 0);
	return 0;
}
