/* The Quality page's "Provider health" panel: each provider's circuit
 * breaker in each media daemon worker, and the latest transitions, from
 * provider_health and provider_transitions only (voxline-media writes
 * them; nothing here asks a daemon). */
#include "admin.h"
#include <string.h>

json_t *
admin_provider_health(struct db *db)
{
	json_t *breakers = admin_query(db, "SELECT provider, instance, replace(state, '_', '-') AS state,"
	    " state <> 'closed' AS tripped, consecutive_failures::text AS consecutive_failures, last_error,"
	    " to_char(last_transition_at, 'YYYY-MM-DD HH24:MI:SS') AS last_transition_at,"
	    " to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS') AS updated_at"
	    " FROM provider_health"
	    " ORDER BY CASE state WHEN 'open' THEN 0 WHEN 'half_open' THEN 1 ELSE 2 END, provider, instance",
	    0, NULL);
	json_t *transitions = breakers ? admin_query(db, "SELECT provider, instance,"
	    " coalesce(replace(from_state, '_', '-'), 'new') AS from_state,"
	    " replace(to_state, '_', '-') AS to_state, reason,"
	    " to_char(at, 'YYYY-MM-DD HH24:MI:SS') AS at"
	    " FROM provider_transitions ORDER BY at DESC, id DESC LIMIT 50", 0, NULL) : NULL;
	if (transitions == NULL) {
		json_decref(breakers);
		return NULL;
	}
	size_t i;
	json_t *b;
	json_array_foreach(breakers, i, b)
		json_object_set_new(b, "tripped", json_boolean(strcmp(json_string_value(
		    json_object_get(b, "tripped")), "t") == 0));
	return json_pack("{s:o,s:o}", "breakers", breakers, "transitions", transitions);
}
