/* The SSE parser and the chat-completion chunk reader: chunks split at
 * every byte, comments, multi-line data, CRLF and CR, malformed JSON,
 * oversized lines, usage in the final chunk, tool calls in fragments. */
#include "tap.h"
#include "../../media/engines/sse.h"
#include "../../media/engines/chat_chunk.h"
#include "buf.h"
#include <stdlib.h>
#include <string.h>

struct seen {
	struct buf log;
	int n, stop_after;
};

static int
record(const char *event, const char *data, size_t len, void *arg)
{
	struct seen *s = arg;
	buf_printf(&s->log, "[%s|%.*s]", event, (int)len, data);
	s->n++;
	return s->stop_after && s->n >= s->stop_after ? -1 : 0;
}

/* Feeds text in pieces of `step` bytes; returns the log (static buffer). */
static const char *
parse(const char *text, size_t step, int *rc)
{
	static struct sse_parser p;
	static char out[4096];
	struct seen s = { 0 };
	buf_init(&s.log, sizeof out);
	sse_init(&p);
	size_t n = strlen(text);
	*rc = 0;
	for (size_t i = 0; i < n && *rc == 0; i += step)
		*rc = sse_feed(&p, text + i, n - i < step ? n - i : step, record, &s);
	snprintf(out, sizeof out, "%s", s.log.data ? s.log.data : "");
	buf_free(&s.log);
	return out;
}

static void
every_split(const char *text, const char *want, const char *name)
{
	int all = 1, rc;
	for (size_t step = 1; step <= strlen(text); step++)
		if (strcmp(parse(text, step, &rc), want) != 0 || rc != 0)
			all = 0;
	ok(all, name);
}

struct collected {
	struct buf text;
};

static void
on_text(const char *t, void *arg)
{
	buf_puts(&((struct collected *)arg)->text, t);
}

static int
chat_event(const char *event, const char *data, size_t len, void *arg)
{
	return chat_stream_event(arg, event, data, len);
}

/* A whole OpenAI stream through both layers, byte by byte. */
static int
chat(const char *stream, struct chat_stream *cs, struct collected *c, size_t step)
{
	static struct sse_parser p;
	sse_init(&p);
	buf_init(&c->text, 4096);
	chat_stream_init(cs, on_text, c);
	size_t n = strlen(stream);
	for (size_t i = 0; i < n; i += step)
		if (sse_feed(&p, stream + i, n - i < step ? n - i : step, chat_event, cs) < 0)
			return -1;
	return 0;
}

