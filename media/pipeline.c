/* The turn loop: caller audio -> VAD -> end of turn -> STT -> dialogue
 * (streamed) -> sentences -> TTS -> paced audio, with barge-in, filler,
 * silence and duration limits, and the actions a reply carries.  Runs on
 * the call's loop thread; engines run on libuv's thread pool, and every
 * result is checked against the reply generation it was made for, so a
 * barge-in drops whatever is still in flight. */
#include "media.h"
#include "agent.h"
#include "cfg.h"
#include "db.h"
#include "errors.h"
#include "log.h"
#include "loop_db.h"
#include "metrics.h"
#include "writer.h"
#include "audio.h"
#include "breakers.h"
#include "chain.h"
#include "engines/fixed_delay.h"
#include "engines/stt_live.h"
#include "sentence.h"
#include "xalloc.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define UTT_MAX_SAMPLES (8000 * 30)
#define PREROLL_SAMPLES 1600          /* 200 ms before speech was declared */
/* Quiet here that confirms the live recogniser's end of turn. */
#define LIVE_ENDPOINT_QUIET_MS 200

void call_push_ctl(struct call *c, char *frame);

static const double greet_bounds[] = { 1, 2, 5, 10, 20, 50, 100, 500, 1000, 5000 };
struct metric media_greeting_ms = METRIC_HISTOGRAM_INIT("voxline_media_start_to_greeting_ms",
    "From the stream's start to the first greeting frame sent.", greet_bounds);
static const double v2v_bounds[] = { 100, 200, 400, 600, 800, 1000, 1500, 2000, 3000, 5000 };
struct metric media_v2v_ms = METRIC_HISTOGRAM_INIT("voxline_media_voice_to_voice_ms",
    "From the end of the caller's speech to the first agent audio frame sent.", v2v_bounds);
struct metric media_barge_ins = METRIC_INIT("voxline_media_barge_ins_total",
    "Agent replies interrupted by the caller.", METRIC_COUNTER);

enum job_kind { JOB_LOAD, JOB_STT, JOB_LLM, JOB_TTS, JOB_TRANSFER, JOB_STT_CLOSE };

struct job {
	uv_work_t req;
	uv_timer_t delay;             /* fixed-delay engines: run on the loop */
	int on_loop;
	enum job_kind kind;
	struct call *call;
	unsigned gen;
	volatile int cancel;
	int rc;
	double submitted, started, done, first_token;
	/* inputs */
	char *text;
	int16_t *pcm;
	size_t npcm;
	const struct agent *agent;
	struct dialog *dialog;
	char tenant_id[37], agent_id[37], call_id[37];
	int reads;                    /* load: database reads still out on the loop */
	PGresult *agent_row;
	/* outputs */
	char *result;
	uint8_t *audio;
	size_t naudio;
	struct agent *loaded;
	char from_number[40], last_reason[40];
	int previous_calls, call_found;
	struct engine_usage usage;
	struct chain_job chain;
	enum carrier carrier;
	char call_sid[128], to[40];
	int voicemail;
	enum err_code err_code;       /* transfer: the carrier's answer in the catalog */
	char err[256];
};

static void after_job(uv_work_t *req, int status);
static void job_finish(struct job *j);
static void job_free(struct job *j);

/* Engine thread: the agent's row, read on the loop, becomes the agent
 * (parsing, knowledge base, greeting and filler synthesis). */
static void
work_load(struct job *j)
{
	if (j->agent_row)
		j->loaded = agent_build(j->tenant_id, j->agent_id, j->agent_row);
}

struct llm_stream {
	struct job *job;
	struct sentence_splitter split;
};

static void
mail_post(struct call *c, unsigned gen, const char *text)
{
	struct worker *w = c->w;
	struct mail *m = xcalloc(1, sizeof *m);
	m->call = c;
	m->gen = gen;
	m->text = xstrdup(text);
	pthread_mutex_lock(&w->lock);
	if (w->mail_tail)
		w->mail_tail->next = m;
	else
		w->mail = m;
	w->mail_tail = m;
	pthread_mutex_unlock(&w->lock);
	uv_async_send(&w->wake);
}

static void queue_sentence(struct call *c, const char *s);

/* A sentence reaches its call unless the reply it belongs to was dropped. */
static void
deliver_sentence(struct call *c, unsigned gen, const char *text)
{
	if (gen == c->gen && c->phase == CALL_LIVE)
		queue_sentence(c, text);
}

static void
emit_sentence(const char *s, void *arg)
{
	struct llm_stream *st = arg;
	if (st->job->on_loop)
		deliver_sentence(st->job->call, st->job->gen, s);
	else
		mail_post(st->job->call, st->job->gen, s);
}

static void
on_token(const char *tok, void *arg)
{
	struct llm_stream *st = arg;
	if (st->job->cancel)
		return;
	if (st->job->first_token == 0)
		st->job->first_token = media_now_ms();
	sentence_feed(&st->split, tok, emit_sentence, st);
}

