/* Placing one outbound call, for the API (POST /api/v1/calls), the
 * campaign dialer and the CLI: reserve a slot under every cap and create
 * the calls row in one transaction, then ask the carrier.  A carrier
 * refusal marks the row failed, which frees the slot. */
#ifndef VOXLINE_OUTBOUND_H
#define VOXLINE_OUTBOUND_H
#include "errors.h"
#include <jansson.h>

struct db;

struct outbound_request {
	const char *tenant_id;       /* from the caller's identity, never the request */
	const char *agent_id;
	const char *to;              /* E.164 */
	const char *campaign_id;     /* NULL outside campaigns */
	json_t *variables;           /* object or NULL (borrowed) */
};

struct outbound_result {
	enum err_code err;           /* ERR_none: placed */
	char call_id[37];            /* set once the calls row exists */
	char detail[256];            /* for logs, not clients */
};

int outbound_place(struct db *db, const struct outbound_request *rq, struct outbound_result *out);

#endif
