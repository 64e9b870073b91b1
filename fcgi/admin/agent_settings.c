#include "agent_settings.h"
#include "../rbac.h"
#include "buf.h"
#include "providers.h"
#include "xalloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* How a setting is stored. */
enum agent_conv {
	AC_TEXT,        /* text column */
	AC_NULLTEXT,    /* text column, empty stored as NULL */
	AC_BOOL,        /* checkbox: absent means off */
	AC_INT,
	AC_HOURS,       /* opening hours text <-> hours object */
	AC_LINES,       /* one entry per line <-> array of strings */
	AC_CHAIN,       /* "primary, fallback" <-> array of providers.def names of the
	                   stage the field's choices names (stt, llm, tts) */
	AC_ACTIONS,     /* "reason: priority" lines <-> requires_action rules */
	AC_NONE,        /* not an agent setting (handled by its wizard step) */
};
#define GATE_NONE (-1)
#define GATE_SUPERADMIN (-2)

/* F(name, type, flags, min, max, choices, label, input, hint, target, conv, gate) */
#define STEP_IDENTITY(F) \
	F("name", FT_STRING, FIELD_REQUIRED, 1, 120, NULL, "Agent name", "text", \
	    "How the agent appears in the portal and dashboard.", "name", AC_TEXT, GATE_NONE) \
	F("business_name", FT_STRING, FIELD_REQUIRED, 1, 200, NULL, "Business name", "text", \
	    "The business the agent answers for.", "business_name", AC_NULLTEXT, GATE_NONE) \
	F("industry", FT_STRING, 0, 0, 100, NULL, "Industry", "text", NULL, "industry", AC_NULLTEXT, GATE_NONE) \
	F("time_zone", FT_STRING, FIELD_REQUIRED, 1, 64, NULL, "Time zone", "text", \
	    "IANA name, e.g. America/Chicago.", "time_zone", AC_NULLTEXT, GATE_NONE) \
	F("hours", FT_TEXT, 0, 0, 2000, NULL, "Opening hours", "textarea", \
	    "One day per line, e.g. \"mon 08:00-12:00, 13:00-17:00\"; days not listed are closed.", \
	    "hours", AC_HOURS, GATE_NONE)
#define STEP_PERSONA(F) \
	F("greeting", FT_TEXT, FIELD_REQUIRED, 1, 1000, NULL, "Greeting", "textarea", \
	    "The first thing callers hear.", "greeting", AC_TEXT, GATE_NONE) \
	F("platform_prompt", FT_TEXT, 0, 0, 20000, NULL, "Platform prompt layer", "textarea", \
	    "Set by the platform operator; applies before the business's own layer.", \
	    "platform_prompt", AC_TEXT, GATE_SUPERADMIN) \
	F("tenant_prompt", FT_TEXT, 0, 0, 20000, NULL, "Business prompt layer", "textarea", \
	    "The business's own instructions to the agent.", "tenant_prompt", AC_TEXT, GATE_NONE) \
	F("voice", FT_STRING, 0, 0, 64, NULL, "Voice", "text", \
	    "Voice name of the text-to-speech provider; empty for its default.", "voice", AC_NULLTEXT, GATE_NONE) \
	F("language", FT_STRING, FIELD_REQUIRED, 2, 16, NULL, "Language", "text", \
	    "Language tag, e.g. en-US.", "language", AC_TEXT, GATE_NONE)
#define STEP_DASHBOARD(F) \
	F("reasons", FT_TEXT, 0, 0, 4000, NULL, "Reasons for calling", "textarea", \
	    "One per line.", "dashboard_signals.reasons", AC_LINES, GATE_NONE) \
	F("outcomes", FT_TEXT, 0, 0, 4000, NULL, "Outcomes", "textarea", \
	    "One per line.", "dashboard_signals.outcomes", AC_LINES, GATE_NONE) \
	F("pipeline", FT_TEXT, 0, 0, 4000, NULL, "Pipeline stages", "textarea", \
	    "One per line, in order.", "dashboard_signals.pipeline", AC_LINES, GATE_NONE) \
	F("requires_action", FT_TEXT, 0, 0, 4000, NULL, "Requires action", "textarea", \
	    "One reason per line with its priority, e.g. \"emergency: urgent\".", \
	    "dashboard_signals.requires_action", AC_ACTIONS, GATE_NONE)
