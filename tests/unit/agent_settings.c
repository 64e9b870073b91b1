/* Agent settings beyond field types: opening hours, dashboard vocabulary,
 * provider chains, and the plan and role gates, as the wizard steps and
 * the configuration page apply them. */
#include "tap.h"
#include "fcgi/admin/agent_settings.h"

static json_t *errors, *changes;

static json_t *
check(const struct form *f, json_t *in, json_t *agent, const char *plan, int superadmin)
{
	json_t *typed = NULL;
	json_decref(errors);
	json_decref(changes);
	changes = NULL;
	errors = form_check(f, in, &typed);
	if (errors == NULL)
		errors = agent_settings_check(f, typed, agent, plan, superadmin, &changes);
	json_decref(typed);
	json_decref(in);
	return errors;
}

static const char *
err(const char *field)
{
	return json_string_value(json_object_get(errors, field));
}

int
main(void)
{
	char msg[300];
	json_t *h = agent_hours_parse("mon 08:00-12:00, 13:00-17:00\nSat 09:00-12:00\nsun closed\n", msg, sizeof msg);
	ok(h && json_array_size(json_object_get(h, "mon")) == 2, "two intervals on Monday");
	is(json_string_value(json_object_get(json_array_get(json_object_get(h, "sat"), 0), "close")), "12:00",
	    "day names ignore case");
	ok(json_is_array(json_object_get(h, "sun")) && json_array_size(json_object_get(h, "sun")) == 0,
	    "closed is an empty day");
	char *text = agent_hours_format(h);
	is(text, "mon 08:00-12:00, 13:00-17:00\nsat 09:00-12:00", "hours read back as they are written");
	free(text);
	json_decref(h);
	ok(agent_hours_parse("mon 17:00-08:00", msg, sizeof msg) == NULL && strstr(msg, "before"),
	    "closing before opening is refused");
	ok(agent_hours_parse("mon 08:00-12:00, 11:00-13:00", msg, sizeof msg) == NULL && strstr(msg, "overlap"),
	    "overlapping intervals are refused");
	ok(agent_hours_parse("funday 08:00-12:00", msg, sizeof msg) == NULL, "unknown day refused");
	ok(agent_hours_parse("mon 8-12", msg, sizeof msg) == NULL, "times need HH:MM");
	ok(agent_hours_parse("mon 09:00-17:00\nmon 10:00-11:00", msg, sizeof msg) == NULL && strstr(msg, "twice"),
	    "a day listed twice is refused");

	json_t *agent = json_pack("{s:{s:[s],s:[],s:[],s:[]},s:{},s:[s],s:[s],s:[s],s:b}", "dashboard_signals",
	    "reasons", "billing", "outcomes", "pipeline", "requires_action", "modulations", "stt_chain",
	    "pocketsphinx", "llm_chain", "local", "tts_chain", "espeak-ng", "recording_enabled", 0);

	/* Step 1: identity. */
	const struct form *identity = agent_steps[1].form;
	check(identity, json_pack("{s:s,s:s,s:s}", "name", "Front desk", "time_zone", "UTC", "hours", ""),
	    agent, "base", 0);
	is(err("business_name"), "This field is required.", "identity: business name is required");
	check(identity, json_pack("{s:s,s:s,s:s,s:s}", "name", "Front desk", "business_name", "Acme",
	    "time_zone", "UTC", "hours", "mon 9-5"), agent, "base", 0);
	ok(err("hours") && strstr(err("hours"), "08:00-17:00"), "identity: bad hours explained next to the field");
	check(identity, json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", "Front desk", "business_name", "Acme",
	    "industry", "", "time_zone", "UTC", "hours", "mon 08:00-17:00"), agent, "base", 0);
	ok(errors == NULL, "identity: valid step accepted");
	ok(changes && json_is_null(json_object_get(changes, "industry")), "empty optional text is stored as NULL");
	ok(json_object_get(json_object_get(changes, "hours"), "mon") != NULL, "hours become the hours object");

	/* Step 3: dashboard vocabulary. */
	const struct form *dash = agent_steps[3].form;
	check(dash, json_pack("{s:s,s:s,s:s,s:s}", "reasons", "appointment\nemergency\n", "outcomes", "booked",
	    "pipeline", "", "requires_action", "emergency: urgent\nlost card"), agent, "base", 0);
	ok(err("requires_action") && strstr(err("requires_action"), "lost card"),
	    "requires action must name a reason for calling");
	check(dash, json_pack("{s:s,s:s,s:s,s:s}", "reasons", "appointment\nemergency", "outcomes", "booked",
	    "pipeline", "", "requires_action", "emergency: urgent\nappointment"), agent, "base", 0);
	ok(errors == NULL, "dashboard: valid vocabulary accepted");
	json_t *rules = json_object_get(changes, "dashboard_signals.requires_action");
	is(json_string_value(json_object_get(json_array_get(rules, 1), "priority")), "high",
	    "a rule without a priority is high");
	check(dash, json_pack("{s:s,s:s,s:s,s:s}", "reasons", "a\na", "outcomes", "", "pipeline", "",
	    "requires_action", ""), agent, "base", 0);
	ok(err("reasons") && strstr(err("reasons"), "twice"), "duplicate vocabulary entries refused");

	/* Configuration: plan gates. */
	json_t *cfg = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
	    "name", "Desk", "business_name", "Acme", "time_zone", "UTC", "greeting", "Hello", "language", "en-US",
	    "max_duration_seconds", "600", "stt_chain", "pocketsphinx", "llm_chain", "local", "tts_chain",
	    "espeak-ng", "reasons", "billing", "outcomes", "", "pipeline", "", "requires_action", "");
	json_t *with_survey = json_deep_copy(cfg);
	json_object_set_new(with_survey, "mod_survey", json_string("on"));
	check(&agent_config_form, json_deep_copy(with_survey), agent, "pro", 0);
	ok(err("mod_survey") && strstr(err("mod_survey"), "insights"), "survey on the pro plan: refused, names the plan needed");
	check(&agent_config_form, json_deep_copy(with_survey), agent, "insights", 0);
	ok(errors == NULL && json_is_true(json_object_get(changes, "modulations.survey")),
	    "survey on the insights plan: saved under modulations");
	json_t *chain = json_deep_copy(cfg);
	json_object_set_new(chain, "stt_chain", json_string("deepgram, pocketsphinx"));
	check(&agent_config_form, json_deep_copy(chain), agent, "base", 0);
	ok(err("stt_chain") != NULL, "changing provider chains on the base plan is refused");
	check(&agent_config_form, json_deep_copy(chain), agent, "pro", 0);
	json_t *c = json_object_get(changes, "stt_chain");
	ok(errors == NULL && json_array_size(c) == 2 && strcmp(json_string_value(json_array_get(c, 0)), "deepgram") == 0,
	    "on pro: the chain is saved primary first");
	json_object_set_new(chain, "stt_chain", json_string("deepgram, whisperx"));
	check(&agent_config_form, json_deep_copy(chain), agent, "pro", 0);
	ok(err("stt_chain") && strstr(err("stt_chain"), "whisperx"), "unknown provider named in the error");
	json_object_set_new(chain, "stt_chain", json_string("assemblyai"));
	check(&agent_config_form, json_deep_copy(chain), agent, "pro", 0);
	ok(err("stt_chain") && strstr(err("stt_chain"), "deepgram"),
	    "a post-call transcription provider is not a live speech-to-text provider; the stage's names are listed");
	json_object_set_new(chain, "stt_chain", json_string("pocketsphinx"));
	json_object_set_new(chain, "llm_chain", json_string("openai, groq, gemini, openai_compatible"));
	json_object_set_new(chain, "tts_chain", json_string("elevenlabs, cartesia, espeak-ng"));
	check(&agent_config_form, json_deep_copy(chain), agent, "pro", 0);
	ok(errors == NULL && json_array_size(json_object_get(changes, "llm_chain")) == 4 &&
	    json_array_size(json_object_get(changes, "tts_chain")) == 3, "every cloud provider of each stage accepted");
	json_object_set_new(chain, "llm_chain", json_string("openai, elevenlabs"));
	check(&agent_config_form, json_deep_copy(chain), agent, "pro", 0);
	ok(err("llm_chain") && strstr(err("llm_chain"), "elevenlabs") && strstr(err("llm_chain"), "groq"),
	    "a provider of another stage is refused in the LLM chain");
	json_object_set_new(chain, "llm_chain", json_string("local"));
	json_object_set_new(chain, "tts_chain", json_string("espeak-ng, espeak-ng"));
	check(&agent_config_form, json_deep_copy(chain), agent, "pro", 0);
	ok(err("tts_chain") && strstr(err("tts_chain"), "twice"), "a provider listed twice is refused");
	check(&agent_config_form, json_deep_copy(cfg), agent, "base", 0);
	ok(errors == NULL && json_object_get(changes, "stt_chain") == NULL &&
	    json_object_get(changes, "modulations.survey") == NULL,
	    "base plan, gated settings unchanged: accepted, gated settings left alone");
	ok(json_object_get(changes, "recording_enabled") == NULL, "a locked checkbox left out keeps its stored value");
	json_t *prompt = json_deep_copy(cfg);
	json_object_set_new(prompt, "platform_prompt", json_string("Always be polite."));
	check(&agent_config_form, json_deep_copy(prompt), agent, "global", 0);
	ok(err("platform_prompt") && strstr(err("platform_prompt"), "platform operator"),
	    "a tenant cannot change the platform prompt layer");
	check(&agent_config_form, json_deep_copy(prompt), agent, "base", 1);
	is(json_string_value(json_object_get(changes, "platform_prompt")), "Always be polite.",
	    "the platform operator can");

	json_t *view = form_view(&agent_config_form, NULL, NULL);
	agent_settings_lock(&agent_config_form, view, "base", 0);
	ok(json_string_value(json_object_get(form_view_field(view, "mod_translation"), "locked")) != NULL,
	    "the form shows translation locked on base");
	ok(json_is_null(json_object_get(form_view_field(view, "greeting"), "locked")), "ungated fields are not locked");
	json_decref(view);

	json_t *stored_agent = json_pack("{s:{s:[s,s]},s:[s,s],s:b,s:{s:b}}", "dashboard_signals",
	    "reasons", "a", "b", "stt_chain", "deepgram", "pocketsphinx", "voicemail_enabled", 1, "modulations", "survey", 1);
	json_t *values = agent_settings_values(stored_agent);
	json_decref(stored_agent);
	is(json_string_value(json_object_get(values, "reasons")), "a\nb", "stored vocabulary reads back one per line");
	is(json_string_value(json_object_get(values, "stt_chain")), "deepgram, pocketsphinx", "chains read back comma separated");
	is(json_string_value(json_object_get(values, "voicemail_enabled")), "on", "checkbox on");
	is(json_string_value(json_object_get(values, "mod_survey")), "on", "modulation read from modulations");
	json_decref(values);
	json_decref(cfg);
	json_decref(with_survey);
	json_decref(chain);
	json_decref(prompt);
	json_decref(agent);
	json_decref(errors);
	json_decref(changes);
	return done_testing();
}
