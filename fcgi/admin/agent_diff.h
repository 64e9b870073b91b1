/* A readable difference between two agent configuration snapshots
 * (agent_versions.config, built by voxline_agent_config()). */
#ifndef VOXLINE_AGENT_DIFF_H
#define VOXLINE_AGENT_DIFF_H
#include <jansson.h>

#define AGENT_DIFF_MAX_LINES 2000   /* longer texts are shown replaced whole */

/* Returns a new array, one entry per changed setting, in form order:
 *   {"field", "label", "before", "after",            values as display text
 *    "lines": [{"op": "same"|"del"|"add", "text"}]}  line diff of the texts
 * An empty array when nothing differs. */
json_t *agent_diff(json_t *before, json_t *after);
/* A setting's value as display text: strings as they are, null as "",
 * anything else as compact JSON with sorted keys. */
char *agent_diff_text(json_t *v);
/* The label of an agent setting ("greeting" -> "Greeting"). */
const char *agent_diff_label(const char *field);

#endif