#define STEP_TOOLS_AGENT(F) \
	F("transfer_number", FT_E164, 0, 0, 16, NULL, "Transfer number", "tel", \
	    "Where calls go when the caller asks for a person.", "transfer_number", AC_NULLTEXT, GATE_NONE) \
	F("voicemail_enabled", FT_BOOL, 0, 0, 0, NULL, "Voicemail", "checkbox", NULL, \
	    "voicemail_enabled", AC_BOOL, GATE_NONE) \
	F("message_taking_enabled", FT_BOOL, 0, 0, 0, NULL, "Message taking", "checkbox", NULL, \
	    "message_taking_enabled", AC_BOOL, GATE_NONE)
#define STEP_TOOLS_KB(F) \
	F("kb_name", FT_STRING, 0, 0, 120, NULL, "Knowledge base name", "text", \
	    "Optional: add a knowledge base now (more on the agent's knowledge page).", NULL, AC_NONE, GATE_NONE) \
	F("kb_content", FT_TEXT, 0, 0, 400000, NULL, "Knowledge base text", "textarea", \
	    "Passages separated by blank lines.", NULL, AC_NONE, GATE_NONE) \
	F("kb_filler", FT_STRING, 0, 0, 200, NULL, "Filler phrase", "text", \
	    "Said while looking something up.", NULL, AC_NONE, GATE_NONE)
#define STEP_TELEPHONY(F) \
	F("number_id", FT_UUID, 0, 0, 0, NULL, "Route an existing number", "select", \
	    "Numbers of this business not yet routed to an agent.", NULL, AC_NONE, GATE_NONE) \
	F("e164", FT_E164, 0, 0, 16, NULL, "Or add a number", "tel", \
	    "International format, e.g. +15551234567.", NULL, AC_NONE, GATE_NONE) \
	F("carrier", FT_ENUM, 0, 0, 0, "twilio|signalwire|telnyx", "Carrier", "select", NULL, \
	    NULL, AC_NONE, GATE_NONE) \
	F("number_label", FT_STRING, 0, 0, 100, NULL, "Number label", "text", NULL, NULL, AC_NONE, GATE_NONE)
#define CONFIG_CALLS(F) \
	F("recording_enabled", FT_BOOL, 0, 0, 0, NULL, "Record calls", "checkbox", NULL, \
	    "recording_enabled", AC_BOOL, FEATURE_recording) \
	F("recording_channels", FT_ENUM, 0, 0, 0, "mono|dual", "Recording channels", "select", NULL, \
	    "recording_channels", AC_TEXT, FEATURE_recording) \
	F("max_duration_seconds", FT_INT, FIELD_REQUIRED, 30, 14400, NULL, "Maximum call length (seconds)", \
	    "number", NULL, "max_duration_seconds", AC_INT, GATE_NONE) \
	F("stt_chain", FT_STRING, 0, 0, 200, "stt", \
	    "Speech-to-text providers", "text", "Primary first, then fallbacks, comma separated.", \
	    "stt_chain", AC_CHAIN, FEATURE_provider_chains) \
	F("llm_chain", FT_STRING, 0, 0, 200, "llm", "Language model providers", "text", \
	    "Primary first, then fallbacks, comma separated.", "llm_chain", AC_CHAIN, FEATURE_provider_chains) \
	F("tts_chain", FT_STRING, 0, 0, 200, "tts", \
	    "Text-to-speech providers", "text", "Primary first, then fallbacks, comma separated.", \
	    "tts_chain", AC_CHAIN, FEATURE_provider_chains)
#define CONFIG_MODULATIONS(F) \
	F("mod_transcription", FT_BOOL, 0, 0, 0, NULL, "Transcription", "checkbox", NULL, \
	    "modulations.transcription", AC_BOOL, FEATURE_mod_transcription) \
	F("mod_survey", FT_BOOL, 0, 0, 0, NULL, "Survey", "checkbox", NULL, \
	    "modulations.survey", AC_BOOL, FEATURE_mod_survey) \
	F("survey_questions", FT_TEXT, 0, 0, 4000, NULL, "Survey questions", "textarea", "One per line.", \
	    "modulations.survey_questions", AC_LINES, FEATURE_mod_survey) \
	F("mod_secret_shopper", FT_BOOL, 0, 0, 0, NULL, "Secret-shopper script", "checkbox", NULL, \
	    "modulations.secret_shopper", AC_BOOL, FEATURE_mod_secret_shopper) \
	F("secret_shopper_script", FT_TEXT, 0, 0, 20000, NULL, "Secret-shopper script text", "textarea", NULL, \
	    "modulations.secret_shopper_script", AC_TEXT, FEATURE_mod_secret_shopper) \
	F("mod_translation", FT_BOOL, 0, 0, 0, NULL, "Translation", "checkbox", NULL, \
	    "modulations.translation", AC_BOOL, FEATURE_mod_translation) \
	F("translation_language", FT_STRING, 0, 0, 16, NULL, "Translate to", "text", "Language tag, e.g. es-ES.", \
	    "modulations.translation_language", AC_TEXT, FEATURE_mod_translation)

