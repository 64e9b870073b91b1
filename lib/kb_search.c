#include "kb_search.h"
#include "xalloc.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BM25_K1 1.2
#define BM25_B 0.75

struct passage {
	int source, index;
	char *text;
	char **tokens;
	int ntokens;
};

struct kb_corpus {
	struct passage *p;
	int n, cap;
	double avg_len;
};

/* Words too common to tell passages apart. */
static const char *const stop_words[] = {
	"a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for",
	"from", "how", "i", "in", "is", "it", "me", "my", "of", "on", "or", "the",
	"to", "we", "what", "when", "where", "which", "who", "you", "your", NULL
};

static int
is_word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

static int
is_stop_word(const char *w)
{
	for (int i = 0; stop_words[i]; i++)
		if (strcmp(stop_words[i], w) == 0)
			return 1;
	return 0;
}

/* Tokenises s into a new array of new strings (at most max). */
static int
tokenise(const char *s, char ***out, int max)
{
	char **t = NULL;
	int n = 0, cap = 0;
	while (*s && n < max) {
		while (*s && !is_word_byte((unsigned char)*s))
			s++;
		const char *w = s;
		while (*s && is_word_byte((unsigned char)*s))
			s++;
		size_t len = (size_t)(s - w);
		if (len == 0)
			break;
		if (len > KB_MAX_TOKEN_LEN)
			len = KB_MAX_TOKEN_LEN;
		char word[KB_MAX_TOKEN_LEN + 1];
		for (size_t i = 0; i < len; i++)
			word[i] = (char)tolower((unsigned char)w[i]);
		word[len] = '\0';
		if (is_stop_word(word))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			t = xrealloc(t, (size_t)cap * sizeof *t);
		}
		t[n++] = xstrdup(word);
	}
	*out = t;
	return n;
}

static void
free_tokens(char **t, int n)
{
	for (int i = 0; i < n; i++)
		free(t[i]);
	free(t);
}

static int
line_is_blank(const char *s, const char *e)
{
	for (; s < e; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

static int
emit(const char *start, const char *end, void (*fn)(void *, const char *, size_t), void *arg)
{
	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	if (end == start)
		return 0;
	fn(arg, start, (size_t)(end - start));
	return 1;
}

int
kb_each_passage(const char *text, void (*fn)(void *arg, const char *p, size_t n), void *arg)
{
	int count = 0;
	const char *s = text ? text : "", *start = NULL, *end = NULL;
	while (*s) {
		const char *eol = strchr(s, '\n');
		const char *line_end = eol ? eol : s + strlen(s);
		if (line_is_blank(s, line_end)) {
			if (start)
				count += emit(start, end, fn, arg);
			start = NULL;
		} else {
			if (start == NULL)
				start = s;
			end = line_end;
		}
		s = eol ? eol + 1 : line_end;
	}
	if (start)
		count += emit(start, end, fn, arg);
	return count;
}

struct add_ctx {
	struct kb_corpus *c;
	int source, index, added;
};

static void
add_passage(void *arg, const char *p, size_t n)
{
	struct add_ctx *a = arg;
	struct kb_corpus *c = a->c;
	if (c->n >= KB_MAX_PASSAGES)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->p = xrealloc(c->p, (size_t)c->cap * sizeof *c->p);
	}
	struct passage *ps = &c->p[c->n++];
	ps->source = a->source;
	ps->index = a->index++;
	ps->text = xstrndup(p, n);
	ps->ntokens = tokenise(ps->text, &ps->tokens, KB_MAX_TOKENS_PER_PASSAGE);
	a->added++;
}

struct kb_corpus *
kb_corpus_new(void)
{
	return xcalloc(1, sizeof(struct kb_corpus));
}

void
kb_corpus_free(struct kb_corpus *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->n; i++) {
		free(c->p[i].text);
		free_tokens(c->p[i].tokens, c->p[i].ntokens);
	}
	free(c->p);
	free(c);
}

int
kb_corpus_add(struct kb_corpus *c, int source, const char *text)
{
	struct add_ctx a = { c, source, 0, 0 };
	kb_each_passage(text, add_passage, &a);
	long total = 0;
	for (int i = 0; i < c->n; i++)
		total += c->p[i].ntokens;
	c->avg_len = c->n ? (double)total / c->n : 0;
	return a.added;
}

int
kb_corpus_size(const struct kb_corpus *c)
{
	return c->n;
}

static int
term_count(const struct passage *p, const char *term)
{
	int n = 0;
	for (int i = 0; i < p->ntokens; i++)
		n += strcmp(p->tokens[i], term) == 0;
	return n;
}

static int
by_score(const void *a, const void *b)
{
	const struct kb_hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	if (x->source != y->source)
		return x->source - y->source;
	return x->passage - y->passage;
}

int
kb_corpus_search(const struct kb_corpus *c, const char *query, struct kb_hit *hits, int k)
{
	if (c->n == 0 || k <= 0)
		return 0;
	char **q;
	int nq = tokenise(query ? query : "", &q, KB_MAX_QUERY_TOKENS);
	/* A repeated question word counts once. */
	for (int i = 0; i < nq; i++)
		for (int j = i + 1; j < nq; j++)
			if (q[j][0] && strcmp(q[i], q[j]) == 0)
				q[j][0] = '\0';
	double *score = xcalloc((size_t)c->n, sizeof *score);
	int *tf = xcalloc((size_t)c->n, sizeof *tf);
	for (int t = 0; t < nq; t++) {
		if (q[t][0] == '\0')
			continue;
		int df = 0;
		for (int i = 0; i < c->n; i++)
			df += (tf[i] = term_count(&c->p[i], q[t])) > 0;
		if (df == 0)
			continue;
		double idf = log(1.0 + (c->n - df + 0.5) / (df + 0.5));
		for (int i = 0; i < c->n; i++) {
			if (tf[i] == 0)
				continue;
			double norm = 1.0 - BM25_B + BM25_B * c->p[i].ntokens / (c->avg_len > 0 ? c->avg_len : 1);
			score[i] += idf * tf[i] * (BM25_K1 + 1) / (tf[i] + BM25_K1 * norm);
		}
	}
	struct kb_hit *all = xcalloc((size_t)c->n, sizeof *all);
	int m = 0;
	for (int i = 0; i < c->n; i++)
		if (score[i] > 0)
			all[m++] = (struct kb_hit){ c->p[i].source, c->p[i].index, score[i], c->p[i].text };
	qsort(all, (size_t)m, sizeof *all, by_score);
	int out = m < k ? m : k;
	memcpy(hits, all, (size_t)out * sizeof *hits);
	free(all);
	free(score);
	free(tf);
	free_tokens(q, nq);
	return out;
}