int
main(void)
{
	int rc;
	every_split("data: hello\n\n", "[message|hello]", "one event, split at every byte");
	every_split("data: a\r\n\r\ndata: b\r\rdata: c\n\n", "[message|a][message|b][message|c]",
	    "CRLF, CR and LF line ends, split at every byte (CR LF never counts twice)");
	every_split(": keep-alive\n\ndata: x\n\n", "[message|x]", "comments are ignored");
	every_split("data: one\ndata: two\n\n", "[message|one\ntwo]", "multi-line data joined with a newline");
	every_split("event: error\ndata: {\"e\":1}\n\n", "[error|{\"e\":1}]", "event name passed on");
	every_split("data:nospace\n\n", "[message|nospace]", "the space after the colon is optional");
	every_split("id: 7\nretry: 10\n\n", "", "an event without data is not dispatched");
	is(parse("data: tail-without-blank-line", 3, &rc), "", "an unterminated event is not dispatched");

	char *big = malloc(SSE_LINE_MAX + 64);
	memcpy(big, "data: ", 6);
	memset(big + 6, 'x', SSE_LINE_MAX);
	memcpy(big + 6 + SSE_LINE_MAX, "\n\n", 3);
	parse(big, 4096, &rc);
	is_int(rc, -1, "a line over the hard maximum fails the stream");
	struct sse_parser p;
	sse_init(&p);
	struct seen s = { 0 };
	buf_init(&s.log, 1024);
	sse_feed(&p, big, SSE_LINE_MAX + 10, record, &s);
	is_int(sse_feed(&p, "\n\ndata: x\n\n", 11, record, &s), -1, "and stays failed");
	is_int(s.n, 0, "nothing dispatched from it");
	buf_free(&s.log);
	free(big);
	struct seen stop = { .stop_after = 1 };
	buf_init(&stop.log, 1024);
	sse_init(&p);
	is_int(sse_feed(&p, "data: a\n\ndata: b\n\n", 18, record, &stop), -1, "a callback can stop the stream");
	is_int(stop.n, 1, "nothing after it");
	buf_free(&stop.log);

	const char *stream =
	    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n"
	    ": keep-alive\n\n"
	    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"We are \"},\"finish_reason\":null}],\"usage\":null}\r\n\r\n"
	    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"open.\"},\"finish_reason\":null}],\"usage\":null}\n\n"
	    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"capture_data\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
	    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"name\\\":\"}}]},\"finish_reason\":null}]}\n\n"
	    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Jane\\\"}\"}}]},\"finish_reason\":null}]}\n\n"
	    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}],\"usage\":null}\n\n"
	    "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":9,\"total_tokens\":129}}\n\n"
	    "data: [DONE]\n\n";
	int same = 1;
	for (size_t step = 1; step < 64; step++) {
		struct chat_stream cs;
		struct collected c;
		int r = chat(stream, &cs, &c, step);
		if (r != 0 || strcmp(c.text.data, "We are open.") != 0 || !cs.done || cs.total_tokens != 129 ||
		    cs.ntools != 1 || strcmp(cs.tools[0].args, "{\"name\":\"Jane\"}") != 0)
			same = 0;
		buf_free(&c.text);
	}
	ok(same, "a whole stream read the same at every chunk size: text, tool call arguments, usage, [DONE]");
	struct chat_stream cs;
	struct collected c;
	chat(stream, &cs, &c, 7);
	is(cs.tools[0].name, "capture_data", "tool name from the first fragment");
	is(cs.tools[0].id, "call_1", "tool call id kept");
	is(cs.finish_reason, "tool_calls", "finish reason");
	is_int(cs.prompt_tokens, 120, "prompt tokens from the final chunk");
	is_int(cs.completion_tokens, 9, "completion tokens from the final chunk");
	buf_free(&c.text);

	is_int(chat("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\n\n", &cs, &c, 5), -1, "malformed JSON fails the stream");
	ok(strstr(cs.error, "malformed") != NULL, "and says why");
	buf_free(&c.text);
	is_int(chat("data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n", &cs, &c, 9), -1,
	    "an error object mid-stream fails it");
	ok(strstr(cs.error, "overloaded") != NULL, "with the provider's message");
	buf_free(&c.text);
	is_int(chat("event: error\ndata: boom\n\n", &cs, &c, 4), -1, "an error event fails it");
	buf_free(&c.text);
	is_int(chat("data: {\"id\":\"x\",\"choices\":null,\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n",
	    &cs, &c, 3), 0, "choices null (compatible servers) is accepted");
	is_int(cs.total_tokens, 5, "total computed when a server leaves it out");
	buf_free(&c.text);
	is_int(chat("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":9,\"function\":{\"arguments\":\"x\"}}]}}]}\n\n",
	    &cs, &c, 50), -1, "a tool call index out of range fails it");
	buf_free(&c.text);
	struct buf longargs;
	buf_init(&longargs, 1 << 20);
	buf_puts(&longargs, "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"capture_data\",\"arguments\":\"");
	for (int i = 0; i < CHAT_ARGS_MAX + 10; i++)
		buf_putc(&longargs, 'a');
	buf_puts(&longargs, "\"}}]}}]}\n\ndata: [DONE]\n\n");
	is_int(chat(longargs.data, &cs, &c, 512), 0, "oversized tool arguments do not break the stream");
	ok(cs.tools[0].overflow && cs.tools[0].args_len == 0, "but are marked and not kept");
	buf_free(&c.text);
	buf_free(&longargs);
	return done_testing();
}
