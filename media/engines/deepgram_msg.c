#include "deepgram_msg.h"
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

void
dg_init(struct dg_utterance *u)
{
	memset(u, 0, sizeof *u);
	u->duration = -1;
	u->final_end = -1;
}

static void
append(struct dg_utterance *u, const char *t)
{
	size_t n = strlen(t);
	if (n == 0)
		return;
	if (u->len + (u->len ? 1 : 0) + n > DG_TEXT_MAX)
		return;
	if (u->len)
		u->text[u->len++] = ' ';
	for (size_t i = 0; i < n; i++)
		u->text[u->len++] = (char)tolower((unsigned char)t[i]);
	u->text[u->len] = 0;
}

static int
results(struct dg_utterance *u, json_t *j)
{
	json_t *alts = json_object_get(json_object_get(j, "channel"), "alternatives");
	const char *t = json_string_value(json_object_get(json_array_get(alts, 0), "transcript"));
	if (t == NULL) {
		snprintf(u->error, sizeof u->error, "Results without a transcript");
		return -1;
	}
	if (!json_is_true(json_object_get(j, "is_final"))) {
		u->interim_seen = 1;
		return 0;
	}
	json_t *st = json_object_get(j, "start"), *du = json_object_get(j, "duration");
	if (json_is_number(st) && json_is_number(du)) {
		double end = json_number_value(st) + json_number_value(du);
		if (end > u->final_end)
			u->final_end = end;
		if (end <= u->since + 0.01)
			return 0;             /* audio given up (a back-channel sound) */
	}
	append(u, t);
	/* Words after an endpoint mean the caller went on: not final again
	 * until the next one (an empty segment changes nothing). */
	int endpoint = json_is_true(json_object_get(j, "speech_final")) || json_is_true(json_object_get(j, "from_finalize"));
	if (t[0] || endpoint)
		u->final = endpoint;
	return 0;
}

int
dg_message(struct dg_utterance *u, const char *json, size_t len)
{
	json_t *j = json_loadb(json, len, 0, NULL);
	const char *type = json_string_value(json_object_get(j, "type"));
	int rc = 0;
	if (!json_is_object(j)) {
		snprintf(u->error, sizeof u->error, "malformed message");
		rc = -1;
	} else if (type == NULL) {
		const char *m = json_string_value(json_object_get(j, "err_msg"));
		snprintf(u->error, sizeof u->error, "%s", m ? m : "message without a type");
		rc = -1;
	} else if (strcmp(type, "Results") == 0) {
		rc = results(u, j);
	} else if (strcmp(type, "UtteranceEnd") == 0) {
		u->final = 1;
	} else if (strcmp(type, "Metadata") == 0) {
		json_t *d = json_object_get(j, "duration");
		if (json_is_number(d) && json_number_value(d) >= 0)
			u->duration = json_number_value(d);
		u->metadata = 1;
	} else if (strcmp(type, "Error") == 0) {
		const char *m = json_string_value(json_object_get(j, "description"));
		snprintf(u->error, sizeof u->error, "%s", m ? m : "error");
		rc = -1;
	}
	/* SpeechStarted and unknown types: nothing to do. */
	json_decref(j);
	return rc;
}
