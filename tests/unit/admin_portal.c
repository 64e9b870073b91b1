/* The admin portal's handlers against a real database and the real
 * templates: each request goes through routing, parsing and the route's
 * declared fields exactly as dispatch() hands it over after the access
 * layer, with the signed-in user given directly (struct auth).
 * Needs VOXLINE_TEST_DATABASE_URL, VOXLINE_TEST_TEMPLATES and
 * VOXLINE_TEST_USER_ID (a superadmin); tests/integration/admin.t
 * provides them from a throwaway stack.  Without them it skips. */
#include "tap.h"
#include "db.h"
#include "log.h"
#include "fcgi/auth.h"
#include "fcgi/router.h"
#include "fcgi/tpl.h"
#include <ctype.h>

static struct db *db;
static struct tpl_set *tpl;
static struct auth auth;
static struct req rq;
static struct resp rs;
static char body[1 << 20], loc[512], val[4096];

static const char *
form(const char *k, ...)
{
	static char out[1 << 16];
	size_t n = 0;
	va_list ap;
	va_start(ap, k);
	for (; k; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%s=", n ? "&" : "", k);
		for (const unsigned char *p = (const unsigned char *)v; *p && n + 4 < sizeof out; p++)
			n += (size_t)(isalnum(*p) || strchr("-_.~", *p) ? snprintf(out + n, sizeof out - n, "%c", *p) :
			    snprintf(out + n, sizeof out - n, "%%%02X", *p));
	}
	va_end(ap);
	out[n] = '\0';
	return out;
}

/* One request, as dispatch() runs it once access was granted. */
static int
run(const char *method, const char *path, const char *query, const char *form_body)
{
	req_free(&rq);
	resp_free(&rs);
	req_init(&rq);
	resp_init(&rs);
	rq.method = method;
	rq.query_string = query;
	rq.content_type = form_body ? "application/x-www-form-urlencoded" : NULL;
	rq.body = form_body;
	rq.body_len = form_body ? strlen(form_body) : 0;
	rq.remote_addr = "127.0.0.1";
	rq.db = db;
	rq.tpl = tpl;
	rq.auth = &auth;
	snprintf(rq.correlation_id, sizeof rq.correlation_id, "admin-portal-test");
	rq.path = req_decode_path(path);
	const struct route *route;
	char allow[64];
	enum err_code err;
	if (router_match(&rq, &route, allow, sizeof allow) != 0)
		return -404;
	rq.route = route;
	if (req_parse(&rq, &err) < 0)
		return -400;
	json_t *errors = validate(route->fields, strcmp(method, "GET") == 0 ? rq.query : rq.form, &rq.in);
	if (errors) {
		char *s = json_dumps(errors, 0);
		diag(s);
		free(s);
		json_decref(errors);
		return -1;
	}
	route->handler(&rq, &rs);
	snprintf(body, sizeof body, "%s", rs.body.data ? rs.body.data : "");
	loc[0] = '\0';
	const char *l = rs.headers.data ? strstr(rs.headers.data, "Location: ") : NULL;
	if (l)
		snprintf(loc, sizeof loc, "%.*s", (int)strcspn(l + 10, "\r\n"), l + 10);
	return rs.status;
}

/* One value from SQL in platform scope. */
static const char *
sql(const char *q, const char *p1)
{
	const char *p[1] = { p1 };
	val[0] = '\0';
	if (db_begin_tenant(db, "*") < 0)
		return "(db error)";
	PGresult *r = db_exec(db, q, p1 ? 1 : 0, p1 ? p : NULL);
	snprintf(val, sizeof val, "%s", r ? (db_value(r, 0, 0) ? db_value(r, 0, 0) : "(null)") : "(sql error)");
	PQclear(r);
	db_commit(db);
	return val;
}

static int
has(const char *needle)
{
	return strstr(body, needle) != NULL;
}

/* The field's error paragraph follows its control in the page. */
static int
error_next_to(const char *field, const char *message)
{
	char id[128];
	snprintf(id, sizeof id, "id=\"%s-error\">", field);
	const char *e = strstr(body, id);
	return e && strncmp(e + strlen(id), message, strlen(message)) == 0 &&
	    strstr(body, "field-invalid") != NULL;
}