static void
run_job(uv_work_t *req)
{
	struct job *j = req->data;
	j->started = media_now_ms();
	if (j->cancel && j->kind != JOB_STT_CLOSE)     /* a session is always closed */
		goto out;
	switch (j->kind) {
	case JOB_LOAD:
		work_load(j);
		break;
	case JOB_STT:
		j->result = chain_stt(&j->chain, j->pcm, j->npcm,
		    strcmp(cfg_str(CFG_media_stt_vocabulary), "agent") == 0 ? j->agent->vocabulary : NULL);
		j->rc = j->result ? 0 : -1;
		break;
	case JOB_LLM: {
		struct llm_stream st = { .job = j };
		sentence_init(&st.split);
		j->rc = chain_llm(&j->chain, j->dialog, j->text, on_token, &st);
		if (!j->cancel)
			sentence_flush(&st.split, emit_sentence, &st);
		sentence_free(&st.split);
		break;
	}
	case JOB_TTS:
		j->rc = chain_tts(&j->chain, j->text, j->agent->voice, &j->audio, &j->naudio);
		break;
	case JOB_STT_CLOSE:
		chain_stt_close(&j->chain, j->text);
		break;
	case JOB_TRANSFER:
		break;        /* sent from the loop (transfer_start) */
	}
out:
	j->done = media_now_ms();
	chain_usage_total(&j->chain.report, &j->usage);
	if (j->chain.report.exhausted)
		writer_system_error(ERR_provider_stage_failed, j->call->claims.call_id, j->call->claims.tenant_id,
		    j->kind == JOB_STT ? "stt" : j->kind == JOB_LLM ? "llm" : "tts");
}

static struct job *
job_new(struct call *c, enum job_kind kind)
{
	struct job *j = xcalloc(1, sizeof *j);
	j->kind = kind;
	j->call = c;
	j->gen = c->gen;
	j->agent = c->agent;
	j->chain = (struct chain_job){ .agent = c->agent, .tenant_id = c->claims.tenant_id,
		.call_id = c->claims.call_id, .worker = c->w->index, .cancel = &j->cancel };
	j->submitted = media_now_ms();
	j->req.data = j;
	call_ref(c);
	return j;
}

/* A stage whose engine waits without working (fixed-delay) runs on the
 * loop after its delay instead of holding an engine thread. */
static int
job_on_loop(const struct job *j)
{
	switch (j->kind) {
	case JOB_STT: return fixed_delay_engine(j->agent->stt);
	case JOB_LLM: return fixed_delay_engine(j->agent->llm);
	case JOB_TTS: return fixed_delay_engine(j->agent->tts);
	default: return 0;
	}
}

static void
delay_closed(uv_handle_t *h)
{
	job_free(h->data);
}

/* The stage's result goes on at once, not after the loop's next poll;
 * only the timer's memory waits for its close. */
static void
delay_over(uv_timer_t *t)
{
	struct job *j = t->data;
	run_job(&j->req);
	job_finish(j);
	uv_close((uv_handle_t *)t, delay_closed);
}

/* The carrier answered (or was not reached); a failure goes to
 * system_errors through the writer. */
static void
transfer_done(const struct carrier_result *res, void *arg)
{
	struct job *j = arg;
	j->rc = res->err == ERR_none ? 0 : -1;
	j->err_code = res->err;
	j->done = media_now_ms();
	snprintf(j->err, sizeof j->err, "%s", res->detail);
	if (j->rc < 0) {
		char detail[320];
		snprintf(detail, sizeof detail, "%s: %s", err_get(j->err_code)->code, j->err);
		writer_system_error(ERR_media_transfer_failed, j->call->claims.call_id, j->call->claims.tenant_id, detail);
	}
	after_job(&j->req, 0);
}

static void
job_submit(struct job *j)
{
	if (j->kind == JOB_TRANSFER) {
		/* The job holds a reference to its call until transfer_done. */
		transfer_start(j->call->w, j->carrier, j->call_sid, j->to, j->voicemail, transfer_done, j);
		return;
	}
	if (job_on_loop(j)) {
		j->on_loop = 1;
		uv_timer_init(&j->call->w->loop, &j->delay);
		j->delay.data = j;
		/* From now, not from the start of this loop iteration: the stage
		 * never takes less than its delay. */
		uv_update_time(&j->call->w->loop);
		uv_timer_start(&j->delay, delay_over, (uint64_t)fixed_delay_ms(), 0);
		return;
	}
	if (uv_queue_work(&j->call->w->loop, &j->req, run_job, after_job) != 0) {
		log_error("media_job_submit_failed", NULL);
		call_unref(j->call);
		free(j);
	}
}

static void
add_usage(struct engine_usage *to, const struct engine_usage *u)
{
	to->audio_seconds += u->audio_seconds;
	to->tokens += u->tokens;
	to->characters += u->characters;
}

static int
agent_active(const struct call *c, double now)
{
	return outq_busy(&c->outq, now) || c->tts_busy || c->sent_index < c->nsent ||
	    (c->reply_seq > 0 && !c->llm_done);
}

