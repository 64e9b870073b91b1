/* An agent's settings as forms: one declaration (agent_settings.c) of
 * every setting with its form field, where it is stored, which wizard
 * step asks for it and which plan feature or role gates it.  The wizard
 * steps and the configuration page are subsets of that one table. */
#ifndef VOXLINE_AGENT_SETTINGS_H
#define VOXLINE_AGENT_SETTINGS_H
#include "admin.h"

#define AGENT_WIZARD_STEPS 5

struct agent_step {
	const char *key, *title, *intro;
	const struct form *form;
};
extern const struct agent_step agent_steps[AGENT_WIZARD_STEPS + 1]; /* 1-based */
extern const struct form agent_config_form;
/* agent_config_form's fields in titled groups, for the page (NULL-ended). */
extern const struct agent_step agent_config_groups[];
extern const struct field agent_config_door[];   /* routes.def */
extern const struct field agent_wizard_door[];   /* routes.def: every step's fields */

/* Checks a settings form (rq->in) against the stored agent and, when
 * valid, writes it (inside the caller's transaction).  Returns 0 saved,
 * 1 invalid (*errors set), -1 database error.  *changes: what was written. */
int admin_agent_apply(struct req *rq, const struct form *f, json_t *agent, json_t **errors, json_t **changes);

/* Stored agent (to_jsonb of the row) -> form values (text). */
json_t *agent_settings_values(json_t *agent);
/* Checks submitted input (rq->in after form_check) beyond field types:
 * opening hours, provider chains, dashboard vocabulary, plan and role
 * gates.  Returns NULL and sets *changes (column or "column.key" -> new
 * JSON value, only for settings present in the form and allowed) or the
 * field -> message object. */
json_t *agent_settings_check(const struct form *f, json_t *in, json_t *agent,
    const char *plan, int superadmin, json_t **changes);
/* Writes changes to the agent (inside the caller's transaction); 0 / -1. */
int agent_settings_save(struct db *db, const char *agent_id, json_t *changes);
/* Marks gated fields of a form view read-only with the reason. */
void agent_settings_lock(const struct form *f, json_t *view, const char *plan, int superadmin);

/* Opening hours: "mon 08:00-12:00, 13:00-17:00" per line <-> the hours
 * object.  Parse returns NULL with msg set on error. */
json_t *agent_hours_parse(const char *text, char *msg, size_t msglen);
char *agent_hours_format(json_t *hours);

#endif
