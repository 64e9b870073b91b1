/* One client for every OpenAI-compatible chat-completions endpoint
 * (OpenAI, Groq, Gemini's compatible endpoint, llama.cpp/vLLM/Ollama):
 * streamed with usage in the final chunk; the conversation comes from
 * the dialog's history, so whichever engine answered before, the model
 * sees it; tool calls become the dialog's actions and captured data. */
#include "engine.h"
#include "chat_chunk.h"
#include "http_stream.h"
#include "provider_opt.h"
#include "sse.h"
#include "../agent.h"
#include "../dialog.h"
#include "buf.h"
#include "kb_search.h"
#include "cfg.h"
#include "xalloc.h"
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define PROMPT_MAX (16 * 1024)
#define KB_PROMPT_MAX (8 * 1024)

static char *
system_prompt(const struct dialog *d)
{
	const struct agent *a = d->agent;
	struct buf b;
	buf_init(&b, PROMPT_MAX);
	buf_printf(&b, "You are %s, answering the phone for %s. You are speaking on a phone call: reply in one to "
	    "three short spoken sentences, no lists, no markdown. Answer only from the information below; if it "
	    "does not say, say you don't know and offer to take a message%s.\n", a->name,
	    a->business_name ? a->business_name : a->name, a->transfer_number ? " or transfer the caller" : "");
	char *hours = dialog_hours_text(a->hours);
	buf_printf(&b, "Opening hours: %s\n", hours);
	free(hours);
	if (a->transfer_number)
		buf_puts(&b, "When the caller asks for a person, say you will transfer them and call transfer_call.\n");
	if (a->message_taking_enabled)
		buf_puts(&b, "To take a message ask for the caller's name, callback number and message, then call "
		    "capture_data with what they said.\n");
	buf_puts(&b, "When the caller says goodbye, say goodbye and call end_call.\n");
	if (d->from_number[0]) {
		char *history = dialog_history_text(d);
		buf_printf(&b, "The caller is calling from %s%s%s.\n", d->from_number,
		    *history ? "; they have called before: " : "", history);
		free(history);
	}
	buf_puts(&b, "Information:\n");
	size_t kb_start = b.len;
	int npassages = a->kb ? kb_corpus_size(a->kb) : 0;
	for (int i = 0; i < npassages && b.len - kb_start < KB_PROMPT_MAX; i++)
		buf_printf(&b, "- %s\n", kb_corpus_text(a->kb, i));
	return buf_steal(&b);
}

static json_t *
tools(const struct dialog *d)
{
	json_t *t = json_array();
	if (d->agent->transfer_number)
		json_array_append_new(t, json_pack("{s:s,s:{s:s,s:s,s:{s:s,s:{}}}}", "type", "function", "function",
		    "name", "transfer_call", "description", "Transfer the caller to a member of staff.",
		    "parameters", "type", "object", "properties"));
	json_array_append_new(t, json_pack("{s:s,s:{s:s,s:s,s:{s:s,s:{}}}}", "type", "function", "function",
	    "name", "end_call", "description", "End the call after saying goodbye.",
	    "parameters", "type", "object", "properties"));
	if (d->agent->message_taking_enabled)
		json_array_append_new(t, json_pack("{s:s,s:{s:s,s:s,s:{s:s,s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s}}}}}",
		    "type", "function", "function", "name", "capture_data",
		    "description", "Record the caller's message for the team.",
		    "parameters", "type", "object", "properties",
		    "name", "type", "string", "callback_number", "type", "string",
		    "message", "type", "string", "reason", "type", "string"));
	return t;
}

struct reply_run {
	struct engine_ctx *ctx;
	struct sse_parser sse;
	struct chat_stream chat;
	llm_token_fn token;
	void *arg;
	struct buf text;
};

static void
on_text(const char *text, void *arg)
{
	struct reply_run *r = arg;
	buf_puts(&r->text, text);
	r->ctx->emitted = 1;
	r->token(text, r->arg);
}

static int
on_event(const char *event, const char *data, size_t len, void *arg)
{
	struct reply_run *r = arg;
	return chat_stream_event(&r->chat, event, data, len);
}

static int
on_data(const char *p, size_t n, void *arg)
{
	struct reply_run *r = arg;
	if (sse_feed(&r->sse, p, n, on_event, r) < 0) {
		snprintf(r->ctx->error, sizeof r->ctx->error, "%s",
		    r->chat.error[0] ? r->chat.error : "event stream line too long");
		return -1;
	}
	return 0;
}