static void
as_tenant(const char *tenant, const char *role, int superadmin)
{
	snprintf(auth.tenant_id, sizeof auth.tenant_id, "%s", tenant);
	snprintf(auth.role, sizeof auth.role, "%s", role);
	auth.superadmin = superadmin;
}

int
main(void)
{
	const char *url = getenv("VOXLINE_TEST_DATABASE_URL"), *dir = getenv("VOXLINE_TEST_TEMPLATES"),
	    *user = getenv("VOXLINE_TEST_USER_ID");
	if (!url || !dir || !user) {
		printf("1..0 # SKIP run through tests/integration/admin.t (needs a database)\n");
		return 0;
	}
	log_set_level("error");
	char err[256], path[256], tenant[37], agent[37], kb[37], other[37];
	db = db_open(url, 3);
	tpl = tpl_load(dir, err, sizeof err);
	if (!tpl)
		diag(err);
	ok(db && tpl, "database and templates");
	auth.authenticated = 1;
	auth.superadmin = 1;
	snprintf(auth.user_id, sizeof auth.user_id, "%s", user);
	snprintf(auth.user_name, sizeof auth.user_name, "Platform Operator");
	snprintf(auth.csrf_token, sizeof auth.csrf_token, "csrf-test-token");

	/* ---- Tenants ---- */
	is_int(run("GET", "/admin/tenants/new", NULL, NULL), 200, "new tenant form");
	ok(has("name=\"csrf_token\" value=\"csrf-test-token\""), "forms carry the CSRF token");
	is_int(run("POST", "/admin/tenants", NULL, form("slug", "Acme Dental!", "name", "Acme Dental", "plan", "base",
	    "time_zone", "Mars/Olympus", "max_concurrent_calls", "3", "monthly_minutes", "500", "retention_days", "30", NULL)),
	    400, "invalid tenant: 400");
	ok(error_next_to("slug", "Use lower-case letters"), "slug error next to the slug field");
	ok(has("value=\"Acme Dental!\""), "the slug as typed is kept");
	ok(has("value=\"Acme Dental\""), "the name as typed is kept");
	is_int(run("POST", "/admin/tenants", NULL, form("slug", "acme-dental", "name", "Acme Dental", "plan", "base",
	    "time_zone", "Mars/Olympus", "max_concurrent_calls", "3", "monthly_minutes", "500", "retention_days", "30", NULL)),
	    400, "unknown time zone: 400");
	ok(error_next_to("time_zone", "Unknown time zone"), "time zone checked against the database's zones");
	is_int(run("POST", "/admin/tenants", NULL, form("slug", "acme-dental", "name", "Acme Dental", "plan", "base",
	    "time_zone", "America/Chicago", "max_concurrent_calls", "abc", "monthly_minutes", "500", "retention_days", "30", NULL)),
	    400, "non-numeric limit: 400");
	ok(error_next_to("max_concurrent_calls", "Must be a whole number"), "limit error next to its field");
	is_int(run("POST", "/admin/tenants", NULL, form("slug", "acme-dental", "name", "Acme Dental", "plan", "base",
	    "time_zone", "America/Chicago", "max_concurrent_calls", "3", "monthly_minutes", "500", "retention_days", "30", NULL)),
	    303, "valid tenant: created");
	snprintf(tenant, sizeof tenant, "%s", sql("SELECT id FROM tenants WHERE slug = 'acme-dental'", NULL));
	snprintf(path, sizeof path, "/admin/tenants/%s", tenant);
	is(loc, path, "redirected to the tenant page");
	is_int(run("POST", "/admin/tenants", NULL, form("slug", "acme-dental", "name", "Other", "plan", "base",
	    "time_zone", "UTC", "max_concurrent_calls", "3", "monthly_minutes", "500", "retention_days", "30", NULL)),
	    400, "duplicate short name: 400");
	ok(error_next_to("slug", "This short name is taken."), "taken short name explained");
	is_int(run("GET", path, NULL, NULL), 200, "tenant page");
	ok(has("Acme Dental") && has("value=\"America/Chicago\""), "shows the tenant's settings");
	is_int(run("POST", path, NULL, form("name", "Acme Dental", "plan", "gold", "time_zone", "America/Chicago",
	    "max_concurrent_calls", "3", "monthly_minutes", "500", "retention_days", "30", NULL)), 400, "unknown plan: 400");
	ok(error_next_to("plan", "Must be one of"), "plan error next to the plan field");
	is_int(run("POST", path, NULL, form("name", "Acme Dental", "plan", "base", "time_zone", "America/Chicago",
	    "max_concurrent_calls", "8", "monthly_minutes", "2000", "retention_days", "60", NULL)), 303, "limits saved");
	is(sql("SELECT max_concurrent_calls || '/' || monthly_minutes FROM tenants WHERE id = $1", tenant), "8/2000",
	    "new limits stored");
	snprintf(path, sizeof path, "/admin/tenants/%s/status", tenant);
	is_int(run("POST", path, NULL, form("status", "suspended", NULL)), 303, "suspend");
	is(sql("SELECT status FROM tenants WHERE id = $1", tenant), "suspended", "tenant suspended");
	is_int(run("POST", path, NULL, form("status", "active", NULL)), 303, "reactivate");
	is_int(run("GET", "/admin/tenants", NULL, NULL), 200, "tenants list");
	ok(has("acme-dental") && has("<td class=\"num\">0.00</td>"), "lists the tenant with its month's cost");

	/* ---- Onboarding wizard (the superadmin working in the new tenant) ---- */
	as_tenant(tenant, "owner", 1);
	is_int(run("POST", "/admin/agents", NULL, form("name", "", NULL)), 400, "agent without a name: 400");
	ok(error_next_to("name", "This field is required."), "agent name required, next to the field");
	is_int(run("POST", "/admin/agents", NULL, form("name", "Front desk", NULL)), 303, "agent started");
	snprintf(agent, sizeof agent, "%s", sql("SELECT id FROM agents WHERE tenant_id = $1", tenant));
	snprintf(path, sizeof path, "/admin/agents/%s/setup/1", agent);
	is(loc, path, "onto step 1");
	is_int(run("GET", path, NULL, NULL), 200, "step 1 page");
	ok(has("value=\"America/Chicago\""), "time zone defaults to the tenant's");
	snprintf(path, sizeof path, "/admin/agents/%s/setup/4", agent);
	is_int(run("GET", path, NULL, NULL), 303, "cannot skip ahead");
	snprintf(path, sizeof path, "/admin/agents/%s/setup/1", agent);
	is(strstr(loc, "/setup/1") ? "step 1" : loc, "step 1", "sent back to the first unfinished step");
	is_int(run("POST", path, NULL, form("name", "Front desk", "business_name", "Acme Dental", "industry", "Dental",
	    "time_zone", "America/Chicago", "hours", "mon 08:00-17:00\ntue 17:00-08:00", NULL)), 400, "bad hours: 400");
	ok(error_next_to("hours", "tue: opening time must be before closing time."), "hours error next to the field");
	ok(has(">mon 08:00-17:00\ntue 17:00-08:00</textarea>"), "the hours as typed are kept");
	is_int(run("POST", path, NULL, form("name", "Front desk", "business_name", "Acme Dental", "industry", "Dental",
	    "time_zone", "America/Chicago", "hours", "mon 08:00-17:00\ntue 08:00-17:00", NULL)), 303, "step 1 saved");
	is(sql("SELECT onboarding_step || ' ' || business_name || ' ' || (hours->'tue'->0->>'open') FROM agents WHERE id = $1", agent),
	    "1 Acme Dental 08:00", "step 1 stored, progress recorded");
	snprintf(path, sizeof path, "/admin/agents/%s/setup/2", agent);
	is_int(run("POST", path, NULL, form("greeting", "", "platform_prompt", "Be safe.", "tenant_prompt", "Be brief.",
	    "voice", "", "language", "en-US", NULL)), 400, "empty greeting: 400");
	ok(error_next_to("greeting", "This field is required."), "greeting required");
	is_int(run("POST", path, NULL, form("greeting", "Thanks for calling Acme Dental, how can I help?",
	    "platform_prompt", "Be safe.", "tenant_prompt", "Be brief.", "voice", "", "language", "en-US", NULL)), 303, "step 2 saved");
	snprintf(path, sizeof path, "/admin/agents/%s/setup/3", agent);
	is_int(run("POST", path, NULL, form("reasons", "appointment\nemergency", "outcomes", "booked\nmessage",
	    "pipeline", "new\nbooked", "requires_action", "emergency: urgent", NULL)), 303, "step 3 saved");
	snprintf(path, sizeof path, "/admin/agents/%s/setup/4", agent);
	is_int(run("POST", path, NULL, form("transfer_number", "555-1234", "voicemail_enabled", "on",
	    "message_taking_enabled", "on", "kb_name", "Clinic", "kb_content", "", "kb_filler", "", NULL)), 400, "step 4 invalid");
	ok(error_next_to("transfer_number", "Enter a phone number in international format"), "E.164 explained");
	is_int(run("POST", path, NULL, form("transfer_number", "+15550001111", "voicemail_enabled", "on",
	    "message_taking_enabled", "on", "kb_name", "Clinic", "kb_content", "", "kb_filler", "", NULL)), 400, "knowledge base without text");
	ok(error_next_to("kb_content", "Paste or upload"), "knowledge base text required once named");
	is_int(run("POST", path, NULL, form("transfer_number", "+15550001111", "voicemail_enabled", "on",
	    "message_taking_enabled", "on", "kb_name", "Clinic",
	    "kb_content", "We are open Monday and Tuesday from 8am to 5pm.\n\nParking is free behind the building on Elm Street.",
	    "kb_filler", "Let me check.", NULL)), 303, "step 4 saved with a knowledge base");
	snprintf(kb, sizeof kb, "%s", sql("SELECT id FROM knowledge_bases WHERE agent_id = $1", agent));
	ok(strlen(kb) == 36, "knowledge base created");
	snprintf(path, sizeof path, "/admin/agents/%s/setup/5", agent);
	is_int(run("POST", path, NULL, form("number_id", "", "e164", "", "carrier", "", "number_label", "", NULL)), 400,
	    "no number: 400");
	ok(error_next_to("e164", "Route a number to this agent"), "a number is required to finish");
	is_int(run("POST", path, NULL, form("number_id", "", "e164", "+15557770100", "carrier", "twilio", "number_label", "Main", NULL)),
	    303, "step 5 saved with a new number");
	snprintf(path, sizeof path, "/admin/agents/%s/review", agent);
	is(loc, path, "on to the review");
	is_int(run("GET", path, NULL, NULL), 200, "review page");
	ok(has("Thanks for calling Acme Dental, how can I help?") && has("+15557770100") && !has("disabled>Go live"),
	    "review shows the settings and allows going live");
	snprintf(path, sizeof path, "/admin/agents/%s/live", agent);
	is_int(run("POST", path, NULL, NULL), 303, "went live");
	is(sql("SELECT status || ' v' || version || ' ' || (SELECT count(*) FROM agent_versions v WHERE v.agent_id = a.id)"
	    " FROM agents a WHERE id = $1", agent), "live v1 1", "live at version 1 with its snapshot");

	/* ---- Configuration, versions, diff, roll back ---- */
	snprintf(path, sizeof path, "/admin/agents/%s", agent);
	is_int(run("GET", path, NULL, NULL), 200, "configuration page");
	ok(has("Not included in the base plan") && has("id=\"mod_survey\" name=\"mod_survey\" type=\"checkbox\" disabled"),
	    "base plan: modulations shown locked");
	ok(has("<legend>Call modulations</legend>") && has("<legend>Persona</legend>"), "settings grouped as in onboarding");
	const char *cfg_base = "name=Front+desk&business_name=Acme+Dental&industry=Dental&time_zone=America%2FChicago"
	    "&hours=mon+08%3A00-17%3A00&platform_prompt=Be+safe.&tenant_prompt=Be+brief.&voice=&language=en-US"
	    "&reasons=appointment%0Aemergency&outcomes=booked%0Amessage&pipeline=new%0Abooked"
	    "&requires_action=emergency%3A+urgent&transfer_number=%2B15550001111&voicemail_enabled=on"
	    "&message_taking_enabled=on&max_duration_seconds=900";
	char cfg[4096];
	snprintf(cfg, sizeof cfg, "%s&greeting=Hello+from+Acme%%2C+version+two.&mod_survey=on", cfg_base);
	is_int(run("POST", path, NULL, cfg), 400, "survey on the base plan: refused");
	ok(error_next_to("mod_survey", "Not included in the base plan (Survey needs the insights plan or above)."),
	    "plan gate explained next to the modulation");
	ok(has(">Hello from Acme, version two.</textarea>"), "the rest of the input is kept");
	is(sql("SELECT version || ' ' || (modulations ? 'survey') FROM agents WHERE id = $1", agent), "1 false",
	    "nothing saved");
	snprintf(cfg, sizeof cfg, "%s&greeting=Hello+from+Acme%%2C+version+two.", cfg_base);
	is_int(run("POST", path, NULL, cfg), 303, "greeting changed");
	is(sql("SELECT version || ' ' || greeting FROM agents WHERE id = $1", agent), "2 Hello from Acme, version two.",
	    "a change is a new version");
	is_int(run("POST", path, NULL, cfg), 303, "saved again unchanged");
	is(sql("SELECT version FROM agents WHERE id = $1", agent), "2", "no change, no new version");
	sql("UPDATE tenants SET plan = 'insights' WHERE id = $1", tenant);
	snprintf(cfg, sizeof cfg, "%s&greeting=Hello+from+Acme%%2C+version+two.&mod_survey=on&survey_questions=How+did+we+do%%3F", cfg_base);
	is_int(run("POST", path, NULL, cfg), 303, "survey on the insights plan: saved");
	is(sql("SELECT version || ' ' || (modulations->>'survey') || ' ' || (modulations->'survey_questions'->>0) FROM agents WHERE id = $1", agent),
	    "3 true How did we do?", "modulation stored, version 3");
	snprintf(path, sizeof path, "/admin/agents/%s/versions/2", agent);
	is_int(run("GET", path, NULL, NULL), 200, "diff of version 2");
	ok(has("<h2>Greeting</h2>") && has("class=\"diff-del\"><span class=\"visually-hidden\">del: </span>Thanks for calling Acme Dental, how can I help?")
	    && has("class=\"diff-add\"><span class=\"visually-hidden\">add: </span>Hello from Acme, version two."),
	    "readable diff: old greeting removed, new added");
	ok(has("Maximum call length"), "other changed settings listed by their labels");
	ok(has("Front desk: version 2 against 1</h1>"), "the page says which versions it compares");
	snprintf(path, sizeof path, "/admin/agents/%s/versions/1/rollback", agent);
	is_int(run("POST", path, NULL, NULL), 303, "roll back to version 1");
	is(sql("SELECT version || ' ' || greeting || ' ' || (modulations ? 'survey') FROM agents WHERE id = $1", agent),
	    "4 Thanks for calling Acme Dental, how can I help? false", "version 4 has version 1's settings");
	is(sql("SELECT note FROM agent_versions WHERE agent_id = $1 AND version = 4", agent), "Rolled back to version 1",
	    "the roll back is recorded as a version");
	snprintf(path, sizeof path, "/admin/agents/%s/versions", agent);
	is_int(run("GET", path, NULL, NULL), 200, "history page");
	ok(has("Rolled back to version 1") && has("Went live"), "history lists every version");

	/* ---- Knowledge base: try it ---- */
	snprintf(path, sizeof path, "/admin/knowledge/%s", kb);
	is_int(run("GET", path, "q=where%20can%20I%20find%20parking", NULL), 200, "try it");
	const char *hits = strstr(body, "<ol class=\"hits\">"), *hits_end = hits ? strstr(hits, "</ol>") : NULL;
	ok(hits && hits_end && strstr(hits, "Parking is free behind the building on Elm Street.") < hits_end &&
	    (strstr(hits, "We are open Monday") == NULL || strstr(hits, "We are open Monday") > hits_end),
	    "retrieves the parking passage only");
	is_int(run("POST", path, NULL, form("name", "", "content", "x", "filler_phrase", "", NULL)), 400, "unnamed knowledge base");
	ok(error_next_to("name", "This field is required."), "name required");
	snprintf(path, sizeof path, "/admin/agents/%s/knowledge", agent);
	is_int(run("POST", path, NULL, form("name", "Prices", "content", "", "filler_phrase", "One moment.", NULL)), 400,
	    "new knowledge base without text: 400");
	ok(error_next_to("content", "This field is required.") && has("value=\"One moment.\""), "text required, filler kept");

	/* ---- Numbers ---- */
	is_int(run("POST", "/admin/numbers", NULL, form("e164", "+1 555 777 0101", "carrier", "twilio", "label", "", "agent_id", "", NULL)),
	    400, "spaces in a number: 400");
	ok(error_next_to("e164", "Enter a phone number in international format") && has("value=\"+1 555 777 0101\""),
	    "E.164 error next to the field, input kept");
	is_int(run("POST", "/admin/numbers", NULL, form("e164", "+15557770100", "carrier", "twilio", "label", "", "agent_id", "", NULL)),
	    400, "number already registered");
	ok(error_next_to("e164", "This number is already registered."), "duplicate explained");
	is_int(run("POST", "/admin/numbers", NULL, form("e164", "+15557770102", "carrier", "telnyx", "label", "Spare", "agent_id", agent, NULL)),
	    303, "number added and routed");
	char number[37];
	snprintf(number, sizeof number, "%s", sql("SELECT id FROM phone_numbers WHERE e164 = $1", "+15557770102"));
	snprintf(path, sizeof path, "/admin/numbers/%s", number);
	is_int(run("POST", path, NULL, form("label", "Spare line", "agent_id", "00000000-0000-4000-8000-000000000000", NULL)), 400,
	    "routing to an agent that is not the tenant's: 400");
	ok(error_next_to("agent_id", "Choose one of this business") && has("value=\"Spare line\""),
	    "explained next to the agent choice, label kept");
	is_int(run("POST", path, NULL, form("label", "Spare line", "agent_id", "", NULL)), 303, "number un-routed");
	is(sql("SELECT coalesce(agent_id::text, 'none') || ' ' || label FROM phone_numbers WHERE id = $1", number), "none Spare line",
	    "stored");

	/* ---- Calls record their agent version; intelligence ---- */
	sql("INSERT INTO calls (tenant_id, agent_id, phone_number_id, carrier, carrier_call_sid, from_number, to_number,"
	    " status, duration_seconds, outcome, reason, requires_action, transfer_to, cost_stt, cost_llm, cost_tts, cost_telephony)"
	    " SELECT p.tenant_id, p.agent_id, p.id, 'twilio', 'CA-admin-1', '+15550009999', p.e164, 'completed', 120,"
	    " 'booked', 'appointment', true, '+15550001111', 0.01, 0.02, 0.03, 0.04 FROM phone_numbers p WHERE p.e164 = $1",
	    "+15557770100");
	is(sql("SELECT agent_version FROM calls WHERE carrier_call_sid = $1", "CA-admin-1"), "4",
	    "a call records the agent version it ran with");
	sql("INSERT INTO call_turns (tenant_id, call_id, seq, speaker, text, provider_stt, provider_llm, provider_tts, latency_ms)"
	    " SELECT tenant_id, id, 0, 'caller', 'hello', 'pocketsphinx', 'local', 'espeak-ng',"
	    " '{\"voice_to_voice\": 850, \"stt_final\": 300, \"llm_first_token\": 200, \"tts_first_audio\": 150}'"
	    " FROM calls WHERE carrier_call_sid = $1", "CA-admin-1");
	is_int(run("GET", "/admin/intelligence", "period=30d", NULL), 200, "intelligence page");
	ok(has("<svg") && has(">booked</text>") && has(">appointment</text>"), "outcome and reason charts");
	ok(has("voice_to_voice p50") && has(">850</text>"), "latency per stage");
	ok(has("STT · pocketsphinx") && has("0.1000"), "cost by provider and the total cost");
	ok(has(">100.0%<") || has(">100.0%"), "action-required rate");
	snprintf(val, sizeof val, "tenant=%s", tenant);
	char q[128];
	snprintf(q, sizeof q, "tenant=%s&period=7d", tenant);
	is_int(run("GET", "/admin/intelligence.csv", q, NULL), 200, "CSV");
	ok(strncmp(body, "section,label,value,unit\r\n", 26) == 0 && has("outcomes,booked,1,calls\r\n") &&
	    has("cost_stage,Telephony,0.0400,USD\r\n") && has("totals,cost_per_minute,0.0500,"), "CSV carries the same figures");
	is_int(run("GET", "/admin/intelligence.csv", "period=7d&tenant=00000000-0000-0000-0000-000000000000", NULL), 200, "CSV of another tenant");
	ok(!has("booked"), "filtered by tenant");

	/* ---- Quality ---- */
	sql("INSERT INTO system_errors (code, category, severity, message) VALUES ('provider_unreachable_test', 'provider',"
	    " 'error', 'A provider could not be reached.') ON CONFLICT DO NOTHING RETURNING code", NULL);
	sql("INSERT INTO system_error_occurrences (id, code, call_id, detail) SELECT 'ERR_20261121_TEST01', 'provider_unreachable_test',"
	    " id, 'connect refused' FROM calls WHERE carrier_call_sid = $1", "CA-admin-1");
	sql("INSERT INTO webhook_attempts (carrier, endpoint, source_addr, signature_valid, result, http_status, duration_ms)"
	    " VALUES ('twilio', 'voice', '203.0.113.9', false, 'bad_signature', 403, 0.4),"
	    " ('twilio', 'voice', '203.0.113.10', true, 'answered', 200, 3.2)", NULL);
	is_int(run("GET", "/admin/quality", NULL, NULL), 200, "quality page");
	const char *bad = strstr(body, "bad_signature"), *good = strstr(body, "<td>answered</td>");
	ok(bad && good && bad < good, "carrier webhook attempts listed, failures first");
	ok(has("2 requests, 1 refused or failed."), "webhook attempts counted");
	ok(has("provider_unreachable_test") && has("No open errors.") == 0, "open error listed");
	is_int(run("GET", "/admin/quality/errors/provider_unreachable_test", NULL, NULL), 200, "error detail");
	ok(has("ERR_20261121_TEST01") && has("connect refused"), "occurrences with detail");
	is_int(run("POST", "/admin/quality/errors/provider_unreachable_test/resolve", NULL, NULL), 303, "resolved");
	is(sql("SELECT resolved_by FROM system_errors WHERE code = 'provider_unreachable_test'", NULL), user, "resolved by the operator");

	/* ---- Isolation: another tenant's admin sees none of this ---- */
	snprintf(other, sizeof other, "%s", sql("INSERT INTO tenants (name, slug) VALUES ('Other', 'other-co') RETURNING id", NULL));
	as_tenant(other, "owner", 0);
	snprintf(path, sizeof path, "/admin/agents/%s", agent);
	is_int(run("GET", path, NULL, NULL), 404, "another tenant's agent: 404");
	snprintf(path, sizeof path, "/admin/knowledge/%s", kb);
	is_int(run("GET", path, "q=parking", NULL), 404, "another tenant's knowledge base: 404");
	is_int(run("GET", "/admin/agents", NULL, NULL), 200, "own agents list");
	ok(!has("Front desk"), "shows none of the first tenant's agents");
	is_int(run("GET", "/admin/tenants", NULL, NULL), 403, "a tenant owner cannot list tenants");
	is_int(run("GET", "/admin/quality", NULL, NULL), 403, "nor see quality");

	/* ---- Every write is in the audit log ---- */
	is(sql("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE correlation_id = 'admin-portal-test'", NULL),
	    "tenant.create,tenant.update,tenant.suspend,tenant.reactivate,agent.create,agent.setup,agent.setup,agent.setup,"
	    "knowledge_base.create,agent.setup,number.create,agent.setup,agent.go_live,agent.update,agent.update,"
	    "agent.rollback,number.create,number.update,system_error.resolve", "every write audited, in order");
	is(sql("SELECT count(*) FROM audit_log WHERE correlation_id = 'admin-portal-test' AND actor_user_id = $1", user), "19",
	    "each with its actor");
	is(sql("SELECT before->>'greeting' FROM audit_log WHERE action = 'agent.rollback'", NULL),
	    "Hello from Acme, version two.", "with what it was before");

	req_free(&rq);
	resp_free(&rs);
	tpl_free(tpl);
	db_close(db);
	return done_testing();
}