#define STEP_TOOLS(F) STEP_TOOLS_AGENT(F) STEP_TOOLS_KB(F)
#define CONFIG_ALL(F) STEP_IDENTITY(F) STEP_PERSONA(F) STEP_DASHBOARD(F) STEP_TOOLS_AGENT(F) \
	CONFIG_CALLS(F) CONFIG_MODULATIONS(F)
#define EVERY_SETTING(F) CONFIG_ALL(F) STEP_TOOLS_KB(F) STEP_TELEPHONY(F)

FORM_DEFINE(agent_step_identity, STEP_IDENTITY)
FORM_DEFINE(agent_step_persona, STEP_PERSONA)
FORM_DEFINE(agent_step_dashboard, STEP_DASHBOARD)
FORM_DEFINE(agent_step_tools, STEP_TOOLS)
FORM_DEFINE(agent_step_telephony, STEP_TELEPHONY)
FORM_DEFINE(agent_config, CONFIG_ALL)
FORM_DEFINE(agent_group_tools, STEP_TOOLS_AGENT)
FORM_DEFINE(agent_group_calls, CONFIG_CALLS)
FORM_DEFINE(agent_group_modulations, CONFIG_MODULATIONS)

/* The wizard's one route takes any step's fields at the door; each
 * step's strict check refuses fields of other steps. */
const struct field agent_wizard_door[] = { EVERY_SETTING(FORM_DOOR_) { NULL } };

const struct agent_step agent_steps[AGENT_WIZARD_STEPS + 1] = {
	{ NULL, NULL, NULL, NULL },
	{ "identity", "Identity", "Who the agent answers for, and when the business is open.",
	  &agent_step_identity_form },
	{ "persona", "Persona", "What callers hear first and how the agent behaves.",
	  &agent_step_persona_form },
	{ "dashboard", "Dashboard", "The words the dashboard uses for calls, and what needs action.",
	  &agent_step_dashboard_form },
	{ "tools", "Tools", "Transfers, voicemail, messages and what the agent knows.",
	  &agent_step_tools_form },
	{ "telephony", "Telephony", "The numbers that reach this agent.", &agent_step_telephony_form },
};

/* The configuration page shows agent_config_form in these groups. */
const struct agent_step agent_config_groups[] = {
	{ "identity", "Identity", NULL, &agent_step_identity_form },
	{ "persona", "Persona", NULL, &agent_step_persona_form },
	{ "dashboard", "Dashboard", NULL, &agent_step_dashboard_form },
	{ "tools", "Tools", NULL, &agent_group_tools_form },
	{ "calls", "Calls and providers", NULL, &agent_group_calls_form },
	{ "modulations", "Call modulations", "Extra work done on calls; each needs a plan that includes it.",
	  &agent_group_modulations_form },
	{ NULL, NULL, NULL, NULL },
};

struct setting {
	const char *name, *target;
	enum agent_conv conv;
	int gate;
	const char *choices;
};
#define SETTING_(n, t, fl, mn, mx, ch, lb, in, hi, target, conv, gate) { n, target, conv, gate, ch },
static const struct setting settings[] = { EVERY_SETTING(SETTING_) };
#define NSETTINGS ((int)(sizeof settings / sizeof settings[0]))