/* One streamed request; the text goes to token() as it comes. */
static int
request(struct engine_ctx *ctx, json_t *messages, const struct dialog *d, struct reply_run *r)
{
	char model[128], url[700];
	if (!provider_opt(cfg_str(CFG_provider_llm_models), ctx->provider, model, sizeof model))
		snprintf(model, sizeof model, "default");
	json_t *body = json_pack("{s:s,s:b,s:{s:b},s:O,s:o,s:s,s:f,s:i}", "model", model, "stream", 1,
	    "stream_options", "include_usage", 1, "messages", messages, "tools", tools(d),
	    "tool_choice", "auto", "temperature", 0.3, "max_completion_tokens", 300);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	snprintf(url, sizeof url, "%s/chat/completions", ctx->base_url);
	char auth[1100];
	snprintf(auth, sizeof auth, "Bearer %s", ctx->secret);
	struct curl_slist *h = http_header(NULL, "Authorization", auth);
	h = http_header(h, "Content-Type", "application/json");
	h = http_header(h, "Accept", "text/event-stream");
	struct http_stream hs = { .url = url, .headers = h, .body = text, .on_data = on_data, .arg = r };
	sse_init(&r->sse);
	int rc = http_stream_run(&hs, ctx);
	curl_slist_free_all(h);
	free(text);
	if (rc == 0 && !r->chat.done) {
		snprintf(ctx->error, sizeof ctx->error, "stream ended before [DONE]");
		rc = -1;
	}
	return rc;
}

static int
reply_remote(struct engine_ctx *ctx, struct dialog *d, const char *caller_text, llm_token_fn token,
    void *arg, struct engine_usage *u)
{
	struct reply_run *r = xcalloc(1, sizeof *r);
	r->ctx = ctx;
	r->token = token;
	r->arg = arg;
	buf_init(&r->text, 64 * 1024);
	json_t *messages = json_array();
	char *sys = system_prompt(d);
	json_array_append_new(messages, json_pack("{s:s,s:s}", "role", "system", "content", sys));
	free(sys);
	json_array_extend(messages, d->history);
	json_array_append_new(messages, json_pack("{s:s,s:s}", "role", "user", "content", caller_text));
	int rc = -1;
	/* A second round only when the model captured data without speaking. */
	for (int round = 0; round < 2; round++) {
		chat_stream_init(&r->chat, on_text, r);
		rc = request(ctx, messages, d, r);
		u->tokens += r->chat.total_tokens;
		if (rc < 0)
			break;
		if (r->chat.ntools == 0)
			break;
		json_t *calls = json_array();
		for (int i = 0; i < r->chat.ntools; i++) {
			struct chat_tool_call *t = &r->chat.tools[i];
			json_array_append_new(calls, json_pack("{s:s,s:s,s:{s:s,s:s}}", "id", t->id, "type", "function",
			    "function", "name", t->name, "arguments", t->args));
		}
		json_array_append_new(messages, json_pack("{s:s,s:o}", "role", "assistant", "tool_calls", calls));
		int need_words = r->text.len == 0;
		for (int i = 0; i < r->chat.ntools; i++) {
			struct chat_tool_call *t = &r->chat.tools[i];
			json_t *args = t->overflow ? NULL : json_loads(t->args[0] ? t->args : "{}", 0, NULL);
			int ok = dialog_apply_tool(d, t->name, args) == 0;
			json_decref(args);
			json_array_append_new(messages, json_pack("{s:s,s:s,s:s}", "role", "tool", "tool_call_id", t->id,
			    "content", ok ? "done" : "not available"));
			if (ok && d->action != DIALOG_NONE)
				need_words = 0;   /* transfer or end: the pipeline says it */
		}
		if (!need_words)
			break;
	}
	json_decref(messages);
	if (rc == 0 && r->text.len == 0 && d->action == DIALOG_TRANSFER)
		on_text("Of course. Let me transfer you to a member of our team now.", r);
	else if (rc == 0 && r->text.len == 0 && d->action == DIALOG_HANGUP)
		on_text("Thank you for calling. Goodbye!", r);
	buf_free(&r->text);
	free(r);
	return rc;
}

#define OPENAI_COMPATIBLE(var, name) \
	const struct llm_remote var = { name, reply_remote }
OPENAI_COMPATIBLE(llm_openai, "openai");
OPENAI_COMPATIBLE(llm_groq, "groq");
OPENAI_COMPATIBLE(llm_gemini, "gemini");
OPENAI_COMPATIBLE(llm_openai_compatible, "openai_compatible");
