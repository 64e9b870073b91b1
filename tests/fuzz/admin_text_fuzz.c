/* libFuzzer: the admin portal's parsers of typed text: opening hours
 * (parse, then format and parse again to the same object), the agent
 * settings check over every text field, and knowledge-base passage
 * splitting and retrieval with the input as both text and question. */
#include "fcgi/admin/agent_settings.h"
#include "kb_search.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const text_fields[] = { "hours", "reasons", "outcomes", "pipeline",
	"requires_action", "stt_chain", "survey_questions" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';

	char msg[300];
	json_t *h = agent_hours_parse(s, msg, sizeof msg);
	if (h) {
		char *again = agent_hours_format(h);
		json_t *h2 = agent_hours_parse(again, msg, sizeof msg);
		/* What was accepted reads back as the same hours (closed days aside). */
		const char *day;
		json_t *v;
		json_object_foreach(h, day, v)
			if (json_array_size(v) && !json_equal(v, json_object_get(h2, day)))
				abort();
		json_decref(h2);
		free(again);
		json_decref(h);
	}

	json_t *agent = json_pack("{s:{s:[s]},s:{}}", "dashboard_signals", "reasons", "a", "modulations");
	for (size_t i = 0; i < sizeof text_fields / sizeof text_fields[0]; i++) {
		json_t *in = json_pack("{s:s}", text_fields[i], s), *changes = NULL;
		if (in == NULL)   /* not UTF-8: a browser form cannot send it past the door */
			break;
		json_t *errors = agent_settings_check(&agent_config_form, in, agent, "global", 1, &changes);
		if ((errors == NULL) == (changes == NULL))
			abort();
		json_decref(errors);
		json_decref(changes);
		json_decref(in);
	}
	json_decref(agent);

	struct kb_corpus *c = kb_corpus_new();
	kb_corpus_add(c, 0, s);
	struct kb_hit hits[3];
	int n = kb_corpus_search(c, s, hits, 3);
	for (int i = 0; i < n; i++)
		if (hits[i].score <= 0 || hits[i].text == NULL || (i && hits[i].score > hits[i - 1].score))
			abort();
	kb_corpus_free(c);
	free(s);
	return 0;
}
