/* voxline simulate [options] SCRIPT: places calls the way a carrier
 * does and prints one JSON line per call, then a summary line.
 *   --direct          create the calls row and token here (no webhook)
 *   --calls N         concurrent calls (default 1); --stagger MS apart (50)
 *   --url URL         the platform's public URL (default public_url)
 *   --from/--to E164  caller and called numbers (--to picks the agent)
 *   --carrier NAME    twilio (default), signalwire or telnyx stream dialect
 *   --auth-token T    webhook signing token (default twilio_auth_token);
 *                     --account-sid AC... (default twilio_account_sid)
 *   --record DIR      keep the agent's audio per call (DIR/CALLID.ul)
 *   --bad-token T     present T as the stream token (tests)
 *   --timeout S       give up on a call after S seconds (120)
 * Exit status 0 when every call connected and every `expect` was heard. */
#include "commands.h"
#include "simulate.h"
#include "audio.h"
#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "speech.h"
#include "xalloc.h"
#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int
usage(void)
{
	fprintf(stderr, "usage: voxline simulate [--direct] [--calls N] [--stagger MS] [--url URL] [--from E164]\n"
	    "         [--to E164] [--carrier twilio|signalwire|telnyx] [--auth-token T] [--account-sid AC...]\n"
	    "         [--record DIR] [--bad-token T] [--timeout S] SCRIPT\n");
	return 2;
}

