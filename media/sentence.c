#include "sentence.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SENTENCE_MAX 8192

static const char *const abbreviations[] = {
	"mr", "mrs", "ms", "dr", "st", "ave", "no", "vs", "etc", "e.g", "i.e", "jr", "sr", "a.m", "p.m",
};

static int
is_abbreviation(const char *start, const char *dot)
{
	const char *w = dot;
	while (w > start && !isspace((unsigned char)w[-1]))
		w--;
	size_t n = (size_t)(dot - w);
	for (size_t i = 0; i < sizeof abbreviations / sizeof abbreviations[0]; i++)
		if (strlen(abbreviations[i]) == n && strncasecmp(w, abbreviations[i], n) == 0)
			return 1;
	return 0;
}

static void
emit_range(const char *p, size_t n, void (*emit)(const char *, void *), void *arg)
{
	while (n && isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	if (n == 0)
		return;
	char *s = malloc(n + 1);
	if (s == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = 0;
	emit(s, arg);
	free(s);
}

void
sentence_init(struct sentence_splitter *s)
{
	buf_init(&s->pending, SENTENCE_MAX);
}

void
sentence_free(struct sentence_splitter *s)
{
	buf_free(&s->pending);
}

void
sentence_feed(struct sentence_splitter *s, const char *text,
    void (*emit)(const char *, void *), void *arg)
{
	if (buf_puts(&s->pending, text) < 0) {
		/* A run-on longer than the buffer: speak what we have. */
		sentence_flush(s, emit, arg);
		buf_puts(&s->pending, text);
	}
	if (s->pending.data == NULL)
		return;
	const char *base = s->pending.data, *start = base;
	for (const char *p = base; *p; p++) {
		if (*p != '.' && *p != '!' && *p != '?')
			continue;
		/* Need the next character to know the sentence is over. */
		if (p[1] == 0)
			break;
		if (!isspace((unsigned char)p[1]))
			continue;
		if (*p == '.' && is_abbreviation(start, p))
			continue;
		emit_range(start, (size_t)(p + 1 - start), emit, arg);
		start = p + 1;
	}
	size_t used = (size_t)(start - base);
	if (used) {
		memmove(s->pending.data, start, s->pending.len - used + 1);
		s->pending.len -= used;
	}
}

void
sentence_flush(struct sentence_splitter *s, void (*emit)(const char *, void *), void *arg)
{
	emit_range(s->pending.data ? s->pending.data : "", s->pending.len, emit, arg);
	buf_reset(&s->pending);
}