static const struct setting *
setting_of(const char *name)
{
	for (int i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

/* ---- Opening hours ---------------------------------------------------- */

static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

/* "HH:MM" (00:00..24:00) -> minutes, or -1. */
static int
parse_time(const char *s, size_t n)
{
	if (n != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	int h = (s[0] - '0') * 10 + s[1] - '0', m = (s[3] - '0') * 10 + s[4] - '0';
	if (h > 24 || m > 59 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

static int
parse_day_intervals(const char *p, json_t *arr, char *msg, size_t msglen, const char *day)
{
	int last_close = -1;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		const char *dash = strchr(p, '-');
		const char *end = p + strcspn(p, ", \t");
		if (dash == NULL || dash > end) {
			snprintf(msg, msglen, "%s: write times as 08:00-17:00.", day);
			return -1;
		}
		int open = parse_time(p, (size_t)(dash - p)), close = parse_time(dash + 1, (size_t)(end - dash - 1));
		if (open < 0 || close < 0) {
			snprintf(msg, msglen, "%s: write times as 08:00-17:00.", day);
			return -1;
		}
		if (open >= close) {
			snprintf(msg, msglen, "%s: opening time must be before closing time.", day);
			return -1;
		}
		if (open < last_close) {
			snprintf(msg, msglen, "%s: intervals must be in order and not overlap.", day);
			return -1;
		}
		last_close = close;
		json_array_append_new(arr, json_pack("{s:s#,s:s#}", "open", p, (int)(dash - p),
		    "close", dash + 1, (int)(end - dash - 1)));
		p = end;
	}
	return 0;
}

json_t *
agent_hours_parse(const char *text, char *msg, size_t msglen)
{
	json_t *hours = json_object();
	char *copy = xstrdup(text ? text : ""), *save = NULL;
	for (char *line = strtok_r(copy, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0')
			continue;
		char day[4] = { 0 };
		for (int i = 0; i < 3 && line[i]; i++)
			day[i] = (char)tolower((unsigned char)line[i]);
		int d = -1;
		for (int i = 0; i < 7; i++)
			if (strcmp(day, days[i]) == 0)
				d = i;
		if (d < 0 || (line[3] && !isspace((unsigned char)line[3]))) {
			snprintf(msg, msglen, "Start each line with a day: mon, tue, wed, thu, fri, sat or sun.");
			goto fail;
		}
		if (json_object_get(hours, days[d])) {
			snprintf(msg, msglen, "%s is listed twice.", days[d]);
			goto fail;
		}
		const char *rest = line + 3;
		while (isspace((unsigned char)*rest))
			rest++;
		json_t *arr = json_array();
		json_object_set_new(hours, days[d], arr);
		if (strcmp(rest, "closed") == 0)
			continue;
		if (parse_day_intervals(rest, arr, msg, msglen, days[d]) < 0)
			goto fail;
		if (json_array_size(arr) == 0) {
			snprintf(msg, msglen, "%s: give the hours (08:00-17:00) or write closed.", days[d]);
			goto fail;
		}
	}
	free(copy);
	return hours;
fail:
	free(copy);
	json_decref(hours);
	return NULL;
}

char *
agent_hours_format(json_t *hours)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	for (int d = 0; d < 7; d++) {
		json_t *arr = json_object_get(hours, days[d]);
		if (json_array_size(arr) == 0)
			continue;
		buf_printf(&b, "%s%s ", b.len ? "\n" : "", days[d]);
		size_t i;
		json_t *iv;
		json_array_foreach(arr, i, iv)
			buf_printf(&b, "%s%s-%s", i ? ", " : "",
			    json_string_value(json_object_get(iv, "open")) ?: "",
			    json_string_value(json_object_get(iv, "close")) ?: "");
	}
	buf_putc(&b, '\0');
	char *s = b.data ? xstrdup(b.data) : xstrdup("");
	buf_free(&b);
	return s;
}

/* ---- Values ----------------------------------------------------------- */

static json_t *
stored(json_t *agent, const char *target)
{
	const char *dot = strchr(target, '.');
	if (dot == NULL)
		return json_object_get(agent, target);
	char base[64];
	snprintf(base, sizeof base, "%.*s", (int)(dot - target), target);
	return json_object_get(json_object_get(agent, base), dot + 1);
}

static char *
join(json_t *arr, const char *sep)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (json_is_string(v))
			buf_printf(&b, "%s%s", b.len ? sep : "", json_string_value(v));
	char *s = xstrdup(b.data ? b.data : "");
	buf_free(&b);
	return s;
}

static json_t *
value_text(const struct setting *s, json_t *v)
{
	char *t;
	switch (s->conv) {
	case AC_BOOL: return json_string(json_is_true(v) ? "on" : "");
	case AC_INT: return json_is_integer(v) ? json_sprintf("%lld", (long long)json_integer_value(v)) : json_string("");
	case AC_HOURS: t = agent_hours_format(v); break;
	case AC_LINES: t = join(v, "\n"); break;
	case AC_CHAIN: t = join(v, ", "); break;
	case AC_ACTIONS: {
		struct buf b;
		buf_init(&b, 1 << 20);
		size_t i;
		json_t *r;
		json_array_foreach(v, i, r)
			buf_printf(&b, "%s%s: %s", b.len ? "\n" : "",
			    json_string_value(json_object_get(json_object_get(r, "when"), "reason")) ?: "",
			    json_string_value(json_object_get(r, "priority")) ?: "normal");
		t = xstrdup(b.data ? b.data : "");
		buf_free(&b);
		break;
	}
	default: return json_string(json_is_string(v) ? json_string_value(v) : "");
	}
	json_t *out = json_string(t);
	free(t);
	return out;
}

json_t *
agent_settings_values(json_t *agent)
{
	json_t *values = json_object();
	for (int i = 0; i < NSETTINGS; i++)
		if (settings[i].conv != AC_NONE)
			json_object_set_new(values, settings[i].name,
			    value_text(&settings[i], stored(agent, settings[i].target)));
	return values;
}

/* ---- Checking ----------------------------------------------------------- */

static int
in_choices(const char *choices, const char *s, size_t n)
{
	for (const char *c = choices; c && *c; ) {
		const char *bar = strchr(c, '|');
		size_t len = bar ? (size_t)(bar - c) : strlen(c);
		if (len == n && strncmp(c, s, n) == 0)
			return 1;
		c = bar ? bar + 1 : NULL;
	}
	return 0;
}

/* Splits on sep, trims, drops empty entries; NULL with msg on a bad list. */
static json_t *
split_list(const char *text, const char *sep, size_t max_items, size_t max_len, char *msg, size_t msglen)
{
	json_t *arr = json_array();
	const char *p = text;
	while (*p) {
		size_t n = strcspn(p, sep);
		const char *s = p, *e = p + n;
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e > s) {
			if ((size_t)(e - s) > max_len) {
				snprintf(msg, msglen, "Each entry must be at most %zu characters.", max_len);
				goto fail;
			}
			size_t i;
			json_t *v;
			json_array_foreach(arr, i, v)
				if (json_string_length(v) == (size_t)(e - s) && strncmp(json_string_value(v), s, (size_t)(e - s)) == 0) {
					snprintf(msg, msglen, "\"%.*s\" is listed twice.", (int)(e - s), s);
					goto fail;
				}
			json_array_append_new(arr, json_stringn(s, (size_t)(e - s)));
			if (json_array_size(arr) > max_items) {
				snprintf(msg, msglen, "At most %zu entries.", max_items);
				goto fail;
			}
		}
		p += n;
		if (*p)
			p++;
	}
	return arr;
fail:
	json_decref(arr);
	return NULL;
}

static json_t *
parse_actions(const char *text, json_t *reasons, char *msg, size_t msglen)
{
	json_t *lines = split_list(text, "\r\n", 50, 100, msg, msglen);
	if (lines == NULL)
		return NULL;
	json_t *rules = json_array();
	size_t i, j;
	json_t *l, *r;
	json_array_foreach(lines, i, l) {
		const char *s = json_string_value(l), *colon = strchr(s, ':');
		char reason[101], priority[32] = "high";
		snprintf(reason, sizeof reason, "%.*s", colon ? (int)(colon - s) : (int)strlen(s), s);
		for (size_t k = strlen(reason); k > 0 && isspace((unsigned char)reason[k - 1]); k--)
			reason[k - 1] = '\0';
		if (colon) {
			const char *p = colon + 1;
			while (isspace((unsigned char)*p))
				p++;
			snprintf(priority, sizeof priority, "%s", p);
		}
		if (!in_choices("low|normal|high|urgent", priority, strlen(priority))) {
			snprintf(msg, msglen, "%s: priority must be low, normal, high or urgent.", reason);
			goto fail;
		}
		int known = 0;
		json_array_foreach(reasons, j, r)
			known |= strcmp(json_string_value(r), reason) == 0;
		if (!known) {
			snprintf(msg, msglen, "\"%s\" is not one of the reasons for calling.", reason);
			goto fail;
		}
		json_array_append_new(rules, json_pack("{s:{s:s},s:s}", "when", "reason", reason,
		    "priority", priority));
	}
	json_decref(lines);
	return rules;
fail:
	json_decref(lines);
	json_decref(rules);
	return NULL;
}

/* "Unknown provider "x"; choose from a, b, c." with the stage's names. */
static void
chain_unknown_message(const char *name, int stage, char *msg, size_t msglen)
{
	struct buf b;
	buf_init(&b, msglen > 0 ? msglen - 1 : 0);
	buf_printf(&b, "Unknown provider \"%.32s\"; choose from", name);
	const char *sep = " ";
	for (size_t i = 0; i < provider_count(); i++)
		if ((int)provider_at(i)->stage == stage) {
			buf_printf(&b, "%s%s", sep, provider_at(i)->name);
			sep = ", ";
		}
	buf_putc(&b, '.');
	snprintf(msg, msglen, "%s", b.data ? b.data : "Unknown provider.");
	buf_free(&b);
}

/* The submitted value of s as it would be stored; NULL with msg on error. */
static json_t *
convert(const struct setting *s, json_t *in, json_t *reasons, char *msg, size_t msglen)
{
	json_t *v = json_object_get(in, s->name);
	const char *text = json_string_value(v) ? json_string_value(v) : "";
	switch (s->conv) {
	case AC_BOOL: return json_boolean(json_is_true(v));
	case AC_INT: return json_incref(v);
	case AC_NULLTEXT: return text[0] ? json_string(text) : json_null();
	case AC_TEXT: return json_string(text);
	case AC_HOURS: return agent_hours_parse(text, msg, msglen);
	case AC_LINES: return split_list(text, "\r\n", 50, 100, msg, msglen);
	case AC_ACTIONS: return parse_actions(text, reasons, msg, msglen);
	case AC_CHAIN: {
		/* Chains are never empty: a stage needs a provider. */
		json_t *arr = split_list(text, ",", 4, 32, msg, msglen);
		size_t i;
		json_t *p;
		int stage = provider_stage_parse(s->choices);
		json_array_foreach(arr, i, p)
			if (provider_find_stage(json_string_value(p), (enum provider_stage)stage) == NULL) {
				chain_unknown_message(json_string_value(p), stage, msg, msglen);
				json_decref(arr);
				return NULL;
			}
		if (arr && json_array_size(arr) == 0) {
			snprintf(msg, msglen, "Name at least one provider.");
			json_decref(arr);
			return NULL;
		}
		return arr;
	}
	default: return NULL;
	}
}

static int
gate_allows(int gate, const char *plan, int superadmin)
{
	if (gate == GATE_NONE)
		return 1;
	if (gate == GATE_SUPERADMIN)
		return superadmin;
	return rbac_plan_has(plan, (enum plan_feature)gate);
}

static void
gate_message(int gate, const char *plan, const char *label, char *msg, size_t msglen)
{
	static const char *const plans[] = { "base", "pro", "insights", "global" };
	const char *needs = NULL;
	for (size_t i = 0; gate >= 0 && !needs && i < sizeof plans / sizeof plans[0]; i++)
		if (rbac_plan_has(plans[i], (enum plan_feature)gate))
			needs = plans[i];
	if (gate == GATE_SUPERADMIN || needs == NULL)
		snprintf(msg, msglen, "Only the platform operator can change this.");
	else
		snprintf(msg, msglen, "Not included in the %s plan (%s needs the %s plan or above).",
		    plan ? plan : "current", label, needs);
}

json_t *
agent_settings_check(const struct form *f, json_t *in, json_t *agent,
    const char *plan, int superadmin, json_t **changes)
{
	json_t *errors = json_object();
	*changes = json_object();
	char msg[300];
	/* Requires-action rules refer to the reasons as submitted, or stored. */
	json_t *reasons = NULL;
	if (json_object_get(in, "reasons"))
		reasons = split_list(json_string_value(json_object_get(in, "reasons")) ?: "", "\r\n", 50, 100, msg, sizeof msg);
	if (reasons == NULL)
		reasons = json_incref(stored(agent, "dashboard_signals.reasons"));
	for (int i = 0; f->fields[i].name; i++) {
		const struct setting *s = setting_of(f->fields[i].name);
		if (s == NULL || s->conv == AC_NONE)
			continue;
		int present = json_object_get(in, s->name) != NULL;
		int allowed = gate_allows(s->gate, plan, superadmin);
		/* A locked control is not submitted: absent keeps the stored value. */
		if (!present && (!allowed || s->conv != AC_BOOL))
			continue;
		msg[0] = '\0';
		json_t *v = convert(s, in, reasons, msg, sizeof msg);
		if (v == NULL) {
			json_object_set_new(errors, s->name, json_string(msg[0] ? msg : "Invalid value."));
			continue;
		}
		if (!allowed) {
			json_t *old = stored(agent, s->target);
			int unchanged = json_equal(v, old) || (old == NULL && (json_is_false(v) ||
			    json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
			    (json_is_array(v) && json_array_size(v) == 0)));
			if (!unchanged) {
				gate_message(s->gate, plan, f->ui[i].label, msg, sizeof msg);
				json_object_set_new(errors, s->name, json_string(msg));
			}
			json_decref(v);
			continue;
		}
		json_object_set_new(*changes, s->target, v);
	}
	json_decref(reasons);
	if (json_object_size(errors) == 0) {
		json_decref(errors);
		return NULL;
	}
	json_decref(*changes);
	*changes = NULL;
	return errors;
}

void
agent_settings_lock(const struct form *f, json_t *view, const char *plan, int superadmin)
{
	char msg[300];
	for (int i = 0; f->fields[i].name; i++) {
		const struct setting *s = setting_of(f->fields[i].name);
		if (s && !gate_allows(s->gate, plan, superadmin)) {
			gate_message(s->gate, plan, f->ui[i].label, msg, sizeof msg);
			form_view_lock(view, s->name, msg);
		}
	}
}

/* ---- Saving --------------------------------------------------------------- */

int
agent_settings_save(struct db *db, const char *agent_id, json_t *changes)
{
	if (json_object_size(changes) == 0)
		return 0;
	struct buf sql;
	buf_init(&sql, 1 << 16);
	const char **params = xcalloc(2 * json_object_size(changes) + 2, sizeof *params);
	char **owned = xcalloc(2 * json_object_size(changes) + 2, sizeof *owned);
	int np = 0, no = 0;
	params[np++] = agent_id;
	buf_puts(&sql, "UPDATE agents SET ");
	int first = 1;
	/* Plain columns. */
	for (int i = 0; i < NSETTINGS; i++) {
		const struct setting *s = &settings[i];
		json_t *v = s->target ? json_object_get(changes, s->target) : NULL;
		if (v == NULL || strchr(s->target, '.'))
			continue;
		const char *cast = s->conv == AC_BOOL ? "::boolean" : s->conv == AC_INT ? "::integer" :
		    s->conv == AC_HOURS || s->conv == AC_CHAIN || s->conv == AC_LINES ||
		    s->conv == AC_ACTIONS ? "::jsonb" : "";
		char *p = json_is_string(v) ? xstrdup(json_string_value(v)) : json_is_null(v) ? NULL :
		    json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		owned[no++] = p;
		params[np++] = p;
		/* Column names come from the table above, never from input. */
		buf_printf(&sql, "%s%s = $%d%s", first ? "" : ", ", s->target, np, cast);
		first = 0;
	}
	/* Keys inside jsonb columns, grouped per column. */
	static const char *const bases[] = { "dashboard_signals", "modulations" };
	for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
		size_t blen = strlen(bases[b]);
		int opened = 0;
		for (int i = 0; i < NSETTINGS; i++) {
			const struct setting *s = &settings[i];
			json_t *v = s->target ? json_object_get(changes, s->target) : NULL;
			if (v == NULL || strncmp(s->target, bases[b], blen) != 0 || s->target[blen] != '.')
				continue;
			if (!opened)
				buf_printf(&sql, "%s%s = %s || jsonb_build_object(", first ? "" : ", ", bases[b], bases[b]);
			char *p = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			owned[no++] = p;
			params[np++] = s->target + blen + 1;
			params[np++] = p;
			buf_printf(&sql, "%s$%d::text, $%d::jsonb", opened ? ", " : "", np - 1, np);
			opened = first = 0, opened = 1;
		}
		if (opened)
			buf_puts(&sql, ")");
	}
	buf_puts(&sql, " WHERE id = $1");
	int rc = first ? 0 : db_run(db, sql.data, np, params);
	for (int i = 0; i < no; i++)
		free(owned[i]);
	free(owned);
	free(params);
	buf_free(&sql);
	return rc;
}