static int
has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = text; (p = strcasestr(p, word)) != NULL; p++)
		if ((p == text || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
			return 1;
	return 0;
}

/* What the caller's ear knows: the script's words and, when the
 * database is reachable, everything the called agent might say (its
 * greeting and knowledge base) -- so an expected word has to be told
 * apart from the agent's other words, not merely from silence. */
static char *
vocabulary(const struct sim_options *o, const struct sim_script *s, struct db *db)
{
	struct buf b;
	buf_init(&b, 4 << 20);
	for (int i = 0; i < s->n; i++) {
		if (s->steps[i].text)
			buf_printf(&b, "%s ", s->steps[i].text);
		for (int w = 0; w < s->steps[i].nwords; w++)
			buf_printf(&b, "%s ", s->steps[i].words[w]);
	}
	const char *p[1] = { o->to };
	if (db && db_begin_tenant(db, NULL) == 0) {
		PGresult *r = db_exec(db,
		    "SELECT a.greeting || ' ' || coalesce(a.business_name, '') || ' ' || "
		    "       coalesce((SELECT string_agg(k.content, ' ') FROM knowledge_bases k "
		    "                  WHERE k.tenant_id = a.tenant_id AND k.agent_id = a.id), '') "
		    "  FROM phone_numbers pn JOIN agents a ON a.tenant_id = pn.tenant_id AND a.id = pn.agent_id "
		    " WHERE pn.e164 = $1", 1, p);
		if (db_value(r, 0, 0))
			buf_puts(&b, db_value(r, 0, 0));
		PQclear(r);
		db_commit(db);
	}
	return b.data ? buf_steal(&b) : xstrdup("");
}

static char *
transcribe(const uint8_t *ulaw, size_t n, const char *vocab)
{
	int16_t *pcm = xmalloc((n ? n : 1) * sizeof *pcm), *wide;
	audio_ulaw_to_pcm(ulaw, n, pcm);
	size_t m = audio_resample_once(8000, SPEECH_RECOG_RATE, pcm, n, &wide);
	free(pcm);
	char *text = wide ? speech_recognize(cfg_str(CFG_media_stt_model_dir), wide, m, vocab) : NULL;
	free(wide);
	return text ? text : xstrdup("");
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double
pct(double *v, size_t n, double p)
{
	if (n == 0)
		return -1;
	qsort(v, n, sizeof *v, cmp_double);
	size_t i = (size_t)ceil(p * (double)n);
	return v[i ? i - 1 : 0];
}

/* The call's row once the daemon has stored it (waits up to 15 s). */
static json_t *
call_row(struct db *db, const char *call_id)
{
	if (db == NULL || !call_id[0])
		return NULL;
	const char *p[1] = { call_id };
	for (int i = 0; i < 150; i++) {
		if (db_begin_tenant(db, NULL) < 0)
			return NULL;
		PGresult *r = db_exec(db, "SELECT status, outcome, end_reason, latency::text, media_finished_at IS NOT NULL "
		    "FROM calls WHERE id = $1", 1, p);
		db_commit(db);
		if (r == NULL || PQntuples(r) != 1) {
			PQclear(r);
			return NULL;
		}
		if (db_value(r, 0, 4)[0] == 't') {
			json_t *o = json_pack("{s:s,s:s?,s:s?,s:o}", "status", db_value(r, 0, 0),
			    "outcome", db_value(r, 0, 1), "end_reason", db_value(r, 0, 2),
			    "latency", json_loads(db_value(r, 0, 3), 0, NULL));
			PQclear(r);
			return o;
		}
		PQclear(r);
		usleep(100000);
	}
	return NULL;
}

static json_t *
report_json(const struct sim_options *o, const struct sim_script *s, struct sim_report *r, int index,
    struct db *db, const char *vocab, int *ok)
{
	*ok = r->connected && !r->timed_out && !r->error[0];
	json_t *turns = json_array();
	for (int i = 0; i < r->nturns; i++) {
		struct sim_turn *t = &r->turns[i];
		const struct sim_step *st = &s->steps[t->step];
		json_t *tj = json_pack("{s:i,s:f}", "line", st->line, "agent_audio_ms", (double)t->nheard / 8.0);
		if (t->v2v_ms >= 0)
			json_object_set_new(tj, "v2v_ms", json_real(t->v2v_ms));
		if (st->op == SIM_EXPECT) {
			t->transcript = transcribe(t->heard, t->nheard, vocab);
			t->ok = 0;
			for (int w = 0; w < st->nwords; w++)
				t->ok |= has_word(t->transcript, st->words[w]);
			*ok &= t->ok;
			json_object_set_new(tj, "heard", json_string(t->transcript));
			json_object_set_new(tj, "expect_ok", json_boolean(t->ok));
		}
		json_array_append_new(turns, tj);
	}
	if (o->record_dir && r->nall && r->target.call_id[0]) {
		char *path = xasprintf("%s/%s.ul", o->record_dir, r->target.call_id);
		FILE *f = fopen(path, "wb");
		if (f) {
			fwrite(r->all_audio, 1, r->nall, f);
			fclose(f);
		}
		free(path);
	}
	json_t *j = json_pack("{s:i,s:s,s:b,s:b,s:b,s:b,s:o,s:I}", "call", index,
	    "call_id", r->target.call_id, "ok", *ok, "connected", r->connected, "refused", r->refused,
	    "closed_by_agent", r->closed_by_agent, "turns", turns, "agent_frames", (json_int_t)r->frames);
	if (r->greeting_ms >= 0)
		json_object_set_new(j, "greeting_ms", json_real(r->greeting_ms));
	if (r->clears || r->barge_started_ms > 0)
		json_object_set_new(j, "barge", json_pack("{s:i,s:f,s:f,s:i}", "clears", r->clears,
		    "speech_started_at_ms", r->barge_started_ms, "clear_at_ms", r->clear_at_ms,
		    "frames_after_clear", r->frames_after_clear));
	if (r->nlate) {
		double *tmp = xmalloc(r->nlate * sizeof *tmp);
		memcpy(tmp, r->late, r->nlate * sizeof *tmp);
		json_object_set_new(j, "frame_late_p99_ms", json_real(pct(tmp, r->nlate, 0.99)));
		json_object_set_new(j, "frame_late_max_ms", json_real(pct(tmp, r->nlate, 1.0)));
		free(tmp);
	}
	if (r->error[0])
		json_object_set_new(j, "error", json_string(r->error));
	json_t *row = r->connected && !r->refused ? call_row(db, r->target.call_id) : NULL;
	json_object_set_new(j, "record", row ? row : json_null());
	return j;
}

static void
print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	printf("%s\n", s);
	fflush(stdout);
	free(s);
}

int
cmd_simulate(int argc, char **argv)
{
	struct sim_options o = { .calls = 1, .stagger_ms = 50, .from = "+15555550142", .to = "+15555550123",
		.carrier = "twilio", .account_sid = "AC00000000000000000000000000000001", .timeout_s = 120 };
	o.base_url = cfg_str(CFG_public_url);
	o.auth_token = cfg_str(CFG_twilio_auth_token);
	if (*cfg_str(CFG_twilio_account_sid))
		o.account_sid = cfg_str(CFG_twilio_account_sid);
	const char *script_path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--direct") == 0) { o.direct = 1; continue; }
		if (a[0] != '-') { script_path = a; continue; }
		if (v == NULL)
			return usage();
		i++;
		if (strcmp(a, "--calls") == 0) o.calls = atoi(v);
		else if (strcmp(a, "--stagger") == 0) o.stagger_ms = atoi(v);
		else if (strcmp(a, "--url") == 0) o.base_url = v;
		else if (strcmp(a, "--from") == 0) o.from = v;
		else if (strcmp(a, "--to") == 0) o.to = v;
		else if (strcmp(a, "--carrier") == 0) o.carrier = v;
		else if (strcmp(a, "--auth-token") == 0) o.auth_token = v;
		else if (strcmp(a, "--account-sid") == 0) o.account_sid = v;
		else if (strcmp(a, "--record") == 0) o.record_dir = v;
		else if (strcmp(a, "--bad-token") == 0) o.bad_token = v;
		else if (strcmp(a, "--timeout") == 0) o.timeout_s = atoi(v);
		else
			return usage();
	}
	if (script_path == NULL || o.calls < 1 || o.calls > 20000 || o.stagger_ms < 0 || o.timeout_s < 1 ||
	    (strcmp(o.carrier, "twilio") && strcmp(o.carrier, "signalwire") && strcmp(o.carrier, "telnyx")))
		return usage();
	struct sim_script script;
	char err[512];
	if (sim_script_load(script_path, &script, err, sizeof err) < 0) {
		fprintf(stderr, "voxline simulate: %s\n", err);
		return 2;
	}
	if (sim_script_synth(&script) < 0) {
		fprintf(stderr, "voxline simulate: espeak-ng could not synthesise the script's lines\n");
		sim_script_free(&script);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct sim_report *reports = xcalloc((size_t)o.calls, sizeof *reports);
	for (int i = 0; i < o.calls; i++) {
		int rc = o.direct ? sim_setup_direct(&o, i, &reports[i].target, err, sizeof err) :
		    sim_setup_webhook(&o, i, &reports[i].target, err, sizeof err);
		if (rc < 0)
			snprintf(reports[i].error, sizeof reports[i].error, "%.200s", err);
	}
	int rc = sim_run(&o, &script, reports, o.calls);
	struct db *db = db_open(cfg_str(CFG_database_url), 0);
	char *vocab = vocabulary(&o, &script, db);
	int all_ok = rc == 0;
	double *v2v = xcalloc((size_t)o.calls * SIM_MAX_STEPS, sizeof *v2v), *greet = xcalloc((size_t)o.calls, sizeof *greet);
	double *late = NULL;
	size_t nv = 0, ng = 0, nl = 0;
	int nok = 0;
	for (int i = 0; i < o.calls; i++) {
		struct sim_report *r = &reports[i];
		int ok;
		json_t *j = report_json(&o, &script, r, i, db, vocab, &ok);
		print_json(j);
		json_decref(j);
		all_ok &= ok;
		nok += ok;
		for (int t = 0; t < r->nturns; t++)
			if (r->turns[t].v2v_ms >= 0)
				v2v[nv++] = r->turns[t].v2v_ms;
		if (r->greeting_ms >= 0)
			greet[ng++] = r->greeting_ms;
		late = xrealloc(late, (nl + r->nlate + 1) * sizeof *late);
		if (r->nlate)
			memcpy(late + nl, r->late, r->nlate * sizeof *late);
		nl += r->nlate;
	}
	json_t *sum = json_pack("{s:b,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:I}", "summary", 1, "calls", o.calls, "ok", nok,
	    "v2v_p50_ms", pct(v2v, nv, 0.5), "v2v_p95_ms", pct(v2v, nv, 0.95),
	    "greeting_p50_ms", pct(greet, ng, 0.5), "greeting_p95_ms", pct(greet, ng, 0.95),
	    "frame_late_p99_ms", pct(late, nl, 0.99), "frames_measured", (json_int_t)nl);
	print_json(sum);
	json_decref(sum);
	for (int i = 0; i < o.calls; i++) {
		for (int t = 0; t < reports[i].nturns; t++) {
			free(reports[i].turns[t].heard);
			free(reports[i].turns[t].transcript);
		}
		free(reports[i].late);
		free(reports[i].all_audio);
	}
	free(reports);
	free(v2v);
	free(greet);
	free(late);
	db_close(db);
	free(vocab);
	sim_script_free(&script);
	curl_global_cleanup();
	return all_ok ? 0 : 1;
}
