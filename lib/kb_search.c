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

/* Words too common, or too conversational, to tell passages apart. */
static const char *const stop_words[] = {
	"a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "by", "can", "could", "do",
	"does", "for", "from", "have", "hello", "hi", "how", "i", "if", "in", "is", "it", "its", "just",
	"know", "like", "me", "my", "need", "no", "of", "on", "or", "our", "please", "so", "tell",
	"that", "the", "there", "this", "to", "uh", "um", "us", "want", "was", "we", "were", "what",
	"when", "where", "which", "who", "will", "with", "would", "ya", "yes", "you", "your", NULL
};

static int
is_word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || c == '\'';
}

static int
is_stop_word(const char *w)
{
	for (int i = 0; stop_words[i]; i++)
		if (strcmp(stop_words[i], w) == 0)
			return 1;
	return 0;
}

/* Light suffix stripping so "hours"/"hour" and "opening"/"open" meet. */
static void
stem(char *w, size_t *n)
{
	if (*n > 5 && strcmp(w + *n - 3, "ing") == 0)
		*n -= 3;
	else if (*n > 4 && strcmp(w + *n - 2, "es") == 0 && w[*n - 3] != 's')
		*n -= 1;
	else if (*n > 3 && w[*n - 1] == 's' && w[*n - 2] != 's')
		*n -= 1;
	w[*n] = '\0';
}

/* The next term of *s into word (returns its length before stemming) or
 * 0 at the end. */
static size_t
next_term(const char **s, char word[KB_MAX_TOKEN_LEN + 1])
{
	const char *p = *s;
	for (;;) {
		while (*p && !is_word_byte((unsigned char)*p))
			p++;
		if (*p == '\0') {
			*s = p;
			return 0;
		}
		size_t len = 0;
		int digit = 0;
		for (; *p && is_word_byte((unsigned char)*p); p++) {
			if (*p == '\'' || len == KB_MAX_TOKEN_LEN)
				continue;
			digit |= isdigit((unsigned char)*p);
			word[len++] = (char)tolower((unsigned char)*p);
		}
		word[len] = '\0';
		if ((len > 3 || (digit && len > 0)) && !is_stop_word(word)) {
			size_t raw = len;
			stem(word, &len);
			*s = p;
			return raw;
		}
	}
}

/* Tokenises s into a new array of new strings (at most max); raw, when
 * given, gets each word's length before stemming. */
static int
tokenise(const char *s, char ***out, size_t *raw, int max)
{
	char **t = NULL;
	int n = 0, cap = 0;
	char word[KB_MAX_TOKEN_LEN + 1];
	size_t len;
	while (n < max && (len = next_term(&s, word)) > 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			t = xrealloc(t, (size_t)cap * sizeof *t);
		}
		if (raw)
			raw[n] = len;
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
	ps->ntokens = tokenise(ps->text, &ps->tokens, NULL, KB_MAX_TOKENS_PER_PASSAGE);
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

const char *
kb_corpus_text(const struct kb_corpus *c, int i)
{
	return c->p[i].text;
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
	size_t raw[KB_MAX_QUERY_TOKENS];
	int nq = tokenise(query ? query : "", &q, raw, KB_MAX_QUERY_TOKENS);
	/* A repeated question word counts once. */
	for (int i = 0; i < nq; i++)
		for (int j = i + 1; j < nq; j++)
			if (q[j][0] && strcmp(q[i], q[j]) == 0)
				q[j][0] = '\0';
	struct kb_hit *all = xcalloc((size_t)c->n, sizeof *all);
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
			all[i].score += idf * tf[i] * (BM25_K1 + 1) / (tf[i] + BM25_K1 * norm);
			all[i].matched++;
			all[i].specific |= raw[t] >= KB_SPECIFIC_LEN;
		}
	}
	int m = 0;
	for (int i = 0; i < c->n; i++)
		if (all[i].score > 0) {
			all[m] = all[i];
			all[m].source = c->p[i].source;
			all[m].passage = c->p[i].index;
			all[m].text = c->p[i].text;
			m++;
		}
	qsort(all, (size_t)m, sizeof *all, by_score);
	int out = m < k ? m : k;
	memcpy(hits, all, (size_t)out * sizeof *hits);
	free(all);
	free(tf);
	free_tokens(q, nq);
	return out;
}

int
kb_hit_confident(const struct kb_hit *h)
{
	/* One common word in common is chance (often recogniser debris). */
	return h->score >= KB_MIN_SCORE && (h->matched >= 2 || h->specific);
}

/* How many of the question's terms the sentence [s, e) contains. */
static int
sentence_score(const char *s, const char *e, char **q, int nq)
{
	char *text = xstrndup(s, (size_t)(e - s));
	char **t;
	int nt = tokenise(text, &t, NULL, KB_MAX_TOKENS_PER_PASSAGE), score = 0;
	for (int i = 0; i < nq; i++) {
		int found = 0;
		for (int j = 0; j < nt && !found; j++)
			found = strcmp(q[i], t[j]) == 0;
		score += found;
	}
	free_tokens(t, nt);
	free(text);
	return score;
}

static const char *
sentence_end(const char *s)
{
	while (*s && !((*s == '.' || *s == '!' || *s == '?') && (s[1] == ' ' || s[1] == '\n' || s[1] == '\0')))
		s++;
	return *s ? s + 1 : s;
}

char *
kb_corpus_answer(const struct kb_corpus *c, const char *query)
{
	struct kb_hit best;
	if (kb_corpus_search(c, query, &best, 1) != 1 || !kb_hit_confident(&best))
		return NULL;
	char **q;
	int nq = tokenise(query, &q, NULL, KB_MAX_QUERY_TOKENS);
	const char *starts[KB_ANSWER_SENTENCES], *ends[KB_ANSWER_SENTENCES];
	int scores[KB_ANSWER_SENTENCES], ns = 0;
	for (const char *s = best.text; *s && ns < KB_ANSWER_SENTENCES; ns++) {
		starts[ns] = s;
		ends[ns] = s = sentence_end(s);
		scores[ns] = sentence_score(starts[ns], ends[ns], q, nq);
		while (isspace((unsigned char)*s))
			s++;
	}
	free_tokens(q, nq);
	int first = 0, second = -1;
	for (int i = 1; i < ns; i++) {
		if (scores[i] > scores[first]) {
			second = first;
			first = i;
		} else if (second < 0 || scores[i] > scores[second])
			second = i;
	}
	/* A second sentence only when it shares at least half as much. */
	if (second >= 0 && (scores[second] == 0 || scores[second] * 2 < scores[first]))
		second = -1;
	int a = second >= 0 && second < first ? second : first;
	int b = second < 0 ? -1 : a == first ? second : first;
	if (b < 0)
		return xstrndup(starts[a], (size_t)(ends[a] - starts[a]));
	return xasprintf("%.*s %.*s", (int)(ends[a] - starts[a]), starts[a], (int)(ends[b] - starts[b]), starts[b]);
}
