/* Interpreting OpenAI-compatible stream chunks. */
#include "chat_chunk.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>

void
chat_stream_init(struct chat_stream *s, chat_text_fn text, void *arg)
{
	memset(s, 0, sizeof *s);
	s->text = text;
	s->arg = arg;
}

static int
fail(struct chat_stream *s, const char *why, const char *detail)
{
	snprintf(s->error, sizeof s->error, "%s%s%.200s", why, detail ? ": " : "", detail ? detail : "");
	return -1;
}

static int
tool_delta(struct chat_stream *s, json_t *tc)
{
	json_t *idx = json_object_get(tc, "index");
	if (!json_is_integer(idx) || json_integer_value(idx) < 0 || json_integer_value(idx) >= CHAT_TOOLS_MAX)
		return fail(s, "tool call index out of range", NULL);
	int i = (int)json_integer_value(idx);
	struct chat_tool_call *t = &s->tools[i];
	if (i >= s->ntools)
		s->ntools = i + 1;
	const char *id = json_string_value(json_object_get(tc, "id"));
	json_t *fn = json_object_get(tc, "function");
	const char *name = json_string_value(json_object_get(fn, "name"));
	const char *args = json_string_value(json_object_get(fn, "arguments"));
	if (id)
		snprintf(t->id, sizeof t->id, "%s", id);
	if (name && *name)
		snprintf(t->name, sizeof t->name, "%s", name);
	if (args) {
		size_t n = strlen(args);
		if (t->args_len + n > CHAT_ARGS_MAX) {
			t->overflow = 1;
			return 0;
		}
		memcpy(t->args + t->args_len, args, n + 1);
		t->args_len += n;
	}
	return 0;
}

static void
take_usage(struct chat_stream *s, json_t *u)
{
	if (!json_is_object(u))
		return;
	s->prompt_tokens = (long)json_integer_value(json_object_get(u, "prompt_tokens"));
	s->completion_tokens = (long)json_integer_value(json_object_get(u, "completion_tokens"));
	s->total_tokens = (long)json_integer_value(json_object_get(u, "total_tokens"));
	if (s->total_tokens == 0)
		s->total_tokens = s->prompt_tokens + s->completion_tokens;
	s->have_usage = 1;
}

int
chat_stream_event(struct chat_stream *s, const char *event, const char *data, size_t len)
{
	if (s->done)
		return 0;
	if (strcmp(event, "error") == 0)
		return fail(s, "error event", data);
	if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
		s->done = 1;
		return 0;
	}
	json_error_t je;
	json_t *j = json_loadb(data, len, 0, &je);
	if (!json_is_object(j)) {
		json_decref(j);
		return fail(s, "malformed chunk", je.text);
	}
	s->chunks++;
	json_t *err = json_object_get(j, "error");
	if (err && !json_is_null(err)) {
		const char *m = json_string_value(json_object_get(err, "message"));
		fail(s, "error in stream", m ? m : "unknown");
		json_decref(j);
		return -1;
	}
	take_usage(s, json_object_get(j, "usage"));
	json_t *choices = json_object_get(j, "choices"), *ch;
	size_t i;
	int rc = 0;
	json_array_foreach(choices, i, ch) {
		if (json_integer_value(json_object_get(ch, "index")) != 0)
			continue;
		json_t *delta = json_object_get(ch, "delta");
		const char *text = json_string_value(json_object_get(delta, "content"));
		if (text && *text && s->text)
			s->text(text, s->arg);
		json_t *tcs = json_object_get(delta, "tool_calls"), *tc;
		size_t k;
		json_array_foreach(tcs, k, tc)
			if (rc == 0 && tool_delta(s, tc) < 0)
				rc = -1;
		const char *fr = json_string_value(json_object_get(ch, "finish_reason"));
		if (fr)
			snprintf(s->finish_reason, sizeof s->finish_reason, "%s", fr);
	}
	json_decref(j);
	return rc;
}
