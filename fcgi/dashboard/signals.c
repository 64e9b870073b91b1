/* The tenant's dashboard vocabularies: the union of its agents'
 * dashboard_signals (reasons, outcomes, pipeline stages), in the order the
 * admin wrote them, each with a readable label. */
#include "dash.h"
#include <ctype.h>
#include <string.h>

void
dash_label(const char *value, char *out, size_t n)
{
	size_t i = 0;
	for (; value[i] && i + 1 < n; i++) {
		char c = value[i] == '_' || value[i] == '-' || value[i] == '.' ? ' ' : value[i];
		out[i] = i == 0 ? (char)toupper((unsigned char)c) : c;
	}
	out[i] = '\0';
}

static const char *const kinds[] = { "reasons", "outcomes", "pipeline" };

json_t *
dash_signals(struct db *db, const char *tenant)
{
	const char *p[] = { tenant };
	/* First appearance wins the position: agents in creation order. */
	PGresult *r = db_prep(db, "dash_signals",
	    "SELECT k.kind, v.value FROM agents a "
	    "CROSS JOIN unnest(ARRAY['reasons', 'outcomes', 'pipeline']) WITH ORDINALITY k(kind, kn) "
	    "CROSS JOIN LATERAL jsonb_array_elements_text("
	    "  CASE WHEN jsonb_typeof(a.dashboard_signals -> k.kind) = 'array' "
	    "       THEN a.dashboard_signals -> k.kind ELSE '[]' END) WITH ORDINALITY v(value, vn) "
	    "WHERE a.tenant_id = $1 ORDER BY k.kn, a.created_at, a.id, v.vn", 1, p);
	if (r == NULL)
		return NULL;
	json_t *out = json_object();
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		json_object_set_new(out, kinds[k], json_array());
	json_t *seen = json_object();
	for (int i = 0; i < PQntuples(r); i++) {
		const char *kind = PQgetvalue(r, i, 0), *value = PQgetvalue(r, i, 1);
		char key[160], label[96];
		snprintf(key, sizeof key, "%s/%s", kind, value);
		if (*value == '\0' || strlen(value) > 64 || json_object_get(seen, key))
			continue;
		json_object_set_new(seen, key, json_true());
		dash_label(value, label, sizeof label);
		json_array_append_new(json_object_get(out, kind),
		    json_pack("{s:s,s:s}", "value", value, "label", label));
	}
	json_decref(seen);
	PQclear(r);
	return out;
}
