/* voxline call place --tenant ID --agent ID --to +1555... [--campaign ID]
 * Places one outbound call through the same code as POST /api/v1/calls
 * (every cap applies).  Prints the call id, or the error code and exits 1. */
#include "cfg.h"
#include "commands.h"
#include "db.h"
#include "outbound.h"
#include <stdio.h>
#include <string.h>

int
cmd_call(int argc, char **argv)
{
	const char *tenant = NULL, *agent = NULL, *to = NULL, *campaign = NULL;
	if (argc < 2 || strcmp(argv[1], "place") != 0)
		goto usage;
	for (int i = 2; i + 1 < argc; i += 2) {
		const char **dst = strcmp(argv[i], "--tenant") == 0 ? &tenant :
		    strcmp(argv[i], "--agent") == 0 ? &agent : strcmp(argv[i], "--to") == 0 ? &to :
		    strcmp(argv[i], "--campaign") == 0 ? &campaign : NULL;
		if (dst == NULL)
			goto usage;
		*dst = argv[i + 1];
	}
	if (!tenant || !agent || !to || argc % 2 != 0)
		goto usage;
	struct db *db = db_open(cfg_str(CFG_database_url), (int)cfg_int(CFG_database_connect_retries));
	struct outbound_request o = { .tenant_id = tenant, .agent_id = agent, .to = to,
		.campaign_id = campaign };
	struct outbound_result out;
	int rc = outbound_place(db, &o, &out);
	if (rc == 0)
		printf("placed %s\n", out.call_id);
	else
		printf("error %s%s%s\n", err_get(out.err)->code, out.detail[0] ? ": " : "", out.detail);
	db_close(db);
	return rc == 0 ? 0 : 1;
usage:
	fprintf(stderr, "usage: voxline call place --tenant ID --agent ID --to E164 [--campaign ID]\n");
	return 2;
}
