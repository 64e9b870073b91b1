/* voxline call: outbound calls and live-call control for operators.
 *   call place --tenant ID --agent ID --to E164 [--campaign ID]
 *       Places one outbound call through the same code as POST /api/v1/calls
 *       (every cap applies).  Prints "placed <call id>".
 *   call update --call ID --markup XML
 *       Gives a live call new instructions (a whole TwiML/TeXML document)
 *       through its carrier's REST API.  Prints "updated <call id>".
 *   call hangup --call ID
 *       Ends a live call through its carrier's REST API.  Prints "hung up <call id>".
 * On failure prints "error <code>[: detail]" and exits 1. */
#include "carrier.h"
#include "commands.h"
#include "db.h"
#include "outbound.h"
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct call_args {
	const char *tenant, *agent, *to, *campaign, *call, *markup;
};

/* --name value pairs into a; -1 on an unknown option or a missing value. */
static int
parse(int argc, char **argv, struct call_args *a)
{
	static const struct { const char *name; size_t off; } opts[] = {
		{ "--tenant", offsetof(struct call_args, tenant) },
		{ "--agent", offsetof(struct call_args, agent) },
		{ "--to", offsetof(struct call_args, to) },
		{ "--campaign", offsetof(struct call_args, campaign) },
		{ "--call", offsetof(struct call_args, call) },
		{ "--markup", offsetof(struct call_args, markup) },
	};
	if (argc % 2 != 0)
		return -1;
	for (int i = 2; i + 1 < argc; i += 2) {
		size_t k;
		for (k = 0; k < sizeof opts / sizeof opts[0] && strcmp(argv[i], opts[k].name) != 0; k++)
			;
		if (k == sizeof opts / sizeof opts[0])
			return -1;
		*(const char **)((char *)a + opts[k].off) = argv[i + 1];
	}
	return 0;
}

static int
place(struct db *db, const struct call_args *a)
{
	struct outbound_request o = { .tenant_id = a->tenant, .agent_id = a->agent, .to = a->to,
		.campaign_id = a->campaign };
	struct outbound_result out;
	if (outbound_place(db, &o, &out) == 0) {
		printf("placed %s\n", out.call_id);
		return 0;
	}
	printf("error %s%s%s\n", err_get(out.err)->code, out.detail[0] ? ": " : "", out.detail);
	return 1;
}

/* The carrier and carrier call sid of a call (any tenant: operator tool). */
static enum err_code
find_call(struct db *db, const char *id, enum carrier *carrier, char *sid, size_t sidlen)
{
	if (strlen(id) != 36 || strspn(id, "0123456789abcdefABCDEF-") != 36)
		return ERR_not_found;
	if (db_begin_tenant(db, "*") < 0)
		return ERR_database_unavailable;
	const char *p[1] = { id };
	PGresult *r = db_exec(db, "SELECT carrier, carrier_call_sid FROM calls WHERE id = $1::uuid"
	    " AND carrier_call_sid IS NOT NULL", 1, p);
	db_rollback(db);
	enum err_code e = r == NULL ? ERR_database_unavailable : PQntuples(r) == 0 ? ERR_not_found : ERR_none;
	if (e == ERR_none) {
		*carrier = (enum carrier)carrier_from_name(PQgetvalue(r, 0, 0));
		snprintf(sid, sidlen, "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	return e;
}

static int
control(struct db *db, const struct call_args *a, int hangup)
{
	enum carrier c;
	char sid[128];
	struct carrier_result res = { .err = ERR_none };
	res.err = find_call(db, a->call, &c, sid, sizeof sid);
	if (res.err == ERR_none)
		hangup ? carrier_call_hangup(c, sid, &res) : carrier_call_update(c, sid, a->markup, &res);
	if (res.err == ERR_none) {
		printf("%s %s\n", hangup ? "hung up" : "updated", a->call);
		return 0;
	}
	printf("error %s%s%s\n", err_get(res.err)->code, res.detail[0] ? ": " : "", res.detail);
	return 1;
}

int
cmd_call(int argc, char **argv)
{
	struct call_args a = { 0 };
	const char *verb = argc >= 2 ? argv[1] : "";
	int is_place = strcmp(verb, "place") == 0, is_update = strcmp(verb, "update") == 0,
	    is_hangup = strcmp(verb, "hangup") == 0;
	if (parse(argc, argv, &a) < 0 || (is_place && (!a.tenant || !a.agent || !a.to)) ||
	    (is_update && (!a.call || !a.markup)) || (is_hangup && !a.call) ||
	    !(is_place || is_update || is_hangup)) {
		fprintf(stderr, "usage: voxline call place --tenant ID --agent ID --to E164 [--campaign ID]\n"
		    "       voxline call update --call ID --markup XML\n"
		    "       voxline call hangup --call ID\n");
		return 2;
	}
	struct db *db = cli_db_open();
	int rc = is_place ? place(db, &a) : control(db, &a, is_hangup);
	db_close(db);
	return rc;
}
