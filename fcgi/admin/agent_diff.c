#include "agent_diff.h"
#include "xalloc.h"
#include <stdlib.h>
#include <string.h>

/* Settings in the order the configuration form shows them. */
static const struct { const char *field, *label; } settings[] = {
	{ "name", "Agent name" }, { "business_name", "Business name" },
	{ "industry", "Industry" }, { "time_zone", "Time zone" }, { "hours", "Opening hours" },
	{ "greeting", "Greeting" }, { "platform_prompt", "Platform prompt" },
	{ "tenant_prompt", "Business prompt" }, { "voice", "Voice" }, { "language", "Language" },
	{ "dashboard_signals", "Dashboard vocabulary" }, { "transfer_number", "Transfer number" },
	{ "voicemail_enabled", "Voicemail" }, { "message_taking_enabled", "Message taking" },
	{ "recording_enabled", "Recording" }, { "recording_channels", "Recording channels" },
	{ "max_duration_seconds", "Maximum call length (seconds)" },
	{ "stt_chain", "Speech-to-text providers" }, { "llm_chain", "Language model providers" },
	{ "tts_chain", "Text-to-speech providers" }, { "modulations", "Call modulations" },
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

const char *
agent_diff_label(const char *field)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].field, field) == 0)
			return settings[i].label;
	return field;
}

char *
agent_diff_text(json_t *v)
{
	if (v == NULL || json_is_null(v))
		return xstrdup("");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_true(v))
		return xstrdup("on");
	if (json_is_false(v))
		return xstrdup("off");
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	return s ? s : xstrdup("");
}

/* Splits s into lines (the array and s's copy are owned by *store). */
static int
split_lines(const char *s, char ***lines, char **store)
{
	*store = xstrdup(s);
	int n = 0, cap = 8;
	char **l = xmalloc((size_t)cap * sizeof *l);
	char *p = *store;
	for (;;) {
		if (n == cap)
			l = xrealloc(l, (size_t)(cap *= 2) * sizeof *l);
		l[n++] = p;
		char *nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	*lines = l;
	return n;
}

static void
add_line(json_t *out, const char *op, const char *text)
{
	json_array_append_new(out, json_pack("{s:s,s:s}", "op", op, "text", text));
}

/* Longest-common-subsequence line diff. */
static json_t *
line_diff(const char *a, const char *b)
{
	char **la, **lb, *sa, *sb;
	int na = split_lines(a, &la, &sa), nb = split_lines(b, &lb, &sb);
	json_t *out = json_array();
	if (na > AGENT_DIFF_MAX_LINES || nb > AGENT_DIFF_MAX_LINES) {
		for (int i = 0; i < na; i++)
			add_line(out, "del", la[i]);
		for (int j = 0; j < nb; j++)
			add_line(out, "add", lb[j]);
		goto done;
	}
	/* lcs[i][j]: common lines of la[i..] and lb[j..]. */
	int *lcs = xcalloc((size_t)(na + 1) * (size_t)(nb + 1), sizeof *lcs);
#define LCS(i, j) lcs[(size_t)(i) * (size_t)(nb + 1) + (size_t)(j)]
	for (int i = na - 1; i >= 0; i--)
		for (int j = nb - 1; j >= 0; j--)
			LCS(i, j) = strcmp(la[i], lb[j]) == 0 ? LCS(i + 1, j + 1) + 1 :
			    LCS(i + 1, j) > LCS(i, j + 1) ? LCS(i + 1, j) : LCS(i, j + 1);
	int i = 0, j = 0;
	while (i < na || j < nb) {
		if (i < na && j < nb && strcmp(la[i], lb[j]) == 0) {
			add_line(out, "same", la[i]);
			i++, j++;
		} else if (j < nb && (i == na || LCS(i, j + 1) >= LCS(i + 1, j))) {
			add_line(out, "add", lb[j++]);
		} else {
			add_line(out, "del", la[i++]);
		}
	}
#undef LCS
	free(lcs);
done:
	free(la);
	free(lb);
	free(sa);
	free(sb);
	return out;
}

static void
diff_one(json_t *out, const char *field, json_t *before, json_t *after)
{
	char *a = agent_diff_text(before), *b = agent_diff_text(after);
	if (strcmp(a, b) != 0)
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:o}", "field", field,
		    "label", agent_diff_label(field), "before", a, "after", b,
		    "lines", line_diff(a, b)));
	free(a);
	free(b);
}

json_t *
agent_diff(json_t *before, json_t *after)
{
	json_t *out = json_array();
	for (size_t i = 0; i < NSETTINGS; i++)
		diff_one(out, settings[i].field, json_object_get(before, settings[i].field),
		    json_object_get(after, settings[i].field));
	/* Settings this table does not know yet still show, after the rest. */
	const char *key;
	json_t *v;
	json_t *keys = json_object();
	json_object_foreach(before, key, v)
		json_object_set(keys, key, json_null());
	json_object_foreach(after, key, v)
		json_object_set(keys, key, json_null());
	json_object_foreach(keys, key, v)
		if (strcmp(agent_diff_label(key), key) == 0)
			diff_one(out, key, json_object_get(before, key), json_object_get(after, key));
	json_decref(keys);
	return out;
}
