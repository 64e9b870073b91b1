/* The chat.completion.chunk payloads of an OpenAI-compatible stream:
 * content deltas go to a callback, tool-call fragments are joined per
 * index, the usage of the final chunk is kept.  Tolerant of what
 * compatible servers omit (choices null or absent, usage absent);
 * strict about what signals failure (an error object, bad JSON). */
#ifndef MEDIA_CHAT_CHUNK_H
#define MEDIA_CHAT_CHUNK_H
#include <stddef.h>

#define CHAT_TOOLS_MAX 4
#define CHAT_ARGS_MAX 4096

struct chat_tool_call {
	char id[64];
	char name[64];
	char args[CHAT_ARGS_MAX + 1];
	size_t args_len;
	int overflow;
};

typedef void (*chat_text_fn)(const char *text, void *arg);

struct chat_stream {
	chat_text_fn text;
	void *arg;
	struct chat_tool_call tools[CHAT_TOOLS_MAX];
	int ntools;
	long prompt_tokens, completion_tokens, total_tokens;
	int have_usage;
	int done;                     /* [DONE] seen */
	char finish_reason[32];
	char error[256];              /* set when the stream reported a failure */
	long chunks;
};

void chat_stream_init(struct chat_stream *s, chat_text_fn text, void *arg);
/* One SSE event.  0 to go on, -1 on error (s->error says why). */
int chat_stream_event(struct chat_stream *s, const char *event, const char *data, size_t len);

#endif