static char *
iso_time(double wall_ms)
{
	time_t s = (time_t)(wall_ms / 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	char b[40];
	strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%03dZ", b, (int)((long long)wall_ms % 1000));
}

static void
add_turn(struct call *c, int seq, const char *speaker, const char *text, double start_wall,
    double end_wall, int interrupted, json_t *latency)
{
	char *s = iso_time(start_wall), *e = iso_time(end_wall);
	json_t *t = json_pack("{s:i,s:s,s:s,s:s,s:s,s:i,s:b,s:o}", "seq", seq, "speaker", speaker,
	    "text", text, "started_at", s, "ended_at", e, "offset_ms", (int)(start_wall - c->started_wall),
	    "interrupted", interrupted, "latency_ms", latency ? latency : json_object());
	if (c->agent) {
		if (strcmp(speaker, "caller") == 0)
			json_object_set_new(t, "provider_stt", json_string(resilience_provider(c, CHAIN_STT)));
		else {
			json_object_set_new(t, "provider_llm", json_string(resilience_provider(c, CHAIN_LLM)));
			json_object_set_new(t, "provider_tts", json_string(resilience_provider(c, CHAIN_TTS)));
		}
	}
	json_array_append_new(c->turns, t);
	free(s);
	free(e);
}

/* Closes the agent's reply under way as a turn (heard part only when cut). */
static void
close_reply(struct call *c, int interrupted)
{
	if (c->reply_seq <= 0)
		return;
	json_t *lat = NULL;
	if (c->measuring == 2) {
		struct turn_timing *t = &c->t;
		/* Rounded, so that the parts add up to the whole within a millisecond. */
		lat = json_pack("{s:i,s:i,s:i,s:i,s:i}",
		    "end_of_turn", (int)lround(t->eot - t->speech_end), "stt_final", (int)lround(t->stt_done - t->eot),
		    "llm_first_token", (int)lround(t->llm_first - t->stt_done),
		    "tts_first_audio", (int)lround(t->tts_first - t->llm_first),
		    "voice_to_voice", (int)lround(t->first_audio - t->speech_end));
	}
	const char *text = interrupted ? (c->heard_text.len ? c->heard_text.data : "") :
	    (c->reply_text.data ? c->reply_text.data : "");
	/* A reply that never had words (its engines failed and something else
	 * is said instead) leaves no turn; its reserved seq is skipped. */
	if (*text || interrupted)
		add_turn(c, c->reply_seq, "agent", text, c->reply_started_wall, media_wall_ms(), interrupted, lat);
	else
		json_decref(lat);
	c->reply_seq = 0;
	c->measuring = 0;
	buf_reset(&c->reply_text);
	buf_reset(&c->heard_text);
}

static void
drop_sentences(struct call *c)
{
	for (int i = c->sent_index; i < c->nsent; i++)
		free(c->sentences[i]);
	c->nsent = c->sent_index = 0;
}

/* Starts a new reply generation: whatever belonged to the old one is void. */
static void
new_reply(struct call *c)
{
	c->gen++;
	if (c->cancel_tts)
		*c->cancel_tts = 1;
	if (c->cancel_llm)
		*c->cancel_llm = 1;
	drop_sentences(c);
	c->tts_busy = 0;
	c->llm_done = 0;
	c->pending_action = DIALOG_NONE;
	c->filler_at = 0;
	c->filler_played = 0;
	c->reply_seq = c->seq++;
	c->reply_started_wall = media_wall_ms();
	buf_reset(&c->reply_text);
	buf_reset(&c->heard_text);
}

static void
next_tts(struct call *c)
{
	if (c->tts_busy || c->sent_index >= c->nsent || c->phase != CALL_LIVE)
		return;
	struct job *j = job_new(c, JOB_TTS);
	j->text = c->sentences[c->sent_index];
	c->sentences[c->sent_index++] = NULL;
	c->tts_busy = 1;
	c->cancel_tts = &j->cancel;
	job_submit(j);
}

static void
queue_sentence(struct call *c, const char *s)
{
	if (c->nsent == (int)(sizeof c->sentences / sizeof c->sentences[0])) {
		if (c->sent_index == 0)
			return;
		memmove(c->sentences, c->sentences + c->sent_index, (size_t)(c->nsent - c->sent_index) * sizeof c->sentences[0]);
		c->nsent -= c->sent_index;
		c->sent_index = 0;
	}
	c->sentences[c->nsent++] = xstrdup(s);
	if (c->reply_text.len)
		buf_putc(&c->reply_text, ' ');
	buf_puts(&c->reply_text, s);
	next_tts(c);
}

/* All of the reply is queued: mark its end so we know when it was heard. */
static void
maybe_reply_complete(struct call *c)
{
	if (!c->llm_done || c->tts_busy || c->sent_index < c->nsent || c->reply_seq <= 0)
		return;
	char name[OUTQ_MARK_NAME];
	snprintf(name, sizeof name, "end-%u", c->gen);
	outq_mark(&c->outq, name);
	/* When the queued audio will have played (not only what was sent), plus a margin. */
	c->action_deadline = outq_play_end(&c->outq) + (double)c->outq.len / 8.0 + 3000;
	if (c->action_deadline < media_now_ms() + 3000)
		c->action_deadline = media_now_ms() + 3000;
	call_want_write(c);
}

static void
say_sentence(const char *s, void *arg)
{
	queue_sentence(arg, s);
}

void
pipeline_say(struct call *c, const char *text, enum dialog_action then)
{
	close_reply(c, 0);
	new_reply(c);
	c->pending_action = then;
	struct sentence_splitter sp;
	sentence_init(&sp);
	sentence_feed(&sp, text, say_sentence, c);
	sentence_flush(&sp, say_sentence, c);
	sentence_free(&sp);
	c->llm_done = 1;
	maybe_reply_complete(c);
}

void
pipeline_play(struct call *c, const uint8_t *audio, size_t n, const char *text, enum dialog_action then)
{
	close_reply(c, 0);
	new_reply(c);
	c->thinking = 0;
	c->pending_action = then;
	if (audio && n)
		outq_push(&c->outq, audio, n, media_now_ms());
	buf_puts(&c->reply_text, text);
	c->llm_done = 1;
	maybe_reply_complete(c);
	call_want_write(c);
}

static void
start_llm(struct call *c, const char *text)
{
	new_reply(c);
	struct job *j = job_new(c, JOB_LLM);
	j->text = xstrdup(text);
	j->dialog = &c->dialog;
	c->cancel_llm = &j->cancel;
	c->thinking = 1;
	if (c->agent->filler_audio && cfg_int(CFG_media_filler_after_ms) > 0)
		c->filler_at = media_now_ms() + (double)cfg_int(CFG_media_filler_after_ms);
	job_submit(j);
}

static void
greet_now(struct call *c)
{
	struct agent *a = c->agent;
	c->reply_seq = c->seq++;
	c->reply_started_wall = media_wall_ms();
	c->llm_done = 1;
	if (a->greeting_audio) {
		outq_push(&c->outq, a->greeting_audio, a->greeting_len, media_now_ms());
		buf_puts(&c->reply_text, a->greeting ? a->greeting : "");
		outq_mark(&c->outq, "greeting");
		c->measuring = 3;         /* greeting: time from start, not a turn */
		maybe_reply_complete(c);
		call_want_write(c);
	} else if (a->greeting) {
		c->seq--;
		c->reply_seq = 0;
		pipeline_say(c, a->greeting, DIALOG_NONE);
		c->measuring = 3;
	}
}

/* The call, and its caller's history: earlier calls from the same number
 * (counted up to DIALOG_HISTORY_MAX, so a number with thousands of calls
 * costs no more than one with a hundred) and the last one's reason, both
 * read along the index on (tenant_id, from_number, started_at). */
#define CALL_INFO_SQL \
	"SELECT c.from_number, c.media_finished_at IS NULL, " \
	"       (SELECT count(*) FROM (SELECT 1 FROM calls h WHERE h.tenant_id = c.tenant_id " \
	"           AND h.from_number = c.from_number AND h.started_at < c.started_at " \
	"         LIMIT $3::int) e), " \
	"       (SELECT h.reason FROM calls h WHERE h.tenant_id = c.tenant_id " \
	"           AND h.from_number = c.from_number AND h.started_at < c.started_at " \
	"         ORDER BY h.started_at DESC LIMIT 1) " \
	"  FROM calls c WHERE c.id = $1 AND c.tenant_id = $2"

/* Both reads are back: an agent row is built on the thread pool, then
 * after_load; without one, after_load now. */
static void
load_read(struct job *j)
{
	if (--j->reads > 0)
		return;
	if (j->agent_row && PQntuples(j->agent_row) == 1 &&
	    uv_queue_work(&j->call->w->loop, &j->req, run_job, after_job) == 0)
		return;
	after_job(&j->req, 0);
}

static void
call_info_read(PGresult *r, void *arg)
{
	struct job *j = arg;
	if (r && PQntuples(r) == 1) {
		j->call_found = db_value(r, 0, 1)[0] == 't' ? 1 : -1;
		snprintf(j->from_number, sizeof j->from_number, "%s", db_value(r, 0, 0) ? db_value(r, 0, 0) : "");
		j->previous_calls = atoi(db_value(r, 0, 2));
		snprintf(j->last_reason, sizeof j->last_reason, "%s", db_value(r, 0, 3) ? db_value(r, 0, 3) : "");
	}
	PQclear(r);
	load_read(j);
}

static void
agent_row_read(PGresult *r, void *arg)
{
	struct job *j = arg;
	j->agent_row = r;
	load_read(j);
}

/* The call's row (and the agent's, when it must be (re)built) read under
 * the tenant's row-level security on the worker's own connection. */
static void
submit_load(struct call *c, int need_agent)
{
	struct job *j = job_new(c, JOB_LOAD);
	memcpy(j->tenant_id, c->claims.tenant_id, sizeof j->tenant_id);
	memcpy(j->agent_id, c->claims.agent_id, sizeof j->agent_id);
	memcpy(j->call_id, c->claims.call_id, sizeof j->call_id);
	j->reads = need_agent ? 2 : 1;
	if (need_agent) {
		const char *pa[2] = { j->agent_id, j->tenant_id };
		loop_db_query(c->w->db, j->tenant_id, "media_agent", agent_sql(), 2, pa, agent_row_read, j);
	}
	char history_max[12];
	snprintf(history_max, sizeof history_max, "%d", DIALOG_HISTORY_MAX);
	const char *pc[3] = { j->call_id, j->tenant_id, history_max };
	loop_db_query(c->w->db, j->tenant_id, "media_call_info", CALL_INFO_SQL, 3, pc, call_info_read, j);
}

void
pipeline_greet(struct call *c)
{
	int stale = 0;
	c->agent = agent_cache_get(c->claims.agent_id, &stale);
	if (c->agent) {
		dialog_init(&c->dialog, c->agent);
		greet_now(c);
	}
	submit_load(c, c->agent == NULL || stale);
}

static void
after_load(struct call *c, struct job *j)
{
	PQclear(j->agent_row);
	j->agent_row = NULL;
	if (c->agent == NULL) {
		if (j->loaded == NULL) {
			log_error("media_agent_unavailable", "{s:s}", "agent_id", j->agent_id);
			c->failed = 1;
			call_hang_up(c, "agent configuration could not be loaded");
			return;
		}
		c->agent = j->loaded;
		j->loaded = NULL;
		dialog_init(&c->dialog, c->agent);
		greet_now(c);
	}
	if (j->call_found <= 0) {
		log_warn("media_call_unknown", "{s:b}", "ended", j->call_found < 0);
		c->failed = 1;
		call_hang_up(c, j->call_found < 0 ? "call already ended" : "call not found");
		return;
	}
	snprintf(c->dialog.from_number, sizeof c->dialog.from_number, "%s", j->from_number);
	snprintf(c->dialog.last_reason, sizeof c->dialog.last_reason, "%s", j->last_reason);
	c->dialog.previous_calls = j->previous_calls;
	c->call_info_ready = 1;
}

static void
after_stt(struct call *c, struct job *j)
{
	add_usage(&c->usage_stt, &j->usage);
	if (resilience_after_job(c, CHAIN_STT, &j->chain.report)) {
		c->thinking = 0;
		return;
	}
	if (j->gen != c->gen || c->phase != CALL_LIVE)
		return;
	c->thinking = 0;
	c->t.stt_done = j->done;
	if (j->rc < 0) {
		log_error("media_stt_failed", "{s:s}", "engine", c->agent->stt);
		call_event(c, "engine.error", json_pack("{s:s,s:s}", "stage", "stt", "engine", c->agent->stt));
		pipeline_say(c, "Sorry, I didn't catch that. Could you say it again?", DIALOG_NONE);
		return;
	}
	if (j->result[0] == 0) {
		call_event(c, "caller.unintelligible", NULL);
		free(c->utt);
		c->utt = NULL;
		c->utt_len = c->utt_cap = 0;
		return;
	}
	add_turn(c, c->seq++, "caller", j->result, c->t.speech_start_wall,
	    c->t.speech_start_wall + (c->t.speech_end - c->speech_start_ms), 0, NULL);
	free(c->utt);
	c->utt = NULL;
	c->utt_len = c->utt_cap = 0;
	c->measuring = 1;
	start_llm(c, j->result);
}

static void
after_llm(struct call *c, struct job *j)
{
	add_usage(&c->usage_llm, &j->usage);
	pipeline_mail(c->w);
	if (c->cancel_llm == &j->cancel)
		c->cancel_llm = NULL;
	if (resilience_after_job(c, CHAIN_LLM, &j->chain.report)) {
		c->thinking = 0;
		return;
	}
	if (j->gen != c->gen || c->phase != CALL_LIVE)
		return;
	c->thinking = 0;
	if (j->first_token && c->measuring == 1)
		c->t.llm_first = j->first_token;
	if (j->rc < 0) {
		call_event(c, "engine.error", json_pack("{s:s,s:s}", "stage", "llm", "engine", c->agent->llm));
		queue_sentence(c, "I'm sorry, I'm having trouble right now. Let me take a message instead.");
	}
	c->llm_done = 1;
	c->pending_action = c->dialog.action;
	if (c->dialog.looked_up)
		call_event(c, "kb.lookup", json_pack("{s:f}", "ms", j->done - j->started));
	maybe_reply_complete(c);
}

static void
after_tts(struct call *c, struct job *j)
{
	add_usage(&c->usage_tts, &j->usage);
	if (c->cancel_tts == &j->cancel)
		c->cancel_tts = NULL;
	if (j->gen == c->gen && resilience_after_job(c, CHAIN_TTS, &j->chain.report))
		return;
	if (j->gen != c->gen || c->phase != CALL_LIVE)
		return;
	c->tts_busy = 0;
	if (j->rc < 0) {
		call_event(c, "engine.error", json_pack("{s:s,s:s}", "stage", "tts", "engine", c->agent->tts));
	} else {
		if (c->measuring == 1 && c->t.tts_first == 0)
			c->t.tts_first = j->done;
		outq_push(&c->outq, j->audio, j->naudio, media_now_ms());
		char name[OUTQ_MARK_NAME];
		int idx = c->sent_index - 1;
		snprintf(name, sizeof name, "s-%u-%d", c->gen, idx);
		outq_mark(&c->outq, name);
		/* Remember the text so an interruption keeps only what was heard. */
		free(c->spoken[idx % CALL_SPOKEN]);
		c->spoken[idx % CALL_SPOKEN] = j->text;
		j->text = NULL;
		c->filler_at = 0;
		call_want_write(c);
	}
	next_tts(c);
	maybe_reply_complete(c);
}

/* The outcome is recorded even when the stream has ended meanwhile: the
 * call's record is built only once this job has let go of the call. */
static void
after_transfer(struct call *c, struct job *j)
{
	if (j->rc == 0) {
		c->transferred = 1;
		c->transfer_status = "initiated";
		call_event(c, "transfer.initiated", json_pack("{s:s}", "to", j->to));
		log_info("media_transfer_initiated", NULL);
		/* The carrier now runs the new instructions; this stream is done. */
		call_hang_up(c, "transferred");
		return;
	}
	c->transfer_status = "failed";
	const char *code = err_get(j->err_code)->code;
	log_error("media_transfer_failed", "{s:s,s:s}", "code", code, "error", j->err);
	call_event(c, "transfer.failed", json_pack("{s:s,s:s,s:s}", "to", j->to, "code", code, "error", j->err));
	if (c->phase != CALL_LIVE)
		return;
	if (resilience_transfer_failed(c))
		return;
	if (c->thinking || !c->llm_done)
		return;      /* the caller is already talking again: answer that instead */
	c->dialog.mode = DIALOG_MSG_NAME;     /* no dialogue job is running */
	pipeline_say(c, "I'm sorry, I couldn't connect you. I can take a message for the team instead. What is your name?", DIALOG_NONE);
}

/* A job's result, on its call's loop. */
static void
job_finish(struct job *j)
{
	struct call *c = j->call;
	log_set_call_id(c->claims.call_id[0] ? c->claims.call_id : NULL);
	switch (j->kind) {
	case JOB_LOAD: after_load(c, j); break;
	case JOB_STT: after_stt(c, j); break;
	case JOB_LLM: after_llm(c, j); break;
	case JOB_TTS: after_tts(c, j); break;
	case JOB_TRANSFER: after_transfer(c, j); break;
	case JOB_STT_CLOSE:
		add_usage(&c->usage_stt, &j->usage);
		resilience_after_job(c, CHAIN_STT, &j->chain.report);
		break;
	}
	log_set_call_id(NULL);
}

static void
job_free(struct job *j)
{
	struct call *c = j->call;
	if (j->chain.live)
		stt_live_unref(j->chain.live);
	if (j->loaded)
		agent_unref(j->loaded);
	free(j->text);
	free(j->pcm);
	free(j->result);
	free(j->audio);
	free(j);
	call_unref(c);
}

static void
after_job(uv_work_t *req, int status)
{
	job_finish(req->data);
	job_free(req->data);
}

void
pipeline_mail(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	struct mail *m = w->mail;
	w->mail = w->mail_tail = NULL;
	pthread_mutex_unlock(&w->lock);
	while (m) {
		struct mail *next = m->next;
		deliver_sentence(m->call, m->gen, m->text);
		free(m->text);
		free(m);
		m = next;
	}
}

static void
do_action(struct call *c)
{
	enum dialog_action a = c->pending_action;
	c->pending_action = DIALOG_NONE;
	c->action_deadline = 0;
	close_reply(c, 0);
	if (a == DIALOG_HANGUP) {
		call_hang_up(c, c->end_reason ? c->end_reason : "agent ended the call");
	} else if (a == DIALOG_TRANSFER && c->agent->transfer_number) {
		struct job *j = job_new(c, JOB_TRANSFER);
		j->carrier = c->carrier;
		snprintf(j->call_sid, sizeof j->call_sid, "%s", c->call_sid);
		snprintf(j->to, sizeof j->to, "%s", c->agent->transfer_number);
		j->voicemail = c->agent->voicemail_enabled;
		c->transfer_status = "requested";
		job_submit(j);
	}
}

void
pipeline_mark_heard(struct call *c, const char *name)
{
	unsigned gen;
	int idx;
	if (strcmp(name, "greeting") == 0) {
		close_reply(c, 0);
		return;
	}
	if (sscanf(name, "s-%u-%d", &gen, &idx) == 2 && gen == c->gen && idx >= 0) {
		const char *s = c->spoken[idx % CALL_SPOKEN];
		if (s) {
			if (c->heard_text.len)
				buf_putc(&c->heard_text, ' ');
			buf_puts(&c->heard_text, s);
		}
		return;
	}
	if (sscanf(name, "end-%u", &gen) == 1 && gen == c->gen && c->reply_seq > 0) {
		if (c->pending_action != DIALOG_NONE)
			do_action(c);
		else
			close_reply(c, 0);
	}
}

void
pipeline_barge_in(struct call *c)
{
	double decided = media_wall_ms();
	size_t dropped = outq_clear(&c->outq);
	c->clear_pending = 1;
	c->clear_decided_ms = decided;
	metrics_add(&media_barge_ins, 1, NULL);
	log_info("media_barge_in", "{s:i}", "dropped_ms", (int)(dropped / 8));
	/* Drop queued control frames that belong to the cut reply (its marks). */
	for (int i = 0; i < c->nctl; i++)
		free(c->ctl[i]);
	c->nctl = 0;
	close_reply(c, 1);
	c->gen++;
	if (c->cancel_tts)
		*c->cancel_tts = 1;
	if (c->cancel_llm)
		*c->cancel_llm = 1;
	drop_sentences(c);
	c->tts_busy = 0;
	c->llm_done = 1;
	c->thinking = 0;
	c->pending_action = DIALOG_NONE;
	c->filler_at = 0;
	call_want_write(c);
}

static void
utt_append(struct call *c, const int16_t *pcm, size_t n)
{
	if (c->utt_len + n > UTT_MAX_SAMPLES)
		return;
	if (c->utt_len + n > c->utt_cap) {
		c->utt_cap = (c->utt_len + n) * 2;
		c->utt = xrealloc(c->utt, c->utt_cap * sizeof *c->utt);
	}
	memcpy(c->utt + c->utt_len, pcm, n * sizeof *pcm);
	c->utt_len += n;
}

static void
preroll_add(struct call *c, const int16_t *pcm, size_t n)
{
	if (n >= PREROLL_SAMPLES) {
		memcpy(c->preroll, pcm + n - PREROLL_SAMPLES, PREROLL_SAMPLES * sizeof *pcm);
		c->preroll_len = PREROLL_SAMPLES;
		return;
	}
	if (c->preroll_len + n > PREROLL_SAMPLES) {
		size_t drop = c->preroll_len + n - PREROLL_SAMPLES;
		memmove(c->preroll, c->preroll + drop, (c->preroll_len - drop) * sizeof *pcm);
		c->preroll_len -= drop;
	}
	memcpy(c->preroll + c->preroll_len, pcm, n * sizeof *pcm);
	c->preroll_len += n;
}

static void
end_of_turn(struct call *c, double now)
{
	c->capturing = 0;
	c->t.eot = now;
	c->thinking = 1;
	struct job *j = job_new(c, JOB_STT);
	j->pcm = xmalloc((c->utt_len ? c->utt_len : 1) * sizeof *j->pcm);
	memcpy(j->pcm, c->utt, c->utt_len * sizeof *j->pcm);
	j->npcm = c->utt_len;
	if (c->stt_live) {
		j->chain.live = c->stt_live;
		j->chain.live_turn = stt_live_end_turn(c->stt_live);
		stt_live_ref(c->stt_live);
	}
	job_submit(j);
}

/* Caller speech for the live recognition session, as it arrives. */
static void
live_audio(struct call *c, const int16_t *pcm, size_t n)
{
	uint8_t ulaw[PREROLL_SAMPLES];
	for (size_t off = 0; c->stt_live && off < n; off += PREROLL_SAMPLES) {
		size_t k = n - off < PREROLL_SAMPLES ? n - off : PREROLL_SAMPLES;
		audio_pcm_to_ulaw(pcm + off, k, ulaw);
		stt_live_audio(c->stt_live, ulaw, k);
	}
}

/* A caller turn starts: the call's live session (opened at the first
 * turn whose recogniser's breaker is not open) hears it. */
static void
live_begin(struct call *c)
{
	const char *provider = chain_stt_live(c->agent);
	if (provider == NULL)
		return;
	if (c->stt_live == NULL) {
		if (breakers_state(c->w->index, provider) == BREAKER_OPEN)
			return;
		c->stt_live = stt_live_open(provider, c->claims.tenant_id, c->w->index);
	}
	stt_live_begin(c->stt_live);
}

void
pipeline_stream_closed(struct call *c)
{
	if (c->stt_live == NULL)
		return;
	struct job *j = job_new(c, JOB_STT_CLOSE);
	j->chain.live = c->stt_live;
	c->stt_live = NULL;
	j->text = xstrdup(chain_stt_live(c->agent));
	job_submit(j);
}

void
pipeline_caller_audio(struct call *c, const int16_t *pcm, size_t n)
{
	double now = media_now_ms();
	enum vad_event ev = vad_feed(&c->vad, pcm, n);
	int endpointed = 0;
	if (ev == VAD_NONE && c->capturing && c->vad.in_speech && c->vad.gap_ms >= LIVE_ENDPOINT_QUIET_MS &&
	    c->stt_live && stt_live_endpointed(c->stt_live)) {
		/* The recogniser heard the end of the turn before our own
		 * silence wait did, and it is quiet here too. */
		vad_end_speech(&c->vad);
		ev = VAD_SPEECH_END;
		endpointed = 1;
	}
	if (c->capturing) {
		utt_append(c, pcm, n);
		live_audio(c, pcm, n);
	} else
		preroll_add(c, pcm, n);
	if (c->vad.gap_ms == 0 && c->vad.run_ms > 0) {
		c->last_caller_ms = now;
		c->t.speech_end = now;
	}
	if (c->agent == NULL || !c->call_info_ready)
		return;
	int active = agent_active(c, now) && !c->thinking;
	if (ev == VAD_SPEECH_START) {
		if (c->thinking) {
			/* The caller went on talking: the turn was not over. */
			c->gen++;
			if (c->cancel_llm)
				*c->cancel_llm = 1;
			c->thinking = 0;
			c->reply_seq = 0;     /* its reserved seq is simply skipped */
		} else {
			free(c->utt);
			c->utt = NULL;
			c->utt_len = c->utt_cap = 0;
			c->t = (struct turn_timing){ 0 };
			c->speech_start_ms = now - c->vad.run_ms;
			c->t.speech_start_wall = media_wall_ms() - c->vad.run_ms;
			live_begin(c);
		}
		utt_append(c, c->preroll, c->preroll_len);
		live_audio(c, c->preroll, c->preroll_len);
		c->preroll_len = 0;
		c->capturing = 1;
	}
	if (active && c->capturing && cfg_int(CFG_media_barge_in) &&
	    vad_speech_ms(&c->vad) >= cfg_int(CFG_media_barge_in_min_ms)) {
		pipeline_barge_in(c);
		active = 0;
	}
	if (ev == VAD_SPEECH_END && c->capturing) {
		if (active) {
			/* Short sound while the agent talks: back-channel, not a turn. */
			c->capturing = 0;
			free(c->utt);
			c->utt = NULL;
			c->utt_len = c->utt_cap = 0;
			call_event(c, "caller.backchannel", NULL);
			return;
		}
		if (endpointed)
			call_event(c, "caller.endpoint", json_pack("{s:s,s:i}", "by", chain_stt_live(c->agent),
			    "quiet_ms", c->vad.gap_ms));
		end_of_turn(c, now);
	} else if (c->capturing && c->utt_len >= UTT_MAX_SAMPLES)
		end_of_turn(c, now);
}

void
pipeline_frame_sent(struct call *c, double now)
{
	if (c->measuring == 3) {
		double ms = now - c->started_ms;
		metrics_observe(&media_greeting_ms, ms, NULL);
		call_event(c, "greeting.first_frame", json_pack("{s:f}", "ms_since_start", ms));
		c->measuring = 0;
	} else if (c->measuring == 1 && c->t.speech_end > 0) {
		c->t.first_audio = now;
		if (c->t.llm_first == 0)
			c->t.llm_first = c->t.stt_done;
		if (c->t.tts_first == 0)
			c->t.tts_first = now;
		double v2v = now - c->t.speech_end;
		metrics_observe(&media_v2v_ms, v2v, NULL);
		if (c->nlat == c->caplat) {
			c->caplat = c->caplat ? c->caplat * 2 : 16;
			c->v2v = xrealloc(c->v2v, (size_t)c->caplat * sizeof *c->v2v);
			c->lat_eot = xrealloc(c->lat_eot, (size_t)c->caplat * sizeof *c->v2v);
			c->lat_stt = xrealloc(c->lat_stt, (size_t)c->caplat * sizeof *c->v2v);
			c->lat_llm = xrealloc(c->lat_llm, (size_t)c->caplat * sizeof *c->v2v);
			c->lat_tts = xrealloc(c->lat_tts, (size_t)c->caplat * sizeof *c->v2v);
		}
		c->v2v[c->nlat] = v2v;
		c->lat_eot[c->nlat] = c->t.eot - c->t.speech_end;
		c->lat_stt[c->nlat] = c->t.stt_done - c->t.eot;
		c->lat_llm[c->nlat] = c->t.llm_first - c->t.stt_done;
		c->lat_tts[c->nlat] = c->t.tts_first - c->t.llm_first;
		c->nlat++;
		c->measuring = 2;
	}
}

void
pipeline_tick(struct call *c, double now)
{
	if (c->agent == NULL || !c->call_info_ready)
		return;
	resilience_tick(c, now);
	if (c->filler_at && now >= c->filler_at && !c->filler_played && !outq_busy(&c->outq, now)) {
		c->filler_at = 0;
		c->filler_played = 1;
		outq_push(&c->outq, c->agent->filler_audio, c->agent->filler_len, now);
		call_event(c, "filler", NULL);
		call_want_write(c);
	}
	if (c->action_deadline && now >= c->action_deadline) {
		if (c->pending_action != DIALOG_NONE)
			do_action(c);
		else {
			c->action_deadline = 0;
			close_reply(c, 0);
		}
	}
	if (c->ending_said)
		return;
	double max_ms = (double)c->agent->max_duration_seconds * 1000.0;
	const char *why = NULL, *line = NULL;
	if (now - c->started_ms > max_ms) {
		why = "maximum duration reached";
		line = "I'm sorry, we have reached the time limit for this call. Please call again. Goodbye.";
	} else if (__atomic_load_n(&media.draining, __ATOMIC_RELAXED) && now >= media.drain_deadline) {
		why = "service restarting";
		line = "I'm sorry, I have to end this call now. Please call back in a moment. Goodbye.";
	} else if (!c->capturing && !c->thinking && !agent_active(c, now)) {
		double quiet_since = c->last_caller_ms > outq_play_end(&c->outq) ? c->last_caller_ms : outq_play_end(&c->outq);
		double limit = (double)cfg_int(CFG_media_silence_timeout_seconds) * 1000.0;
		if (now - quiet_since > limit) {
			if (c->silence_prompts++ == 0) {
				c->last_caller_ms = now;
				pipeline_say(c, "Are you still there?", DIALOG_NONE);
			} else {
				why = "caller silent";
				line = "I haven't heard anything, so I will end the call now. Goodbye.";
			}
		}
	}
	if (why) {
		c->ending_said = 1;
		c->end_reason = why;
		pipeline_say(c, line, DIALOG_HANGUP);
	}
}

void
pipeline_end(struct call *c)
{
	if (c->reply_seq > 0)
		close_reply(c, !c->llm_done || c->tts_busy || outq_busy(&c->outq, media_now_ms()));
}
